package io.cairndb.cli;

import io.cairndb.client.CairnClient;
import io.cairndb.client.FakeAdmin;
import io.cairndb.client.FakeCoordinator;
import io.cairndb.client.FakeMigrations;
import io.grpc.ManagedChannel;
import io.grpc.Server;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Runs {@code cairn} command lines in-process against a {@link FakeCoordinator} and a
 * {@link FakeAdmin} that share their migrations, capturing what they print and which target and
 * timeout they asked for. Time stands still but for the commands' pauses, which move it on
 * instead of sleeping.
 */
final class CliHarness implements AutoCloseable {

    /** What one command line did. */
    record Result(int exitCode, String out, String err) {
    }

    final FakeMigrations migrations = new FakeMigrations();
    final FakeCoordinator fake = new FakeCoordinator(migrations);
    final FakeAdmin admin = new FakeAdmin(migrations);
    /** "Now" for the commands: the fake admin's clock, moved only by pauses. */
    final ManualClock clock = new ManualClock(FakeAdmin.NOW_MILLIS);
    final List<String> targets = new ArrayList<>();
    final List<Duration> deadlines = new ArrayList<>();
    /** Every pause a command asked for, in order. */
    final List<Duration> pauses = new ArrayList<>();
    /** Whether the commands believe they print to a terminal. */
    boolean terminal;
    /** Runs at each pause, before the clock moves: a test's way to act between two polls. */
    Runnable onPause = () -> { };
    private final Server server;
    private final ManagedChannel channel;

    CliHarness() {
        String name = InProcessServerBuilder.generateName();
        try {
            server = InProcessServerBuilder.forName(name).directExecutor().addService(fake)
                    .addService(admin).build().start();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        channel = InProcessChannelBuilder.forName(name).directExecutor().build();
    }

    Result run(String... args) {
        return run(new byte[0], args);
    }

    Result runWithStdin(String stdin, String... args) {
        return run(stdin.getBytes(StandardCharsets.UTF_8), args);
    }

    Result run(byte[] stdin, String... args) {
        ClientFactory clients = (target, deadline) -> {
            targets.add(target);
            deadlines.add(deadline);
            return CairnClient.builder().target(target).channel(channel).deadline(deadline)
                    .build();
        };
        CliContext.Pause pause = duration -> {
            pauses.add(duration);
            onPause.run();
            clock.advance(duration);
        };
        return run(clients, clock, pause, terminal, stdin, args);
    }

    /** Runs with the given client factory instead of the in-process one. */
    static Result run(ClientFactory clients, byte[] stdin, String... args) {
        return run(clients, Clock.systemUTC(), CliContext.Pause.SLEEP, false, stdin, args);
    }

    private static Result run(ClientFactory clients, Clock clock, CliContext.Pause pause,
                              boolean terminal, byte[] stdin, String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        CliContext context = new CliContext(writer(out), writer(err),
                new ByteArrayInputStream(stdin), clients, clock, pause, terminal);
        int exitCode = CairnCli.run(context, args);
        return new Result(exitCode, out.toString(StandardCharsets.UTF_8),
                err.toString(StandardCharsets.UTF_8));
    }

    private static PrintWriter writer(ByteArrayOutputStream bytes) {
        return new PrintWriter(new OutputStreamWriter(bytes, StandardCharsets.UTF_8));
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

    /** A clock that moves only when told to; its copies in other zones move with it. */
    static final class ManualClock extends Clock {

        private final AtomicLong nowMillis;
        private final ZoneId zone;

        ManualClock(long nowMillis) {
            this(new AtomicLong(nowMillis), ZoneOffset.UTC);
        }

        private ManualClock(AtomicLong nowMillis, ZoneId zone) {
            this.nowMillis = nowMillis;
            this.zone = zone;
        }

        void advance(Duration duration) {
            nowMillis.addAndGet(duration.toMillis());
        }

        @Override
        public ZoneId getZone() {
            return zone;
        }

        @Override
        public Clock withZone(ZoneId newZone) {
            return new ManualClock(nowMillis, newZone);
        }

        @Override
        public Instant instant() {
            return Instant.ofEpochMilli(nowMillis.get());
        }
    }
}
