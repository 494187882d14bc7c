package io.cairndb.storage;

import static org.assertj.core.api.Assertions.assertThat;

import io.cairndb.core.ApplyResult;
import io.cairndb.core.Idempotency;
import io.cairndb.core.MemoryStore;
import io.cairndb.core.Mutation;
import io.cairndb.core.Tokens;
import io.cairndb.core.VectorClock;
import io.cairndb.core.Version;
import io.cairndb.core.VersionResolver;
import io.cairndb.testkit.Property;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

// Proves the simulator's in-memory store is a faithful twin of the RocksDB data store: on random
// sequences of writes, deletes, retries, conflicts and concurrent versions, both answer every
// apply alike and hold the same versions and live-key counts after each step.
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
                }
            }
        });
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

    private static String describe(Mutation mutation) {
        return mutation.tenantId() + "/" + new String(mutation.key(), StandardCharsets.UTF_8)
                + " " + mutation.version() + (mutation.idempotency() == null ? ""
                : " idem " + mutation.idempotency().idempotencyKey());
    }
}
