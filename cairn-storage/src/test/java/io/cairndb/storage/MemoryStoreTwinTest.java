package io.cairndb.storage;

import static org.assertj.core.api.Assertions.assertThat;

import io.cairndb.core.ApplyResult;
import io.cairndb.core.Idempotency;
import io.cairndb.core.IdempotencyRecord;
import io.cairndb.core.KeyScan;
import io.cairndb.core.MemoryStore;
import io.cairndb.core.MigrationPlan.TokenRange;
import io.cairndb.core.MovedKeys;
import io.cairndb.core.Mutation;
import io.cairndb.core.Tokens;
import io.cairndb.core.VectorClock;
import io.cairndb.core.Version;
import io.cairndb.core.VersionResolver;
import io.cairndb.testkit.Property;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

// Proves the simulator's in-memory store is a faithful twin of the RocksDB data store: on random
// sequences of writes, deletes, retries, conflicts and concurrent versions, both answer every
// apply alike and hold the same versions and live-key counts after each step; and, for
// migrations, that both read token ranges in the same chunks from the same positions, and adopt
// moved keys and purge keys alike.
class MemoryStoreTwinTest {

    private static final String[] TENANTS = {"alpha", "beta"};
    private static final String[] NODES = {"n1", "n2", "n3"};

    @TempDir
    Path dir;

    @Test
    void theTwinAnswersAndStoresExactlyAsTheEngineDoes() {
        int[] run = {0};
        Property.forAll("memory store twin", Math.max(10, Property.tries() / 5), random -> {
            Path path = dir.resolve("db" + run[0]++);
            try (StorageEngine storage = StorageEngine.open(path, StorageOptions.DEFAULTS,
                    VersionResolver.DEFAULT)) {
                DataStore data = storage.data();
                MemoryStore twin = new MemoryStore(VersionResolver.DEFAULT);
                for (int step = 0; step < 200; step++) {
                    Mutation mutation = randomMutation(random, step);
                    ApplyResult expected = data.apply(mutation).join();
                    ApplyResult actual = twin.applyNow(mutation);
                    String where = "step " + step + " " + describe(mutation);
                    assertThat(actual.outcome()).as(where).isEqualTo(expected.outcome());
                    assertThat(actual.stored()).as(where).isEqualTo(expected.stored());
                    assertThat(actual.previous()).as(where).isEqualTo(expected.previous());
                    if (expected.record() != null) {
                        assertThat(actual.record().clock()).as(where)
                                .isEqualTo(expected.record().clock());
                        assertThat(actual.record().hlc()).as(where)
                                .isEqualTo(expected.record().hlc());
                        assertThat(actual.record().coordinatorNodeId()).as(where)
                                .isEqualTo(expected.record().coordinatorNodeId());
                    }
                    assertThat(twin.get(mutation.tenantId(), mutation.key(), mutation.token()))
                            .as(where).isEqualTo(data.get(mutation.tenantId(), mutation.key(),
                                    mutation.token()));
                    for (String tenant : TENANTS) {
                        assertThat(twin.liveKeys(tenant)).as(where + " live keys of " + tenant)
                                .isEqualTo(data.liveKeys(tenant));
                    }
                    compareScans(random, data, twin, where);
                }
            }
        });
    }

    /**
     * Scans a random key range of a tenant page by page, with random bounds on items, bytes and
     * keys examined, in both stores, and compares every page and where it resumes.
     */
    private static void compareScans(Random random, DataStore data, MemoryStore twin,
                                     String where) {
        String tenant = TENANTS[random.nextInt(TENANTS.length)];
        byte[] start = random.nextInt(3) == 0 ? null
                : ("k" + random.nextInt(4)).getBytes(StandardCharsets.UTF_8);
        byte[] end = random.nextInt(3) == 0 ? null
                : ("k" + random.nextInt(5)).getBytes(StandardCharsets.UTF_8);
        int itemsMax = 1 + random.nextInt(4);
        long bytesMax = random.nextInt(3) == 0 ? 1 + random.nextInt(6) : Long.MAX_VALUE;
        int examinedMax = 1 + random.nextInt(4);
        for (int page = 0; page < 10; page++) {
            String at = where + " scan " + tenant + " page " + page;
            KeyScan expected = data.scanKeys(tenant, start, end, itemsMax, bytesMax, examinedMax);
            KeyScan actual = twin.scanKeys(tenant, start, end, itemsMax, bytesMax, examinedMax);
            assertThat(describe(actual)).as(at).isEqualTo(describe(expected));
            if (expected.exhausted()) {
                return;
            }
            start = Arrays.copyOf(expected.resumeAfter(), expected.resumeAfter().length + 1);
        }
    }

    private static List<String> describe(KeyScan scan) {
        List<String> lines = new ArrayList<>();
        scan.entries().forEach(entry -> lines.add(new String(entry.key(),
                StandardCharsets.UTF_8) + " " + entry.token() + " " + entry.version()));
        lines.add("resume after " + (scan.exhausted() ? "none"
                : new String(scan.resumeAfter(), StandardCharsets.UTF_8)));
        return lines;
    }

    /**
     * A write or delete of one of a few keys, stamped by one of three coordinators with readings
     * that sometimes tie or go back, carrying one of a few idempotency keys (so retries and
     * conflicts happen), or none.
     */
    private static Mutation randomMutation(Random random, int step) {
        String tenant = TENANTS[random.nextInt(TENANTS.length)];
        byte[] key = ("k" + random.nextInt(4)).getBytes(StandardCharsets.UTF_8);
        String node = NODES[random.nextInt(NODES.length)];
        long hlc = 1_000 + step * 3L - random.nextInt(10);
        byte[] value = random.nextInt(5) == 0 ? null
                : ("v" + random.nextInt(3)).getBytes(StandardCharsets.UTF_8);
        Version version = value == null ? Version.tombstone(node, hlc)
                : Version.write(value, node, hlc);
        if (random.nextInt(4) == 0) {
            // A version that has seen another coordinator's write: clocks with two entries.
            String other = NODES[random.nextInt(NODES.length)];
            version = version.withClock(version.clock().merge(VectorClock.of(other,
                    hlc - random.nextInt(20))));
        }
        Mutation.IdempotencyRequest check = random.nextInt(3) == 0 ? null
                : new Mutation.IdempotencyRequest("idem-" + random.nextInt(3),
                        Idempotency.requestHash(value), 10_000 + step, 1_000_000);
        return new Mutation(tenant, key, Tokens.token(tenant, key), version, check);
    }

    @Test
    void theTwinReadsRangesAdoptsAndPurgesExactlyAsTheEngineDoes() {
        int[] run = {0};
        Property.forAll("memory store twin, migrations", Math.max(10, Property.tries() / 5),
                random -> {
            Path path = dir.resolve("ranges" + run[0]++);
            try (StorageEngine storage = StorageEngine.open(path, StorageOptions.DEFAULTS,
                    VersionResolver.DEFAULT)) {
                DataStore data = storage.data();
                RangeReader reader = storage.ranges();
                MemoryStore twin = new MemoryStore(VersionResolver.DEFAULT);
                long[] tokens = randomTokens(random);
                for (int step = 0; step < 150; step++) {
                    int roll = random.nextInt(10);
                    String where = "step " + step;
                    if (roll < 4) {
                        Mutation mutation = randomMutation(random, step, tokens);
                        ApplyResult expected = data.apply(mutation).join();
                        ApplyResult actual = twin.applyNow(mutation);
                        assertThat(actual.outcome()).as(where).isEqualTo(expected.outcome());
                        assertThat(actual.stored()).as(where).isEqualTo(expected.stored());
                    } else if (roll < 6) {
                        String tenant = TENANTS[random.nextInt(TENANTS.length)];
                        MovedKeys.Entry moved = randomMoved(random, step, tokens);
                        ApplyResult expected = data.adopt(tenant, new MovedKeys.Entry(
                                moved.key(), moved.token(), moved.version(),
                                moved.records().stream().map(r -> new MovedKeys.Record(
                                        r.idempotencyKey(), r.record())).toList())).join();
                        ApplyResult actual = twin.adopt(tenant, moved);
                        assertThat(actual.stored()).as(where + " adopt").isEqualTo(
                                expected.stored());
                        assertThat(actual.previous()).as(where + " adopt").isEqualTo(
                                expected.previous());
                    } else if (roll < 7) {
                        // Purge a stored key, with the version it holds or with an older one.
                        String tenant = TENANTS[random.nextInt(TENANTS.length)];
                        MovedKeys.Chunk all = twin.readRange(tenant,
                                new TokenRange(Long.MAX_VALUE, Long.MAX_VALUE), 0, null,
                                1_000, Long.MAX_VALUE, 0);
                        if (all.entries().isEmpty()) {
                            continue;
                        }
                        MovedKeys.Entry victim = all.entries().get(
                                random.nextInt(all.entries().size()));
                        Version seen = random.nextInt(4) == 0
                                ? Version.write(new byte[] {1}, "n9", 1) : victim.version();
                        ApplyResult expected = data.purge(tenant, victim.key(), victim.token(),
                                seen).join();
                        ApplyResult actual = twin.purge(tenant, victim.key(), victim.token(),
                                seen);
                        assertThat(actual.outcome()).as(where + " purge").isEqualTo(
                                expected.outcome());
                        assertThat(actual.previous()).as(where + " purge").isEqualTo(
                                expected.previous());
                        assertThat(twin.get(tenant, victim.key(), victim.token())).as(where)
                                .isEqualTo(data.get(tenant, victim.key(), victim.token()));
                    } else {
                        compareRangeReads(random, reader, twin, tokens, where);
                    }
                    for (String tenant : TENANTS) {
                        assertThat(twin.liveKeys(tenant)).as(where + " live keys of " + tenant)
                                .isEqualTo(data.liveKeys(tenant));
                    }
                }
            }
        });
    }

    /**
     * Reads a random range of a tenant in random chunks, from its start or from a random
     * position, in both stores, and compares every chunk, then the range's measure.
     */
    private static void compareRangeReads(Random random, RangeReader reader, MemoryStore twin,
                                          long[] tokens, String where) {
        String tenant = TENANTS[random.nextInt(TENANTS.length)];
        long from = pick(random, tokens);
        long to = random.nextInt(5) == 0 ? from : pick(random, tokens);
        TokenRange range = new TokenRange(from, to);
        int itemsMax = 1 + random.nextInt(4);
        long bytesMax = random.nextInt(3) == 0 ? 1 + random.nextInt(8) : Long.MAX_VALUE;
        long nowMillis = random.nextInt(3) == 0 ? 1_009_000 + random.nextInt(200) : 0;
        long afterToken = 0;
        byte[] afterKey = null;
        if (random.nextInt(3) == 0) {
            afterToken = pick(random, tokens);
            afterKey = randomKey(random);
        }
        for (int chunkNumber = 0; chunkNumber < 100; chunkNumber++) {
            String at = where + " range " + range + " chunk " + chunkNumber;
            MovedKeys.Chunk expected = reader.read(tenant, range, afterToken, afterKey,
                    itemsMax, bytesMax, nowMillis);
            MovedKeys.Chunk actual = twin.readRange(tenant, range, afterToken, afterKey,
                    itemsMax, bytesMax, nowMillis);
            assertThat(actual.exhausted()).as(at).isEqualTo(expected.exhausted());
            assertThat(actual.resumeRange()).as(at).isEqualTo(expected.resumeRange());
            assertThat(actual.resumeToken()).as(at).isEqualTo(expected.resumeToken());
            assertThat(actual.resumeKey()).as(at).isEqualTo(expected.resumeKey());
            assertThat(describe(actual)).as(at).isEqualTo(describe(expected));
            if (expected.exhausted()) {
                break;
            }
            afterToken = expected.resumeToken();
            afterKey = expected.resumeKey();
        }
        MovedKeys.Size size = reader.measure(tenant, range);
        assertThat(twin.measure(tenant, range)).as(where + " measure " + range).isEqualTo(size);
    }

    private static List<String> describe(MovedKeys.Chunk chunk) {
        List<String> out = new ArrayList<>();
        for (MovedKeys.Entry entry : chunk.entries()) {
            StringBuilder line = new StringBuilder(entry.token() + " "
                    + java.util.HexFormat.of().formatHex(entry.key()) + " " + entry.version());
            entry.records().forEach(r -> line.append(" ").append(describe(r.idempotencyKey(),
                    r.record())));
            out.add(line.toString());
        }
        return out;
    }

    private static String describe(String idempotencyKey, IdempotencyRecord record) {
        return idempotencyKey + "{" + java.util.HexFormat.of().formatHex(record.requestHash())
                + " " + record.createdAtMillis() + ".." + record.expiresAtMillis() + " "
                + record.clock() + " " + record.hlc() + " " + record.coordinatorNodeId() + "}";
    }

    /** A few tokens, the ring's ends among them, so keys share tokens and ranges wrap. */
    private static long[] randomTokens(Random random) {
        long[] tokens = new long[6];
        tokens[0] = Long.MIN_VALUE;
        tokens[1] = Long.MAX_VALUE;
        tokens[2] = 0;
        for (int i = 3; i < tokens.length; i++) {
            tokens[i] = random.nextLong();
        }
        return tokens;
    }

    private static long pick(Random random, long[] tokens) {
        long token = tokens[random.nextInt(tokens.length)];
        return random.nextInt(4) == 0 ? token + random.nextInt(3) - 1 : token;
    }

    /** Short keys with bytes above 0x7f, which order differently signed and unsigned. */
    private static byte[] randomKey(Random random) {
        byte[] key = new byte[1 + random.nextInt(2)];
        for (int i = 0; i < key.length; i++) {
            key[i] = (byte) (random.nextBoolean() ? 'a' + random.nextInt(2)
                    : 0xf0 + random.nextInt(2));
        }
        return key;
    }

    /** A write or delete of a key under one of a few shared tokens, with or without a record. */
    private static Mutation randomMutation(Random random, int step, long[] tokens) {
        String tenant = TENANTS[random.nextInt(TENANTS.length)];
        Mutation base = randomMutation(random, step);
        return new Mutation(tenant, randomKey(random), tokens[random.nextInt(tokens.length)],
                base.version(), base.idempotency());
    }

    /** An entry as another replica would send it: a version and zero to two records. */
    private static MovedKeys.Entry randomMoved(Random random, int step, long[] tokens) {
        Mutation base = randomMutation(random, step);
        List<MovedKeys.Record> records = new ArrayList<>();
        for (int i = random.nextInt(3); i > 0; i--) {
            records.add(new MovedKeys.Record("idem-" + random.nextInt(3),
                    new IdempotencyRecord(new byte[] {(byte) random.nextInt(3)}, 10_000 + step,
                            1_009_000 + random.nextInt(200), base.version().clock(),
                            base.version().hlc(), base.version().coordinatorNodeId())));
        }
        return new MovedKeys.Entry(randomKey(random),
                tokens[random.nextInt(tokens.length)], base.version(), records);
    }

    private static String describe(Mutation mutation) {
        return mutation.tenantId() + "/" + new String(mutation.key(), StandardCharsets.UTF_8)
                + " " + mutation.version() + (mutation.idempotency() == null ? ""
                : " idem " + mutation.idempotency().idempotencyKey());
    }
}
