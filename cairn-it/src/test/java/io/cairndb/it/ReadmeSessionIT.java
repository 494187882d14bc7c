package io.cairndb.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.cairndb.testkit.ChildProcess;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

// Proves the README's CLI session works word for word against a real server process.
class ReadmeSessionIT {

    @TempDir
    Path dir;

    /** A command from the README and the lines it is documented to print. */
    record Step(String command, List<String> expected) {
    }

    @Test
    void readmeSessionPrintsWhatTheReadmeSays() throws Exception {
        List<Step> steps = documentedSession(Path.of("../README.md"), "```text", "$ ");
        assertThat(steps).extracting(Step::command).anyMatch(c -> c.contains("tenant create"))
                .anyMatch(c -> c.contains("kv put")).anyMatch(c -> c.contains("kv get"))
                .anyMatch(c -> c.contains("kv scan")).anyMatch(c -> c.contains("kv del"));
        try (ServerProcess server = new ServerProcess(dir.resolve("node")).start()) {
            for (Step step : steps) {
                List<String> args = new ArrayList<>(shellWords(
                        step.command().substring("bin/cairn ".length())));
                args.add("--target");
                args.add(server.target());
                ChildProcess.Result ran = ChildProcess.run(ServerProcess.cairnCommand(
                        args.toArray(new String[0])), Duration.ofSeconds(120));
                String output = ran.output();
                assertThat(ran.exitCode()).as("exit of '%s': %s", step.command(), output)
                        .isZero();
                assertThat(normalize(output.lines().toList()))
                        .as("output of '%s'", step.command())
                        .isEqualTo(normalize(step.expected()));
            }
        }
    }

    /** The "$ bin/cairn ..." lines of the README's first text block, with their output. */
    /**
     * The commands of the README's first block opened by {@code fence} that has lines starting
     * with {@code prompt}, each with the lines printed after it.
     */
    static List<Step> documentedSession(Path readme, String fence, String prompt)
            throws IOException {
        List<String> lines = Files.readAllLines(readme, StandardCharsets.UTF_8);
        List<Step> steps = new ArrayList<>();
        boolean inBlock = false;
        for (String line : lines) {
            if (line.equals(fence) && steps.isEmpty()) {
                inBlock = true;
            } else if (inBlock && line.equals("```")) {
                break;
            } else if (inBlock && line.startsWith(prompt)) {
                steps.add(new Step(line.substring(2), new ArrayList<>()));
            } else if (inBlock && !steps.isEmpty()) {
                steps.get(steps.size() - 1).expected().add(line);
            }
        }
        return steps;
    }

    /** Node ids, times and numbers differ from run to run; everything else must match. */
    private static List<String> normalize(List<String> lines) {
        return lines.stream()
                .map(line -> line.replaceAll("node-[0-9a-f]{8}", "NODE")
                        .replaceAll("\\d{4}-\\d\\d-\\d\\dT[0-9:.]+Z", "TIME")
                        .replaceAll("=\\d+", "=N"))
                .toList();
    }

    /** Splits a command line the way a POSIX shell does for plain words and '...' quotes. */
    static List<String> shellWords(String line) {
        List<String> words = new ArrayList<>();
        StringBuilder word = new StringBuilder();
        boolean quoted = false;
        boolean inWord = false;
        for (char c : line.toCharArray()) {
            if (c == '\'') {
                quoted = !quoted;
                inWord = true;
            } else if (c == ' ' && !quoted) {
                if (inWord) {
                    words.add(word.toString());
                    word.setLength(0);
                    inWord = false;
                }
            } else {
                word.append(c);
                inWord = true;
            }
        }
        if (inWord) {
            words.add(word.toString());
        }
        return words;
    }
}
