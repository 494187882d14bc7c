package io.cairndb.storage;

import io.cairndb.core.Mutation;

/**
 * A mutation kept for a replica that did not acknowledge it, to be delivered when the replica is
 * seen alive again.
 *
 * @param id the hint's key in the hints family (opaque)
 * @param targetNodeId the replica the mutation is for
 * @param createdAtMillis when the hint was stored; hints older than the hint window are dropped
 * @param mutation the mutation, exactly as the coordinator sent it
 */
public record Hint(byte[] id, String targetNodeId, long createdAtMillis, Mutation mutation) {
}
