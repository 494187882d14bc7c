package io.cairndb.server.control;

import io.cairndb.core.CairnException;
import io.cairndb.core.ControlGroup;
import io.cairndb.core.ErrorCode;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;

/**
 * The cluster metadata: a state changed only by commands appended to a log and applied in log
 * order. Callers see immutable snapshots and never learn how the log is kept (locally on one node,
 * or replicated by Raft across the control group).
 *
 * <p>The default methods describe a log kept on this node alone, where every accepted command is
 * applied before {@link #submit} returns: there is nothing to wait for and no one else to ask.
 */
public interface MetadataStore extends AutoCloseable {

    /** The latest applied state. Cheap; call it per request. */
    ClusterMetadata current();

    /**
     * Appends a command and applies it. The future completes after the command is durable and
     * applied, with the outcome; a command that breaks a rule completes normally with
     * {@link MetadataStateMachine.Applied#error()} set and changes nothing.
     */
    CompletableFuture<MetadataStateMachine.Applied> submit(MetadataCommand command);

    /** Calls {@code listener} with every new state, in order, after it is applied. */
    void addListener(Consumer<ClusterMetadata> listener);

    /**
     * A state that holds every command committed before this call was made (a linearizable read).
     * A replicated store confirms with a majority of its group that no newer command exists; when
     * it cannot within its request timeout, the future fails with a {@link CairnException} of code
     * {@link ErrorCode#QUORUM_NOT_REACHED}.
     */
    default CompletableFuture<ClusterMetadata> readLinearizable() {
        return CompletableFuture.completedFuture(current());
    }

    /**
     * A state at least as new as {@code version} (a version token from an earlier write or read),
     * read from this member without asking any other: read-your-writes on a follower. Fails with a
     * {@link CairnException} of code {@link ErrorCode#QUORUM_NOT_REACHED} when this member has not
     * applied {@code version} within {@code timeout}.
     */
    default CompletableFuture<ClusterMetadata> awaitVersion(long version, Duration timeout) {
        ClusterMetadata state = current();
        if (state.version() >= version) {
            return CompletableFuture.completedFuture(state);
        }
        // A local log applies every command before submit returns, so a newer version cannot
        // have been handed out by this node: waiting would never end.
        return CompletableFuture.failedFuture(new CairnException(ErrorCode.INVALID_REQUEST,
                "metadata version " + version + " is newer than this node's metadata (version "
                        + state.version() + "); this node keeps its metadata alone, so that "
                        + "version was not written here"));
    }

    /** Who leads the log, how far it is committed and applied, and who takes part. */
    default ControlStatus status() {
        long version = current().version();
        return new ControlStatus(ControlStatus.LOCAL_MEMBER_ID, ControlStatus.LOCAL_MEMBER_ID, 1,
                version, version,
                List.of(new ControlStatus.Member(ControlStatus.LOCAL_MEMBER_ID, null)),
                ControlStatus.Role.LEADER);
    }

    /**
     * Carries out {@code change} on the control group (who votes, who listens), applied to the
     * group current when it commits, and completes with the group after it. Changes made at once
     * through any members all take effect. Members to add must already be running. A log kept on
     * one node has no group to change: the default checks the change against a group of that one
     * node, then fails with {@link ErrorCode#INVALID_REQUEST} unless it changes nothing.
     */
    default CompletableFuture<ControlGroup> changeControlGroup(ControlGroup.Change change) {
        ControlGroup alone = new ControlGroup(
                Map.of(ControlStatus.LOCAL_MEMBER_ID, ControlStatus.LOCAL_MEMBER_ID), Map.of());
        try {
            if (change.applyTo(alone).equals(alone)) {
                return CompletableFuture.completedFuture(alone);
            }
        } catch (CairnException e) {
            return CompletableFuture.failedFuture(e);
        }
        return CompletableFuture.failedFuture(new CairnException(ErrorCode.INVALID_REQUEST,
                "this node keeps its metadata in a local log; it has no control group whose "
                        + "members could change"));
    }

    /**
     * The control group as this member knows it, or null when this node keeps its metadata
     * alone or follows it from another node.
     */
    default ControlGroup controlGroup() {
        return null;
    }

    /**
     * How many times this member learned of a new control-group leader since it started (an
     * election it saw, or a leader it found); 0 where no group is kept here.
     */
    default long leaderChanges() {
        return 0;
    }

    @Override
    void close();

    /**
     * One member's view of the metadata log.
     *
     * @param memberId this member
     * @param leaderId the member this one believes leads, or null while none is known
     * @param term the current Raft term (1 for a local log)
     * @param commitIndex the highest log index known to be committed
     * @param appliedIndex the highest log index applied to this member's state; at least
     *     {@link ClusterMetadata#version()}, more when the log holds entries that are not commands
     *     (leader changes, membership changes)
     * @param members the members of the group and their addresses (null for a local log)
     * @param role what this member is in the group
     */
    record ControlStatus(String memberId, String leaderId, long term, long commitIndex,
                         long appliedIndex, List<Member> members, Role role) {

        /** The member id a local log reports for itself. */
        public static final String LOCAL_MEMBER_ID = "local";

        public ControlStatus {
            members = List.copyOf(members);
        }

        public boolean isLeader() {
            return role == Role.LEADER;
        }

        /** A member of the group and where it listens ({@code host:port}). */
        public record Member(String memberId, String address) {
        }

        public enum Role { LEADER, FOLLOWER, CANDIDATE, LISTENER, UNKNOWN }
    }
}
