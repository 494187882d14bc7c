package io.cairndb.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * CPU time of other processes, read from Linux's {@code /proc/PID/stat}: user plus system time
 * ({@code utime + stime}) of each process and of every live descendant, all threads included. The
 * load driver samples it at the start and end of the measured phase to charge the servers' CPU to
 * the operations measured. Children that exit in between are not counted; servers keep theirs.
 */
final class ProcessCpu {

    /** Clock ticks per second of {@code /proc} times; Linux has used 100 everywhere for years. */
    static final long TICKS_PER_SECOND_DEFAULT = 100;

    private final List<Long> roots;
    private final long ticksPerSecond;

    ProcessCpu(List<Long> roots) {
        this.roots = List.copyOf(roots);
        this.ticksPerSecond = ticksPerSecond();
    }

    List<Long> roots() {
        return roots;
    }

    /**
     * Seconds of CPU the roots and their descendants have used so far.
     *
     * @throws IllegalStateException when a root process does not exist
     */
    double cpuSeconds() {
        Map<Long, List<Long>> children = new HashMap<>();
        Map<Long, Long> ticks = new HashMap<>();
        try (Stream<Path> entries = Files.list(Path.of("/proc"))) {
            for (Path entry : (Iterable<Path>) entries::iterator) {
                String name = entry.getFileName().toString();
                if (!name.chars().allMatch(Character::isDigit)) {
                    continue;
                }
                long[] stat = readStat(entry.resolve("stat"));
                if (stat == null) {
                    continue;
                }
                long pid = Long.parseLong(name);
                children.computeIfAbsent(stat[0], parent -> new ArrayList<>()).add(pid);
                ticks.put(pid, stat[1]);
            }
        } catch (IOException e) {
            throw new IllegalStateException("cannot list /proc: " + e.getMessage(), e);
        }
        long total = 0;
        Set<Long> seen = new HashSet<>();
        Deque<Long> pending = new ArrayDeque<>();
        for (long root : roots) {
            if (!ticks.containsKey(root)) {
                throw new IllegalStateException("process " + root + " does not exist");
            }
            pending.add(root);
        }
        while (!pending.isEmpty()) {
            long pid = pending.pop();
            if (!seen.add(pid)) {
                continue;
            }
            total += ticks.getOrDefault(pid, 0L);
            pending.addAll(children.getOrDefault(pid, List.of()));
        }
        return (double) total / ticksPerSecond;
    }

    /** {ppid, utime + stime} of a stat file, or null if the process is gone. */
    static long[] readStat(Path stat) {
        String text;
        try {
            text = Files.readString(stat, StandardCharsets.ISO_8859_1);
        } catch (IOException e) {
            return null;
        }
        // The command name is in parentheses and may hold spaces; fields count from after it.
        int close = text.lastIndexOf(')');
        String[] fields = text.substring(close + 2).trim().split(" ");
        // After the name: state(3) ppid(4) ... utime(14) stime(15), so index = field - 3.
        long ppid = Long.parseLong(fields[1]);
        long utime = Long.parseLong(fields[11]);
        long stime = Long.parseLong(fields[12]);
        return new long[] {ppid, utime + stime};
    }

    private static long ticksPerSecond() {
        try {
            Process getconf = new ProcessBuilder("getconf", "CLK_TCK").redirectErrorStream(true)
                    .start();
            String out = new String(getconf.getInputStream().readAllBytes(),
                    StandardCharsets.US_ASCII).trim();
            if (getconf.waitFor(5, TimeUnit.SECONDS) && getconf.exitValue() == 0) {
                return Long.parseLong(out);
            }
        } catch (IOException | NumberFormatException e) {
            // Fall through to the default.
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return TICKS_PER_SECOND_DEFAULT;
    }
}
