package io.cairndb.cli;

import io.cairndb.api.ErrorCode;
import io.cairndb.client.CairnException;
import io.cairndb.client.CairnTimeoutException;
import io.cairndb.client.CairnUnavailableException;
import java.io.Console;
import java.io.InputStream;
import java.io.OutputStreamWriter;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.lang.reflect.Method;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ParseResult;
import picocli.CommandLine.UnmatchedArgumentException;

/**
 * The {@code cairn} command: {@code server} runs a node; {@code tenant}, {@code kv}, {@code node},
 * {@code migration}, {@code config}, {@code cluster}, {@code audit} and {@code control} talk to
 * one.
 *
 * <p>Exit codes: 0 success; 1 the server refused the request (the message names its error code)
 * or another failure; 2 a usage error; 3 the server could not be reached or did not answer in
 * time. Errors are one line on standard error, never a stack trace.
 */
@Command(name = "cairn", mixinStandardHelpOptions = true, version = "cairn 0.1.0",
        description = "CairnDB, a distributed multi-tenant key-value database.",
        subcommands = {TenantCommand.class, KvCommand.class, NodeCommand.class,
            MigrationCommand.class, ConfigCommand.class, ClusterCommand.class,
            AuditCommand.class, ControlCommand.class},
        footer = {"", "Exit codes: 0 ok, 1 the server refused the request, 2 usage error, "
                + "3 server unreachable or timed out."})
public final class CairnCli extends GroupCommand {

    static final int EXIT_OK = 0;
    static final int EXIT_SERVER_ERROR = 1;
    static final int EXIT_USAGE = 2;
    static final int EXIT_UNREACHABLE = 3;

    private final CliContext context;

    CairnCli(CliContext context) {
        this.context = context;
    }

    CliContext context() {
        return context;
    }

    public static void main(String[] args) {
        // Ratis's bundled gRPC logs through java.util.logging, which would print two-line INFO
        // records beside our own log lines; its warnings and errors still show.
        java.util.logging.Logger.getLogger("").setLevel(java.util.logging.Level.WARNING);
        // Netty's leak detector (in gRPC's and Ratis's bundled copies) records a stack trace for
        // one buffer in 128; under load that is thousands of traces a second, for a debugging
        // aid. It stays available: set the property on the command line to turn it back on.
        for (String nettyPackage : new String[] {"io.grpc.netty.shaded.io.netty",
                "org.apache.ratis.thirdparty.io.netty"}) {
            String property = nettyPackage + ".leakDetection.level";
            if (System.getProperty(property) == null) {
                System.setProperty(property, "disabled");
            }
        }
        System.exit(run(System.out, System.err, System.in, args));
    }

    /** Runs one command line against the network and returns its exit code. */
    public static int run(PrintStream out, PrintStream err, InputStream in, String... args) {
        CliContext context = new CliContext(utf8Writer(out), utf8Writer(err), in,
                ClientFactory.NETWORK, Clock.systemUTC(), CliContext.Pause.SLEEP,
                out == System.out && interactive());
        return run(context, args);
    }

    /**
     * Whether the process talks to a terminal. Before Java 22 {@code System.console()} is null
     * unless both standard input and output are terminals; from 22 on it answers even when they
     * are redirected, and {@code Console.isTerminal()} (absent before 22) tells.
     */
    static boolean interactive() {
        Console console = System.console();
        if (console == null) {
            return false;
        }
        try {
            Method isTerminal = Console.class.getMethod("isTerminal");
            return (Boolean) isTerminal.invoke(console);
        } catch (NoSuchMethodException e) {
            return true;
        } catch (ReflectiveOperationException | RuntimeException e) {
            return false;
        }
    }

    /** Runs one command line in the given context; tests pass an in-process client factory. */
    static int run(CliContext context, String... args) {
        try {
            return commandLine(context).execute(args);
        } finally {
            context.out().flush();
            context.err().flush();
        }
    }

    static CommandLine commandLine(CliContext context) {
        CommandLine cli = new CommandLine(new CairnCli(context));
        cli.addSubcommand("server", new ServerCommand());
        cli.addSubcommand("dev-cluster", new DevClusterCommand());
        cli.setOut(context.out());
        cli.setErr(context.err());
        cli.setParameterExceptionHandler(CairnCli::usageError);
        cli.setExecutionExceptionHandler(CairnCli::failure);
        return cli;
    }

    /** A usage error: the reason, the command's synopsis, and where to find help. */
    private static int usageError(ParameterException e, String[] args) {
        CommandLine command = e.getCommandLine();
        PrintWriter err = command.getErr();
        err.println("error: " + e.getMessage());
        UnmatchedArgumentException.printSuggestions(e, err);
        err.print(command.getHelp().synopsisHeading() + command.getHelp().synopsis(0));
        err.println("Try '" + command.getCommandSpec().qualifiedName() + " --help' for more"
                + " information.");
        err.flush();
        return EXIT_USAGE;
    }

    /** A command's failure as one line on standard error and an exit code. */
    private static int failure(Exception e, CommandLine command, ParseResult parsed) {
        PrintWriter err = command.getErr();
        int code;
        if (e instanceof CairnUnavailableException || e instanceof CairnTimeoutException) {
            err.println("error: " + e.getMessage());
            code = EXIT_UNREACHABLE;
        } else if (e instanceof CairnException cairn) {
            String prefix = cairn.code() == ErrorCode.UNKNOWN ? ""
                    : cairn.code() + ": ";
            err.println("error: " + prefix + cairn.getMessage());
            code = EXIT_SERVER_ERROR;
        } else {
            String message = e.getMessage() == null || e.getMessage().isBlank()
                    ? e.getClass().getName() : e.getMessage();
            err.println("error: " + message.lines().findFirst().orElse(message));
            code = EXIT_SERVER_ERROR;
        }
        err.flush();
        return code;
    }

    private static PrintWriter utf8Writer(PrintStream stream) {
        return new PrintWriter(new OutputStreamWriter(stream, StandardCharsets.UTF_8), false);
    }
}
