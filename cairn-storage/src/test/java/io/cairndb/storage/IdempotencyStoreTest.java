package io.cairndb.storage;

import static io.cairndb.storage.TestEngine.bytes;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.cairndb.core.ApplyResult;
import io.cairndb.core.Mutation;
import io.cairndb.core.Tokens;
import io.cairndb.core.Version;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.rocksdb.ColumnFamilyDescriptor;
import org.rocksdb.ColumnFamilyHandle;
import org.rocksdb.ColumnFamilyOptions;
import org.rocksdb.DBOptions;
import org.rocksdb.Options;
import org.rocksdb.RocksDB;
import org.rocksdb.RocksDBException;
import org.rocksdb.UInt64AddOperator;

// Proves idempotency records tell retries from new requests, survive their files' merges and
// expire whole files, and land in the same write batch as the versions they answer for.
class IdempotencyStoreTest {

    @RegisterExtension
    final TestEngine store = new TestEngine();

    @Test
    void idempotencyDetectsDuplicatesAndConflictsUntilExpiry() {
        byte[] hashA = bytes("hash-a");
        var first = store.apply("t", "k", Version.write(bytes("a"), "n1", 10),
                new Mutation.IdempotencyRequest("idem", hashA, 1_000, 5_000));
        assertThat(first.outcome()).isEqualTo(ApplyResult.Outcome.APPLIED);
        var retry = store.apply("t", "k", Version.write(bytes("a"), "n1", 11),
                new Mutation.IdempotencyRequest("idem", hashA, 2_000, 5_000));
        assertThat(retry.outcome()).isEqualTo(ApplyResult.Outcome.DUPLICATE);
        assertThat(retry.clock()).isEqualTo(first.clock());
        assertThat(store.get("t", "k").hlc()).isEqualTo(10);
        var conflict = store.apply("t", "k", Version.write(bytes("b"), "n1", 12),
                new Mutation.IdempotencyRequest("idem", bytes("hash-b"), 3_000, 5_000));
        assertThat(conflict.outcome()).isEqualTo(ApplyResult.Outcome.CONFLICT);
        assertThat(store.get("t", "k").value()).isEqualTo(bytes("a"));
        // The same idempotency key on another key is unrelated.
        assertThat(store.apply("t", "k2", Version.write(bytes("b"), "n1", 13),
                new Mutation.IdempotencyRequest("idem", bytes("hash-b"), 3_000, 5_000)).outcome())
                .isEqualTo(ApplyResult.Outcome.APPLIED);
        // After expiry the key may be used again.
        var later = store.apply("t", "k", Version.write(bytes("c"), "n1", 14),
                new Mutation.IdempotencyRequest("idem", bytes("hash-c"), 7_000, 5_000));
        assertThat(later.outcome()).isEqualTo(ApplyResult.Outcome.APPLIED);
    }

    private ApplyResult remembered(String key, String idempotencyKey) {
        return store.apply("t", key, Version.write(bytes("v-" + key), "n1", store.nextStamp()),
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
            store.engine().idempotency().flush();
        }
        store.reopen("db", StorageOptions.DEFAULTS);
        for (int file = 0; file < 12; file++) {
            for (int i = 0; i < 50; i++) {
                assertThat(remembered("k" + file + "-" + i, "idem").outcome())
                        .as("record %d-%d", file, i).isEqualTo(ApplyResult.Outcome.DUPLICATE);
            }
        }
    }

    @Test
    void dropsAFileOfIdempotencyRecordsOnceItsNewestRecordIsOld() {
        store.reopen("short", StorageOptions.DEFAULTS.withIdempotencyKeep(Duration.ofSeconds(1)));
        assertThat(remembered("old", "idem").outcome()).isEqualTo(ApplyResult.Outcome.APPLIED);
        store.engine().idempotency().flush();
        // The record itself would answer for ages; its file is dropped after a second, when a
        // later flush has the engine look at its files again. A retry is then a new write.
        int[] filler = {0};
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
            remembered("filler" + filler[0]++, "idem");
            store.engine().idempotency().flush();
            assertThat(remembered("old", "idem").outcome())
                    .isEqualTo(ApplyResult.Outcome.APPLIED);
        });
        assertThat(store.get("t", "old").value()).isEqualTo(bytes("v-old"));
    }

    @Test
    void opensAStoreWhoseIdempotencyRecordsWereCompactedIntoLevels() throws Exception {
        // Stores written before records were kept in arrival order hold them in levels below
        // the first; they open as they are and every record still answers.
        for (int i = 0; i < 100; i++) {
            remembered("k" + i, "idem");
        }
        store.close();
        Path db = store.dir().resolve("db");
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
        store.reopen("db", StorageOptions.DEFAULTS);
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
        var first = store.apply("t", "k", Version.write(bytes("g"), "n1", 10),
                new Mutation.IdempotencyRequest("made-up", hash, 1_000, 5_000, true));
        assertThat(first.outcome()).isEqualTo(ApplyResult.Outcome.APPLIED);
        var retry = store.apply("t", "k", Version.write(bytes("g"), "n1", 11),
                new Mutation.IdempotencyRequest("made-up", hash, 2_000, 5_000));
        assertThat(retry.outcome()).isEqualTo(ApplyResult.Outcome.DUPLICATE);
        assertThat(retry.clock()).isEqualTo(first.clock());
        assertThat(store.apply("t", "k", Version.write(bytes("h"), "n1", 12),
                new Mutation.IdempotencyRequest("made-up", bytes("hash-h"), 3_000, 5_000))
                .outcome()).isEqualTo(ApplyResult.Outcome.CONFLICT);
        assertThat(store.get("t", "k").value()).isEqualTo(bytes("g"));
    }

    @Test
    void duplicatesWithinOneCommitGroupAreDetected() {
        List<CompletableFuture<ApplyResult>> futures = new ArrayList<>();
        byte[] key = bytes("k");
        for (int i = 0; i < 50; i++) {
            futures.add(store.data().apply(new Mutation("t", key, Tokens.token("t", key),
                    Version.write(bytes("v"), "n1", 100 + i),
                    new Mutation.IdempotencyRequest("same", bytes("h"), 1, 60_000))));
        }
        long applied = futures.stream().map(CompletableFuture::join)
                .filter(r -> r.outcome() == ApplyResult.Outcome.APPLIED).count();
        assertThat(applied).isEqualTo(1);
    }

    @Test
    void aVersionAndItsRecordLandTogetherOrNotAtAll() throws Exception {
        // Every write is in the log alone (no write buffer fills), so cutting the log short is
        // what a crash in the middle of it leaves: at every cut, each write's version and its
        // idempotency record are both there or both gone, and what is there is a prefix.
        List<Mutation> writes = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            writes.add(TestEngine.mutation("t", "k" + i,
                    Version.write(bytes("v" + i), "n1", store.nextStamp()),
                    new Mutation.IdempotencyRequest("idem", bytes("h" + i), 1_000, 60_000)));
        }
        for (Mutation write : writes) {
            store.data().apply(write).join();
        }
        store.close();
        Path db = store.dir().resolve("db");
        Path log = onlyLog(db);
        long logBytes = Files.size(log);
        List<Long> cuts = new ArrayList<>();
        for (long cut = 0; cut < logBytes; cut += 24) {
            cuts.add(cut);
        }
        cuts.add(logBytes);
        int previousKept = 0;
        for (long cut : cuts) {
            String name = "cut-" + cut;
            copy(db, store.dir().resolve(name));
            try (FileChannel file = FileChannel.open(store.dir().resolve(name)
                    .resolve(log.getFileName()), StandardOpenOption.WRITE)) {
                file.truncate(cut);
            }
            store.reopen(name, StorageOptions.DEFAULTS);
            int kept = 0;
            for (int i = 0; i < writes.size(); i++) {
                Mutation write = writes.get(i);
                boolean version = store.get("t", "k" + i) != null;
                boolean record = store.engine().idempotency()
                        .stored(write, IdempotencyStore.recordKey(write)) != null;
                assertThat(record).as("record of write %d, log cut at %d of %d bytes", i, cut,
                        logBytes).isEqualTo(version);
                if (version) {
                    assertThat(kept).as("writes kept before write %d, cut at %d", i, cut)
                            .isEqualTo(i);
                    kept++;
                }
            }
            assertThat(kept).as("writes kept at cut %d", cut).isGreaterThanOrEqualTo(previousKept);
            previousKept = kept;
        }
        assertThat(cuts).hasSizeGreaterThan(writes.size());
        assertThat(previousKept).isEqualTo(writes.size());
    }

    /** The one log file of {@code db} that holds writes. */
    private static Path onlyLog(Path db) throws IOException {
        try (Stream<Path> files = Files.list(db)) {
            List<Path> logs = files.filter(file -> file.getFileName().toString().endsWith(".log"))
                    .filter(file -> file.toFile().length() > 0).toList();
            assertThat(logs).as("log files holding writes in %s", db).hasSize(1);
            return logs.get(0);
        }
    }

    private static void copy(Path from, Path to) throws IOException {
        Files.createDirectories(to);
        try (Stream<Path> files = Files.list(from)) {
            for (Path file : files.toList()) {
                Files.copy(file, to.resolve(file.getFileName()));
            }
        }
    }
}
