package io.cairndb.ycsb;

import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.TreeMap;

/**
 * How a YCSB record (field name to bytes) is stored as one CairnDB value:
 *
 * <pre>
 *   byte    format, 1
 *   int32   field count N
 *   N times, fields in name order (UTF-16 order of the names):
 *     int32   name length in bytes, then the name in UTF-8
 *     int32   value length in bytes, then the value
 * </pre>
 *
 * <p>Integers are big-endian. The encoding is self-delimiting and byte-exact, so any bytes YCSB
 * generates round-trip; with YCSB's defaults (10 fields of 100 bytes, names "field0".."field9")
 * a record is 1 + 4 + 10 * (4 + 6 + 4 + 100) = 1145 bytes.
 */
public final class RecordCodec {

    static final byte FORMAT = 1;

    private RecordCodec() {
    }

    public static byte[] encode(Map<String, byte[]> record) {
        TreeMap<String, byte[]> sorted = new TreeMap<>(record);
        int size = 1 + 4;
        TreeMap<String, byte[]> names = new TreeMap<>();
        for (Map.Entry<String, byte[]> field : sorted.entrySet()) {
            byte[] name = field.getKey().getBytes(StandardCharsets.UTF_8);
            names.put(field.getKey(), name);
            size += 4 + name.length + 4 + field.getValue().length;
        }
        ByteBuffer buffer = ByteBuffer.allocate(size);
        buffer.put(FORMAT);
        buffer.putInt(sorted.size());
        for (Map.Entry<String, byte[]> field : sorted.entrySet()) {
            byte[] name = names.get(field.getKey());
            buffer.putInt(name.length).put(name);
            buffer.putInt(field.getValue().length).put(field.getValue());
        }
        return buffer.array();
    }

    /**
     * The record a value holds, as a mutable map in field-name order.
     *
     * @throws IllegalArgumentException when the bytes are not a record in this format
     */
    public static TreeMap<String, byte[]> decode(byte[] value) {
        ByteBuffer buffer = ByteBuffer.wrap(value);
        TreeMap<String, byte[]> record = new TreeMap<>();
        try {
            byte format = buffer.get();
            if (format != FORMAT) {
                throw new IllegalArgumentException("value is not a YCSB record: format byte is "
                        + format + ", expected " + FORMAT);
            }
            int fields = buffer.getInt();
            if (fields < 0 || fields > buffer.remaining() / 8) {
                throw new IllegalArgumentException("value is not a YCSB record: it claims "
                        + fields + " fields in " + value.length + " bytes");
            }
            for (int i = 0; i < fields; i++) {
                String name = new String(bytes(buffer), StandardCharsets.UTF_8);
                record.put(name, bytes(buffer));
            }
        } catch (BufferUnderflowException e) {
            throw new IllegalArgumentException("value is not a YCSB record: it ends early ("
                    + value.length + " bytes)", e);
        }
        if (buffer.hasRemaining()) {
            throw new IllegalArgumentException("value is not a YCSB record: "
                    + buffer.remaining() + " bytes follow the last field");
        }
        return record;
    }

    private static byte[] bytes(ByteBuffer buffer) {
        int length = buffer.getInt();
        if (length < 0 || length > buffer.remaining()) {
            throw new IllegalArgumentException("value is not a YCSB record: a length of "
                    + length + " runs past the end");
        }
        byte[] bytes = new byte[length];
        buffer.get(bytes);
        return bytes;
    }
}
