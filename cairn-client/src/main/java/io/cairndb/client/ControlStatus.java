package io.cairndb.client;

import java.util.List;
import java.util.Objects;

/**
 * The control group (the Raft group that keeps the cluster metadata) as the answering node sees
 * it.
 *
 * @param memberId the answering node's control member id, empty if it is not a member
 * @param leaderId the member it believes leads, empty while none is known
 * @param term the current Raft term
 * @param commitIndex the highest metadata log index known to be committed
 * @param appliedIndex the highest index applied to the answering node's metadata
 * @param role what the answering node is: {@code leader}, {@code follower}, {@code candidate},
 *     {@code listener} or {@code none}
 * @param members the members of the group
 * @param nodes every node's reported view version and whether it is up
 * @param notVoting nodes that joined with the control role but do not vote (removed, or lost);
 *     empty when every one votes
 * @param clockRefusal why the answering node refuses to coordinate writes (its clock is too
 *     far from the cluster's); empty while it coordinates them
 */
public record ControlStatus(String memberId, String leaderId, long term, long commitIndex,
        long appliedIndex, String role, List<ControlMember> members, List<NodeView> nodes,
        List<String> notVoting, String clockRefusal) {

    /** A status in which every control node votes. */
    public ControlStatus(String memberId, String leaderId, long term, long commitIndex,
                         long appliedIndex, String role, List<ControlMember> members,
                         List<NodeView> nodes) {
        this(memberId, leaderId, term, commitIndex, appliedIndex, role, members, nodes,
                List.of(), "");
    }

    public ControlStatus {
        Objects.requireNonNull(memberId, "memberId");
        Objects.requireNonNull(leaderId, "leaderId");
        Objects.requireNonNull(role, "role");
        members = List.copyOf(members);
        nodes = List.copyOf(nodes);
        notVoting = List.copyOf(notVoting);
        Objects.requireNonNull(clockRefusal, "clockRefusal");
    }

    /**
     * A node's cluster view as the answering node last heard of it.
     *
     * @param nodeId the node
     * @param viewVersion the metadata index it last reported in a heartbeat (for the answering
     *     node, its own)
     * @param alive whether the answering node's failure detector believes it is up
     * @param clockOffsetMillis its clock minus the answering node's, in milliseconds; null
     *     while not measured
     */
    public record NodeView(String nodeId, long viewVersion, boolean alive,
                           Long clockOffsetMillis) {

        /** A node whose clock offset is not known. */
        public NodeView(String nodeId, long viewVersion, boolean alive) {
            this(nodeId, viewVersion, alive, null);
        }

        public NodeView {
            Objects.requireNonNull(nodeId, "nodeId");
        }
    }
}
