package io.cairndb.client;

import io.grpc.BindableService;
import io.grpc.ManagedChannel;
import io.grpc.Server;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/** A {@link FakeCoordinator} served in-process, with a channel and a client to reach it. */
final class InProcessCoordinator implements AutoCloseable {

    final FakeCoordinator fake;
    final Server server;
    final ManagedChannel channel;

    InProcessCoordinator() {
        this(new FakeCoordinator());
    }

    /** Serves {@code service} instead of a fake; {@link #fake} is then an idle one. */
    InProcessCoordinator(BindableService service) {
        this.fake = service instanceof FakeCoordinator given ? given : new FakeCoordinator();
        String name = InProcessServerBuilder.generateName();
        try {
            server = InProcessServerBuilder.forName(name).directExecutor().addService(service)
                    .build().start();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        channel = InProcessChannelBuilder.forName(name).directExecutor().build();
    }

    CairnClient client() {
        return client(CairnClient.DEADLINE_DEFAULT);
    }

    CairnClient client(Duration deadline) {
        return CairnClient.builder().target("fake:7070").channel(channel).deadline(deadline)
                .build();
    }

    @Override
    public void close() {
        channel.shutdownNow();
        server.shutdownNow();
        try {
            channel.awaitTermination(5, TimeUnit.SECONDS);
            server.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
