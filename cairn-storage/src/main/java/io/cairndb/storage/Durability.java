package io.cairndb.storage;

import java.util.Locale;

/** When acknowledged writes reach stable storage. */
public enum Durability {
    /** The write-ahead log is fsynced before a write is acknowledged (group-committed). */
    SYNC,
    /**
     * The write-ahead log is fsynced on an interval. A process crash loses nothing (the log is in
     * the operating system's cache); a machine crash can lose up to one interval of writes.
     */
    PERIODIC;

    public static Durability parse(String text) {
        return switch (text.trim().toLowerCase(Locale.ROOT)) {
            case "sync" -> SYNC;
            case "periodic" -> PERIODIC;
            default -> throw new IllegalArgumentException("durability '" + text
                    + "' is not one of: sync, periodic");
        };
    }

    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }
}
