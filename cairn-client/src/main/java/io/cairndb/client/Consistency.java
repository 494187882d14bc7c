package io.cairndb.client;

import java.util.Locale;

/**
 * How many of a key's replicas must answer before a request succeeds. Each call may also pass
 * the contract's string form, or nothing for the server's default.
 */
public enum Consistency {
    /** One replica. */
    ONE("one"),
    /** A majority of the tenant's replication factor: {@code rf / 2 + 1}. */
    QUORUM("quorum"),
    /** Every replica. */
    ALL("all");

    private final String wireName;

    Consistency(String wireName) {
        this.wireName = wireName;
    }

    /** The string the contract uses: {@code "one"}, {@code "quorum"} or {@code "all"}. */
    public String wireName() {
        return wireName;
    }

    /**
     * The level a string names, ignoring case.
     *
     * @throws IllegalArgumentException when the string names no level
     */
    public static Consistency parse(String text) {
        for (Consistency level : values()) {
            if (level.wireName.equals(text.toLowerCase(Locale.ROOT))) {
                return level;
            }
        }
        throw new IllegalArgumentException("consistency must be one, quorum or all, was '"
                + text + "'");
    }

    @Override
    public String toString() {
        return wireName;
    }
}
