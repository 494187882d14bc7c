package io.cairndb.it;

import static org.awaitility.Awaitility.await;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A CairnDB server in its own operating-system process, started from the packaged launcher jar
 * exactly as {@code bin/cairn server} starts it. Port 0 is used so tests never collide; the port
 * is read from the server's ready line.
 */
final class ServerProcess implements AutoCloseable {

    private static final Pattern READY = Pattern.compile(
            "CairnDB ready: node (\\S+) serving clients on (\\S+):(\\d+) \\(peers on port \\d+, "
                    + "HTTP on port (\\d+)");

    private final Path dataDir;
    private final List<String> extraArgs;
    private final java.util.Map<String, String> env = new java.util.HashMap<>();
    /** Client, peer, Raft and HTTP ports; 0 picks a free one. */
    private int[] ports = {0, 0, 0, 0};
    private Process process;
    private final AtomicReference<Matcher> ready = new AtomicReference<>();
    private String nodeId;
    private String host = "127.0.0.1";
    private int port;
    private int httpPort;

    ServerProcess(Path dataDir, String... extraArgs) {
        this.dataDir = dataDir;
        this.extraArgs = List.of(extraArgs);
    }

    /** Sets an environment variable of the server process (a {@code CAIRN_*} setting). */
    ServerProcess env(String name, String value) {
        env.put(name, value);
        return this;
    }

    /**
     * Fixes the server's ports, as an orchestrator does, so that nodes started at the same
     * instant can name each other before any is ready.
     */
    ServerProcess ports(int client, int peer, int raft, int http) {
        ports = new int[] {client, peer, raft, http};
        return this;
    }

    /** Sends a signal (STOP, CONT, ...) to the server process. */
    void signal(String name) throws IOException, InterruptedException {
        Process kill = new ProcessBuilder("kill", "-" + name, Long.toString(process.pid()))
                .inheritIO().start();
        if (kill.waitFor() != 0) {
            throw new IllegalStateException("kill -" + name + " " + process.pid() + " failed");
        }
    }

    static Path launcherJar() {
        Path jar = Path.of(System.getProperty("cairn.jar", "../cairn-cli/target/cairn.jar"));
        if (!Files.exists(jar)) {
            throw new IllegalStateException("launcher jar " + jar + " is missing: run the tests "
                    + "with 'mvn verify' so that cairn-cli is packaged first");
        }
        return jar;
    }

    /** A java command line running the launcher jar with {@code args}. */
    static List<String> cairnCommand(String... args) {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.add("-Xmx512m");
        command.add("-jar");
        command.add(launcherJar().toString());
        command.addAll(List.of(args));
        return command;
    }

    /** Starts the server and waits until it is ready. */
    ServerProcess start() throws IOException {
        return launch().awaitReady();
    }

    /** Starts the server process without waiting for it to be ready. */
    ServerProcess launch() throws IOException {
        List<String> args = new ArrayList<>(List.of("server", "--port", "" + ports[0],
                "--peer-port", "" + ports[1], "--raft-port", "" + ports[2], "--http-port",
                "" + ports[3], "--data-dir", dataDir.toString()));
        args.addAll(extraArgs);
        List<String> command = cairnCommand(args.toArray(new String[0]));
        // RocksDB unpacks its native library (16 MB) into the temporary directory and deletes it
        // only when the JVM exits cleanly; these servers are mostly killed, so each gets its own
        // temporary directory beside its data, which goes with the test's.
        Path tmp = dataDir.resolveSibling(dataDir.getFileName() + ".tmp");
        Files.createDirectories(tmp);
        command.add(1, "-Djava.io.tmpdir=" + tmp);
        ProcessBuilder builder = new ProcessBuilder(command)
                .redirectError(ProcessBuilder.Redirect.appendTo(logFile().toFile()));
        builder.environment().putAll(env);
        ready.set(null);
        process = builder.start();
        Process started = process;
        Thread reader = new Thread(() -> {
            try (BufferedReader lines = new BufferedReader(new InputStreamReader(
                    started.getInputStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = lines.readLine()) != null) {
                    Matcher matcher = READY.matcher(line);
                    if (matcher.find()) {
                        ready.set(matcher);
                    }
                }
            } catch (IOException ignored) {
                // The process ended; nothing more to read.
            }
        }, "server-stdout");
        reader.setDaemon(true);
        reader.start();
        return this;
    }

    /** Waits until the launched server prints its ready line; fails with its log if it exits. */
    ServerProcess awaitReady() {
        Process started = process;
        try {
            await("server ready line").atMost(Duration.ofSeconds(120))
                    .pollInterval(Duration.ofMillis(50))
                    .until(() -> ready.get() != null || !started.isAlive());
        } catch (RuntimeException e) {
            // Nobody else holds this process yet: stop it here, or it outlives the test.
            started.destroyForcibly();
            throw new IllegalStateException("server not ready within 120 s; the end of its log ("
                    + logFile() + "):\n" + logTail(40), e);
        }
        if (ready.get() == null) {
            // The log lives in the test's temporary directory, gone once the test ends: keep
            // what the server said in the failure itself.
            throw new IllegalStateException("server exited with " + started.exitValue()
                    + " before it was ready; the end of its log (" + logFile() + "):\n"
                    + logTail(40));
        }
        nodeId = ready.get().group(1);
        host = ready.get().group(2);
        port = Integer.parseInt(ready.get().group(3));
        httpPort = Integer.parseInt(ready.get().group(4));
        return this;
    }

    private Path logFile() {
        return dataDir.resolveSibling(dataDir.getFileName() + ".log");
    }

    /** Everything the server has logged, or why it cannot be read. */
    String log() {
        try {
            return Files.readString(logFile(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "(cannot read " + logFile() + ": " + e.getMessage() + ")";
        }
    }

    /** A port that was free a moment ago, for a server whose ports are fixed before it starts. */
    static int freePort() {
        try (java.net.ServerSocket socket = new java.net.ServerSocket(0)) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** The last {@code lines} lines of the server's log, or why they cannot be read. */
    String logTail(int lines) {
        try {
            List<String> all = Files.readAllLines(logFile(), StandardCharsets.UTF_8);
            return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
        } catch (IOException e) {
            return "(cannot read " + logFile() + ": " + e.getMessage() + ")";
        }
    }

    String target() {
        return host + ":" + port;
    }

    /** The address the server binds and advertises ({@code --host}). */
    String host() {
        return host;
    }

    int port() {
        return port;
    }

    int httpPort() {
        return httpPort;
    }

    String nodeId() {
        return nodeId;
    }

    long pid() {
        return process.pid();
    }

    /** SIGKILL: no shutdown hook runs, nothing is flushed. */
    void kill() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor(30, TimeUnit.SECONDS);
    }

    /** SIGTERM: the shutdown hook closes the node cleanly. */
    int stop() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(30, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            process.waitFor(30, TimeUnit.SECONDS);
        }
        return process.exitValue();
    }

    @Override
    public void close() throws InterruptedException {
        if (process != null && process.isAlive()) {
            kill();
        }
    }
}
