package io.cairndb.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.cairndb.testkit.Property;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

// Proves control-group changes made at once, interleaved step by step, all take effect when each
// is a compare-and-set retried on the newer group, and shows the blind overwrite that loses one.
class ControlGroupTest {

    private static final ControlGroup FOUNDER = new ControlGroup(Map.of("n1", "h:1"), Map.of());

    /**
     * The group as the Raft leader holds it: a value with a version, changed only by a
     * compare-and-set against the group the change was computed from (Ratis' COMPARE_AND_SET
     * mode), or, for the defect, by a blind set.
     */
    private static final class Register {
        ControlGroup group;

        Register(ControlGroup group) {
            this.group = group;
        }
    }

    /**
     * One member carrying out one change, a step at a time: read the group (possibly a stale
     * copy), apply the change to it, then commit. With compare-and-set, a commit whose group
     * changed meanwhile fails and the member starts over from a fresh read.
     */
    private static final class Changer {
        final ControlGroup.Change change;
        final boolean compareAndSet;
        ControlGroup read;
        ControlGroup next;
        boolean done;
        int conflicts;

        Changer(ControlGroup.Change change, boolean compareAndSet) {
            this.change = change;
            this.compareAndSet = compareAndSet;
        }

        Changer copy() {
            Changer copy = new Changer(change, compareAndSet);
            copy.read = read;
            copy.next = next;
            copy.done = done;
            copy.conflicts = conflicts;
            return copy;
        }

        void step(Register register) {
            if (read == null) {
                read = register.group;
                next = change.applyTo(read);
                if (next.equals(read)) {
                    done = true;
                }
                return;
            }
            if (!compareAndSet || register.group.equals(read)) {
                register.group = next;
                done = true;
            } else {
                conflicts++;
                read = null;
            }
        }
    }

    /** Runs every interleaving of the changers' steps; returns each run's final group. */
    private static List<ControlGroup> everyInterleaving(ControlGroup start, List<Changer> changers) {
        List<ControlGroup> outcomes = new ArrayList<>();
        explore(new Register(start), changers, outcomes);
        return outcomes;
    }

    private static void explore(Register register, List<Changer> changers,
                                List<ControlGroup> outcomes) {
        boolean any = false;
        for (int i = 0; i < changers.size(); i++) {
            if (changers.get(i).done) {
                continue;
            }
            any = true;
            Register branch = new Register(register.group);
            List<Changer> copies = new ArrayList<>();
            changers.forEach(changer -> copies.add(changer.copy()));
            copies.get(i).step(branch);
            explore(branch, copies, outcomes);
        }
        if (!any) {
            outcomes.add(register.group);
        }
    }

    @Test
    void twoJoinsInterleavedInEveryOrderBothEndUpVoting() {
        List<ControlGroup> outcomes = everyInterleaving(FOUNDER, List.of(
                new Changer(ControlGroup.addVoter("n2", "h:2"), true),
                new Changer(ControlGroup.addVoter("n3", "h:3"), true)));
        assertThat(outcomes).hasSizeGreaterThan(5);
        assertThat(outcomes).allSatisfy(group -> assertThat(group.voters())
                .isEqualTo(Map.of("n1", "h:1", "n2", "h:2", "n3", "h:3")));
    }

    @Test
    void aJoinRacingARemovalOfAnotherMemberKeepsBothChanges() {
        ControlGroup three = new ControlGroup(Map.of("n1", "h:1", "n2", "h:2", "n3", "h:3"),
                Map.of());
        List<ControlGroup> outcomes = everyInterleaving(three, List.of(
                new Changer(ControlGroup.addVoter("n4", "h:4"), true),
                new Changer(ControlGroup.removeVoter("n2"), true)));
        assertThat(outcomes).allSatisfy(group -> {
            assertThat(group.voters()).containsOnlyKeys("n1", "n3", "n4");
            assertThat(group.listeners()).containsOnlyKeys("n2");
        });
    }

    @Test
    void blindOverwritesLoseAJoinInSomeInterleaving() {
        // The defect this design removes: each change computed from the group it read, then set
        // unconditionally. Some order drops a member, as seen with nodes started together.
        List<ControlGroup> outcomes = everyInterleaving(FOUNDER, List.of(
                new Changer(ControlGroup.addVoter("n2", "h:2"), false),
                new Changer(ControlGroup.addVoter("n3", "h:3"), false)));
        assertThat(outcomes).anySatisfy(group -> assertThat(group.voters()).hasSize(2));
    }

    @Test
    void manyChangesThroughStaleReadsAllTakeEffect() {
        // Four to six joins and a removal, interleaved at random: each member may read a group
        // several changes old, yet every join ends up voting and the removed member listening.
        Property.forAll("concurrent control group changes", random -> {
            int joiners = 4 + random.nextInt(3);
            List<Changer> changers = new ArrayList<>();
            Map<String, String> expected = new LinkedHashMap<>(Map.of("n1", "h:1"));
            for (int i = 2; i < 2 + joiners; i++) {
                changers.add(new Changer(ControlGroup.addVoter("n" + i, "h:" + i), true));
                expected.put("n" + i, "h:" + i);
            }
            ControlGroup start = new ControlGroup(Map.of("n1", "h:1", "old", "h:0"), Map.of());
            changers.add(new Changer(ControlGroup.removeVoter("old"), true));
            Register register = new Register(start);
            int steps = 0;
            while (changers.stream().anyMatch(changer -> !changer.done)) {
                List<Changer> pending = changers.stream().filter(changer -> !changer.done)
                        .toList();
                pending.get(random.nextInt(pending.size())).step(register);
                assertThat(++steps).as("steps").isLessThan(10_000);
            }
            assertThat(register.group.voters()).isEqualTo(expected);
            assertThat(register.group.listeners()).isEqualTo(Map.of("old", "h:0"));
        });
    }

    @Test
    void changesAreIdempotentAndRefuseWhatCannotApply() {
        ControlGroup two = ControlGroup.addVoter("n2", "h:2").applyTo(FOUNDER);
        assertThat(ControlGroup.addVoter("n2", "h:2").applyTo(two)).isSameAs(two);
        ControlGroup moved = ControlGroup.addVoter("n2", "h:9").applyTo(two);
        assertThat(moved.voters()).containsEntry("n2", "h:9");
        ControlGroup demoted = ControlGroup.removeVoter("n2").applyTo(two);
        assertThat(demoted.listeners()).containsEntry("n2", "h:2");
        assertThat(ControlGroup.addVoter("n2", "h:2").applyTo(demoted)).isEqualTo(two);
        assertThat(ControlGroup.removeVoter("n2").applyTo(demoted)).isSameAs(demoted);
        assertThat(demoted.notVoting(List.of("n2", "n1", "n0"))).containsExactly("n0", "n2");
        assertThatThrownBy(() -> ControlGroup.removeVoter("n1").applyTo(FOUNDER))
                .isInstanceOf(CairnException.class).hasMessageContaining("only member");
        assertThatThrownBy(() -> ControlGroup.removeVoter("n7").applyTo(two))
                .isInstanceOf(CairnException.class).hasMessageContaining("'n7' is not a member");
        assertThatThrownBy(() -> new ControlGroup(Map.of("a", "h:1"), Map.of("a", "h:1")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("both a voter and a listener");
    }

    @Test
    void backoffDoublesUpToItsBoundWithJitterInTheUpperHalf() {
        Backoff backoff = new Backoff(Duration.ofMillis(100), Duration.ofSeconds(2));
        Random random = new Random(7);
        for (int attempt = 0; attempt < 40; attempt++) {
            long ceiling = Math.min(2_000, 100L << Math.min(attempt, 30));
            long delay = backoff.delay(attempt, random).toMillis();
            assertThat(delay).as("attempt %d", attempt).isBetween(ceiling / 2, ceiling);
        }
        assertThatThrownBy(() -> new Backoff(Duration.ZERO, Duration.ofSeconds(1)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("0 < initial");
        assertThatThrownBy(() -> backoff.delay(-1, random))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("counts from 0");
    }
}
