package io.cairndb.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

// Proves the write and read machines emit exactly the effects their golden scripts record, input
// by input. Scripts live in src/test/resources/machines; -Dgolden.rewrite=true rewrites the
// expected output under each input from what the machines now do, to be reviewed as a diff.
class MachineScriptTest {

    private static final Path SCRIPTS = Path.of("src/test/resources/machines");
    private static final boolean REWRITE = Boolean.getBoolean("golden.rewrite");

    @TestFactory
    Stream<DynamicTest> everyScriptReplaysAsRecorded() throws IOException {
        try (Stream<Path> files = Files.list(SCRIPTS)) {
            return files.filter(file -> file.toString().endsWith(".txt")).sorted()
                    .map(file -> DynamicTest.dynamicTest(file.getFileName().toString(),
                            () -> replay(file)))
                    .toList().stream();
        }
    }

    /** One step of a script: the comment and input lines, and the output recorded under them. */
    private record Step(List<String> input, String expected, int line) {
    }

    private static void replay(Path file) throws IOException {
        List<Step> steps = parse(Files.readAllLines(file, StandardCharsets.UTF_8));
        Harness harness = new Harness();
        StringBuilder rewritten = new StringBuilder();
        for (Step step : steps) {
            String command = step.input().stream().filter(line -> !line.startsWith("#"))
                    .findFirst().orElseThrow();
            String actual = harness.run(command);
            if (!REWRITE) {
                assertThat(actual).as("%s line %d: %s", file.getFileName(), step.line(), command)
                        .isEqualTo(step.expected());
            }
            rewritten.append(String.join("\n", step.input())).append("\n----\n").append(actual)
                    .append("\n\n");
        }
        if (REWRITE) {
            Files.writeString(file, rewritten.toString().stripTrailing() + "\n");
        }
    }

    private static List<Step> parse(List<String> lines) {
        List<Step> steps = new ArrayList<>();
        List<String> input = new ArrayList<>();
        int start = 0;
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i);
            if (line.equals("----")) {
                StringBuilder expected = new StringBuilder();
                int j = i + 1;
                while (j < lines.size() && !lines.get(j).isEmpty()) {
                    expected.append(expected.length() == 0 ? "" : "\n").append(lines.get(j++));
                }
                steps.add(new Step(List.copyOf(input), expected.toString(), start + 1));
                input.clear();
                i = j;
            } else if (!line.isBlank()) {
                if (input.isEmpty()) {
                    start = i;
                }
                input.add(line);
            }
        }
        return steps;
    }

    /** Runs script commands against the machine the script drives and prints their effects. */
    private static final class Harness {
        private WriteMachine write;
        private ReadMachine read;
        private final Map<String, ReadMachine.Repair> repairs = new LinkedHashMap<>();
        private Set<String> down = Set.of();

        String run(String command) {
            String[] words = command.trim().split("\\s+");
            Map<String, String> args = new LinkedHashMap<>();
            for (int i = 1; i < words.length; i++) {
                int eq = words[i].indexOf('=');
                args.put(words[i].substring(0, eq), words[i].substring(eq + 1));
            }
            List<?> effects = switch (words[0]) {
                case "write" -> startWrite(args);
                case "applied" -> write.applied(Integer.parseInt(args.get("round")),
                        args.get("node"), applyResult(args));
                case "failed" -> write != null
                        ? write.failed(Integer.parseInt(args.get("round")), args.get("node"),
                                args.get("reason"))
                        : read.failed(args.get("node"), args.get("reason"));
                case "stamp" -> write.stamped(Long.parseLong(args.get("reading")),
                        node -> !down.contains(node));
                case "abandoned" -> write.abandoned();
                case "timeout" -> write != null
                        ? write.timedOut(Integer.parseInt(args.get("round")))
                        : read.timedOut();
                case "read" -> startRead(args);
                case "answered" -> read.answered(args.get("node"), version(args.get("version")));
                case "repaired" -> read.repaired(repairs.get(args.get("node")),
                        Boolean.parseBoolean(args.get("ok")));
                default -> throw new IllegalArgumentException("unknown command " + words[0]);
            };
            List<String> out = new ArrayList<>();
            for (Object effect : effects) {
                out.add(render(effect));
            }
            return out.isEmpty() ? "(none)" : String.join("\n", out);
        }

        private List<WriteMachine.Effect> startWrite(Map<String, String> args) {
            read = null;
            List<String> replicas = Arrays.asList(args.get("replicas").split(","));
            down = args.containsKey("down") ? new HashSet<>(Arrays.asList(
                    args.get("down").split(","))) : Set.of();
            Version version = version(args.get("version"));
            Mutation mutation = new Mutation("t", "k".getBytes(StandardCharsets.UTF_8), 7,
                    version, new Mutation.IdempotencyRequest("idem-1",
                            Idempotency.requestHash(version.value()), 0, 1_000));
            write = new WriteMachine(mutation, replicas, Integer.parseInt(args.get("required")),
                    version.isTombstone() ? "delete" : "write", "idem-1", 2_000);
            return write.start(node -> !down.contains(node));
        }

        private List<ReadMachine.Effect> startRead(Map<String, String> args) {
            write = null;
            repairs.clear();
            List<String> replicas = Arrays.asList(args.get("replicas").split(","));
            read = new ReadMachine("t", "k".getBytes(StandardCharsets.UTF_8), 7, replicas,
                    Integer.parseInt(args.get("required")),
                    Boolean.parseBoolean(args.getOrDefault("askAll", "false")),
                    Boolean.parseBoolean(args.getOrDefault("repair", "true")), 2_000);
            return read.start();
        }

        private static ApplyResult applyResult(Map<String, String> args) {
            return switch (args.get("outcome")) {
                case "applied" -> new ApplyResult(ApplyResult.Outcome.APPLIED,
                        version(args.get("stored")), null, null);
                case "duplicate", "conflict" -> {
                    Version stored = version(args.get("stored"));
                    IdempotencyRecord record = new IdempotencyRecord(new byte[0], 0, 1_000,
                            stored.clock(), stored.hlc(), stored.coordinatorNodeId());
                    yield new ApplyResult(args.get("outcome").equals("duplicate")
                            ? ApplyResult.Outcome.DUPLICATE : ApplyResult.Outcome.CONFLICT,
                            null, null, record);
                }
                default -> throw new IllegalArgumentException("outcome " + args.get("outcome"));
            };
        }

        /**
         * A version written as {@code value@node:counter[+node:counter...]}: the first entry is
         * the coordinator and its reading; {@code -} for the value is a tombstone; {@code none} is
         * no version.
         */
        static Version version(String text) {
            if (text.equals("none")) {
                return null;
            }
            int at = text.indexOf('@');
            String value = text.substring(0, at);
            Map<String, Long> entries = new LinkedHashMap<>();
            String coordinator = null;
            long hlc = 0;
            for (String entry : text.substring(at + 1).split("\\+")) {
                String[] parts = entry.split(":");
                entries.put(parts[0], Long.parseLong(parts[1]));
                if (coordinator == null) {
                    coordinator = parts[0];
                    hlc = Long.parseLong(parts[1]);
                }
            }
            return new Version(value.equals("-") ? null : value.getBytes(StandardCharsets.UTF_8),
                    VectorClock.of(entries), hlc, coordinator);
        }

        static String render(Version version) {
            if (version == null) {
                return "none";
            }
            StringBuilder out = new StringBuilder(version.isTombstone() ? "-"
                    : new String(version.value(), StandardCharsets.UTF_8));
            out.append('@').append(version.coordinatorNodeId()).append(':').append(version.hlc());
            VectorClock clock = version.clock();
            for (int i = 0; i < clock.size(); i++) {
                if (!clock.node(i).equals(version.coordinatorNodeId())
                        || clock.counter(i) != version.hlc()) {
                    out.append('+').append(clock.node(i)).append(':').append(clock.counter(i));
                }
            }
            return out.toString();
        }

        static String render(VectorClock clock) {
            List<String> entries = new ArrayList<>();
            for (int i = 0; i < clock.size(); i++) {
                entries.add(clock.node(i) + ":" + clock.counter(i));
            }
            return String.join(",", entries);
        }

        private String render(Object effect) {
            if (effect instanceof WriteMachine.Send send) {
                return "send " + send.node() + " round=" + send.round() + " "
                        + render(send.mutation().version())
                        + (send.mutation().idempotency() == null ? " unchecked" : "");
            } else if (effect instanceof WriteMachine.StoreHint hint) {
                return "hint " + hint.node() + " " + render(hint.mutation().version());
            } else if (effect instanceof WriteMachine.NeedStamp) {
                return "need-stamp";
            } else if (effect instanceof WriteMachine.Answer answer) {
                return "answer clock=" + render(answer.clock()) + " replicas="
                        + answer.replicaCount() + " duplicate=" + answer.duplicate();
            } else if (effect instanceof WriteMachine.Fail fail) {
                return "fail " + fail.code() + " acknowledged=" + fail.acknowledged() + ": "
                        + fail.message();
            } else if (effect instanceof ReadMachine.Read readEffect) {
                return "read " + readEffect.node();
            } else if (effect instanceof ReadMachine.Repair repair) {
                repairs.put(repair.node(), repair);
                return "repair " + repair.node() + " " + render(repair.mutation().version())
                        + (repair.blocking() ? " blocking" : " background");
            } else if (effect instanceof ReadMachine.StoreHint hint) {
                return "hint " + hint.node() + " " + render(hint.mutation().version());
            } else if (effect instanceof ReadMachine.Answer answer) {
                return "answer " + render(answer.winner()) + " replicas=" + answer.replicaCount();
            } else if (effect instanceof ReadMachine.Fail fail) {
                return "fail " + fail.code() + " acknowledged=" + fail.acknowledged() + ": "
                        + fail.message();
            }
            throw new IllegalArgumentException("unknown effect " + effect);
        }
    }
}
