package io.cairndb.storage;

import io.cairndb.core.IdempotencyRecord;
import io.cairndb.core.Mutation;
import io.cairndb.core.Tokens;
import io.cairndb.core.Validation;
import io.cairndb.core.VectorClock;
import io.cairndb.core.Version;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.zip.CRC32C;

/**
 * The on-disk encodings of keys and records. Every record ends in a CRC32C of the bytes before it,
 * checked on every read: a record that fails the check is reported as corruption, never returned.
 */
final class Codec {

    private static final byte VERSION_FORMAT = 1;
    private static final byte IDEMPOTENCY_FORMAT = 1;
    private static final byte FLAG_TOMBSTONE = 1;

    private Codec() {
    }

    // ------------------------------------------------------------------------------- keys

    /** {@code tenant 0x00}: the prefix of all of a tenant's entries in every keyed family. */
    static byte[] tenantPrefix(String tenant) {
        byte[] tenantBytes = tenant.getBytes(StandardCharsets.UTF_8);
        byte[] prefix = Arrays.copyOf(tenantBytes, tenantBytes.length + 1);
        return prefix;
    }

    /** The first key after every key that starts with {@code prefix} (prefix ends in 0x00). */
    static byte[] prefixEnd(byte[] prefix) {
        byte[] end = prefix.clone();
        end[end.length - 1] = 1;
        return end;
    }

    /**
     * The most bytes a data key's tenant and token take: the longest tenant id (ASCII), its
     * 0x00, and the 8-byte token.
     */
    static final int DATA_KEY_HEAD_BYTES_MAX = Validation.TENANT_ID_LENGTH_MAX + 1 + 8;

    /** Data family key: {@code tenant 0x00 token(8, sortable) key}. */
    static byte[] dataKey(String tenant, long token, byte[] key) {
        byte[] prefix = tenantPrefix(tenant);
        byte[] out = new byte[prefix.length + 8 + key.length];
        System.arraycopy(prefix, 0, out, 0, prefix.length);
        Tokens.writeSortable(token, out, prefix.length);
        System.arraycopy(key, 0, out, prefix.length + 8, key.length);
        return out;
    }

    /** Data family seek position for a token within a tenant. */
    static byte[] dataTokenBound(String tenant, long token) {
        return dataKey(tenant, token, new byte[0]);
    }

    /** Key-order index key: {@code tenant 0x00 key}. */
    static byte[] indexKey(String tenant, byte[] key) {
        byte[] prefix = tenantPrefix(tenant);
        byte[] out = Arrays.copyOf(prefix, prefix.length + key.length);
        System.arraycopy(key, 0, out, prefix.length, key.length);
        return out;
    }

    /** Idempotency family key: {@code tenant 0x00 len(key, 2) key idempotencyKey}. */
    static byte[] idempotencyKey(String tenant, byte[] key, String idempotencyKey) {
        byte[] prefix = tenantPrefix(tenant);
        byte[] idem = idempotencyKey.getBytes(StandardCharsets.UTF_8);
        ByteBuffer out = ByteBuffer.allocate(prefix.length + 2 + key.length + idem.length);
        out.put(prefix).putShort((short) key.length).put(key).put(idem);
        return out.array();
    }

    /** Whether {@code bytes} begins with {@code prefix}. */
    static boolean startsWith(byte[] bytes, byte[] prefix) {
        return bytes.length >= prefix.length
                && Arrays.equals(bytes, 0, prefix.length, prefix, 0, prefix.length);
    }

    /** A key as a decoding error names it. */
    static String describe(String tenant, byte[] key) {
        return "tenant '" + tenant + "' key '" + new String(key, StandardCharsets.UTF_8) + "'";
    }

    static byte[] longBytes(long value) {
        return ByteBuffer.allocate(8).putLong(value).array();
    }

    static long readLong(byte[] bytes) {
        return ByteBuffer.wrap(bytes).getLong();
    }

    // --------------------------------------------------------------------------- versions

    static byte[] encodeVersion(Version version) {
        byte[] node = version.coordinatorNodeId().getBytes(StandardCharsets.UTF_8);
        byte[][] clockNodes = new byte[version.clock().size()][];
        int size = 1 + 1 + 8 + 2 + node.length + 2;
        for (int i = 0; i < clockNodes.length; i++) {
            clockNodes[i] = version.clock().node(i).getBytes(StandardCharsets.UTF_8);
            size += 2 + clockNodes[i].length + 8;
        }
        byte[] value = version.value();
        size += 4 + (value == null ? 0 : value.length) + 4;
        ByteBuffer out = ByteBuffer.allocate(size);
        out.put(VERSION_FORMAT);
        out.put(value == null ? FLAG_TOMBSTONE : 0);
        out.putLong(version.hlc());
        out.putShort((short) node.length).put(node);
        out.putShort((short) clockNodes.length);
        for (int i = 0; i < clockNodes.length; i++) {
            out.putShort((short) clockNodes[i].length).put(clockNodes[i]);
            out.putLong(version.clock().counter(i));
        }
        out.putInt(value == null ? 0 : value.length);
        if (value != null) {
            out.put(value);
        }
        return sealed(out);
    }

    static Version decodeVersion(byte[] bytes, String what) {
        ByteBuffer in = checked(bytes, what);
        try {
            byte format = in.get();
            if (format != VERSION_FORMAT) {
                throw new StorageCorruptionException(what + ": unknown record format " + format);
            }
            boolean tombstone = (in.get() & FLAG_TOMBSTONE) != 0;
            long hlc = in.getLong();
            String node = readString(in);
            VectorClock clock = readClock(in);
            int valueLength = in.getInt();
            byte[] value = null;
            if (!tombstone) {
                value = new byte[valueLength];
                in.get(value);
            }
            return new Version(value, clock, hlc, node);
        } catch (BufferUnderflowException | IllegalArgumentException e) {
            throw new StorageCorruptionException(what + ": truncated or malformed record", e);
        }
    }

    // --------------------------------------------------------------------- idempotency

    static byte[] encodeIdempotency(IdempotencyRecord record) {
        byte[] node = record.coordinatorNodeId().getBytes(StandardCharsets.UTF_8);
        VectorClock clock = record.clock();
        byte[][] clockNodes = new byte[clock.size()][];
        int size = 1 + 2 + record.requestHash().length + 8 + 8 + 8 + 2 + node.length + 2 + 4;
        for (int i = 0; i < clockNodes.length; i++) {
            clockNodes[i] = clock.node(i).getBytes(StandardCharsets.UTF_8);
            size += 2 + clockNodes[i].length + 8;
        }
        ByteBuffer out = ByteBuffer.allocate(size);
        out.put(IDEMPOTENCY_FORMAT);
        out.putShort((short) record.requestHash().length).put(record.requestHash());
        out.putLong(record.createdAtMillis());
        out.putLong(record.expiresAtMillis());
        out.putLong(record.hlc());
        out.putShort((short) node.length).put(node);
        out.putShort((short) clockNodes.length);
        for (int i = 0; i < clockNodes.length; i++) {
            out.putShort((short) clockNodes[i].length).put(clockNodes[i]);
            out.putLong(clock.counter(i));
        }
        return sealed(out);
    }

    static IdempotencyRecord decodeIdempotency(byte[] bytes, String what) {
        ByteBuffer in = checked(bytes, what);
        try {
            byte format = in.get();
            if (format != IDEMPOTENCY_FORMAT) {
                throw new StorageCorruptionException(what + ": unknown record format " + format);
            }
            byte[] hash = new byte[in.getShort()];
            in.get(hash);
            long createdAt = in.getLong();
            long expiresAt = in.getLong();
            long hlc = in.getLong();
            String node = readString(in);
            VectorClock clock = readClock(in);
            return new IdempotencyRecord(hash, createdAt, expiresAt, clock, hlc, node);
        } catch (BufferUnderflowException | IllegalArgumentException e) {
            throw new StorageCorruptionException(what + ": truncated or malformed record", e);
        }
    }

    // ---------------------------------------------------------------------------- hints

    private static final byte HINT_FORMAT = 1;

    /** Hint key: {@code target-node 0x00 sequence(8)}, so one node's hints are one seek. */
    static byte[] hintKey(String targetNode, long sequence) {
        byte[] node = targetNode.getBytes(StandardCharsets.UTF_8);
        ByteBuffer out = ByteBuffer.allocate(node.length + 1 + 8);
        out.put(node).put((byte) 0).putLong(sequence);
        return out.array();
    }

    static byte[] hintPrefix(String targetNode) {
        byte[] node = targetNode.getBytes(StandardCharsets.UTF_8);
        return Arrays.copyOf(node, node.length + 1);
    }

    static byte[] encodeHint(long createdAtMillis, Mutation mutation) {
        byte[] tenant = mutation.tenantId().getBytes(StandardCharsets.UTF_8);
        byte[] version = encodeVersion(mutation.version());
        Mutation.IdempotencyRequest idem = mutation.idempotency();
        byte[] idemKey = idem == null ? new byte[0]
                : idem.idempotencyKey().getBytes(StandardCharsets.UTF_8);
        byte[] hash = idem == null ? new byte[0] : idem.requestHash();
        ByteBuffer out = ByteBuffer.allocate(1 + 8 + 2 + tenant.length + 4 + mutation.key().length
                + 8 + 4 + version.length + 1 + 2 + idemKey.length + 2 + hash.length + 8 + 8 + 4);
        out.put(HINT_FORMAT).putLong(createdAtMillis);
        out.putShort((short) tenant.length).put(tenant);
        out.putInt(mutation.key().length).put(mutation.key());
        out.putLong(mutation.token());
        out.putInt(version.length).put(version);
        out.put((byte) (idem == null ? 0 : 1));
        out.putShort((short) idemKey.length).put(idemKey);
        out.putShort((short) hash.length).put(hash);
        out.putLong(idem == null ? 0 : idem.nowMillis());
        out.putLong(idem == null ? 0 : idem.ttlMillis());
        return sealed(out);
    }

    static Hint decodeHint(byte[] id, byte[] bytes) {
        ByteBuffer in = checked(bytes, "hint");
        try {
            if (in.get() != HINT_FORMAT) {
                throw new StorageCorruptionException("hint: unknown record format");
            }
            long createdAt = in.getLong();
            String tenant = readString(in);
            byte[] key = new byte[in.getInt()];
            in.get(key);
            long token = in.getLong();
            byte[] version = new byte[in.getInt()];
            in.get(version);
            boolean hasIdempotency = in.get() == 1;
            String idemKey = readString(in);
            byte[] hash = new byte[in.getShort() & 0xFFFF];
            in.get(hash);
            long now = in.getLong();
            long ttl = in.getLong();
            Mutation.IdempotencyRequest idem = hasIdempotency
                    ? new Mutation.IdempotencyRequest(idemKey, hash, now, ttl) : null;
            int separator = 0;
            while (id[separator] != 0) {
                separator++;
            }
            String target = new String(id, 0, separator, StandardCharsets.UTF_8);
            return new Hint(id, target, createdAt, new Mutation(tenant, key, token,
                    decodeVersion(version, "hinted version"), idem));
        } catch (BufferUnderflowException | IllegalArgumentException e) {
            throw new StorageCorruptionException("hint: truncated or malformed record", e);
        }
    }

    // ------------------------------------------------------------------------- helpers

    private static String readString(ByteBuffer in) {
        byte[] bytes = new byte[in.getShort() & 0xFFFF];
        in.get(bytes);
        return new String(bytes, StandardCharsets.UTF_8);
    }

    private static VectorClock readClock(ByteBuffer in) {
        int entries = in.getShort() & 0xFFFF;
        Map<String, Long> clock = new LinkedHashMap<>();
        for (int i = 0; i < entries; i++) {
            String node = readString(in);
            clock.put(node, in.getLong());
        }
        return VectorClock.of(clock);
    }

    private static byte[] sealed(ByteBuffer out) {
        CRC32C crc = new CRC32C();
        crc.update(out.array(), 0, out.position());
        out.putInt((int) crc.getValue());
        if (out.hasRemaining()) {
            throw new IllegalStateException("record size miscomputed: " + out.remaining()
                    + " bytes left");
        }
        return out.array();
    }

    private static ByteBuffer checked(byte[] bytes, String what) {
        if (bytes.length < 5) {
            throw new StorageCorruptionException(what + ": record of " + bytes.length
                    + " bytes is too short");
        }
        CRC32C crc = new CRC32C();
        crc.update(bytes, 0, bytes.length - 4);
        int stored = ByteBuffer.wrap(bytes, bytes.length - 4, 4).getInt();
        if ((int) crc.getValue() != stored) {
            throw new StorageCorruptionException(what + ": checksum mismatch");
        }
        return ByteBuffer.wrap(bytes, 0, bytes.length - 4);
    }
}
