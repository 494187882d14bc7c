package io.cairndb.core;


/** A key, its token and its stored version (which may be a tombstone), as a scan returns it. */
public record KeyEntry(byte[] key, long token, Version version) {
}
