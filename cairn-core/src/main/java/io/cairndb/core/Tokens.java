package io.cairndb.core;

import com.google.common.hash.HashFunction;
import com.google.common.hash.Hashing;
import java.nio.charset.StandardCharsets;

/**
 * Token hashing. A key's token is the first 64 bits of Murmur3 (x64, 128-bit variant, seed 0) of
 * the tenant id's UTF-8 bytes, one 0 byte, and the key's bytes. The 0 byte cannot occur in a tenant
 * id, so two different (tenant, key) pairs never hash the same input.
 *
 * <p>Tokens are signed longs; the ring orders them as signed longs, from {@link Long#MIN_VALUE} to
 * {@link Long#MAX_VALUE}, and wraps around.
 */
public final class Tokens {

    private static final HashFunction MURMUR3 = Hashing.murmur3_128();

    private Tokens() {
    }

    public static long token(String tenantId, byte[] key) {
        return MURMUR3.newHasher(tenantId.length() + 1 + key.length)
                .putString(tenantId, StandardCharsets.UTF_8)
                .putByte((byte) 0)
                .putBytes(key)
                .hash()
                .asLong();
    }

    public static long token(String tenantId, String key) {
        return token(tenantId, key.getBytes(StandardCharsets.UTF_8));
    }

    /**
     * The token as 8 bytes that sort, unsigned and byte by byte, in the ring's signed order: big
     * endian with the sign bit flipped.
     */
    public static void writeSortable(long token, byte[] target, int offset) {
        long flipped = token ^ Long.MIN_VALUE;
        for (int i = 7; i >= 0; i--) {
            target[offset + i] = (byte) flipped;
            flipped >>>= 8;
        }
    }

    /** Reads a token written by {@link #writeSortable}. */
    public static long readSortable(byte[] source, int offset) {
        long value = 0;
        for (int i = 0; i < 8; i++) {
            value = (value << 8) | (source[offset + i] & 0xFF);
        }
        return value ^ Long.MIN_VALUE;
    }
}
