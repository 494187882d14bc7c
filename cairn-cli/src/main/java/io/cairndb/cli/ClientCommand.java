package io.cairndb.cli;

import io.cairndb.client.CairnClient;
import java.io.IOException;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import java.util.logging.Level;
import java.util.logging.Logger;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * A command that talks to a server: checks its arguments, opens a client from the {@link
 * ClientOptions}, runs, and closes the client. Failures propagate as exceptions and become exit
 * codes in {@link CairnCli}.
 */
abstract class ClientCommand implements Callable<Integer> {

    /**
     * gRPC logs connection and name-resolution failures through java.util.logging, stack trace
     * included; a client command reports them itself, in one line. Held here because the logging
     * framework keeps loggers only weakly, and a collected logger forgets its level.
     */
    private static final Logger GRPC_LOGGER = Logger.getLogger("io.grpc");

    @Spec
    CommandSpec spec;

    @Mixin
    ClientOptions options;

    @Override
    public final Integer call() throws IOException {
        check();
        GRPC_LOGGER.setLevel(Level.OFF);
        try (CairnClient client = options.open(context())) {
            return run(client);
        } finally {
            out().flush();
            err().flush();
        }
    }

    /** Rejects arguments that are wrong without asking the server; reads local input. */
    void check() throws IOException {
    }

    /** Runs the command and returns its exit code. */
    abstract int run(CairnClient client) throws IOException;

    final CliContext context() {
        return ((CairnCli) spec.root().userObject()).context();
    }

    final PrintWriter out() {
        return context().out();
    }

    final PrintWriter err() {
        return context().err();
    }

    final boolean jsonOutput() {
        return options.json;
    }

    final ParameterException usage(String message) {
        return new ParameterException(spec.commandLine(), message);
    }
}
