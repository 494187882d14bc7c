package io.cairndb.server;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A strict reader of Prometheus' text exposition format (version 0.0.4): every line must be a
 * comment, a HELP or TYPE line, or a sample {@code name{label="value",...} value [timestamp]},
 * and every sample must belong to a family that has a TYPE. Anything else is an error naming
 * the line.
 */
final class PrometheusText {

    private static final String NAME = "[a-zA-Z_:][a-zA-Z0-9_:]*";
    private static final Pattern TYPE = Pattern.compile(
            "# TYPE (" + NAME + ") (counter|gauge|histogram|summary|untyped)");
    private static final Pattern HELP = Pattern.compile("# HELP (" + NAME + ") .*");
    private static final Pattern SAMPLE = Pattern.compile(
            "(" + NAME + ")(\\{(.*)\\})? (\\S+)( -?\\d+)?");
    private static final Pattern LABEL = Pattern.compile(
            "([a-zA-Z_][a-zA-Z0-9_]*)=\"((?:[^\"\\\\\\n]|\\\\[\\\\\"n])*)\"(,|$)");
    private static final Pattern VALUE = Pattern.compile(
            "[+-]?(Inf|NaN|\\d+(\\.\\d*)?([eE][+-]?\\d+)?|\\.\\d+([eE][+-]?\\d+)?)");

    private PrometheusText() {
    }

    /** Samples by series ({@code name{a="1",b="2"}}, labels sorted), from a whole scrape. */
    static Map<String, Double> parse(String text) {
        Map<String, String> types = new LinkedHashMap<>();
        Map<String, Double> samples = new LinkedHashMap<>();
        int number = 0;
        for (String line : text.split("\n", -1)) {
            number++;
            if (line.isEmpty()) {
                continue;
            }
            Matcher type = TYPE.matcher(line);
            if (type.matches()) {
                if (types.put(type.group(1), type.group(2)) != null) {
                    throw new IllegalArgumentException("line " + number + ": second TYPE for "
                            + type.group(1));
                }
                continue;
            }
            if (line.startsWith("#")) {
                if (line.startsWith("# HELP") && !HELP.matcher(line).matches()) {
                    throw new IllegalArgumentException("line " + number + ": bad HELP: " + line);
                }
                continue;
            }
            Matcher sample = SAMPLE.matcher(line);
            if (!sample.matches() || !VALUE.matcher(sample.group(4)).matches()) {
                throw new IllegalArgumentException("line " + number + ": not a sample: " + line);
            }
            String name = sample.group(1);
            if (family(name, types) == null) {
                throw new IllegalArgumentException("line " + number + ": sample of " + name
                        + " before any TYPE of its family");
            }
            TreeMap<String, String> labels = new TreeMap<>();
            String text2 = sample.group(3) == null ? "" : sample.group(3);
            Matcher label = LABEL.matcher(text2);
            int at = 0;
            while (at < text2.length()) {
                if (!label.find(at) || label.start() != at) {
                    throw new IllegalArgumentException("line " + number + ": bad labels: "
                            + line);
                }
                labels.put(label.group(1), label.group(2));
                at = label.end();
            }
            double value = switch (sample.group(4)) {
                case "+Inf", "Inf" -> Double.POSITIVE_INFINITY;
                case "-Inf" -> Double.NEGATIVE_INFINITY;
                default -> Double.parseDouble(sample.group(4));
            };
            samples.put(series(name, labels), value);
        }
        return samples;
    }

    /** The series key of {@code name} with {@code labels} (given in any order). */
    static String series(String name, Map<String, String> labels) {
        StringBuilder key = new StringBuilder(name).append('{');
        new TreeMap<>(labels).forEach((label, value) -> key.append(label).append("=\"")
                .append(value).append("\","));
        return key.append('}').toString();
    }

    private static String family(String name, Map<String, String> types) {
        for (String suffix : new String[] {"", "_total", "_count", "_sum", "_bucket", "_created",
                "_max"}) {
            if (name.endsWith(suffix)) {
                String base = name.substring(0, name.length() - suffix.length());
                if (types.containsKey(base) || types.containsKey(name)) {
                    return base;
                }
            }
        }
        return null;
    }
}
