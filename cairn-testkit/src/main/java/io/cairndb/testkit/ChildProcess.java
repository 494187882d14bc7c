package io.cairndb.testkit;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Runs a command to its end, or kills it at a time limit, so a hung child fails its test instead
 * of hanging the build (and outliving it).
 */
public final class ChildProcess {

    /** How a command ended: its exit code and everything it printed, stdout and stderr together. */
    public record Result(int exitCode, String output) {
    }

    private ChildProcess() {
    }

    /**
     * Runs {@code command} with its output going to a temporary file (nothing can block on a full
     * pipe), waits up to {@code limit} for it to end, and returns how it ended.
     *
     * @throws AssertionError naming the command and its output when it is still running at the
     *     limit (it is killed first)
     */
    public static Result run(List<String> command, Duration limit)
            throws IOException, InterruptedException {
        Path output = Files.createTempFile("child", ".out");
        try {
            Process process = new ProcessBuilder(command).redirectErrorStream(true)
                    .redirectOutput(output.toFile()).start();
            if (!process.waitFor(limit.toMillis(), TimeUnit.MILLISECONDS)) {
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
                throw new AssertionError(command + " still running after " + limit
                        + "; killed. Its output:\n" + Files.readString(output,
                        StandardCharsets.UTF_8));
            }
            return new Result(process.exitValue(), Files.readString(output,
                    StandardCharsets.UTF_8));
        } finally {
            Files.deleteIfExists(output);
        }
    }
}
