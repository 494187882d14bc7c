package io.cairndb.cli;

import java.io.InputStream;
import java.io.PrintWriter;
import java.time.Clock;
import java.util.Objects;

/**
 * What a command reads and writes, and how it reaches a server: the process's streams and the
 * network in {@code main}, in-memory streams and an in-process server in tests.
 *
 * @param out command results
 * @param err errors and notes
 * @param in what {@code --stdin} and {@code -} read
 * @param clients opens a client for {@code --target}
 * @param clock what "now" is, for options given relative to it ({@code --since 10m})
 */
record CliContext(PrintWriter out, PrintWriter err, InputStream in, ClientFactory clients,
                  Clock clock) {

    CliContext {
        Objects.requireNonNull(out, "out");
        Objects.requireNonNull(err, "err");
        Objects.requireNonNull(in, "in");
        Objects.requireNonNull(clients, "clients");
        Objects.requireNonNull(clock, "clock");
    }

    /** A context on the system clock. */
    CliContext(PrintWriter out, PrintWriter err, InputStream in, ClientFactory clients) {
        this(out, err, in, clients, Clock.systemUTC());
    }
}
