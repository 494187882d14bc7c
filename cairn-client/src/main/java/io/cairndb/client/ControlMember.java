package io.cairndb.client;

import java.util.Objects;

/**
 * A member of the control group.
 *
 * @param memberId its id
 * @param raftAddress the {@code host:port} of its Raft server; empty when it has none (a node
 *     that keeps its metadata alone)
 * @param leader whether it leads, as the answering node believes
 */
public record ControlMember(String memberId, String raftAddress, boolean leader) {

    public ControlMember {
        Objects.requireNonNull(memberId, "memberId");
        Objects.requireNonNull(raftAddress, "raftAddress");
    }
}
