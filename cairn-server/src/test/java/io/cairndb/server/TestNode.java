package io.cairndb.server;

import io.cairndb.api.CoordinatorServiceGrpc;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/** A node on an ephemeral port in a temporary directory, with a clock the test moves. */
final class TestNode implements AutoCloseable {

    final AtomicLong clock = new AtomicLong(1_800_000_000_000L);
    final Path dataDir;
    final Map<String, String> settings;
    CairnServer server;
    ManagedChannel channel;
    CoordinatorServiceGrpc.CoordinatorServiceBlockingStub stub;

    TestNode(Path dataDir, Map<String, String> extra) {
        this.dataDir = dataDir;
        this.settings = new HashMap<>(Map.of("port", "0", "peerPort", "0", "raftPort", "0",
                "httpPort", "0", "dataDir", dataDir.toString()));
        this.settings.putAll(extra);
        start();
    }

    void start() {
        server = CairnServer.start(ConfigLoader.load(null, Map.of(), settings), clock::get);
        channel = ManagedChannelBuilder.forAddress("127.0.0.1", server.port()).usePlaintext()
                .maxInboundMessageSize(80 * 1024 * 1024).build();
        stub = CoordinatorServiceGrpc.newBlockingStub(channel)
                .withDeadlineAfter(30, TimeUnit.SECONDS);
    }

    void restart() {
        stop();
        start();
    }

    private void stop() {
        channel.shutdownNow();
        server.close();
    }

    @Override
    public void close() {
        stop();
    }
}
