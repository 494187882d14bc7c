package io.cairndb.cli;

import io.cairndb.client.CairnClient;
import java.time.Duration;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** The options every command that talks to a server takes: where, how long, and in what form. */
final class ClientOptions {

    /** Seconds a call may take when {@code --timeout} is not given. */
    static final double TIMEOUT_SECONDS_DEFAULT = 10;

    @Spec(Spec.Target.MIXEE)
    private CommandSpec command;

    @Option(names = "--target", paramLabel = "HOST:PORT",
            defaultValue = "${env:CAIRN_TARGET:-127.0.0.1:7070}",
            description = "The server to talk to (default: ${DEFAULT-VALUE}, from CAIRN_TARGET "
                    + "when set).")
    String target;

    @Option(names = "--json", description = "Print JSON instead of text.")
    boolean json;

    @Option(names = "--timeout", paramLabel = "SECONDS", defaultValue = "10",
            description = "How long each call may take, in seconds (default: ${DEFAULT-VALUE}).")
    double timeoutSeconds = TIMEOUT_SECONDS_DEFAULT;

    Duration timeout() {
        if (!(timeoutSeconds > 0) || timeoutSeconds > Duration.ofDays(1).toSeconds()) {
            throw new ParameterException(command.commandLine(),
                    "--timeout must be a positive number of seconds up to a day, was "
                            + timeoutSeconds);
        }
        return Duration.ofNanos(Math.round(timeoutSeconds * 1e9));
    }

    CairnClient open(CliContext context) {
        Duration timeout = timeout();
        try {
            return context.clients().open(target, timeout);
        } catch (IllegalArgumentException e) {
            throw new ParameterException(command.commandLine(),
                    "--target '" + target + "' names no server: " + e.getMessage());
        }
    }
}
