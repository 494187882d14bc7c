package io.cairndb.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.cairndb.cli.CliHarness.Result;
import io.grpc.Status;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

// Proves the exit codes (0 ok, 1 server error, 2 usage, 3 unreachable) and the shared options.
class CairnCliTest {

    private final CliHarness cli = new CliHarness();

    @AfterEach
    void stop() {
        cli.close();
    }

    /** A port nothing listens on: bound once by the OS, then released. */
    private static int closedPort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    @Test
    void noCommandIsAUsageErrorListingTheCommands() {
        Result result = cli.run();

        assertThat(result.exitCode()).isEqualTo(2);
        assertThat(result.err()).startsWith("error: missing a subcommand: one of tenant, kv, node,"
                + " migration, config, cluster, audit, control, server, dev-cluster\n")
                .contains("Try 'cairn --help'");
    }

    @Test
    void groupWithoutSubcommandIsAUsageError() {
        Result result = cli.run("kv");

        assertThat(result.exitCode()).isEqualTo(2);
        assertThat(result.err()).startsWith("error: missing a subcommand: one of put, get, del,"
                + " scan, batch\n");
    }

    @Test
    void helpPrintsUsageAndSucceeds() {
        Result result = cli.run("--help");

        assertThat(result.exitCode()).isZero();
        assertThat(result.out()).contains("Usage: cairn").contains("server").contains("kv")
                .contains("Exit codes:");
        assertThat(cli.run("kv", "put", "--help").out()).contains("--idempotency-key");
        assertThat(cli.run("--version").out()).startsWith("cairn ");
    }

    @Test
    void unknownCommandIsAUsageErrorWithASuggestion() {
        Result result = cli.run("kv", "scna", "acme");

        assertThat(result.exitCode()).isEqualTo(2);
        assertThat(result.err()).startsWith("error: Unmatched argument").contains("kv scan");
    }

    @Test
    void unknownOptionIsAUsageError() {
        Result result = cli.run("node", "list", "--colour");

        assertThat(result.exitCode()).isEqualTo(2);
        assertThat(result.err()).startsWith("error: Unknown option: '--colour'");
    }

    @Test
    void targetAndTimeoutReachTheClient() {
        cli.run("node", "list", "--target", "db.example:7171", "--timeout", "2.5");

        assertThat(cli.targets).containsExactly("db.example:7171");
        assertThat(cli.deadlines).containsExactly(Duration.ofMillis(2500));
    }

    @Test
    void targetDefaultsToCairnTargetOrTheLocalPort() {
        cli.run("node", "list");

        String fromEnvironment = System.getenv("CAIRN_TARGET");
        assertThat(cli.targets).containsExactly(fromEnvironment != null ? fromEnvironment
                : "127.0.0.1:7070");
        assertThat(cli.deadlines).containsExactly(Duration.ofSeconds(10));
    }

    @Test
    void nonPositiveTimeoutIsAUsageError() {
        Result result = cli.run("node", "list", "--timeout", "0");

        assertThat(result.exitCode()).isEqualTo(2);
        assertThat(result.err()).startsWith("error: --timeout must be a positive number");
    }

    @Test
    void unreachableServerExitsThree() throws Exception {
        String target = "127.0.0.1:" + closedPort();

        Result result = CliHarness.run(ClientFactory.NETWORK, new byte[0],
                "tenant", "get", "acme", "--target", target);

        assertThat(result.exitCode()).isEqualTo(3);
        assertThat(result.out()).isEmpty();
        assertThat(result.err())
                .isEqualTo("error: cannot reach CairnDB at " + target + ": Connection refused\n");
    }

    @Test
    void runOnProcessStreamsUsesTheNetwork() throws Exception {
        String target = "127.0.0.1:" + closedPort();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();

        int exitCode = CairnCli.run(new PrintStream(out), new PrintStream(err),
                new ByteArrayInputStream(new byte[0]), "node", "list", "--target", target);

        assertThat(exitCode).isEqualTo(3);
        assertThat(err.toString(StandardCharsets.UTF_8)).startsWith("error: cannot reach");
    }

    @Test
    void silentServerTimesOutAndExitsThree() {
        cli.fake.silent();

        Result result = cli.run("kv", "get", "acme", "k", "--timeout", "0.2",
                "--target", "slow:7070");

        assertThat(result.exitCode()).isEqualTo(3);
        assertThat(result.err()).isEqualTo("error: CairnDB at slow:7070 did not answer within"
                + " 200ms (deadline exceeded)\n");
    }

    @Test
    void grpcFailureWithoutAContractCodeExitsOneWithoutACodePrefix() {
        cli.fake.failNext(Status.INTERNAL.withDescription("boom"));

        Result result = cli.run("node", "list", "--target", "x:1");

        assertThat(result.exitCode()).isEqualTo(1);
        assertThat(result.err())
                .isEqualTo("error: call to CairnDB at x:1 failed: INTERNAL: boom\n");
    }

    @Test
    void noFailurePrintsAStackTrace() throws Exception {
        cli.fake.failNext(Status.UNKNOWN.withCause(new IllegalStateException("deep")));
        String[][] failing = {
            {"node", "list"},
            {"kv", "get", "nobody", "k"},
            {"kv", "put", "acme"},
            {"tenant", "get", "acme", "--target", "bad target"},
        };
        for (String[] args : failing) {
            Result result = cli.run(args);

            assertThat(result.exitCode()).isNotZero();
            assertThat(result.err()).doesNotContain("\tat ").doesNotContain("Exception");
        }
    }
}
