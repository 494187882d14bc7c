package io.cairndb.bench;

import java.util.SplittableRandom;

/**
 * The keys and values a run uses. Key {@code i} is {@code "k"} followed by {@code i} in decimal,
 * zero-padded so that every key is exactly {@code keySizeBytes} ASCII bytes; keys therefore sort
 * in index order. Values are drawn from a fixed pool of random, incompressible byte arrays of
 * {@code valueSizeBytes} each, built once from a fixed seed so runs are alike.
 *
 * <p>Immutable and safe to share; callers must not modify the value arrays.
 */
public final class KeySpace {

    /** Distinct values in the pool: enough that a store cannot dedupe, small enough to cache. */
    static final int VALUE_POOL_SIZE = 64;

    private final long keys;
    private final int keySizeBytes;
    private final byte[][] values;

    public KeySpace(long keys, int keySizeBytes, int valueSizeBytes) {
        if (keys < 1) {
            throw new IllegalArgumentException("--keys must be >= 1, was " + keys);
        }
        int digits = Long.toString(keys - 1).length();
        if (keySizeBytes < digits + 1) {
            throw new IllegalArgumentException("--key-size must be at least " + (digits + 1)
                    + " bytes to number " + keys + " keys, was " + keySizeBytes);
        }
        if (valueSizeBytes < 1) {
            throw new IllegalArgumentException("--value-size must be >= 1, was " + valueSizeBytes);
        }
        this.keys = keys;
        this.keySizeBytes = keySizeBytes;
        this.values = new byte[VALUE_POOL_SIZE][valueSizeBytes];
        SplittableRandom random = new SplittableRandom(0x5EED);
        for (byte[] value : values) {
            for (int i = 0; i < value.length; i++) {
                value[i] = (byte) random.nextInt(256);
            }
        }
    }

    public long keys() {
        return keys;
    }

    public int keySizeBytes() {
        return keySizeBytes;
    }

    public int valueSizeBytes() {
        return values[0].length;
    }

    /** The key with index {@code index}, in {@code [0, keys)}. */
    public String key(long index) {
        if (index < 0 || index >= keys) {
            throw new IllegalArgumentException("key index " + index + " is outside [0, " + keys
                    + ")");
        }
        char[] text = new char[keySizeBytes];
        text[0] = 'k';
        long rest = index;
        for (int i = keySizeBytes - 1; i > 0; i--) {
            text[i] = (char) ('0' + rest % 10);
            rest /= 10;
        }
        return new String(text);
    }

    /** A value for a write; {@code salt} picks one from the pool. Do not modify it. */
    public byte[] value(long salt) {
        return values[(int) Long.remainderUnsigned(salt, VALUE_POOL_SIZE)];
    }
}
