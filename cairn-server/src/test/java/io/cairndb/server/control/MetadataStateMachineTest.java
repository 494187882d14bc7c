package io.cairndb.server.control;

import static io.cairndb.server.control.Entries.config;
import static io.cairndb.server.control.Entries.createTenant;
import static io.cairndb.server.control.Entries.registerNode;
import static io.cairndb.server.control.Entries.stamped;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.cairndb.core.ErrorCode;
import io.cairndb.server.control.MetadataStateMachine.Applied;
import io.cairndb.testkit.Property;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

// Proves every applied command leaves one audit event stamped from its log entry, that replaying a
// log (or restoring a snapshot and replaying the rest) gives identical audit logs, and that
// UpdateConfig changes only valid, named settings.
class MetadataStateMachineTest {

    private static final ClusterMetadata EMPTY = ClusterMetadata.empty(ClusterConfig.DEFAULTS);

    private static Applied apply(ClusterMetadata state, MetadataCommand command, long index) {
        return MetadataStateMachine.apply(state, stamped(command, index), index);
    }

    private static ClusterMetadata applied(ClusterMetadata state, MetadataCommand command,
                                           long index) {
        Applied applied = apply(state, command, index);
        assertThat(applied.ok()).as("%s", applied.error()).isTrue();
        return applied.state();
    }

    @Test
    void everyAppliedCommandAddsOneEventStampedByItsProposer() {
        ClusterMetadata state = applied(EMPTY, registerNode("n1"), 1);
        state = applied(state, createTenant("acme"), 2);
        state = applied(state, config(null, "one", null, null, null), 3);
        state = applied(state, new MetadataCommand.RegisterNode("n1", "10.0.0.9", 7070, 7071, 8),
                4);

        assertThat(state.auditEvents()).containsExactly(
                new AuditEvent(1, Entries.HLC_BASE + 1, Entries.MILLIS_BASE + 1, "register_node",
                        null, "n1", "m2", "storage node 'n1' added at 10.0.0.1:7070 (peer port "
                        + "7071) with 8 virtual nodes", null),
                new AuditEvent(2, Entries.HLC_BASE + 2, Entries.MILLIS_BASE + 2, "create_tenant",
                        "acme", null, "m3", "tenant 'acme' created with replication factor 1",
                        null),
                new AuditEvent(3, Entries.HLC_BASE + 3, Entries.MILLIS_BASE + 3, "update_config",
                        null, null, "m1", "read_consistency quorum -> one",
                        new ClusterConfig(3, "one", "quorum", 150, "level")),
                new AuditEvent(4, Entries.HLC_BASE + 4, Entries.MILLIS_BASE + 4, "register_node",
                        null, "n1", "m2", "storage node 'n1' moved from 10.0.0.1:7070 (peer port "
                        + "7071) to 10.0.0.9:7070 (peer port 7071)", null));
        assertThat(state.auditEvents().get(2).id()).isEqualTo("3");
        assertThat(state.version()).isEqualTo(4);
        assertThat(state.configVersion()).isEqualTo(3);
        assertThat(state.configChangedAtMillis()).isEqualTo(Entries.MILLIS_BASE + 3);
    }

    @Test
    void refusedCommandAddsNoEventAndChangesNothing() {
        ClusterMetadata state = applied(applied(EMPTY, registerNode("n1"), 1),
                createTenant("acme"), 2);

        Applied again = apply(state, createTenant("acme"), 3);

        assertThat(again.ok()).isFalse();
        assertThat(again.error().code()).isEqualTo(ErrorCode.TENANT_EXISTS);
        assertThat(again.state()).isSameAs(state);
        assertThat(state.auditEvents()).extracting(AuditEvent::version).containsExactly(1L, 2L);
    }

    @Test
    void bareCommandFromAnOldLogIsAuditedWithUnknownTimes() {
        Applied applied = MetadataStateMachine.apply(EMPTY,
                MetadataEntry.unstamped(registerNode("n1")), 1);

        AuditEvent event = applied.state().auditEvents().get(0);
        assertThat(event.hlc()).isZero();
        assertThat(event.atMillis()).isZero();
        assertThat(event.actor()).isNull();
        assertThat(event.action()).isEqualTo("register_node");
    }

    @Test
    void indexThatDoesNotFollowTheVersionIsAProgrammerError() {
        ClusterMetadata state = applied(EMPTY, registerNode("n1"), 5);

        assertThatThrownBy(() -> apply(state, registerNode("n2"), 5))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("index 5 does not follow version 5");
    }

    @Test
    void auditLogKeepsOnlyTheNewestEvents() {
        ClusterMetadata state = EMPTY;
        int total = AuditEvent.EVENTS_MAX + 5;
        for (int index = 1; index <= total; index++) {
            state = applied(state, registerNode("n1"), index);
        }

        assertThat(state.auditEvents()).hasSize(AuditEvent.EVENTS_MAX);
        assertThat(state.auditEvents().get(0).version()).isEqualTo(6);
        assertThat(state.auditEvents().get(AuditEvent.EVENTS_MAX - 1).version())
                .isEqualTo(total);
    }

    @Test
    void replayingTheSameLogGivesTheSameStateByteForByte() {
        Property.forAll("replay is deterministic", random -> {
            List<MetadataEntry> log = Entries.random(random, 1 + random.nextInt(60));

            byte[] first = MetadataCodec.encodeState(Entries.replay(EMPTY, log, 1));
            byte[] second = MetadataCodec.encodeState(Entries.replay(EMPTY, log, 1));

            assertThat(second).isEqualTo(first);
        });
    }

    @Test
    void snapshotRestoredMidLogThenReplayedEqualsReplayingEverything() {
        Property.forAll("snapshot plus replay equals replay", random -> {
            List<MetadataEntry> log = Entries.random(random, 2 + random.nextInt(60));
            int cut = 1 + random.nextInt(log.size() - 1);

            ClusterMetadata straight = Entries.replay(EMPTY, log, 1);
            ClusterMetadata snapshot = MetadataCodec.decodeState(MetadataCodec.encodeState(
                    Entries.replay(EMPTY, log.subList(0, cut), 1)));
            ClusterMetadata restored = Entries.replay(snapshot, log.subList(cut, log.size()),
                    cut + 1);

            assertThat(MetadataCodec.encodeState(restored))
                    .isEqualTo(MetadataCodec.encodeState(straight));
            assertThat(restored.auditEvents()).isEqualTo(straight.auditEvents());
        });
    }

    @Test
    void auditEventsAreOnePerAppliedCommandInVersionOrder() {
        Property.forAll("one event per applied command", random -> {
            List<MetadataEntry> log = Entries.random(random, 1 + random.nextInt(60));
            ClusterMetadata state = EMPTY;
            List<Long> appliedAt = new ArrayList<>();
            long index = 1;
            for (MetadataEntry entry : log) {
                Applied applied = MetadataStateMachine.apply(state, entry, index);
                if (applied.ok()) {
                    appliedAt.add(index);
                    AuditEvent last = applied.state().auditEvents()
                            .get(applied.state().auditEvents().size() - 1);
                    assertThat(last.hlc()).isEqualTo(entry.hlc());
                    assertThat(last.atMillis()).isEqualTo(entry.atMillis());
                    assertThat(last.actor()).isEqualTo(entry.actor());
                }
                state = applied.state();
                index++;
            }

            assertThat(state.auditEvents()).extracting(AuditEvent::version)
                    .containsExactlyElementsOf(appliedAt);
        });
    }

    // ------------------------------------------------------------------------ UpdateConfig

    @Test
    void updateConfigChangesOnlyTheNamedSettings() {
        ClusterMetadata state = applied(EMPTY, config(5, null, "all", "universal", 64), 1);

        assertThat(state.config()).isEqualTo(new ClusterConfig(5, "quorum", "all", 64,
                "universal"));
        assertThat(state.auditEvents().get(0).details()).isEqualTo("replication_factor 3 -> 5, "
                + "write_consistency quorum -> all, compaction_policy level -> universal, "
                + "virtual_nodes 150 -> 64");
    }

    @Test
    void updateConfigThatChangesNothingIsAuditedButIsNotAConfigChange() {
        ClusterMetadata state = applied(EMPTY, config(3, "quorum", null, null, null), 1);

        assertThat(state.version()).isEqualTo(1);
        assertThat(state.configVersion()).isZero();
        AuditEvent event = state.auditEvents().get(0);
        assertThat(event.details()).isEqualTo("configuration unchanged");
        assertThat(event.changesConfig()).isFalse();
    }

    @Test
    void updateConfigRefusesInvalidValuesNamingTheField() {
        record Case(MetadataCommand.UpdateConfig update, String message) {
        }
        List<Case> cases = List.of(
                new Case(config(0, null, null, null, null),
                        "replication_factor is 0; it must be at least 1"),
                new Case(config(null, "most", null, null, null),
                        "read_consistency is 'most'; use one of one, quorum, all"),
                new Case(config(null, null, "QUORUM", null, null),
                        "write_consistency is 'QUORUM'; use one of one, quorum, all"),
                new Case(config(null, null, null, "tiered", null),
                        "compaction_policy is 'tiered'; use one of level, universal"),
                new Case(config(null, null, null, null, 0),
                        "virtual_nodes is 0; it must be between 1 and 4096"),
                new Case(config(null, null, null, null, 4097),
                        "virtual_nodes is 4097; it must be between 1 and 4096"),
                new Case(config(null, null, null, null, null),
                        "update names no setting to change: set at least one of "
                        + "replication_factor, read_consistency, write_consistency, "
                        + "compaction_policy, virtual_nodes"));
        for (Case refused : cases) {
            Applied applied = apply(EMPTY, refused.update(), 1);

            assertThat(applied.ok()).as("%s", refused.update()).isFalse();
            assertThat(applied.error().code()).isEqualTo(ErrorCode.INVALID_REQUEST);
            assertThat(applied.error().getMessage()).isEqualTo(refused.message());
            assertThat(applied.state()).isSameAs(EMPTY);
        }
    }

    @Test
    void updateConfigAcceptsTheBoundsOfEveryRange() {
        ClusterMetadata state = applied(EMPTY, config(1, "one", "all", "level", 1), 1);
        state = applied(state, config(null, null, null, null, 4096), 2);

        assertThat(state.config()).isEqualTo(new ClusterConfig(1, "one", "all", 4096, "level"));
    }

    @Test
    void newDefaultsApplyToLaterCommands() {
        ClusterMetadata state = applied(EMPTY, config(null, null, null, null, 16), 1);
        state = applied(state, new MetadataCommand.RegisterNode("n1", "h", 1, 2, 0), 2);

        assertThat(state.nodes().get("n1").virtualNodes()).isEqualTo(16);
        assertThat(state.nodes().get("n1").tokens()).hasSize(16);
    }
}
