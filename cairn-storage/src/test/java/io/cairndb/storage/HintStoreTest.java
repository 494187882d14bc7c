package io.cairndb.storage;

import static io.cairndb.storage.TestEngine.bytes;
import static org.assertj.core.api.Assertions.assertThat;

import io.cairndb.core.Mutation;
import io.cairndb.core.Version;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

// Proves hints are kept per target node, oldest first, and survive a reopen.
class HintStoreTest {

    @RegisterExtension
    final TestEngine store = new TestEngine();

    @Test
    void hintsAreKeptPerNodeInOrderAndSurviveReopen() {
        byte[] key = bytes("k");
        Mutation plain = new Mutation("t", key, 7, Version.write(bytes("v"), "n1", 5), null);
        Mutation guarded = new Mutation("t", key, 7, Version.tombstone("n1", 6),
                new Mutation.IdempotencyRequest("idem", bytes("h"), 100, 1_000));
        hints().put("node-b", 2, 1_000, guarded);
        hints().put("node-b", 1, 900, plain);
        hints().put("node-a", 1, 800, plain);
        hints().put("node-bb", 1, 800, plain);
        assertThat(hints().counts()).containsEntry("node-a", 1L).containsEntry("node-b", 2L)
                .containsEntry("node-bb", 1L);
        store.reopen("db", StorageOptions.DEFAULTS);
        List<Hint> forB = hints().hintsFor("node-b", 10);
        assertThat(forB).hasSize(2);
        assertThat(forB.get(0).createdAtMillis()).isEqualTo(900);
        assertThat(forB.get(0).mutation().version()).isEqualTo(plain.version());
        assertThat(forB.get(0).mutation().idempotency()).isNull();
        assertThat(forB.get(1).targetNodeId()).isEqualTo("node-b");
        assertThat(forB.get(1).mutation().version().isTombstone()).isTrue();
        assertThat(forB.get(1).mutation().idempotency().idempotencyKey()).isEqualTo("idem");
        hints().delete(forB.get(0));
        assertThat(hints().hintsFor("node-b", 10)).hasSize(1);
        assertThat(hints().hintsFor("node-c", 10)).isEmpty();
    }

    private HintStore hints() {
        return store.engine().hints();
    }
}
