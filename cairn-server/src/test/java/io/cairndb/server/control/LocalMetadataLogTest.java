package io.cairndb.server.control;

import static org.assertj.core.api.Assertions.assertThat;

import io.cairndb.core.HybridLogicalClock;
import io.cairndb.core.VersionResolver;
import io.cairndb.server.control.MetadataStateMachine.Applied;
import io.cairndb.storage.StorageEngine;
import io.cairndb.storage.StorageOptions;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

// Proves the local log stamps each entry with this node's clocks, still replays data dirs whose
// log holds bare commands, and replays to the same state and audit log after a restart.
class LocalMetadataLogTest {

    @TempDir
    Path dir;

    private final AtomicLong wallMillis = new AtomicLong(1_800_000_000_000L);
    private StorageEngine storage;

    private LocalMetadataLog open() {
        if (storage != null) {
            storage.close();
        }
        storage = StorageEngine.open(dir, StorageOptions.DEFAULTS, new VersionResolver());
        return new LocalMetadataLog(storage.metadata(), ClusterConfig.DEFAULTS, wallMillis::get);
    }

    @AfterEach
    void close() {
        if (storage != null) {
            storage.close();
        }
    }

    private static Applied submit(LocalMetadataLog log, MetadataCommand command)
            throws Exception {
        Applied applied = log.submit(command).get();
        assertThat(applied.ok()).as("%s", applied.error()).isTrue();
        return applied;
    }

    @Test
    void submittedCommandsAreStampedByThisNode() throws Exception {
        LocalMetadataLog log = open();

        submit(log, Entries.registerNode("n1"));
        wallMillis.addAndGet(5);
        submit(log, Entries.createTenant("acme"));

        assertThat(log.current().auditEvents()).satisfiesExactly(
                first -> {
                    assertThat(first.atMillis()).isEqualTo(1_800_000_000_000L);
                    assertThat(first.hlc()).isEqualTo(HybridLogicalClock.pack(
                            1_800_000_000_000L, 0));
                    assertThat(first.actor()).isEqualTo("local");
                },
                second -> {
                    assertThat(second.atMillis()).isEqualTo(1_800_000_000_005L);
                    assertThat(second.tenantId()).isEqualTo("acme");
                });
    }

    @Test
    void dataDirWithBareCommandsStillReplaysAndNewEntriesGetEnvelopes() throws Exception {
        storage = StorageEngine.open(dir, StorageOptions.DEFAULTS, new VersionResolver());
        storage.metadata().put("mlog/00000000000000000001", ("{\"type\":\"register_node\","
                + "\"nodeId\":\"n1\",\"host\":\"h\",\"port\":1,\"peerPort\":2,"
                + "\"virtualNodes\":8}").getBytes(StandardCharsets.UTF_8));
        storage.metadata().put("mlog/00000000000000000002", ("{\"type\":\"create_tenant\","
                + "\"tenantId\":\"acme\",\"replicationFactor\":0,\"atSeconds\":1700000000}")
                .getBytes(StandardCharsets.UTF_8));

        LocalMetadataLog log = open();

        assertThat(log.current().version()).isEqualTo(2);
        assertThat(log.current().tenant("acme").replicationFactor()).isEqualTo(1);
        assertThat(log.current().auditEvents()).extracting(AuditEvent::hlc)
                .containsExactly(0L, 0L);

        submit(log, Entries.config(null, "one", null, null, null));

        String logged = new String(storage.metadata().get("mlog/00000000000000000003"),
                StandardCharsets.UTF_8);
        assertThat(logged).startsWith("{\"command\":{\"type\":\"update_config\"");
        assertThat(log.current().auditEvents().get(2).hlc()).isPositive();
    }

    @Test
    void restartReplaysToTheSameStateAndKeepsTheClockAhead() throws Exception {
        LocalMetadataLog log = open();
        submit(log, Entries.registerNode("n1"));
        submit(log, Entries.createTenant("acme"));
        submit(log, Entries.config(2, null, null, "universal", null));
        byte[] before = MetadataCodec.encodeState(log.current());
        long lastHlc = log.current().auditEvents().get(2).hlc();

        LocalMetadataLog reopened = open();

        assertThat(MetadataCodec.encodeState(reopened.current())).isEqualTo(before);
        // The wall clock went back across the restart; the audit order must not.
        wallMillis.addAndGet(-60_000);
        submit(reopened, Entries.createTenant("globex"));
        assertThat(reopened.current().auditEvents().get(3).hlc()).isGreaterThan(lastHlc);
    }
}
