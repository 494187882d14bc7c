package io.cairndb.cli;

import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** A command that only groups subcommands: run alone, it is a usage error. */
abstract class GroupCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        String names = spec.subcommands().values().stream().map(CommandLine::getCommandName)
                .distinct().collect(Collectors.joining(", "));
        throw new ParameterException(spec.commandLine(), "missing a subcommand: one of " + names);
    }
}
