package io.cairndb.bench;

import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/**
 * {@code cairn bench jmh [JMH options] [benchmark regexps]}: runs the JMH microbenchmarks built
 * into this jar. The launcher hands every argument after {@code jmh} to JMH unparsed; this command
 * exists so that {@code cairn bench --help} lists it.
 */
@Command(name = "jmh",
        description = {
            "Runs the JMH microbenchmarks of the hot paths (io.cairndb.bench.jmh): token hashing"
                + " and replica lookup, version resolution, storage put/get, and the coordinator"
                + " write path over loopback gRPC. Every argument goes to JMH: -h lists its"
                + " options, -l the benchmarks. Example: cairn bench jmh -f 1 -wi 2 -i 3 Ring"})
final class JmhCommand implements Callable<Integer> {

    @Parameters(arity = "0..*", paramLabel = "JMH_ARG", description = "Passed to JMH.")
    List<String> arguments = List.of();

    @Override
    public Integer call() {
        runJmh(arguments.toArray(String[]::new));
        return BenchCommand.EXIT_OK;
    }

    static void runJmh(String[] arguments) {
        try {
            org.openjdk.jmh.Main.main(arguments);
        } catch (Exception e) {
            System.err.println("cairn bench jmh: " + e.getMessage());
            System.exit(BenchCommand.EXIT_REFUSED);
        }
    }
}
