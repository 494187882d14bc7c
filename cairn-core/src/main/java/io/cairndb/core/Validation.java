package io.cairndb.core;

import java.nio.charset.StandardCharsets;
import java.util.regex.Pattern;

/**
 * Checks of client input at the edge. Each check throws {@link CairnException} with
 * INVALID_REQUEST and a message naming the field and the rule it broke.
 */
public final class Validation {

    /** The longest tenant id, in characters (all ASCII, so bytes too). */
    public static final int TENANT_ID_LENGTH_MAX = 63;
    /** A tenant id: lower-case letters, digits, '_' and '-', starting with a letter or digit. */
    public static final Pattern TENANT_ID = Pattern.compile(
            "[a-z0-9][a-z0-9_-]{0," + (TENANT_ID_LENGTH_MAX - 1) + "}");

    /** The longest node id, in characters (all ASCII, so bytes too). */
    public static final int NODE_ID_LENGTH_MAX = 64;
    /**
     * A node id: letters, digits, '_', '.' and '-', starting with a letter or digit. The same
     * rule holds wherever a node is named: its configuration, a join, an admin request, and the
     * id of its member of the control group.
     */
    public static final Pattern NODE_ID = Pattern.compile(
            "[A-Za-z0-9][A-Za-z0-9_.-]{0," + (NODE_ID_LENGTH_MAX - 1) + "}");

    private final Limits limits;

    public Validation(Limits limits) {
        this.limits = limits;
    }

    public Limits limits() {
        return limits;
    }

    public static String tenantId(String tenantId) {
        if (tenantId == null || tenantId.isEmpty()) {
            throw CairnException.invalid("tenant_id is required");
        }
        if (!TENANT_ID.matcher(tenantId).matches()) {
            throw CairnException.invalid("tenant_id '" + printable(tenantId) + "' is invalid: it "
                    + "must be 1-63 characters of a-z, 0-9, '_' or '-', starting with a letter or "
                    + "digit");
        }
        return tenantId;
    }

    /** Validates a key and returns its UTF-8 bytes. */
    public byte[] key(String key) {
        return key("key", key);
    }

    /** Validates a key named {@code field} in messages and returns its UTF-8 bytes. */
    public byte[] key(String field, String key) {
        if (key == null || key.isEmpty()) {
            throw CairnException.invalid(field + " is empty: a key must be 1 to "
                    + limits.keySizeBytesMax() + " bytes of UTF-8");
        }
        byte[] bytes = key.getBytes(StandardCharsets.UTF_8);
        if (bytes.length > limits.keySizeBytesMax()) {
            throw CairnException.invalid(field + " is " + bytes.length + " bytes; the limit is "
                    + limits.keySizeBytesMax() + " bytes");
        }
        return bytes;
    }

    public void value(byte[] value) {
        value("value", value);
    }

    public void value(String field, byte[] value) {
        if (value.length > limits.valueSizeBytesMax()) {
            throw CairnException.invalid(field + " is " + value.length + " bytes; the limit is "
                    + limits.valueSizeBytesMax() + " bytes");
        }
    }

    /** Validates an optional idempotency key (empty means none). */
    public void idempotencyKey(String field, String idempotencyKey) {
        if (idempotencyKey == null || idempotencyKey.isEmpty()) {
            return;
        }
        int length = idempotencyKey.getBytes(StandardCharsets.UTF_8).length;
        if (length > limits.idempotencyKeySizeBytesMax()) {
            throw CairnException.invalid(field + " is " + length + " bytes; the limit is "
                    + limits.idempotencyKeySizeBytesMax() + " bytes");
        }
    }

    /** The page size a RangeQuery asked for: 0 means the default. */
    public int scanLimit(int limit) {
        if (limit < 0 || limit > limits.scanPageItemsMax()) {
            throw CairnException.invalid("limit is " + limit + "; it must be between 0 (the "
                    + "default, " + limits.scanPageItemsDefault() + ") and "
                    + limits.scanPageItemsMax());
        }
        return limit == 0 ? limits.scanPageItemsDefault() : limit;
    }

    /** Checks a replication factor a client asked for; 0 means "the default". */
    public static void replicationFactor(String field, int replicationFactor) {
        if (replicationFactor < 0) {
            throw new CairnException(ErrorCode.INVALID_REPLICATION_FACTOR, field + " is "
                    + replicationFactor + "; it must be at least 1");
        }
    }

    /** Shortens and escapes user input for an error message. */
    public static String printable(String text) {
        String shown = text.length() > 80 ? text.substring(0, 80) + "..." : text;
        StringBuilder out = new StringBuilder(shown.length());
        shown.codePoints().forEach(cp -> {
            if (cp < 0x20 || cp == 0x7F) {
                out.append(String.format("\\u%04x", cp));
            } else {
                out.appendCodePoint(cp);
            }
        });
        return out.toString();
    }
}
