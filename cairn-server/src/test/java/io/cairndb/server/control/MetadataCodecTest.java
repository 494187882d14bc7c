package io.cairndb.server.control;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

// Proves log entries and states round-trip, and that bytes written before envelopes, audit
// events and the compaction policy existed (bare commands, old snapshots) still decode.
class MetadataCodecTest {

    private static byte[] utf8(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void entryIsAnEnvelopeAroundTheCommand() {
        MetadataEntry entry = new MetadataEntry(new MetadataCommand.CreateTenant("acme", 2, 17),
                123_456L, 1_700_000_000_000L, "m2");

        byte[] bytes = MetadataCodec.encodeEntry(entry);

        assertThat(new String(bytes, StandardCharsets.UTF_8)).isEqualTo("{\"command\":{\"type\":"
                + "\"create_tenant\",\"tenantId\":\"acme\",\"replicationFactor\":2,"
                + "\"atSeconds\":17},\"hlc\":123456,\"atMillis\":1700000000000,\"actor\":\"m2\"}");
        assertThat(MetadataCodec.decodeEntry(bytes)).isEqualTo(entry);
    }

    @Test
    void partialConfigUpdateLogsOnlyTheNamedSettings() {
        MetadataEntry entry = new MetadataEntry(
                new MetadataCommand.UpdateConfig(null, "one", null, "universal", null), 1, 2,
                "local");

        byte[] bytes = MetadataCodec.encodeEntry(entry);

        assertThat(new String(bytes, StandardCharsets.UTF_8)).isEqualTo("{\"command\":{\"type\":"
                + "\"update_config\",\"readConsistencyDefault\":\"one\",\"compactionPolicy\":"
                + "\"universal\"},\"hlc\":1,\"atMillis\":2,\"actor\":\"local\"}");
        assertThat(MetadataCodec.decodeEntry(bytes)).isEqualTo(entry);
    }

    @Test
    void bareCommandOfAnOldLogDecodesAsAnUnstampedEntry() {
        byte[] old = utf8("{\"type\":\"create_tenant\",\"tenantId\":\"acme\","
                + "\"replicationFactor\":0,\"atSeconds\":1700000000}");

        MetadataEntry entry = MetadataCodec.decodeEntry(old);

        assertThat(entry).isEqualTo(new MetadataEntry(
                new MetadataCommand.CreateTenant("acme", 0, 1_700_000_000L), 0, 0, null));
        assertThat(MetadataCodec.decodeEntry(utf8("{\"type\":\"register_node\",\"nodeId\":\"n1\","
                + "\"host\":\"h\",\"port\":1,\"peerPort\":2,\"virtualNodes\":8}")).command())
                .isEqualTo(new MetadataCommand.RegisterNode("n1", "h", 1, 2, 8));
    }

    @Test
    void commandsStillEncodeBareForForwarding() {
        MetadataCommand command = new MetadataCommand.UpdateConfig(4, null, null, null, 32);

        assertThat(MetadataCodec.decodeCommand(MetadataCodec.encodeCommand(command)))
                .isEqualTo(command);
    }

    @Test
    void unreadableEntriesAreRefused() {
        for (String text : List.of("", "[]", "42", "{\"type\":\"drop_everything\"}",
                "{\"command\":null,\"hlc\":1}", "{\"command\":{\"type\":\"nope\"}}", "{")) {
            assertThatThrownBy(() -> MetadataCodec.decodeEntry(utf8(text)))
                    .as(text).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageStartingWith("not a metadata log entry");
        }
    }

    @Test
    void stateRoundTripsWithItsAuditLogAndConfigHistory() {
        ClusterMetadata state = ClusterMetadata.empty(ClusterConfig.DEFAULTS);
        long index = 1;
        for (MetadataCommand command : List.of(Entries.registerNode("n1"),
                Entries.createTenant("acme"),
                Entries.config(null, null, null, "universal", null))) {
            state = MetadataStateMachine.apply(state, Entries.stamped(command, index), index)
                    .state();
            index++;
        }

        byte[] bytes = MetadataCodec.encodeState(state);
        ClusterMetadata decoded = MetadataCodec.decodeState(bytes);

        assertThat(decoded.auditEvents()).isEqualTo(state.auditEvents());
        assertThat(decoded.config().compactionPolicy()).isEqualTo("universal");
        assertThat(decoded.configVersion()).isEqualTo(3);
        assertThat(decoded.configChangedAtMillis()).isEqualTo(Entries.MILLIS_BASE + 3);
        assertThat(MetadataCodec.encodeState(decoded)).isEqualTo(bytes);
    }

    @Test
    void snapshotWrittenBeforeAuditAndCompactionPolicyDecodesWithDefaults() {
        byte[] old = utf8("{\"version\":4,\"config\":{\"replicationFactorDefault\":2,"
                + "\"readConsistencyDefault\":\"one\",\"writeConsistencyDefault\":\"all\","
                + "\"virtualNodesDefault\":64},\"tenants\":[{\"tenantId\":\"acme\","
                + "\"replicationFactor\":1,\"createdAt\":5,\"updatedAt\":5}],\"nodes\":[]}");

        ClusterMetadata state = MetadataCodec.decodeState(old);

        assertThat(state.version()).isEqualTo(4);
        assertThat(state.config()).isEqualTo(new ClusterConfig(2, "one", "all", 64, "level"));
        assertThat(state.auditEvents()).isEmpty();
        assertThat(state.configVersion()).isZero();
        assertThat(state.tenant("acme").replicationFactor()).isEqualTo(1);
    }

    @Test
    void stateWithEventsOutOfOrderIsRefused() {
        byte[] bad = utf8("{\"version\":2,\"config\":{\"replicationFactorDefault\":3,"
                + "\"readConsistencyDefault\":\"quorum\",\"writeConsistencyDefault\":\"quorum\","
                + "\"virtualNodesDefault\":150},\"tenants\":[],\"nodes\":[],\"auditEvents\":["
                + "{\"version\":2,\"hlc\":0,\"atMillis\":0,\"action\":\"a\",\"details\":\"d\"},"
                + "{\"version\":1,\"hlc\":0,\"atMillis\":0,\"action\":\"b\",\"details\":\"d\"}]}");

        assertThatThrownBy(() -> MetadataCodec.decodeState(bad))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("out of order");
    }
}
