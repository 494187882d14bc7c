package io.cairndb.server;

import io.cairndb.api.CoordinatorServiceGrpc;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Nodes started in this JVM by index, each with a client channel, for tests that stop and start
 * nodes of one cluster; {@link #close} stops those still running, newest first.
 */
final class InJvmNodes implements AutoCloseable {

    private final List<CairnServer> servers = new ArrayList<>();
    private final List<ManagedChannel> channels = new ArrayList<>();

    /** Starts node {@code index} with {@code settings} (ports, data directory and the rest). */
    CairnServer start(int index, Map<String, String> settings) {
        CairnServer server = CairnServer.start(ConfigLoader.load(null, Map.of(), settings));
        while (servers.size() <= index) {
            servers.add(null);
            channels.add(null);
        }
        servers.set(index, server);
        channels.set(index, ManagedChannelBuilder.forAddress("127.0.0.1", server.port())
                .usePlaintext().build());
        return server;
    }

    void stop(int index) {
        channels.get(index).shutdownNow();
        servers.get(index).close();
        servers.set(index, null);
    }

    CairnServer server(int index) {
        return servers.get(index);
    }

    /** Every node by index; a stopped one is null. */
    List<CairnServer> servers() {
        return Collections.unmodifiableList(servers);
    }

    CoordinatorServiceGrpc.CoordinatorServiceBlockingStub client(int index) {
        return CoordinatorServiceGrpc.newBlockingStub(channels.get(index))
                .withDeadlineAfter(30, TimeUnit.SECONDS);
    }

    @Override
    public void close() {
        for (int i = servers.size() - 1; i >= 0; i--) {
            if (servers.get(i) != null) {
                stop(i);
            }
        }
    }
}
