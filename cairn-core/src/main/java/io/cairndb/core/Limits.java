package io.cairndb.core;

/**
 * Every bound the node enforces at its edge, in one place. Names carry their unit last. The
 * defaults are what a single machine needs; each can be changed in configuration, and the
 * relationships between them are checked when a {@code Limits} is built.
 *
 * @param keySizeBytesMax longest key, in bytes of UTF-8
 * @param valueSizeBytesMax largest value
 * @param batchItemsMax most items in one BatchWrite
 * @param batchSizeBytesMax most key and value bytes in one BatchWrite
 * @param scanPageItemsMax most items a RangeQuery page may ask for
 * @param scanPageItemsDefault items in a RangeQuery page when the request names no limit
 * @param scanPageBytesMax most key and value bytes in one RangeQuery page
 * @param idempotencyKeySizeBytesMax longest idempotency key
 */
public record Limits(
        int keySizeBytesMax,
        int valueSizeBytesMax,
        int batchItemsMax,
        long batchSizeBytesMax,
        int scanPageItemsMax,
        int scanPageItemsDefault,
        long scanPageBytesMax,
        int idempotencyKeySizeBytesMax) {

    public static final int KEY_SIZE_BYTES_MAX = 1024;
    public static final int VALUE_SIZE_BYTES_MAX = 1024 * 1024;
    public static final int BATCH_ITEMS_MAX = 1000;
    public static final long BATCH_SIZE_BYTES_MAX = 16L * 1024 * 1024;
    public static final int SCAN_PAGE_ITEMS_MAX = 1000;
    public static final int SCAN_PAGE_ITEMS_DEFAULT = 100;
    public static final long SCAN_PAGE_BYTES_MAX = 4L * 1024 * 1024;
    public static final int IDEMPOTENCY_KEY_SIZE_BYTES_MAX = 256;

    /** The hard ceiling on a value, whatever the configuration says: it must fit in a gRPC message. */
    public static final int VALUE_SIZE_BYTES_CEILING = 64 * 1024 * 1024;

    public static final Limits DEFAULTS = new Limits(KEY_SIZE_BYTES_MAX, VALUE_SIZE_BYTES_MAX,
            BATCH_ITEMS_MAX, BATCH_SIZE_BYTES_MAX, SCAN_PAGE_ITEMS_MAX, SCAN_PAGE_ITEMS_DEFAULT,
            SCAN_PAGE_BYTES_MAX, IDEMPOTENCY_KEY_SIZE_BYTES_MAX);

    public Limits {
        positive("keySizeBytesMax", keySizeBytesMax);
        positive("valueSizeBytesMax", valueSizeBytesMax);
        positive("batchItemsMax", batchItemsMax);
        positive("batchSizeBytesMax", batchSizeBytesMax);
        positive("scanPageItemsMax", scanPageItemsMax);
        positive("scanPageItemsDefault", scanPageItemsDefault);
        positive("scanPageBytesMax", scanPageBytesMax);
        positive("idempotencyKeySizeBytesMax", idempotencyKeySizeBytesMax);
        if (valueSizeBytesMax > VALUE_SIZE_BYTES_CEILING) {
            throw new IllegalArgumentException("limits.valueSizeBytesMax is " + valueSizeBytesMax
                    + "; it may not exceed " + VALUE_SIZE_BYTES_CEILING);
        }
        if (scanPageItemsDefault > scanPageItemsMax) {
            throw new IllegalArgumentException("limits.scanPageItemsDefault (" + scanPageItemsDefault
                    + ") may not exceed limits.scanPageItemsMax (" + scanPageItemsMax + ")");
        }
        if (scanPageBytesMax < (long) keySizeBytesMax + valueSizeBytesMax) {
            throw new IllegalArgumentException("limits.scanPageBytesMax (" + scanPageBytesMax
                    + ") must hold at least one item of the largest key and value ("
                    + ((long) keySizeBytesMax + valueSizeBytesMax) + " bytes)");
        }
        if (batchSizeBytesMax < (long) keySizeBytesMax + valueSizeBytesMax) {
            throw new IllegalArgumentException("limits.batchSizeBytesMax (" + batchSizeBytesMax
                    + ") must hold at least one item of the largest key and value");
        }
    }

    private static void positive(String name, long value) {
        if (value <= 0) {
            throw new IllegalArgumentException("limits." + name + " must be positive, was " + value);
        }
    }
}
