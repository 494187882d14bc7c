package io.cairndb.storage;

import static io.cairndb.storage.TestEngine.bytes;
import static org.assertj.core.api.Assertions.assertThat;

import io.cairndb.core.Idempotency;
import io.cairndb.core.MigrationPlan.TokenRange;
import io.cairndb.core.MovedKeys;
import io.cairndb.core.Mutation;
import io.cairndb.core.Tokens;
import io.cairndb.core.Version;
import io.cairndb.testkit.Property;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

// Proves a token range read in small chunks, each resumed where the last ended, returns exactly
// the range's keys once each in data order (wrapping ranges, the whole circle and the extreme
// tokens included), with tombstones and only the unexpired idempotency records of each key.
class RangeReaderTest {

    private static final String TENANT = "t";

    @RegisterExtension
    final TestEngine store = new TestEngine();

    /** The tenant's keys and their tokens, as written. */
    private final Map<String, Long> tokens = new LinkedHashMap<>();
    private final Set<String> deleted = new HashSet<>();

    @BeforeEach
    void fill() {
        // Keys at the extremes and beside them, several keys sharing a token, and keys hashed to
        // their own tokens; some are deleted. Other tenants, one whose id extends this one's,
        // hold keys at the same tokens and must never show up.
        long[] special = {Long.MIN_VALUE, Long.MIN_VALUE + 1, -1, 0, 1, Long.MAX_VALUE - 1,
            Long.MAX_VALUE};
        for (long token : special) {
            putAt(TENANT, "at" + token + "-a", token);
            putAt(TENANT, "at" + token + "-b", token);
        }
        for (int i = 0; i < 5; i++) {
            putAt(TENANT, "shared-" + i, 77);
        }
        for (int i = 0; i < 120; i++) {
            String key = "key" + i;
            putAt(TENANT, key, Tokens.token(TENANT, bytes(key)));
        }
        for (String key : List.of("key3", "key50", "shared-2", "at" + Long.MAX_VALUE + "-a",
                "at" + Long.MIN_VALUE + "-b")) {
            store.data().apply(new Mutation(TENANT, bytes(key), tokens.get(key),
                    Version.tombstone("n1", store.nextStamp()), null)).join();
            deleted.add(key);
        }
        for (long token : special) {
            putAt("t-", "other", token);
            putAt("u", "other" + token, token);
        }
    }

    private void putAt(String tenant, String key, long token) {
        store.data().apply(new Mutation(tenant, bytes(key), token,
                Version.write(bytes("value of " + key), "n1", store.nextStamp()), null)).join();
        if (tenant.equals(TENANT)) {
            tokens.put(key, token);
        }
    }

    @Test
    void plainRange() {
        assertReadsExactly(new TokenRange(-1, Long.MAX_VALUE - 1), 3, 40);
        assertReadsExactly(new TokenRange(0, 77), 1, Long.MAX_VALUE);
        assertReadsExactly(new TokenRange(76, 77), 2, 1);
    }

    @Test
    void wrappingRange() {
        assertReadsExactly(new TokenRange(1, -1), 4, 60);
        assertReadsExactly(new TokenRange(Long.MAX_VALUE - 1, Long.MIN_VALUE + 1), 1, 1);
    }

    @Test
    void wholeCircle() {
        for (long at : new long[] {0, 77, Long.MIN_VALUE, Long.MAX_VALUE, 123_456_789}) {
            List<String> read = assertReadsExactly(new TokenRange(at, at), 3, 50);
            assertThat(read).as("from %d", at).hasSize(tokens.size());
        }
    }

    @Test
    void rangesTouchingTheExtremes() {
        // (MIN, x] leaves out MIN; (x, MAX] takes MAX; (MAX, x] wraps to start at MIN; (x, MIN]
        // wraps to end at MIN.
        assertThat(assertReadsExactly(new TokenRange(Long.MIN_VALUE, 0), 2, 30))
                .noneMatch(key -> key.startsWith("at" + Long.MIN_VALUE + "-"));
        assertThat(assertReadsExactly(new TokenRange(0, Long.MAX_VALUE), 2, 30))
                .contains("at" + Long.MAX_VALUE + "-a", "at" + Long.MAX_VALUE + "-b");
        assertThat(assertReadsExactly(new TokenRange(Long.MAX_VALUE, 0), 2, 30))
                .startsWith("at" + Long.MIN_VALUE + "-a", "at" + Long.MIN_VALUE + "-b")
                .noneMatch(key -> key.startsWith("at" + Long.MAX_VALUE + "-"));
        assertThat(assertReadsExactly(new TokenRange(0, Long.MIN_VALUE), 2, 30))
                .endsWith("at" + Long.MIN_VALUE + "-a", "at" + Long.MIN_VALUE + "-b");
        assertReadsExactly(new TokenRange(Long.MIN_VALUE, Long.MAX_VALUE), 5, 100);
        assertThat(assertReadsExactly(new TokenRange(Long.MAX_VALUE, Long.MIN_VALUE), 1, 1))
                .containsExactly("at" + Long.MIN_VALUE + "-a", "at" + Long.MIN_VALUE + "-b");
    }

    @Test
    void anyRangeReadInAnyChunksGivesItsKeysOnceInOrder() {
        Property.forAll("range reads", 50, random -> {
            TokenRange range = new TokenRange(endpoint(random), endpoint(random));
            assertReadsExactly(range, 1 + random.nextInt(6),
                    random.nextBoolean() ? 1 + random.nextInt(80) : Long.MAX_VALUE);
        });
    }

    @Test
    void tombstonesTravelWithTheirKeys() {
        List<MovedKeys.Entry> entries = readAll(new TokenRange(0, 0), 7, 100, 0);

        for (MovedKeys.Entry entry : entries) {
            String key = text(entry.key());
            assertThat(entry.version().isTombstone()).as(key).isEqualTo(deleted.contains(key));
            assertThat(entry.version()).isEqualTo(store.data().get(TENANT, entry.key(),
                    entry.token()));
            assertThat(entry.token()).isEqualTo(tokens.get(key));
        }
        assertThat(entries).filteredOn(entry -> entry.version().isTombstone())
                .hasSize(deleted.size());
    }

    @Test
    void unexpiredIdempotencyRecordsTravelWithTheirKey() {
        // "ab" has two records, one expiring at 1_100 and one at 6_000; "abc" and another
        // tenant's "ab" have records of their own.
        idempotent(TENANT, "ab", "short", 1_000, 100);
        idempotent(TENANT, "ab", "long", 1_000, 5_000);
        idempotent(TENANT, "abc", "other-key", 1_000, 5_000);
        idempotent("u", "ab", "other-tenant", 1_000, 5_000);
        TokenRange all = new TokenRange(0, 0);

        Map<String, List<String>> early = records(readAll(all, 3, 1_000, 1_050));
        assertThat(early.get("ab")).containsExactlyInAnyOrder("short", "long");
        assertThat(early.get("abc")).containsExactly("other-key");
        assertThat(early.get("key7")).isEmpty();

        Map<String, List<String>> later = records(readAll(all, 3, 1_000, 2_000));
        assertThat(later.get("ab")).containsExactly("long");
        assertThat(later.get("abc")).containsExactly("other-key");

        Map<String, List<String>> expired = records(readAll(all, 3, 1_000, 6_000));
        assertThat(expired.get("ab")).isEmpty();
        assertThat(expired.get("abc")).isEmpty();

        MovedKeys.Entry ab = readAll(all, 100, Long.MAX_VALUE, 2_000).stream()
                .filter(entry -> text(entry.key()).equals("ab")).findFirst().orElseThrow();
        MovedKeys.Record record = ab.records().get(0);
        assertThat(record.record().expiresAtMillis()).isEqualTo(6_000);
        assertThat(record.record().requestHash()).isEqualTo(Idempotency.requestHash(
                bytes("value of ab")));
    }

    @Test
    void measureCountsKeysAndBytesTombstonesIncluded() {
        for (TokenRange range : List.of(new TokenRange(0, 0), new TokenRange(-1, 77),
                new TokenRange(77, -1), new TokenRange(Long.MAX_VALUE, Long.MIN_VALUE))) {
            List<String> expected = expected(range);
            long bytes = 0;
            for (String key : expected) {
                bytes += key.length() + (deleted.contains(key) ? 0
                        : ("value of " + key).length());
            }
            assertThat(store.engine().ranges().measure(TENANT, range)).as("%s", range)
                    .isEqualTo(new MovedKeys.Size(expected.size(), bytes));
        }
        assertThat(store.engine().ranges().measure("nobody", new TokenRange(0, 0)))
                .isEqualTo(new MovedKeys.Size(0, 0));
    }

    // ------------------------------------------------------------------------------ helpers

    /** Reads {@code range} in chunks and checks it gives exactly its keys, in data order. */
    private List<String> assertReadsExactly(TokenRange range, int itemsMax, long bytesMax) {
        List<String> read = readAll(range, itemsMax, bytesMax, 0).stream()
                .map(entry -> text(entry.key())).toList();
        assertThat(read).as("%s in chunks of %d items, %d bytes", range, itemsMax, bytesMax)
                .containsExactlyElementsOf(expected(range));
        return read;
    }

    private List<MovedKeys.Entry> readAll(TokenRange range, int itemsMax, long bytesMax,
                                                 long nowMillis) {
        List<MovedKeys.Entry> all = new ArrayList<>();
        long afterToken = 0;
        byte[] afterKey = null;
        for (int chunks = 0; chunks <= tokens.size() + 1; chunks++) {
            MovedKeys.Chunk chunk = store.engine().ranges().read(TENANT, range, afterToken,
                    afterKey, itemsMax, bytesMax, nowMillis);
            assertThat(chunk.entries().size()).isLessThanOrEqualTo(itemsMax);
            long bytes = chunk.entries().stream().mapToLong(MovedKeys.Entry::size).sum();
            if (chunk.entries().size() > 1) {
                assertThat(bytes).isLessThanOrEqualTo(bytesMax);
            }
            all.addAll(chunk.entries());
            if (chunk.exhausted()) {
                return all;
            }
            assertThat(chunk.entries()).as("a chunk that is not the last").isNotEmpty();
            MovedKeys.Entry last = chunk.entries().get(chunk.entries().size() - 1);
            assertThat(chunk.resumeToken()).isEqualTo(last.token());
            assertThat(chunk.resumeKey()).isEqualTo(last.key());
            afterToken = chunk.resumeToken();
            afterKey = chunk.resumeKey();
        }
        throw new AssertionError("reading " + range + " did not end");
    }

    /**
     * The tenant's keys in {@code range}, in data order: a wrapping range's part after
     * {@code from} first, then by token, then by key bytes.
     */
    private List<String> expected(TokenRange range) {
        boolean wraps = range.fromExclusive() >= range.toInclusive();
        Comparator<String> order = Comparator
                .<String>comparingInt(key -> wraps && tokens.get(key) <= range.toInclusive()
                        ? 1 : 0)
                .thenComparingLong(tokens::get)
                .thenComparing((a, b) -> Arrays.compareUnsigned(bytes(a), bytes(b)));
        return tokens.keySet().stream().filter(key -> range.contains(tokens.get(key)))
                .sorted(order).toList();
    }

    /** A stored token, one beside it, an extreme, or any token. */
    private long endpoint(Random random) {
        List<Long> stored = new ArrayList<>(tokens.values());
        long token = stored.get(random.nextInt(stored.size()));
        return switch (random.nextInt(6)) {
            case 0 -> token;
            case 1 -> token + 1;
            case 2 -> token - 1;
            case 3 -> Long.MIN_VALUE;
            case 4 -> Long.MAX_VALUE;
            default -> random.nextLong();
        };
    }

    private void idempotent(String tenant, String key, String idempotencyKey, long nowMillis,
                            long ttlMillis) {
        byte[] value = bytes("value of " + key);
        store.data().apply(new Mutation(tenant, bytes(key), Tokens.token(tenant, bytes(key)),
                Version.write(value, "n1", store.nextStamp()), new Mutation.IdempotencyRequest(
                        idempotencyKey, Idempotency.requestHash(value), nowMillis, ttlMillis)))
                .join();
        if (tenant.equals(TENANT)) {
            tokens.put(key, Tokens.token(tenant, bytes(key)));
        }
    }

    private static Map<String, List<String>> records(List<MovedKeys.Entry> entries) {
        Map<String, List<String>> records = new LinkedHashMap<>();
        for (MovedKeys.Entry entry : entries) {
            records.put(text(entry.key()), entry.records().stream()
                    .map(MovedKeys.Record::idempotencyKey).toList());
        }
        return records;
    }

    private static String text(byte[] bytes) {
        return new String(bytes, StandardCharsets.UTF_8);
    }
}
