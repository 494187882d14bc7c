package io.cairndb.bench;

import java.time.Duration;
import java.util.Locale;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/** Reads a duration such as {@code 30s}, {@code 500ms}, {@code 2m} or {@code 1.5} (seconds). */
final class DurationConverter implements ITypeConverter<Duration> {

    @Override
    public Duration convert(String text) {
        String value = text.trim().toLowerCase(Locale.ROOT);
        long unitNanos;
        if (value.endsWith("ms")) {
            unitNanos = 1_000_000L;
            value = value.substring(0, value.length() - 2);
        } else if (value.endsWith("s")) {
            unitNanos = 1_000_000_000L;
            value = value.substring(0, value.length() - 1);
        } else if (value.endsWith("m")) {
            unitNanos = 60_000_000_000L;
            value = value.substring(0, value.length() - 1);
        } else {
            unitNanos = 1_000_000_000L;
        }
        double amount;
        try {
            amount = Double.parseDouble(value);
        } catch (NumberFormatException e) {
            throw new TypeConversionException("'" + text + "' is not a duration; write for"
                    + " example 30s, 500ms, 2m or 10 (seconds)");
        }
        if (amount < 0 || Double.isNaN(amount) || Double.isInfinite(amount)) {
            throw new TypeConversionException("a duration must be >= 0, was '" + text + "'");
        }
        return Duration.ofNanos(Math.round(amount * unitNanos));
    }
}
