package io.cairndb.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.StringJoiner;

/** How commands render values, clocks and times, as text and as JSON. */
final class Output {

    static final ObjectMapper JSON = new ObjectMapper();

    private Output() {
    }

    /** The bytes as a string if they are valid UTF-8. */
    static Optional<String> utf8(byte[] bytes) {
        try {
            return Optional.of(StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes)).toString());
        } catch (CharacterCodingException e) {
            return Optional.empty();
        }
    }

    static String base64(byte[] bytes) {
        return Base64.getEncoder().encodeToString(bytes);
    }

    /** A clock as {@code {n1=12,n2=7}}: no spaces, so it stays one token of a result line. */
    static String clock(Map<String, Long> clock) {
        StringJoiner text = new StringJoiner(",", "{", "}");
        clock.forEach((node, counter) -> text.add(node + "=" + counter));
        return text.toString();
    }

    static ObjectNode clockJson(Map<String, Long> clock) {
        ObjectNode node = JSON.createObjectNode();
        clock.forEach(node::put);
        return node;
    }

    /** A value as JSON: {@code value} is its text (null if not UTF-8); {@code valueBase64} too. */
    static void putValue(ObjectNode node, byte[] value) {
        node.put("value", utf8(value).orElse(null));
        node.put("valueBase64", base64(value));
    }

    static String time(Instant instant) {
        return instant == null ? "-" : instant.toString();
    }

    static void putTime(ObjectNode node, String field, Instant instant) {
        node.put(field, instant == null ? null : instant.toString());
    }

    static ObjectNode object() {
        return JSON.createObjectNode();
    }

    static ArrayNode array() {
        return JSON.createArrayNode();
    }

    /** Prints one JSON document on one line. */
    static void println(PrintWriter out, JsonNode node) {
        try {
            out.println(JSON.writeValueAsString(node));
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Prints rows as columns two spaces apart, each as wide as its widest cell. */
    static void table(PrintWriter out, List<String[]> rows) {
        int columns = 0;
        for (String[] row : rows) {
            columns = Math.max(columns, row.length);
        }
        int[] widths = new int[columns];
        for (String[] row : rows) {
            for (int i = 0; i < row.length; i++) {
                widths[i] = Math.max(widths[i], row[i].length());
            }
        }
        for (String[] row : rows) {
            StringBuilder line = new StringBuilder();
            for (int i = 0; i < row.length; i++) {
                line.append(row[i]);
                if (i < row.length - 1) {
                    line.append(" ".repeat(widths[i] - row[i].length() + 2));
                }
            }
            out.println(line);
        }
    }

    /** Empty text as {@code -}, so that a table cell or a line's token is never blank. */
    static String dash(String text) {
        return text == null || text.isEmpty() ? "-" : text;
    }

    /** A clock offset as a table shows it: signed milliseconds, or "-" while unknown. */
    static String offset(Long millis) {
        return millis == null ? "-" : (millis > 0 ? "+" : "") + millis + " ms";
    }
}
