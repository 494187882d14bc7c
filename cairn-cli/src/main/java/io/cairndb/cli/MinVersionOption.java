package io.cairndb.cli;

import picocli.CommandLine.Option;

/** {@code --min-version}: a metadata read answered from the node's own copy once it is current. */
final class MinVersionOption {

    @Option(names = "--min-version", paramLabel = "TERM:INDEX",
            description = "Read from the answering node once it holds at least this version "
                    + "(from an earlier answer) instead of a linearizable read.")
    String value;
}
