package io.cairndb.cli;

import java.io.InputStream;
import java.io.PrintWriter;
import java.time.Clock;
import java.time.Duration;
import java.util.Objects;

/**
 * What a command reads and writes, and how it reaches a server: the process's streams and the
 * network in {@code main}, in-memory streams and an in-process server in tests.
 *
 * @param out command results
 * @param err errors and notes
 * @param in what {@code --stdin} and {@code -} read
 * @param clients opens a client for {@code --target}
 * @param clock what "now" is, for options given relative to it ({@code --since 10m}) and for
 *     rates measured between polls
 * @param pause waits between polls ({@code --watch}); tests pass one that moves their clock
 * @param terminal whether {@code out} is an interactive terminal, where a watch may redraw one
 *     line instead of printing a line per poll
 */
record CliContext(PrintWriter out, PrintWriter err, InputStream in, ClientFactory clients,
                  Clock clock, Pause pause, boolean terminal) {

    /** Waits for a while between two polls of a server. */
    @FunctionalInterface
    interface Pause {

        /** Sleeps on the calling thread. */
        Pause SLEEP = duration -> Thread.sleep(duration.toMillis());

        void pause(Duration duration) throws InterruptedException;
    }

    CliContext {
        Objects.requireNonNull(out, "out");
        Objects.requireNonNull(err, "err");
        Objects.requireNonNull(in, "in");
        Objects.requireNonNull(clients, "clients");
        Objects.requireNonNull(clock, "clock");
        Objects.requireNonNull(pause, "pause");
    }

    /** A context that sleeps between polls and prints to something other than a terminal. */
    CliContext(PrintWriter out, PrintWriter err, InputStream in, ClientFactory clients,
               Clock clock) {
        this(out, err, in, clients, clock, Pause.SLEEP, false);
    }

    /** A context on the system clock. */
    CliContext(PrintWriter out, PrintWriter err, InputStream in, ClientFactory clients) {
        this(out, err, in, clients, Clock.systemUTC());
    }
}
