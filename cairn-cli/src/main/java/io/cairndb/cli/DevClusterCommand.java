package io.cairndb.cli;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code cairn dev-cluster}: a cluster of real node processes on loopback for development. Node
 * {@code i} (from 1) listens for clients on {@code base-port + 10*(i-1)} and for peers on the
 * next port; node 1 starts the cluster and the others join it. Ctrl-C stops them all.
 */
@Command(name = "dev-cluster", mixinStandardHelpOptions = true,
        description = {"Run a local cluster of N node processes on 127.0.0.1 until Ctrl-C.",
            "Node i listens for clients on BASE + 10*(i-1) and for peers on the port after it."})
public final class DevClusterCommand implements java.util.concurrent.Callable<Integer> {

    /** Printed once every node serves. */
    public static final String READY_LINE = "CairnDB dev cluster ready";

    @Spec
    private CommandSpec spec;

    @Option(names = "--nodes", paramLabel = "N", defaultValue = "3",
            description = "Number of nodes, 1 to 9 (default: ${DEFAULT-VALUE}).")
    private int nodes;

    @Option(names = "--base-port", paramLabel = "PORT", defaultValue = "7000",
            description = "Client port of node 1 (default: ${DEFAULT-VALUE}).")
    private int basePort;

    @Option(names = "--data-dir", paramLabel = "DIR", defaultValue = "cairn-dev",
            description = "Parent of the nodes' data directories (default: ./${DEFAULT-VALUE}).")
    private Path dataDir;

    @Option(names = "--durability", paramLabel = "MODE", defaultValue = "periodic",
            description = "sync or periodic (default: ${DEFAULT-VALUE}).")
    private String durability;

    @Option(names = "--add",
            description = "Start one more node, joined to the dev cluster already running at "
                    + "--base-port (in another shell), as a storage node: it is streamed its "
                    + "ranges at once. Ctrl-C stops that node only.")
    private boolean add;

    private record Node(String name, int port, int peerPort, Path data, Path log, Process process) {
    }

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        if (nodes < 1 || nodes > 9) {
            err.println("error: --nodes is " + nodes + "; it must be between 1 and 9");
            return CairnCli.EXIT_USAGE;
        }
        if (basePort < 1 || basePort + 10 * nodes > 65535) {
            err.println("error: --base-port " + basePort + " leaves no room for " + nodes
                    + " nodes below port 65536");
            return CairnCli.EXIT_USAGE;
        }
        if (!durability.equals("sync") && !durability.equals("periodic")) {
            err.println("error: --durability is '" + durability + "'; use sync or periodic");
            return CairnCli.EXIT_USAGE;
        }
        Files.createDirectories(dataDir);
        int first = 1;
        int last = nodes;
        if (add) {
            // The next index whose data directory does not exist yet.
            first = 2;
            while (Files.exists(dataDir.resolve("node-" + first))) {
                first++;
            }
            if (first > 9) {
                err.println("error: the dev cluster in " + dataDir + " has 9 nodes already");
                return CairnCli.EXIT_USAGE;
            }
            last = first;
        }
        List<Node> started = new ArrayList<>();
        AtomicBoolean stopping = new AtomicBoolean();
        Thread stopper = new Thread(() -> {
            stopping.set(true);
            stopAll(started);
        }, "dev-cluster-stop");
        Runtime.getRuntime().addShutdownHook(stopper);
        try {
            for (int i = first; i <= last; i++) {
                Node node = launch(i);
                started.add(node);
                if (!awaitReady(node)) {
                    err.println("error: " + node.name() + " did not start; its log "
                            + node.log() + " ends with:");
                    tail(node.log()).forEach(line -> err.println("  " + line));
                    err.flush();
                    stopAll(started);
                    Runtime.getRuntime().removeShutdownHook(stopper);
                    return 1;
                }
            }
        } catch (IOException e) {
            err.println("error: cannot start a node: " + e.getMessage());
            stopAll(started);
            Runtime.getRuntime().removeShutdownHook(stopper);
            return 1;
        }
        out.printf("%-8s %-16s %-10s %-8s %s%n", "NODE", "CLIENT", "PEER PORT", "PID", "DATA");
        for (Node node : started) {
            out.printf("%-8s %-16s %-10d %-8d %s%n", node.name(), "127.0.0.1:" + node.port(),
                    node.peerPort(), node.process().pid(), node.data());
        }
        out.println();
        out.println("Logs are beside each data directory (" + dataDir.resolve("node-1.log")
                + ", ...). Try:");
        out.println("  bin/cairn node list --target 127.0.0.1:" + basePort);
        out.println("  bin/cairn tenant create demo --rf " + Math.min(3, nodes) + " --target "
                + "127.0.0.1:" + basePort);
        out.println("A node stopped or killed by hand comes back with the command it ran:");
        for (Node node : started) {
            out.println("  " + String.join(" ", restartCommand(node)));
        }
        if (add) {
            out.println("  bin/cairn migration list --target 127.0.0.1:" + basePort
                    + "   # the migration that streams its ranges");
        }
        out.println(READY_LINE + ": " + started.size() + (add ? " node added" : " nodes")
                + " (Ctrl-C stops " + (add ? "it" : "them all") + ")");
        out.flush();
        CountDownLatch exited = new CountDownLatch(started.size());
        for (Node node : started) {
            node.process().onExit().thenRun(() -> {
                if (!stopping.get()) {
                    out.println(node.name() + " exited with code " + node.process().exitValue());
                    out.flush();
                }
                exited.countDown();
            });
        }
        exited.await();
        return 0;
    }

    /** The {@code cairn server} arguments of node {@code index} (from 1). */
    private List<String> serverArgs(int index) {
        String name = "node-" + index;
        int port = basePort + 10 * (index - 1);
        List<String> args = new ArrayList<>(List.of("server",
                "--node-id", name, "--data-dir", dataDir.resolve(name).toString(),
                "--port", Integer.toString(port), "--peer-port", Integer.toString(port + 1),
                "--raft-port", Integer.toString(port + 2), "--http-port", Integer.toString(port + 3),
                "--durability", durability));
        if (index > 1) {
            args.add("--join");
            args.add("127.0.0.1:" + basePort);
        }
        if (add) {
            args.add("--roles");
            args.add("coordinator,storage");
        }
        return args;
    }

    private List<String> restartCommand(Node node) {
        List<String> command = new ArrayList<>(List.of("bin/cairn"));
        command.addAll(serverArgs(Integer.parseInt(node.name().substring("node-".length()))));
        return command;
    }

    private Node launch(int index) throws IOException {
        String name = "node-" + index;
        int port = basePort + 10 * (index - 1);
        Path data = dataDir.resolve(name);
        Path log = dataDir.resolve(name + ".log");
        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx512m", "-cp", System.getProperty("java.class.path"),
                CairnCli.class.getName()));
        command.addAll(serverArgs(index));
        Process process = new ProcessBuilder(command)
                .redirectError(ProcessBuilder.Redirect.appendTo(log.toFile()))
                .start();
        return new Node(name, port, port + 1, data, log, process);
    }

    /** Waits for the node's ready line on its standard output, then keeps draining it. */
    private static boolean awaitReady(Node node) throws IOException {
        BufferedReader lines = new BufferedReader(new InputStreamReader(
                node.process().getInputStream(), StandardCharsets.UTF_8));
        String line;
        while ((line = lines.readLine()) != null) {
            if (line.startsWith("CairnDB ready:")) {
                Thread drain = new Thread(() -> {
                    try {
                        while (lines.readLine() != null) {
                            // The node prints nothing else of interest on standard output.
                        }
                    } catch (IOException ignored) {
                        // The node exited.
                    }
                }, node.name() + "-stdout");
                drain.setDaemon(true);
                drain.start();
                return true;
            }
        }
        return false;
    }

    private static void stopAll(List<Node> started) {
        for (Node node : started) {
            node.process().destroy();
        }
        for (Node node : started) {
            try {
                if (!node.process().waitFor(15, TimeUnit.SECONDS)) {
                    node.process().destroyForcibly();
                }
            } catch (InterruptedException e) {
                node.process().destroyForcibly();
                Thread.currentThread().interrupt();
            }
        }
    }

    private static List<String> tail(Path log) {
        try {
            List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
            return lines.subList(Math.max(0, lines.size() - 10), lines.size());
        } catch (IOException e) {
            return List.of("(no log: " + e.getMessage() + ")");
        }
    }
}
