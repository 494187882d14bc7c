package io.cairndb.bench;

import io.cairndb.bench.backend.Backend;
import io.cairndb.bench.backend.Backends;
import io.cairndb.client.CairnException;
import io.cairndb.client.CairnTimeoutException;
import io.cairndb.client.CairnUnavailableException;
import java.io.IOException;
import java.io.PrintWriter;
import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code cairn bench}: the load driver. One workload definition and one measurement loop for
 * every backend; only the client calls differ.
 */
@Command(name = "cairn bench",
        mixinStandardHelpOptions = true,
        sortOptions = false,
        usageHelpWidth = 100,
        version = "cairn bench 0.1.0",
        subcommands = {JmhCommand.class, TableCommand.class},
        description = {
            "Measures throughput and latency of CairnDB, etcd or Redis under the same workloads.",
            "",
            "Keeps --concurrency requests in flight with each client's async API (not one thread"
                + " per request), records every successful operation's latency in an HdrHistogram"
                + " and counts failures by error code. The order is: optional --preload (every"
                + " key written once), optional --initial-warmup, then for each workload and"
                + " concurrency level a --warmup and a measured phase (--duration or --ops). Only"
                + " measured phases are reported. A progress line goes to standard error each"
                + " second; results go to standard output, as tables or with --json.",
            ""},
        footer = {
            "",
            "Examples:",
            "  cairn bench --workload write-only --concurrency 64 --duration 30s",
            "  cairn bench --workload ycsb-a --preload --distribution zipfian --json",
            "  cairn bench --workload write-only,read-only --concurrency 1,16,64 --preload",
            "  cairn bench --backend etcd --target 127.0.0.1:2379 --workload read-only --preload",
            "  cairn bench --backend redis --target 127.0.0.1:6379 --workload ycsb-b --preload",
            "  cairn bench jmh -f 1 -wi 2 -i 3 Ring       (JMH microbenchmarks; 'jmh -h' for JMH's"
                + " options)",
            "",
            "Exit codes: 0 the run completed (failed operations are counted, not fatal),"
                + " 1 the system refused the set-up, 2 usage error, 3 the system is unreachable."})
public final class BenchCommand implements Callable<Integer> {

    static final int EXIT_OK = 0;
    static final int EXIT_REFUSED = 1;
    static final int EXIT_USAGE = 2;
    static final int EXIT_UNREACHABLE = 3;

    /** Rounds of rewriting the keys whose preload write failed. */
    static final int PRELOAD_RETRIES = 3;

    @Spec
    CommandSpec spec;

    @Option(names = {"-b", "--backend"}, paramLabel = "NAME", defaultValue = "cairn",
            description = "System under test: cairn (Java SDK, gRPC), http (CairnDB's REST API,"
                    + " JDK HttpClient), etcd (jetcd) or redis (Lettuce)."
                    + " Default: ${DEFAULT-VALUE}.")
    String backend;

    @Option(names = {"-t", "--target"}, paramLabel = "ADDRESS",
            description = "Where the system listens. cairn: host:port (default 127.0.0.1:7070),"
                    + " or several, comma-separated, to spread calls round-robin over them."
                    + " http: host:port of the HTTP port (default 127.0.0.1:8080)."
                    + " etcd: comma-separated endpoints (default http://127.0.0.1:2379). redis:"
                    + " host:port or redis://URI (default 127.0.0.1:6379).")
    String target;

    @Option(names = {"-w", "--workload"}, paramLabel = "NAME", defaultValue = "write-only",
            split = ",",
            description = "write-only, read-only, ycsb-a (50%% reads, 50%% updates), ycsb-b (95%%"
                    + " reads, 5%% updates) or ycsb-c (reads only). An update writes a whole"
                    + " value. A comma-separated list runs each in turn, in one process."
                    + " Default: ${DEFAULT-VALUE}.")
    List<String> workloads;

    @Option(names = {"-k", "--keys"}, paramLabel = "N", defaultValue = "10000",
            description = "Keys in the key space; operations pick among them. Default:"
                    + " ${DEFAULT-VALUE}.")
    long keys;

    @Option(names = "--key-size", paramLabel = "BYTES", defaultValue = "16",
            description = "Bytes per key: 'k' and the key's number, zero-padded. Default:"
                    + " ${DEFAULT-VALUE}.")
    int keySizeBytes;

    @Option(names = "--value-size", paramLabel = "BYTES", defaultValue = "256",
            description = "Bytes per written value (random, incompressible). Default:"
                    + " ${DEFAULT-VALUE}.")
    int valueSizeBytes;

    @Option(names = "--distribution", paramLabel = "NAME", defaultValue = "uniform",
            description = "How operations pick keys: uniform, or zipfian (YCSB's scrambled"
                    + " Zipfian, theta 0.99: a few hot keys spread over the key space). Default:"
                    + " ${DEFAULT-VALUE}.")
    String distribution;

    @Option(names = "--preload",
            description = "Before the run, write every key once (in key order, excluded from the"
                    + " results). Reads of keys never written count as KEY_NOT_FOUND errors.")
    boolean preload;

    @Option(names = "--preload-only",
            description = "Write every key once, report that phase, and stop (for scripts that"
                    + " load once and then run several workloads).")
    boolean preloadOnly;

    @Option(names = "--preload-concurrency", paramLabel = "N", defaultValue = "64",
            description = "Requests in flight while preloading. Default: ${DEFAULT-VALUE}.")
    int preloadConcurrency;

    @Option(names = {"-c", "--concurrency"}, paramLabel = "N", defaultValue = "16",
            split = ",",
            description = "Requests in flight at once, each issued from the completion of the"
                    + " last (a closed loop). A comma-separated list (1,16,64) runs each level"
                    + " for every workload. Default: ${DEFAULT-VALUE}.")
    List<Integer> concurrencies;

    @Option(names = {"-d", "--duration"}, paramLabel = "TIME", converter = DurationConverter.class,
            description = "Length of the measured phase, e.g. 30s, 500ms, 2m. Default: 10s,"
                    + " unless --ops is given.")
    Duration duration;

    @Option(names = {"-n", "--ops"}, paramLabel = "N",
            description = "End the measured phase after this many operations instead of after a"
                    + " time.")
    Long ops;

    @Option(names = "--warmup", paramLabel = "TIME", defaultValue = "5s",
            converter = DurationConverter.class,
            description = "Load run before each measured phase, with its workload and"
                    + " concurrency, and excluded from the results, so that JIT compilation,"
                    + " connections and caches settle. 0 for none. Default: ${DEFAULT-VALUE}.")
    Duration warmup;

    @Option(names = "--initial-warmup", paramLabel = "TIME", defaultValue = "0s",
            converter = DurationConverter.class,
            description = "Extra load run once, before the first run, mixing the reads and writes"
                    + " of all the runs at their highest concurrency: lets the JVM compile both"
                    + " paths once when many short runs follow. Default: ${DEFAULT-VALUE}.")
    Duration initialWarmup;

    @Option(names = "--consistency", paramLabel = "LEVEL",
            description = "cairn: one, quorum or all, for reads and writes (default quorum)."
                    + " etcd: linearizable or serializable gets (default linearizable; puts always"
                    + " go through Raft). redis: not accepted (it has no levels).")
    String consistency;

    @Option(names = "--rf", paramLabel = "N", defaultValue = "0",
            description = "cairn: replication factor of the bench tenant when the run creates it;"
                    + " 0 for the server's default. An existing tenant keeps its RF (a warning"
                    + " says so). Default: ${DEFAULT-VALUE}.")
    int replicationFactor;

    @Option(names = "--tenant", paramLabel = "ID", defaultValue = "bench",
            description = "cairn: the tenant to use, created if missing. etcd and redis: keys are"
                    + " prefixed with ID/ (the namespace a tenant gives). Default:"
                    + " ${DEFAULT-VALUE}.")
    String tenant;

    @Option(names = "--connections", paramLabel = "N", defaultValue = "1",
            description = "Client connections to open; operations go round-robin over them."
                    + " Default: ${DEFAULT-VALUE}.")
    int connections;

    @Option(names = "--unary",
            description = "cairn: send each operation as its own RPC instead of on the SDK's"
                    + " pipeline stream (many operations to a message), to measure what a client"
                    + " without the stream gets.")
    boolean unary;

    @Option(names = "--timeout", paramLabel = "TIME", defaultValue = "10s",
            converter = DurationConverter.class,
            description = "Deadline of each operation; a missed one counts as TIMEOUT. Default:"
                    + " ${DEFAULT-VALUE}.")
    Duration timeout;

    @Option(names = "--json",
            description = "Print each run's result as one JSON document on one line (JSON Lines,"
                    + " for scripts) instead of a table.")
    boolean json;

    @Option(names = "--hgrm", paramLabel = "FILE",
            description = "Also write the measured latency distribution (all operations) to FILE"
                    + " in HdrHistogram's .hgrm percentile format, in milliseconds. With several"
                    + " runs, each gets FILE with -WORKLOAD-cN before the extension.")
    Path hgrm;

    @Option(names = "--server-pids", paramLabel = "PID", split = ",",
            description = "Processes whose CPU time (user + system, with their child processes)"
                    + " is measured over the measured phase and reported per 10k operations."
                    + " Linux only (reads /proc/PID/stat).")
    List<Long> serverPids;

    @Option(names = "--label", paramLabel = "NAME",
            description = "Names the system in the results (\"label\" in JSON, the system column"
                    + " of 'table'), e.g. cairn-3node-sync. Default: the backend's name.")
    String label;

    @Option(names = {"-q", "--quiet"},
            description = "No progress line on standard error.")
    boolean quiet;

    public static void main(String[] args) {
        // JMH parses its own arguments, "-h" included, so they go to it untouched.
        if (args.length > 0 && args[0].equals("jmh")) {
            JmhCommand.runJmh(Arrays.copyOfRange(args, 1, args.length));
            return;
        }
        System.exit(commandLine().execute(args));
    }

    /** The command, wired for exit codes; tests run it in-process with their own streams. */
    public static CommandLine commandLine() {
        CommandLine commandLine = new CommandLine(new BenchCommand());
        // "--tenant table" names a tenant, not the table subcommand.
        commandLine.setAllowSubcommandsAsOptionParameters(true);
        commandLine.setExecutionExceptionHandler((e, cmd, parsed) -> {
            cmd.getErr().println("cairn bench: " + e.getMessage());
            return EXIT_REFUSED;
        });
        return commandLine;
    }

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        List<Workload> chosen = new ArrayList<>();
        KeySpace keySpace;
        KeyDistribution keyDistribution;
        Backends.Settings settings;
        try {
            for (String name : workloads) {
                chosen.add(Workload.parse(name.trim()));
            }
            keySpace = new KeySpace(keys, keySizeBytes, valueSizeBytes);
            keyDistribution = KeyDistribution.parse(distribution, keys);
            for (int level : concurrencies) {
                requirePositive("--concurrency", level);
            }
            requirePositive("--preload-concurrency", preloadConcurrency);
            if (duration != null && ops != null) {
                throw new IllegalArgumentException("give --duration or --ops, not both");
            }
            if (ops != null && ops < 1) {
                throw new IllegalArgumentException("--ops must be >= 1, was " + ops);
            }
            if (timeout.isZero()) {
                throw new IllegalArgumentException("--timeout must be positive");
            }
            settings = new Backends.Settings(target, tenant, consistency, replicationFactor,
                    connections, timeout, unary);
        } catch (IllegalArgumentException e) {
            err.println("cairn bench: " + e.getMessage());
            return EXIT_USAGE;
        }
        Duration measuredFor = ops == null && duration == null ? Duration.ofSeconds(10) : duration;

        Backend system;
        try {
            system = Backends.create(backend, settings);
        } catch (IllegalArgumentException e) {
            err.println("cairn bench: " + e.getMessage());
            return EXIT_USAGE;
        }
        try (system) {
            try {
                system.prepare();
            } catch (CairnUnavailableException | CairnTimeoutException e) {
                err.println("cairn bench: " + e.getMessage());
                return EXIT_UNREACHABLE;
            } catch (CairnException | IllegalStateException e) {
                err.println("cairn bench: " + e.getMessage());
                return EXIT_REFUSED;
            }
            LoadRunner runner = new LoadRunner(system, keySpace, err, !quiet);
            if (preload || preloadOnly) {
                List<Phase> phases = runner.preload(preloadConcurrency, PRELOAD_RETRIES);
                Phase loaded = phases.get(0);
                Phase last = phases.get(phases.size() - 1);
                if (last.errorCount() > 0) {
                    err.println("cairn bench: preload: " + last.errorCount() + " of " + keys
                            + " keys still failed after " + PRELOAD_RETRIES + " retries "
                            + last.errors() + "; reads of them count as KEY_NOT_FOUND");
                }
                if (preloadOnly) {
                    Map<String, Object> run = runDescription("preload", 0, preloadConcurrency,
                            null);
                    emit(BenchReport.of(system.name(), label(system), run, system.describe(),
                            loaded, null, null), out);
                    return EXIT_OK;
                }
            } else if (chosen.stream().anyMatch(Workload::hasReads)) {
                err.println("cairn bench: no --preload: reads of keys never written count as "
                        + "KEY_NOT_FOUND errors");
            }
            if (!initialWarmup.isZero()) {
                double readShare = chosen.stream().allMatch(Workload::hasReads) ? 1.0
                        : chosen.stream().noneMatch(Workload::hasReads) ? 0.0 : 0.5;
                runner.run("initial warmup", LoadRunner.mix(readShare, keyDistribution),
                        concurrencies.stream().max(Integer::compare).orElseThrow(),
                        initialWarmup, Long.MAX_VALUE);
            }
            ProcessCpu serverCpu = serverPids == null || serverPids.isEmpty() ? null
                    : new ProcessCpu(serverPids);
            List<BenchReport> reports = new ArrayList<>();
            for (Workload workload : chosen) {
                for (int level : concurrencies) {
                    String label = workload.cliName() + " c=" + level + " ";
                    LoadRunner.OpSource source = LoadRunner.mix(workload.readShare(),
                            keyDistribution);
                    if (!warmup.isZero()) {
                        runner.run(label + "warmup", source, level, warmup, Long.MAX_VALUE);
                    }
                    double serverCpuBefore = serverCpu == null ? 0 : serverCpu.cpuSeconds();
                    long clientCpuBefore = clientCpuNanos();
                    Phase measured = runner.run(label + "measure", source, level, measuredFor,
                            ops == null ? Long.MAX_VALUE : ops);
                    Double serverCpuSeconds = serverCpu == null ? null
                            : serverCpu.cpuSeconds() - serverCpuBefore;
                    long clientCpuAfter = clientCpuNanos();
                    Double clientCpuSeconds = clientCpuBefore < 0 || clientCpuAfter < 0 ? null
                            : (clientCpuAfter - clientCpuBefore) / 1e9;
                    BenchReport report = BenchReport.of(system.name(), label(system),
                            runDescription(workload.cliName(), workload.readShare(), level,
                                    measuredFor),
                            system.describe(), measured, serverCpuSeconds, clientCpuSeconds);
                    reports.add(report);
                    emit(report, out);
                    if (hgrm != null) {
                        Path file = chosen.size() * concurrencies.size() == 1 ? hgrm
                                : withSuffix(hgrm, "-" + workload.cliName() + "-c" + level);
                        try {
                            report.writeHgrm(file);
                        } catch (IOException e) {
                            err.println("cairn bench: cannot write " + file + ": "
                                    + e.getMessage());
                            return EXIT_REFUSED;
                        }
                    }
                }
            }
            if (reports.size() > 1 && !json) {
                BenchReport.summary(reports, out);
                out.flush();
            }
            return EXIT_OK;
        }
    }

    private String label(Backend system) {
        return label != null ? label : system.name();
    }

    /** {@code dir/run.hgrm} with suffix {@code -x} is {@code dir/run-x.hgrm}. */
    static Path withSuffix(Path file, String suffix) {
        String name = file.getFileName().toString();
        int dot = name.lastIndexOf('.');
        String renamed = dot > 0 ? name.substring(0, dot) + suffix + name.substring(dot)
                : name + suffix;
        return file.resolveSibling(renamed);
    }

    private void emit(BenchReport report, PrintWriter out) {
        if (json) {
            out.println(report.json());
        } else {
            report.text(out);
        }
        out.flush();
    }

    private Map<String, Object> runDescription(String workload, double readShare,
            int level, Duration measuredFor) {
        Map<String, Object> run = new LinkedHashMap<>();
        run.put("workload", workload);
        run.put("readShare", readShare);
        run.put("keys", keys);
        run.put("keySizeBytes", keySizeBytes);
        run.put("valueSizeBytes", valueSizeBytes);
        run.put("distribution", distribution.toLowerCase(Locale.ROOT));
        run.put("concurrency", level);
        run.put("durationSeconds", measuredFor == null ? null : measuredFor.toMillis() / 1000.0);
        run.put("opsRequested", ops);
        run.put("warmupSeconds", warmup.toMillis() / 1000.0);
        run.put("preload", preload || preloadOnly);
        run.put("startedAt", Instant.now().toString());
        run.put("availableProcessors", Runtime.getRuntime().availableProcessors());
        run.put("javaVersion", System.getProperty("java.version"));
        return run;
    }

    private static void requirePositive(String option, int value) {
        if (value < 1) {
            throw new IllegalArgumentException(option + " must be >= 1, was " + value);
        }
    }

    /** CPU time of this JVM so far, or -1 where the platform does not say. */
    private static long clientCpuNanos() {
        if (ManagementFactory.getOperatingSystemMXBean()
                instanceof com.sun.management.OperatingSystemMXBean os) {
            return os.getProcessCpuTime();
        }
        return -1;
    }
}
