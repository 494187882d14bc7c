package io.cairndb.cli;

import java.time.Duration;
import java.time.Instant;
import java.util.Locale;
import java.util.Objects;

/**
 * One line of a migration's progress, as {@code cairn migration status --watch} prints it after
 * each poll: a bar, the percentage, keys and bytes moved, the rate over the last interval and
 * the time left. It reads no clock: each {@link Sample} carries the time it was taken, and the
 * rate is the difference between two samples.
 */
final class ProgressLine {

    /** Characters between the bar's brackets. */
    static final int BAR_WIDTH = 20;

    private ProgressLine() {
    }

    /**
     * One poll of a migration.
     *
     * @param at when the poll's answer arrived
     * @param status the migration's status
     * @param percentage progress from 0 to 100, as the server computes it
     * @param keysMigrated keys moved so far
     * @param totalKeys keys to move in all
     * @param bytesMigrated bytes moved so far, or -1 when the server did not say
     * @param totalBytes bytes to move in all, or -1 when the server did not say
     * @param estimatedCompletion the server's estimate of the end, or null; used until a rate
     *     can be measured
     */
    record Sample(Instant at, String status, double percentage, long keysMigrated,
                  long totalKeys, long bytesMigrated, long totalBytes,
                  Instant estimatedCompletion) {

        Sample {
            Objects.requireNonNull(at, "at");
            Objects.requireNonNull(status, "status");
        }

        boolean bytesKnown() {
            return bytesMigrated >= 0 && totalBytes >= 0;
        }

        boolean finished() {
            return status.equals("completed") || status.equals("failed")
                    || status.equals("cancelled");
        }
    }

    /**
     * A sample and what follows from the one before it.
     *
     * @param keysPerSecond keys moved per second since the previous sample; null when there is
     *     none, no time passed, or the count went backwards
     * @param eta how long until all keys are moved; null when it cannot be told or the migration
     *     has ended
     */
    record Progress(Sample sample, Double keysPerSecond, Duration eta) {
    }

    /**
     * The progress at {@code current}.
     *
     * @param previous the poll before, or null for the first
     */
    static Progress of(Sample previous, Sample current) {
        Double rate = null;
        if (previous != null) {
            long elapsedMillis = Duration.between(previous.at(), current.at()).toMillis();
            long moved = current.keysMigrated() - previous.keysMigrated();
            if (elapsedMillis > 0 && moved >= 0) {
                rate = moved * 1000.0 / elapsedMillis;
            }
        }
        return new Progress(current, rate, eta(current, rate));
    }

    private static Duration eta(Sample sample, Double keysPerSecond) {
        if (sample.finished()) {
            return null;
        }
        long remaining = Math.max(0, sample.totalKeys() - sample.keysMigrated());
        if (remaining == 0 && sample.totalKeys() > 0) {
            return Duration.ZERO;
        }
        if (keysPerSecond != null && keysPerSecond > 0) {
            return Duration.ofSeconds((long) Math.ceil(remaining / keysPerSecond));
        }
        // No rate yet (the first poll) or nothing moved in the last interval: the server's
        // estimate is the best there is.
        if (sample.estimatedCompletion() != null
                && sample.estimatedCompletion().isAfter(sample.at())) {
            return Duration.between(sample.at(), sample.estimatedCompletion());
        }
        return null;
    }

    /**
     * The line: {@code [#####...............]  25.0%  25/100 keys  2.4 KiB/9.8 KiB  50 keys/s
     * eta 2s}. Bytes are left out when unknown; an unknown rate or time left is {@code -}.
     */
    static String text(Progress progress) {
        Sample sample = progress.sample();
        StringBuilder line = new StringBuilder()
                .append(bar(sample.percentage(), BAR_WIDTH))
                .append(String.format(Locale.ROOT, " %5.1f%%", clamp(sample.percentage())))
                .append("  ").append(sample.keysMigrated()).append('/')
                .append(sample.totalKeys()).append(" keys");
        if (sample.bytesKnown()) {
            line.append("  ").append(bytes(sample.bytesMigrated())).append('/')
                    .append(bytes(sample.totalBytes()));
        }
        line.append("  ").append(rate(progress.keysPerSecond())).append(" keys/s");
        line.append("  eta ").append(progress.eta() == null ? "-" : duration(progress.eta()));
        return line.toString();
    }

    /** {@code [#####.....]}: {@code width} characters, one {@code #} per full step. */
    static String bar(double percentage, int width) {
        int filled = (int) Math.floor(clamp(percentage) / 100.0 * width);
        return "[" + "#".repeat(filled) + ".".repeat(width - filled) + "]";
    }

    /**
     * What to print to replace the line on a terminal: a carriage return, the line, and enough
     * spaces to blank out the rest of a longer line printed before.
     */
    static String redraw(String line, int previousLength) {
        return "\r" + line + " ".repeat(Math.max(0, previousLength - line.length()));
    }

    /** Bytes in binary units with one decimal: {@code 512 B}, {@code 2.4 KiB}, {@code 1.0 GiB}. */
    static String bytes(long count) {
        if (count < 1024) {
            return count + " B";
        }
        String[] units = {"KiB", "MiB", "GiB", "TiB", "PiB", "EiB"};
        double value = count;
        int unit = -1;
        while (value >= 1024 && unit < units.length - 1) {
            value /= 1024;
            unit++;
        }
        return String.format(Locale.ROOT, "%.1f %s", value, units[unit]);
    }

    /** {@code 45s}, {@code 2m05s}, {@code 1h02m}. */
    static String duration(Duration duration) {
        long seconds = duration.toSeconds();
        if (seconds < 60) {
            return seconds + "s";
        }
        if (seconds < 3600) {
            return String.format(Locale.ROOT, "%dm%02ds", seconds / 60, seconds % 60);
        }
        return String.format(Locale.ROOT, "%dh%02dm", seconds / 3600, seconds % 3600 / 60);
    }

    /** Whole keys per second, with a decimal below ten so a slow migration does not read 0. */
    static String rate(Double keysPerSecond) {
        if (keysPerSecond == null) {
            return "-";
        }
        if (keysPerSecond < 10) {
            return String.format(Locale.ROOT, "%.1f", keysPerSecond);
        }
        return Long.toString(Math.round(keysPerSecond));
    }

    private static double clamp(double percentage) {
        if (Double.isNaN(percentage)) {
            return 0;
        }
        return Math.max(0, Math.min(100, percentage));
    }
}
