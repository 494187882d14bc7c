package io.cairndb.storage;

import static io.cairndb.storage.TestEngine.bytes;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.cairndb.core.ApplyResult;
import io.cairndb.core.KeyEntry;
import io.cairndb.core.KeyScan;
import io.cairndb.core.Mutation;
import io.cairndb.core.Tokens;
import io.cairndb.core.Validation;
import io.cairndb.core.Version;
import io.cairndb.testkit.Property;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

// Proves the data store stores, merges, scans and counts keys like its simple TreeMap twin.
class DataStoreTest {

    @RegisterExtension
    final TestEngine store = new TestEngine();

    /** Two writes of one key by different coordinators, the second older by the clock. */
    private final Version newer = Version.write(bytes("new"), "n1", 500);
    private final Version older = Version.write(bytes("old"), "n2", 400);

    @Test
    void storesAndReturnsVersions() {
        ApplyResult result = store.put("t", "k", "v1");
        assertThat(result.outcome()).isEqualTo(ApplyResult.Outcome.APPLIED);
        assertThat(result.previous()).isNull();
        assertThat(store.get("t", "k").value()).isEqualTo(bytes("v1"));
        store.put("t", "k", "v2");
        assertThat(store.get("t", "k").value()).isEqualTo(bytes("v2"));
        assertThat(store.get("t", "other")).isNull();
        assertThat(store.get("u", "k")).isNull();
    }

    @Test
    void olderVersionsDoNotOverwriteNewerOnes() {
        store.apply("t", "k", newer, null);
        ApplyResult result = store.apply("t", "k", older, null);
        assertThat(result.stored().value()).isEqualTo(bytes("new"));
        assertThat(store.get("t", "k").clock().asMap()).containsEntry("n1", 500L)
                .containsEntry("n2", 400L);
    }

    @Test
    void resolvesAlikeAgainstARememberedVersionAndAStoredOne() {
        store.apply("t", "k", newer, null);
        // The writer remembers "new": the older write is resolved without reading storage.
        ApplyResult remembered = store.apply("t", "k", older, null);

        store.reopen("other", StorageOptions.DEFAULTS);
        store.apply("t", "k", newer, null);
        // A reopened engine remembers nothing: the same write is resolved against storage.
        store.reopen("other", StorageOptions.DEFAULTS);
        ApplyResult stored = store.apply("t", "k", older, null);

        assertThat(stored.previous()).isEqualTo(remembered.previous()).isEqualTo(newer);
        assertThat(stored.stored()).isEqualTo(remembered.stored());
        assertThat(store.get("t", "k")).isEqualTo(remembered.stored());
        assertThat(data().liveKeys("t")).isEqualTo(1);
    }

    @Test
    void countsLiveKeysPerTenant() {
        store.put("a", "1", "x");
        store.put("a", "2", "x");
        store.put("a", "2", "y");
        store.put("b", "1", "x");
        store.delete("a", "1");
        store.delete("a", "never-written");
        assertThat(data().liveKeys("a")).isEqualTo(1);
        assertThat(data().liveKeys("b")).isEqualTo(1);
        assertThat(data().liveKeys()).isEqualTo(2);
        store.put("a", "1", "back");
        assertThat(data().liveKeys("a")).isEqualTo(2);
    }

    @Test
    void scansATenantInKeyOrderWithinBoundsAndPages() {
        for (String key : List.of("b", "a", "d", "c", "e")) {
            store.put("t", key, "v-" + key);
        }
        store.put("t2", "a", "other tenant");
        store.put("t-", "z", "prefix lookalike");
        store.delete("t", "c");
        KeyScan all = data().scanKeys("t", null, null, 100, Long.MAX_VALUE, 100);
        assertThat(keys(all)).containsExactly("a", "b", "c", "d", "e");
        assertThat(all.exhausted()).isTrue();
        assertThat(all.entries().get(2).version().isTombstone()).isTrue();
        KeyScan bounded = data().scanKeys("t", bytes("b"), bytes("d"), 100, Long.MAX_VALUE, 100);
        assertThat(keys(bounded)).containsExactly("b", "c");
        KeyScan page = data().scanKeys("t", null, null, 2, Long.MAX_VALUE, 2);
        assertThat(keys(page)).containsExactly("a", "b");
        assertThat(new String(page.resumeAfter(), StandardCharsets.UTF_8)).isEqualTo("b");
        KeyScan small = data().scanKeys("t", null, null, 100, 4, 100);
        assertThat(keys(small)).containsExactly("a");
        assertThat(small.exhausted()).isFalse();
    }

    @Test
    void overwritesInTenantsOfEveryIdLengthKeepEachKeysLastValue() {
        // A data-family insert starts beside the last one sharing its tenant and token. Tenants
        // with the shortest and the longest ids, writing the same key names in shared groups,
        // must each keep their own last value, before and after a reopen replays the log.
        List<String> tenants = List.of("a", "z".repeat(Validation.TENANT_ID_LENGTH_MAX), "ab");
        Map<String, String> last = new HashMap<>();
        List<CompletableFuture<ApplyResult>> pending = new ArrayList<>();
        for (int round = 0; round < 50; round++) {
            for (int k = 0; k < 20; k++) {
                for (String tenant : tenants) {
                    String key = "k" + k;
                    String value = tenant.length() + "/" + round;
                    byte[] keyBytes = bytes(key);
                    pending.add(data().apply(new Mutation(tenant, keyBytes,
                            Tokens.token(tenant, keyBytes),
                            Version.write(bytes(value), "n1", store.nextStamp()), null)));
                    last.put(tenant + "|" + key, value);
                }
            }
        }
        pending.forEach(CompletableFuture::join);
        assertLastValues(tenants, last);
        store.reopen("db", StorageOptions.DEFAULTS);
        assertLastValues(tenants, last);
    }

    private void assertLastValues(List<String> tenants, Map<String, String> last) {
        last.forEach((tenantAndKey, value) -> {
            String[] parts = tenantAndKey.split("\\|");
            assertThat(new String(store.get(parts[0], parts[1]).value(), StandardCharsets.UTF_8))
                    .as(tenantAndKey).isEqualTo(value);
        });
        for (String tenant : tenants) {
            assertThat(data().liveKeys(tenant)).as(tenant).isEqualTo(20);
        }
    }

    @Test
    void matchesATreeMapTwinOnRandomOperations() {
        Property.forAll("engine vs TreeMap", 20, random -> {
            String tenant = "p" + random.nextInt(1_000_000);
            TreeMap<String, String> model = new TreeMap<>();
            for (int op = 0; op < 200; op++) {
                String key = "k" + random.nextInt(40);
                if (random.nextInt(4) == 0) {
                    store.delete(tenant, key);
                    model.remove(key);
                } else {
                    String value = "v" + random.nextInt(1000);
                    store.put(tenant, key, value);
                    model.put(key, value);
                }
            }
            String from = "k" + random.nextInt(40);
            String to = "k" + random.nextInt(40);
            if (from.compareTo(to) > 0) {
                String swap = from;
                from = to;
                to = swap;
            }
            // Page through [from, to) three items at a time, as RangeQuery does.
            List<String> seen = new ArrayList<>();
            byte[] start = bytes(from);
            while (true) {
                KeyScan page = data().scanKeys(tenant, start, bytes(to), 3, Long.MAX_VALUE,
                        3);
                for (KeyEntry entry : page.entries()) {
                    if (!entry.version().isTombstone()) {
                        seen.add(new String(entry.key(), StandardCharsets.UTF_8) + "="
                                + new String(entry.version().value(), StandardCharsets.UTF_8));
                    }
                }
                if (page.exhausted()) {
                    break;
                }
                start = Arrays.copyOf(page.resumeAfter(), page.resumeAfter().length + 1);
            }
            List<String> expected = new ArrayList<>();
            model.subMap(from, true, to, false).forEach((k, v) -> expected.add(k + "=" + v));
            assertThat(seen).isEqualTo(expected);
            assertThat(data().liveKeys(tenant)).isEqualTo(model.size());
        });
    }

    @Test
    void tokenRangeScanSeesExactlyTheKeysInTheRange() {
        Property.forAll("token range scan", 10, random -> {
            String tenant = "r" + random.nextInt(1_000_000);
            TreeMap<Long, String> byToken = new TreeMap<>();
            for (int i = 0; i < 100; i++) {
                String key = "key" + i;
                store.put(tenant, key, "v");
                byToken.put(Tokens.token(tenant, key), key);
            }
            long a = random.nextLong();
            long b = random.nextLong();
            long from = Math.min(a, b);
            long to = Math.max(a, b);
            List<String> seen = new ArrayList<>();
            data().scanTokenRange(tenant, from, to, entry -> {
                assertThat(entry.token()).isEqualTo(Tokens.token(tenant, entry.key()));
                seen.add(new String(entry.key(), StandardCharsets.UTF_8));
                return true;
            });
            assertThat(seen).containsExactlyElementsOf(
                    byToken.subMap(from, false, to, true).values());
        });
    }

    @Test
    void tokenRangeScanCoversTheWholeRingInTwoHalves() {
        for (int i = 0; i < 50; i++) {
            store.put("w", "key" + i, "v");
        }
        List<byte[]> seen = new ArrayList<>();
        data().scanTokenRange("w", Long.MIN_VALUE, Long.MAX_VALUE, entry -> seen.add(entry.key()));
        // Long.MIN_VALUE itself is the one token the half-open range leaves out.
        assertThat(seen).hasSize(50);
        assertThatThrownBy(() -> data().scanTokenRange("w", 5, 5, entry -> true))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void manyConcurrentSyncWritesAllCommit() {
        store.reopen("sync", new StorageOptions(Durability.SYNC, Duration.ofSeconds(1), 2, 10_000,
                256, 256L << 20, Duration.ofHours(1)));
        List<CompletableFuture<ApplyResult>> futures = new ArrayList<>();
        for (int i = 0; i < 2_000; i++) {
            byte[] key = bytes("key" + i);
            futures.add(data().apply(new Mutation("t", key, Tokens.token("t", key),
                    Version.write(bytes("v" + i), "n1", store.nextStamp()), null)));
        }
        futures.forEach(CompletableFuture::join);
        assertThat(data().liveKeys("t")).isEqualTo(2_000);
    }

    private DataStore data() {
        return store.data();
    }

    private static List<String> keys(KeyScan scan) {
        return scan.entries().stream()
                .map(e -> new String(e.key(), StandardCharsets.UTF_8)).toList();
    }
}
