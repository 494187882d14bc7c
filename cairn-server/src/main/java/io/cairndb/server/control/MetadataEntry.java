package io.cairndb.server.control;

import java.util.Objects;

/**
 * One entry of the metadata log: a command and what its proposer knew when it submitted it. The
 * proposer reads its clocks once, before the entry is logged, so every member that applies the
 * entry (now, or later in a replay) records the same times in the audit log; an applier never
 * reads a clock of its own.
 *
 * @param command the change
 * @param hlc the proposer's hybrid logical clock reading at submission; 0 when unknown (entries
 *     logged as bare commands, before entries carried one)
 * @param atMillis the proposer's wall clock at submission, Unix milliseconds; 0 when unknown
 * @param actor who proposed it (a control member id, or {@code local}), or null when unknown
 */
public record MetadataEntry(MetadataCommand command, long hlc, long atMillis, String actor) {

    public MetadataEntry {
        Objects.requireNonNull(command, "command");
        if (hlc < 0 || atMillis < 0) {
            throw new IllegalArgumentException("hlc " + hlc + " and atMillis " + atMillis
                    + " must not be negative");
        }
    }

    /** An entry with no proposer information: how a bare command from an old log reads. */
    public static MetadataEntry unstamped(MetadataCommand command) {
        return new MetadataEntry(command, 0, 0, null);
    }
}
