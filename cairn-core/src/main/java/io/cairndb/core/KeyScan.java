package io.cairndb.core;

import java.util.List;

/**
 * One bounded page of a key-order scan.
 *
 * @param entries entries in key order, tombstones included
 * @param resumeAfter the last key examined, to continue after; null when the range is exhausted
 */
public record KeyScan(List<KeyEntry> entries, byte[] resumeAfter) {

    public boolean exhausted() {
        return resumeAfter == null;
    }
}
