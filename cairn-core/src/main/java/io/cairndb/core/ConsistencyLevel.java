package io.cairndb.core;

import java.util.Locale;

/** How many replicas must answer a request before it succeeds. */
public enum ConsistencyLevel {
    ONE,
    QUORUM,
    ALL;

    /** The wire spelling: "one", "quorum" or "all". */
    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }

    /**
     * Replicas that must acknowledge, for a replica set of {@code replicationFactor}: one = 1,
     * quorum = RF/2+1, all = RF.
     */
    public int required(int replicationFactor) {
        if (replicationFactor < 1) {
            throw new IllegalArgumentException("replication factor must be >= 1, was "
                    + replicationFactor);
        }
        return switch (this) {
            case ONE -> 1;
            case QUORUM -> replicationFactor / 2 + 1;
            case ALL -> replicationFactor;
        };
    }

    /**
     * Parses the wire spelling, case-insensitively; an empty string means {@code fallback}.
     *
     * @throws CairnException INVALID_REQUEST naming the field and the accepted values
     */
    public static ConsistencyLevel parse(String text, ConsistencyLevel fallback) {
        if (text == null || text.isEmpty()) {
            return fallback;
        }
        return switch (text.trim().toLowerCase(Locale.ROOT)) {
            case "one" -> ONE;
            case "quorum" -> QUORUM;
            case "all" -> ALL;
            default -> throw CairnException.invalid("consistency '" + text
                    + "' is not a consistency level: use one of one, quorum, all");
        };
    }
}
