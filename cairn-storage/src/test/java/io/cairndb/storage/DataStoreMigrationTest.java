package io.cairndb.storage;

import static io.cairndb.storage.TestEngine.bytes;
import static org.assertj.core.api.Assertions.assertThat;

import io.cairndb.core.ApplyResult;
import io.cairndb.core.Idempotency;
import io.cairndb.core.IdempotencyRecord;
import io.cairndb.core.MigrationPlan.TokenRange;
import io.cairndb.core.MovedKeys;
import io.cairndb.core.Mutation;
import io.cairndb.core.Tokens;
import io.cairndb.core.VectorClock;
import io.cairndb.core.Version;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

// Proves a moved key is adopted as a replica write would merge it, keeping the first answer to
// each idempotency key, and that cleanup purges a key (index and count too) only if unchanged.
class DataStoreMigrationTest {

    private static final long NOW = 1_000;
    private static final long TTL = 60_000;

    @RegisterExtension
    final TestEngine store = new TestEngine();

    // ------------------------------------------------------------------------------- adopt

    @Test
    void adoptingAnOlderVersionLeavesTheNewerOne() {
        Version older = Version.write(bytes("old"), "n1", 400);
        Version newer = Version.write(bytes("new"), "n1", 500);
        store.apply("t", "k", newer, null);

        ApplyResult result = adopt("t", "k", older, List.of());

        assertThat(result.outcome()).isEqualTo(ApplyResult.Outcome.APPLIED);
        assertThat(store.get("t", "k")).isEqualTo(newer);
        // And the newer one, adopted, replaces the older.
        store.apply("t", "k2", older, null);
        adopt("t", "k2", newer, List.of());
        assertThat(store.get("t", "k2")).isEqualTo(newer);
        assertThat(store.data().liveKeys("t")).isEqualTo(2);
    }

    @Test
    void adoptingAConcurrentVersionMergesItWhicheverArrivedFirst() {
        Version a = Version.write(bytes("a"), "n1", 500);
        Version b = Version.write(bytes("b"), "n2", 600);
        store.apply("t", "k1", a, null);
        adopt("t", "k1", b, List.of());
        store.apply("t", "k2", b, null);
        adopt("t", "k2", a, List.of());

        Version merged = store.get("t", "k1");
        assertThat(merged.value()).isEqualTo(bytes("b"));
        assertThat(merged.clock().asMap()).containsExactlyInAnyOrderEntriesOf(
                Map.of("n1", 500L, "n2", 600L));
        assertThat(store.get("t", "k2")).isEqualTo(merged);
    }

    @Test
    void adoptedKeysAreIndexedAndCounted() {
        adopt("t", "live", Version.write(bytes("v"), "n1", 10), List.of());
        adopt("t", "gone", Version.tombstone("n1", 11), List.of());

        assertThat(store.data().liveKeys("t")).isEqualTo(1);
        assertThat(store.data().scanKeys("t", null, null, 10, Long.MAX_VALUE, 10).entries())
                .extracting(entry -> text(entry.key())).containsExactly("gone", "live");
        assertThat(store.get("t", "gone").isTombstone()).isTrue();
    }

    @Test
    void adoptedRecordsDoNotReplaceOnesAlreadyStored() {
        byte[] first = bytes("first");
        ApplyResult original = store.apply("t", "k", Version.write(first, "n1", 100),
                check("idem", first));
        // The moved copy answered "idem" for another request, and "fresh" for one of its own.
        IdempotencyRecord other = record(bytes("other"), 90, "n3");
        IdempotencyRecord fresh = record(bytes("fresh"), 95, "n3");
        adopt("t", "k", Version.write(bytes("other"), "n3", 90), List.of(
                new MovedKeys.Record("idem", other),
                new MovedKeys.Record("fresh", fresh)));

        ApplyResult retry = store.apply("t", "k", Version.write(first, "n1", 200),
                check("idem", first));
        assertThat(retry.outcome()).isEqualTo(ApplyResult.Outcome.DUPLICATE);
        assertThat(retry.clock()).isEqualTo(original.clock());
        assertThat(store.apply("t", "k", Version.write(bytes("other"), "n1", 201),
                check("idem", bytes("other"))).outcome())
                .isEqualTo(ApplyResult.Outcome.CONFLICT);
        ApplyResult freshRetry = store.apply("t", "k", Version.write(bytes("fresh"), "n1", 202),
                check("fresh", bytes("fresh")));
        assertThat(freshRetry.outcome()).isEqualTo(ApplyResult.Outcome.DUPLICATE);
        assertThat(freshRetry.clock()).isEqualTo(fresh.clock());
    }

    @Test
    void retryThroughTheNewOwnerIsADuplicateAfterAdoption() {
        byte[] value = bytes("paid");
        ApplyResult first = store.apply("t", "k", Version.write(value, "n1", 100),
                check("pay-1", value));
        List<MovedKeys.Entry> moved = store.engine().ranges().read("t",
                new TokenRange(0, 0), 0, null, 10, Long.MAX_VALUE, NOW).entries();
        assertThat(moved).hasSize(1);
        assertThat(moved.get(0).records()).hasSize(1);

        // The new owner starts empty and adopts what the old one sent.
        store.reopen("new-owner", StorageOptions.DEFAULTS);
        store.data().adopt("t", moved.get(0)).join();

        ApplyResult retry = store.apply("t", "k", Version.write(value, "n2", 300),
                check("pay-1", value));
        assertThat(retry.outcome()).isEqualTo(ApplyResult.Outcome.DUPLICATE);
        assertThat(retry.clock()).isEqualTo(first.clock());
        assertThat(store.get("t", "k")).isEqualTo(first.stored());
    }

    // ------------------------------------------------------------------------------- purge

    @Test
    void purgeDeletesTheKeyItsIndexEntryAndItsCount() {
        store.put("t", "k1", "a");
        store.put("t", "k2", "b");
        store.put("t", "dead", "c");
        store.delete("t", "dead");

        purge("t", "k1", store.get("t", "k1"));
        purge("t", "dead", store.get("t", "dead"));

        assertThat(store.get("t", "k1")).isNull();
        assertThat(store.get("t", "dead")).isNull();
        assertThat(store.data().liveKeys("t")).isEqualTo(1);
        assertThat(keys("t")).containsExactly("k2");
        assertThat(store.engine().ranges().measure("t", new TokenRange(0, 0)).keys())
                .isEqualTo(1);
        // Purging a key that is not there does nothing.
        purge("t", "never", Version.write(bytes("x"), "n1", 1));
        assertThat(store.data().liveKeys("t")).isEqualTo(1);
    }

    @Test
    void purgeKeepsAKeyWrittenSinceCleanupReadIt() {
        store.put("t", "k", "seen");
        Version seen = store.get("t", "k");
        store.put("t", "k", "written since");

        purge("t", "k", seen);

        assertThat(store.get("t", "k").value()).isEqualTo(bytes("written since"));
        assertThat(store.data().liveKeys("t")).isEqualTo(1);
        assertThat(keys("t")).containsExactly("k");
    }

    @Test
    void purgedKeyCanBeWrittenAgainAndIsCountedAgain() {
        store.put("t", "k", "before");
        Version before = store.get("t", "k");
        purge("t", "k", before);

        // Even a write older than the purged version is new: nothing is left to merge with.
        Version older = Version.write(bytes("again"), "n1", before.hlc() - 1);
        ApplyResult again = store.apply("t", "k", older, null);

        assertThat(again.previous()).isNull();
        assertThat(store.get("t", "k")).isEqualTo(older);
        assertThat(store.data().liveKeys("t")).isEqualTo(1);
        assertThat(keys("t")).containsExactly("k");
        // After a reopen (nothing remembered), the same holds from storage.
        store.reopen("db", StorageOptions.DEFAULTS);
        assertThat(store.get("t", "k")).isEqualTo(older);
        assertThat(store.data().liveKeys("t")).isEqualTo(1);
    }

    @Test
    void writeQueuedRightBehindAPurgeOfItsKeyIsIndexedAndCounted() {
        // Submitted without waiting, each purge and the write behind it mostly share a group:
        // the write must see the key as purged, not as the version the purge deleted.
        int keys = 500;
        List<Version> seen = new ArrayList<>();
        for (int i = 0; i < keys; i++) {
            store.put("t", "k" + i, "before");
            seen.add(store.get("t", "k" + i));
        }
        List<CompletableFuture<ApplyResult>> pending = new ArrayList<>();
        for (int i = 0; i < keys; i++) {
            byte[] key = bytes("k" + i);
            long token = Tokens.token("t", key);
            pending.add(store.data().purge("t", key, token, seen.get(i)));
            pending.add(store.data().apply(new Mutation("t", key, token,
                    Version.write(bytes("after"), "n1", store.nextStamp()), null)));
        }
        pending.forEach(CompletableFuture::join);

        for (int i = 0; i < keys; i++) {
            assertThat(store.get("t", "k" + i).value()).as("k%d", i).isEqualTo(bytes("after"));
        }
        assertThat(keys("t")).hasSize(keys);
        assertThat(store.data().liveKeys("t")).isEqualTo(keys);
    }

    @Test
    void keyPurgedTwiceInARowIsUncountedOnce() {
        int keys = 500;
        List<Version> seen = new ArrayList<>();
        for (int i = 0; i < keys; i++) {
            store.put("t", "k" + i, "before");
            seen.add(store.get("t", "k" + i));
        }
        store.put("t", "kept", "x");
        List<CompletableFuture<ApplyResult>> pending = new ArrayList<>();
        for (int i = 0; i < keys; i++) {
            byte[] key = bytes("k" + i);
            long token = Tokens.token("t", key);
            pending.add(store.data().purge("t", key, token, seen.get(i)));
            pending.add(store.data().purge("t", key, token, seen.get(i)));
        }
        pending.forEach(CompletableFuture::join);

        assertThat(keys("t")).containsExactly("kept");
        assertThat(store.data().liveKeys("t")).isEqualTo(1);
    }

    // ------------------------------------------------------------------------------ helpers

    private ApplyResult adopt(String tenant, String key, Version version,
                              List<MovedKeys.Record> records) {
        byte[] keyBytes = bytes(key);
        return store.data().adopt(tenant, new MovedKeys.Entry(keyBytes,
                Tokens.token(tenant, keyBytes), version, records)).join();
    }

    private void purge(String tenant, String key, Version seen) {
        byte[] keyBytes = bytes(key);
        store.data().purge(tenant, keyBytes, Tokens.token(tenant, keyBytes), seen).join();
    }

    private static Mutation.IdempotencyRequest check(String idempotencyKey, byte[] value) {
        return new Mutation.IdempotencyRequest(idempotencyKey, Idempotency.requestHash(value),
                NOW, TTL);
    }

    private static IdempotencyRecord record(byte[] value, long hlc, String node) {
        return new IdempotencyRecord(Idempotency.requestHash(value), NOW, NOW + TTL,
                VectorClock.of(node, hlc), hlc, node);
    }

    private List<String> keys(String tenant) {
        return store.data().scanKeys(tenant, null, null, 10_000, Long.MAX_VALUE, 10_000).entries()
                .stream().map(entry -> text(entry.key())).toList();
    }

    private static String text(byte[] bytes) {
        return new String(bytes, StandardCharsets.UTF_8);
    }
}
