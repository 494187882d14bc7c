package io.cairndb.core;

import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * The members of the Raft control group: voters, which elect the leader and make up its
 * majorities, and listeners, which vote on nothing but receive and apply every committed entry.
 * Each maps a member id to its Raft address ({@code host:port}).
 *
 * <p>A membership change is a {@link Change}: a function of the group it applies to, not a group
 * computed beforehand. Whoever carries it out applies it to the group that is current at that
 * moment and commits the result only if the group is still that one (compare-and-set), applying
 * it again to the newer group otherwise. Two changes made at once, through any members, then
 * both take effect, in some order; neither can overwrite the other with a group read before it.
 *
 * @param voters member id to address; sorted, so that equal groups print alike
 * @param listeners member id to address, disjoint from {@code voters}
 */
public record ControlGroup(Map<String, String> voters, Map<String, String> listeners) {

    /** A change of the group, applied to whichever group is current when it is carried out. */
    @FunctionalInterface
    public interface Change {

        /**
         * The group after this change, given the group before it; {@code current} itself when
         * there is nothing to change.
         *
         * @throws CairnException (INVALID_REQUEST) when the change cannot apply to
         *     {@code current}, naming why
         */
        ControlGroup applyTo(ControlGroup current);
    }

    public ControlGroup {
        voters = new TreeMap<>(Objects.requireNonNull(voters, "voters"));
        listeners = new TreeMap<>(Objects.requireNonNull(listeners, "listeners"));
        for (String id : voters.keySet()) {
            if (listeners.containsKey(id)) {
                throw new IllegalArgumentException("member '" + id + "' is both a voter and a "
                        + "listener of the control group");
            }
        }
        voters = java.util.Collections.unmodifiableMap(voters);
        listeners = java.util.Collections.unmodifiableMap(listeners);
    }

    /** Makes {@code memberId} a voter at {@code address}: added, or promoted from listener. */
    public static Change addVoter(String memberId, String address) {
        Objects.requireNonNull(memberId, "memberId");
        Objects.requireNonNull(address, "address");
        return current -> {
            if (address.equals(current.voters().get(memberId))) {
                return current;
            }
            Map<String, String> voters = new LinkedHashMap<>(current.voters());
            Map<String, String> listeners = new LinkedHashMap<>(current.listeners());
            listeners.remove(memberId);
            voters.put(memberId, address);
            return new ControlGroup(voters, listeners);
        };
    }

    /**
     * Takes {@code memberId}'s vote away: it stays in the group as a listener, so that the node
     * keeps following the metadata. A member already listening is left as it is, so that a
     * removal whose answer was lost (the leader it removed stepped down) can be tried again.
     */
    public static Change removeVoter(String memberId) {
        Objects.requireNonNull(memberId, "memberId");
        return current -> {
            String address = current.voters().get(memberId);
            if (address == null && current.listeners().containsKey(memberId)) {
                return current;
            }
            if (address == null) {
                throw CairnException.invalid("member_id '" + memberId + "' is not a member of the "
                        + "control group (voters " + current.voters().keySet() + ")");
            }
            if (current.voters().size() == 1) {
                throw CairnException.invalid("member_id '" + memberId + "' is the control "
                        + "group's only member; add another before removing it");
            }
            Map<String, String> voters = new LinkedHashMap<>(current.voters());
            Map<String, String> listeners = new LinkedHashMap<>(current.listeners());
            voters.remove(memberId);
            listeners.put(memberId, address);
            return new ControlGroup(voters, listeners);
        };
    }

    /** Of {@code memberIds}, those that do not vote in this group, sorted. */
    public List<String> notVoting(Collection<String> memberIds) {
        return memberIds.stream().filter(id -> !voters.containsKey(id)).sorted().toList();
    }

    /**
     * What an operator is told when nodes that joined with the control role do not vote: the
     * group tolerates fewer failures than they expect.
     */
    public static String notVotingWarning(int voters, List<String> notVoting) {
        return "the control group has " + voters + " voting member(s) but " + (voters
                + notVoting.size()) + " node(s) joined with the control role; not voting: "
                + String.join(", ", notVoting) + " (expected only after 'cairn control "
                + "remove-member'; otherwise add each back with 'cairn control add-member')";
    }

    @Override
    public String toString() {
        return "voters " + voters.keySet() + (listeners.isEmpty() ? ""
                : ", listeners " + listeners.keySet());
    }
}
