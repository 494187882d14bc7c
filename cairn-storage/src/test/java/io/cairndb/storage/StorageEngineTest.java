package io.cairndb.storage;

import io.cairndb.core.ApplyResult;
import io.cairndb.core.Mutation;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.cairndb.core.CairnException;
import io.cairndb.core.ErrorCode;
import io.cairndb.core.Tokens;
import io.cairndb.core.Validation;
import io.cairndb.core.Version;
import io.cairndb.core.VersionResolver;
import io.cairndb.testkit.Property;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.rocksdb.ColumnFamilyDescriptor;
import org.rocksdb.ColumnFamilyHandle;
import org.rocksdb.ColumnFamilyOptions;
import org.rocksdb.DBOptions;
import org.rocksdb.Options;
import org.rocksdb.RocksDB;
import org.rocksdb.RocksDBException;
import org.rocksdb.UInt64AddOperator;

// Proves the engine stores, merges, scans and deduplicates like its simple TreeMap twin, durably.
class StorageEngineTest {

    @TempDir
    Path dir;

    private StorageEngine engine;
    private final VersionResolver resolver = new VersionResolver();
    private long stamp = 1_000;
    /** Two writes of one key by different coordinators, the second older by the clock. */
    private final Version newer = Version.write(bytes("new"), "n1", 500);
    private final Version older = Version.write(bytes("old"), "n2", 400);

    @BeforeEach
    void open() {
        engine = StorageEngine.open(dir.resolve("db"), StorageOptions.DEFAULTS, resolver);
    }

    @AfterEach
    void close() {
        engine.close();
    }

    private ApplyResult put(String tenant, String key, String value) {
        return apply(tenant, key, Version.write(bytes(value), "n1", ++stamp), null);
    }

    private ApplyResult delete(String tenant, String key) {
        return apply(tenant, key, Version.tombstone("n1", ++stamp), null);
    }

    private ApplyResult apply(String tenant, String key, Version version,
                              Mutation.IdempotencyRequest idempotency) {
        byte[] keyBytes = bytes(key);
        return engine.apply(new Mutation(tenant, keyBytes, Tokens.token(tenant, keyBytes), version,
                idempotency)).join();
    }

    private Version get(String tenant, String key) {
        byte[] keyBytes = bytes(key);
        return engine.get(tenant, keyBytes, Tokens.token(tenant, keyBytes));
    }

    @Test
    void storesAndReturnsVersions() {
        ApplyResult result = put("t", "k", "v1");
        assertThat(result.outcome()).isEqualTo(ApplyResult.Outcome.APPLIED);
        assertThat(result.previous()).isNull();
        assertThat(get("t", "k").value()).isEqualTo(bytes("v1"));
        put("t", "k", "v2");
        assertThat(get("t", "k").value()).isEqualTo(bytes("v2"));
        assertThat(get("t", "other")).isNull();
        assertThat(get("u", "k")).isNull();
    }

    @Test
    void olderVersionsDoNotOverwriteNewerOnes() {
        apply("t", "k", newer, null);
        ApplyResult result = apply("t", "k", older, null);
        assertThat(result.stored().value()).isEqualTo(bytes("new"));
        assertThat(get("t", "k").clock().asMap()).containsEntry("n1", 500L)
                .containsEntry("n2", 400L);
    }

    @Test
    void resolvesAlikeAgainstARememberedVersionAndAStoredOne() {
        apply("t", "k", newer, null);
        // The writer remembers "new": the older write is resolved without reading storage.
        ApplyResult remembered = apply("t", "k", older, null);
        engine.close();

        engine = StorageEngine.open(dir.resolve("other"), StorageOptions.DEFAULTS, resolver);
        apply("t", "k", newer, null);
        engine.close();
        // A reopened engine remembers nothing: the same write is resolved against storage.
        engine = StorageEngine.open(dir.resolve("other"), StorageOptions.DEFAULTS, resolver);
        ApplyResult stored = apply("t", "k", older, null);

        assertThat(stored.previous()).isEqualTo(remembered.previous()).isEqualTo(newer);
        assertThat(stored.stored()).isEqualTo(remembered.stored());
        assertThat(get("t", "k")).isEqualTo(remembered.stored());
        assertThat(engine.liveKeys("t")).isEqualTo(1);
    }

    @Test
    void countsLiveKeysPerTenant() {
        put("a", "1", "x");
        put("a", "2", "x");
        put("a", "2", "y");
        put("b", "1", "x");
        delete("a", "1");
        delete("a", "never-written");
        assertThat(engine.liveKeys("a")).isEqualTo(1);
        assertThat(engine.liveKeys("b")).isEqualTo(1);
        assertThat(engine.liveKeys()).isEqualTo(2);
        put("a", "1", "back");
        assertThat(engine.liveKeys("a")).isEqualTo(2);
    }

    @Test
    void idempotencyDetectsDuplicatesAndConflictsUntilExpiry() {
        byte[] hashA = bytes("hash-a");
        var first = apply("t", "k", Version.write(bytes("a"), "n1", 10),
                new Mutation.IdempotencyRequest("idem", hashA, 1_000, 5_000));
        assertThat(first.outcome()).isEqualTo(ApplyResult.Outcome.APPLIED);
        var retry = apply("t", "k", Version.write(bytes("a"), "n1", 11),
                new Mutation.IdempotencyRequest("idem", hashA, 2_000, 5_000));
        assertThat(retry.outcome()).isEqualTo(ApplyResult.Outcome.DUPLICATE);
        assertThat(retry.clock()).isEqualTo(first.clock());
        assertThat(get("t", "k").hlc()).isEqualTo(10);
        var conflict = apply("t", "k", Version.write(bytes("b"), "n1", 12),
                new Mutation.IdempotencyRequest("idem", bytes("hash-b"), 3_000, 5_000));
        assertThat(conflict.outcome()).isEqualTo(ApplyResult.Outcome.CONFLICT);
        assertThat(get("t", "k").value()).isEqualTo(bytes("a"));
        // The same idempotency key on another key is unrelated.
        assertThat(apply("t", "k2", Version.write(bytes("b"), "n1", 13),
                new Mutation.IdempotencyRequest("idem", bytes("hash-b"), 3_000, 5_000)).outcome())
                .isEqualTo(ApplyResult.Outcome.APPLIED);
        // After expiry the key may be used again.
        var later = apply("t", "k", Version.write(bytes("c"), "n1", 14),
                new Mutation.IdempotencyRequest("idem", bytes("hash-c"), 7_000, 5_000));
        assertThat(later.outcome()).isEqualTo(ApplyResult.Outcome.APPLIED);
    }

    private ApplyResult remembered(String key, String idempotencyKey) {
        return apply("t", key, Version.write(bytes("v-" + key), "n1", ++stamp),
                new Mutation.IdempotencyRequest(idempotencyKey, bytes("h-" + key), 1_000,
                        Long.MAX_VALUE / 2));
    }

    @Test
    void keepsIdempotencyRecordsThroughFlushesAndMergesOfTheirFiles() {
        // Twelve files of records (past the four that start a merge of small files), none old
        // enough to drop: every record still answers a retry.
        for (int file = 0; file < 12; file++) {
            for (int i = 0; i < 50; i++) {
                assertThat(remembered("k" + file + "-" + i, "idem").outcome())
                        .isEqualTo(ApplyResult.Outcome.APPLIED);
            }
            engine.flushIdempotencyRecords();
        }
        engine.close();
        engine = StorageEngine.open(dir.resolve("db"), StorageOptions.DEFAULTS, resolver);
        for (int file = 0; file < 12; file++) {
            for (int i = 0; i < 50; i++) {
                assertThat(remembered("k" + file + "-" + i, "idem").outcome())
                        .as("record %d-%d", file, i).isEqualTo(ApplyResult.Outcome.DUPLICATE);
            }
        }
    }

    @Test
    void dropsAFileOfIdempotencyRecordsOnceItsNewestRecordIsOld() {
        engine.close();
        Path db = dir.resolve("short");
        engine = StorageEngine.open(db,
                StorageOptions.DEFAULTS.withIdempotencyKeep(Duration.ofSeconds(1)), resolver);
        assertThat(remembered("old", "idem").outcome()).isEqualTo(ApplyResult.Outcome.APPLIED);
        engine.flushIdempotencyRecords();
        // The record itself would answer for ages; its file is dropped after a second, when a
        // later flush has the engine look at its files again. A retry is then a new write.
        int[] filler = {0};
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
            remembered("filler" + filler[0]++, "idem");
            engine.flushIdempotencyRecords();
            assertThat(remembered("old", "idem").outcome())
                    .isEqualTo(ApplyResult.Outcome.APPLIED);
        });
        assertThat(get("t", "old").value()).isEqualTo(bytes("v-old"));
    }

    @Test
    void opensAStoreWhoseIdempotencyRecordsWereCompactedIntoLevels() throws Exception {
        // Stores written before records were kept in arrival order hold them in levels below
        // the first; they open as they are and every record still answers.
        for (int i = 0; i < 100; i++) {
            remembered("k" + i, "idem");
        }
        engine.close();
        Path db = dir.resolve("db");
        List<ColumnFamilyDescriptor> families = new ArrayList<>();
        List<ColumnFamilyHandle> handles = new ArrayList<>();
        try (Options listing = new Options();
             UInt64AddOperator add = new UInt64AddOperator();
             ColumnFamilyOptions levels = new ColumnFamilyOptions().setMergeOperator(add);
             DBOptions options = new DBOptions()) {
            for (byte[] name : RocksDB.listColumnFamilies(listing, db.toString())) {
                families.add(new ColumnFamilyDescriptor(name, levels));
            }
            RocksDB raw = RocksDB.open(options, db.toString(), families, handles);
            ColumnFamilyHandle records = handles.stream()
                    .filter(handle -> new String(nameOf(handle)).equals("idempotency"))
                    .findFirst().orElseThrow();
            raw.compactRange(records);
            assertThat(raw.getProperty(records, "rocksdb.num-files-at-level0")).isEqualTo("0");
            handles.forEach(ColumnFamilyHandle::close);
            raw.close();
        }
        engine = StorageEngine.open(db, StorageOptions.DEFAULTS, resolver);
        for (int i = 0; i < 100; i++) {
            assertThat(remembered("k" + i, "idem").outcome()).as("record %d", i)
                    .isEqualTo(ApplyResult.Outcome.DUPLICATE);
        }
    }

    private static byte[] nameOf(ColumnFamilyHandle handle) {
        try {
            return handle.getName();
        } catch (RocksDBException e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void aGeneratedKeysRecordIsStoredSoARetryWithItIsADuplicate() {
        // A coordinator-made key is new by construction: the engine stores its record without
        // looking for one. The client then retries with that key, which is looked up as any.
        byte[] hash = bytes("hash-g");
        var first = apply("t", "k", Version.write(bytes("g"), "n1", 10),
                new Mutation.IdempotencyRequest("made-up", hash, 1_000, 5_000, true));
        assertThat(first.outcome()).isEqualTo(ApplyResult.Outcome.APPLIED);
        var retry = apply("t", "k", Version.write(bytes("g"), "n1", 11),
                new Mutation.IdempotencyRequest("made-up", hash, 2_000, 5_000));
        assertThat(retry.outcome()).isEqualTo(ApplyResult.Outcome.DUPLICATE);
        assertThat(retry.clock()).isEqualTo(first.clock());
        assertThat(apply("t", "k", Version.write(bytes("h"), "n1", 12),
                new Mutation.IdempotencyRequest("made-up", bytes("hash-h"), 3_000, 5_000))
                .outcome()).isEqualTo(ApplyResult.Outcome.CONFLICT);
        assertThat(get("t", "k").value()).isEqualTo(bytes("g"));
    }

    @Test
    void duplicatesWithinOneCommitGroupAreDetected() {
        List<CompletableFuture<ApplyResult>> futures = new ArrayList<>();
        byte[] key = bytes("k");
        for (int i = 0; i < 50; i++) {
            futures.add(engine.apply(new Mutation("t", key, Tokens.token("t", key),
                    Version.write(bytes("v"), "n1", 100 + i),
                    new Mutation.IdempotencyRequest("same", bytes("h"), 1, 60_000))));
        }
        long applied = futures.stream().map(CompletableFuture::join)
                .filter(r -> r.outcome() == ApplyResult.Outcome.APPLIED).count();
        assertThat(applied).isEqualTo(1);
    }

    @Test
    void scansATenantInKeyOrderWithinBoundsAndPages() {
        for (String key : List.of("b", "a", "d", "c", "e")) {
            put("t", key, "v-" + key);
        }
        put("t2", "a", "other tenant");
        put("t-", "z", "prefix lookalike");
        delete("t", "c");
        KeyScan all = engine.scanKeys("t", null, null, 100, Long.MAX_VALUE, 100);
        assertThat(keys(all)).containsExactly("a", "b", "c", "d", "e");
        assertThat(all.exhausted()).isTrue();
        assertThat(all.entries().get(2).version().isTombstone()).isTrue();
        KeyScan bounded = engine.scanKeys("t", bytes("b"), bytes("d"), 100, Long.MAX_VALUE, 100);
        assertThat(keys(bounded)).containsExactly("b", "c");
        KeyScan page = engine.scanKeys("t", null, null, 2, Long.MAX_VALUE, 2);
        assertThat(keys(page)).containsExactly("a", "b");
        assertThat(new String(page.resumeAfter(), StandardCharsets.UTF_8)).isEqualTo("b");
        KeyScan small = engine.scanKeys("t", null, null, 100, 4, 100);
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
                    pending.add(engine.apply(new Mutation(tenant, keyBytes,
                            Tokens.token(tenant, keyBytes),
                            Version.write(bytes(value), "n1", ++stamp), null)));
                    last.put(tenant + "|" + key, value);
                }
            }
        }
        pending.forEach(CompletableFuture::join);
        assertLastValues(tenants, last);
        engine.close();
        engine = StorageEngine.open(dir.resolve("db"), StorageOptions.DEFAULTS, resolver);
        assertLastValues(tenants, last);
    }

    private void assertLastValues(List<String> tenants, Map<String, String> last) {
        last.forEach((tenantAndKey, value) -> {
            String[] parts = tenantAndKey.split("\\|");
            assertThat(new String(get(parts[0], parts[1]).value(), StandardCharsets.UTF_8))
                    .as(tenantAndKey).isEqualTo(value);
        });
        for (String tenant : tenants) {
            assertThat(engine.liveKeys(tenant)).as(tenant).isEqualTo(20);
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
                    delete(tenant, key);
                    model.remove(key);
                } else {
                    String value = "v" + random.nextInt(1000);
                    put(tenant, key, value);
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
                KeyScan page = engine.scanKeys(tenant, start, bytes(to), 3, Long.MAX_VALUE, 3);
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
            assertThat(engine.liveKeys(tenant)).isEqualTo(model.size());
        });
    }

    @Test
    void tokenRangeScanSeesExactlyTheKeysInTheRange() {
        Property.forAll("token range scan", 10, random -> {
            String tenant = "r" + random.nextInt(1_000_000);
            TreeMap<Long, String> byToken = new TreeMap<>();
            for (int i = 0; i < 100; i++) {
                String key = "key" + i;
                put(tenant, key, "v");
                byToken.put(Tokens.token(tenant, key), key);
            }
            long a = random.nextLong();
            long b = random.nextLong();
            long from = Math.min(a, b);
            long to = Math.max(a, b);
            List<String> seen = new ArrayList<>();
            engine.scanTokenRange(tenant, from, to, entry -> {
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
            put("w", "key" + i, "v");
        }
        List<byte[]> seen = new ArrayList<>();
        engine.scanTokenRange("w", Long.MIN_VALUE, Long.MAX_VALUE, entry -> seen.add(entry.key()));
        // Long.MIN_VALUE itself is the one token the half-open range leaves out.
        assertThat(seen).hasSize(50);
        assertThatThrownBy(() -> engine.scanTokenRange("w", 5, 5, entry -> true))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void survivesReopenAndKeepsMetadata() {
        put("t", "k", "v");
        engine.metaPut("mlog/1", bytes("command"));
        long high = engine.hlcHighWater();
        engine.close();
        engine = StorageEngine.open(dir.resolve("db"),
                StorageOptions.DEFAULTS.withDurability(Durability.SYNC), resolver);
        assertThat(get("t", "k").value()).isEqualTo(bytes("v"));
        assertThat(engine.metaScan("mlog/")).containsOnlyKeys("mlog/1");
        assertThat(engine.hlcHighWater()).isEqualTo(high).isGreaterThan(0);
        assertThat(engine.liveKeys()).isEqualTo(1);
    }

    @Test
    void keepsTheLogBoundedAndRecoversEveryWriteFromRecycledLogFiles() throws Exception {
        engine.close();
        long walBytesMax = 1L << 20;
        Path db = dir.resolve("bounded");
        engine = StorageEngine.open(db, StorageOptions.DEFAULTS.withWalBytesMax(walBytesMax),
                resolver);
        // 32 MiB through 1,024 keys: without the bound every byte would still be in the log, as
        // no write buffer (64 MiB) fills; with it, finished log files are flushed and reused, and
        // what stays is the live log (about the bound, plus a group of writes that crossed it)
        // and the two files kept for reuse.
        byte[] value = new byte[2 * 1024];
        int rounds = 16;
        int keys = 1_024;
        for (int round = 0; round < rounds; round++) {
            List<CompletableFuture<ApplyResult>> futures = new ArrayList<>();
            for (int i = 0; i < keys; i++) {
                Arrays.fill(value, (byte) (round * keys + i));
                byte[] key = bytes("key" + i);
                futures.add(engine.apply(new Mutation("t", key, Tokens.token("t", key),
                        Version.write(value.clone(), "n1", ++stamp), null)));
            }
            futures.forEach(CompletableFuture::join);
        }
        // RocksDB checks the bound on the write path: each write past it schedules a flush of
        // the families holding the oldest file. A burst can outrun the flushes, and once writes
        // stop nothing checks again, so a trickle of writes to another tenant keeps them coming.
        byte[] tick = bytes("tick");
        await().atMost(Duration.ofSeconds(60))
                .untilAsserted(() -> {
                    engine.apply(new Mutation("ticks", tick, Tokens.token("ticks", tick),
                            Version.write(bytes("t"), "n1", ++stamp), null)).join();
                    assertThat(logBytes(db))
                            .isLessThan((long) rounds * keys * value.length / 2);
                });
        engine.close();
        engine = StorageEngine.open(db, StorageOptions.DEFAULTS, resolver);
        for (int i = 0; i < keys; i++) {
            Arrays.fill(value, (byte) ((rounds - 1) * keys + i));
            assertThat(get("t", "key" + i).value()).as("key%d", i).isEqualTo(value);
        }
        assertThat(engine.liveKeys("t")).isEqualTo(keys);
    }

    private static long logBytes(Path db) throws IOException {
        try (var files = Files.list(db)) {
            return files.filter(file -> file.getFileName().toString().endsWith(".log"))
                    .mapToLong(file -> file.toFile().length()).sum();
        }
    }

    @Test
    void manyConcurrentSyncWritesAllCommit() {
        engine.close();
        engine = StorageEngine.open(dir.resolve("sync"), new StorageOptions(Durability.SYNC,
                Duration.ofSeconds(1), 2, 10_000, 256, 256L << 20, Duration.ofHours(1)), resolver);
        List<CompletableFuture<ApplyResult>> futures = new ArrayList<>();
        for (int i = 0; i < 2_000; i++) {
            byte[] key = bytes("key" + i);
            futures.add(engine.apply(new Mutation("t", key, Tokens.token("t", key),
                    Version.write(bytes("v" + i), "n1", ++stamp), null)));
        }
        futures.forEach(CompletableFuture::join);
        assertThat(engine.liveKeys("t")).isEqualTo(2_000);
    }

    @Test
    void refusesWorkOnceClosed() {
        engine.close();
        byte[] key = bytes("k");
        assertThatThrownBy(() -> engine.apply(new Mutation("t", key, 1,
                Version.write(bytes("v"), "n1", 1), null)).join())
                .hasCauseInstanceOf(CairnException.class)
                .satisfies(e -> assertThat(((CairnException) e.getCause()).code())
                        .isEqualTo(ErrorCode.INTERNAL_ERROR));
        assertThatThrownBy(() -> engine.get("t", key, 1)).isInstanceOf(StorageException.class)
                .hasMessageContaining("closed");
    }

    @Test
    void reportsAnUnusableDirectory() {
        Path file = dir.resolve("plain-file");
        assertThatThrownBy(() -> {
            java.nio.file.Files.writeString(file, "x");
            StorageEngine.open(file, StorageOptions.DEFAULTS, resolver);
        }).isInstanceOf(StorageException.class).hasMessageContaining(file.toString());
    }

    @Test
    void hintsAreKeptPerNodeInOrderAndSurviveReopen() {
        byte[] key = bytes("k");
        Mutation plain = new Mutation("t", key, 7, Version.write(bytes("v"), "n1", 5), null);
        Mutation guarded = new Mutation("t", key, 7, Version.tombstone("n1", 6),
                new Mutation.IdempotencyRequest("idem", bytes("h"), 100, 1_000));
        engine.putHint("node-b", 2, 1_000, guarded);
        engine.putHint("node-b", 1, 900, plain);
        engine.putHint("node-a", 1, 800, plain);
        engine.putHint("node-bb", 1, 800, plain);
        assertThat(engine.hintCounts()).containsEntry("node-a", 1L).containsEntry("node-b", 2L)
                .containsEntry("node-bb", 1L);
        engine.close();
        engine = StorageEngine.open(dir.resolve("db"), StorageOptions.DEFAULTS, resolver);
        List<Hint> forB = engine.hintsFor("node-b", 10);
        assertThat(forB).hasSize(2);
        assertThat(forB.get(0).createdAtMillis()).isEqualTo(900);
        assertThat(forB.get(0).mutation().version()).isEqualTo(plain.version());
        assertThat(forB.get(0).mutation().idempotency()).isNull();
        assertThat(forB.get(1).targetNodeId()).isEqualTo("node-b");
        assertThat(forB.get(1).mutation().version().isTombstone()).isTrue();
        assertThat(forB.get(1).mutation().idempotency().idempotencyKey()).isEqualTo("idem");
        engine.deleteHint(forB.get(0));
        assertThat(engine.hintsFor("node-b", 10)).hasSize(1);
        assertThat(engine.hintsFor("node-c", 10)).isEmpty();
    }

    private static List<String> keys(KeyScan scan) {
        return scan.entries().stream()
                .map(e -> new String(e.key(), StandardCharsets.UTF_8)).toList();
    }

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }
}
