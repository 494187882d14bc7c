package io.cairndb.server.control;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/** Metadata log entries for tests: fixed ones, and random sequences from a seeded generator. */
final class Entries {

    static final long HLC_BASE = 1_700_000_000_000L << 16;
    static final long MILLIS_BASE = 1_700_000_000_000L;

    private Entries() {
    }

    static MetadataEntry stamped(MetadataCommand command, long n) {
        return new MetadataEntry(command, HLC_BASE + n, MILLIS_BASE + n, "m" + (n % 3 + 1));
    }

    static MetadataCommand registerNode(String nodeId) {
        return new MetadataCommand.RegisterNode(nodeId, "10.0.0." + nodeId.substring(1), 7070,
                7071, 8);
    }

    static MetadataCommand createTenant(String tenantId) {
        return new MetadataCommand.CreateTenant(tenantId, 0, 1_700_000_000L);
    }

    static MetadataCommand.UpdateConfig config(Integer rf, String read, String write,
                                               String compaction, Integer vnodes) {
        return new MetadataCommand.UpdateConfig(rf, read, write, compaction, vnodes);
    }

    /**
     * A random log: node registrations, tenant creations (some refused as duplicates), config
     * updates (some invalid), re-registrations. Commands that break a rule are included: a log
     * holds them too, and they must change nothing.
     */
    static List<MetadataEntry> random(Random random, int count) {
        List<MetadataEntry> entries = new ArrayList<>();
        String[] levels = {"one", "quorum", "all", "most"};
        String[] policies = {"level", "universal", "tiered"};
        // Small counts keep token allocation cheap; 0 and 4097 are refused.
        int[] vnodes = {0, 1, 16, 64, 4097};
        for (int i = 0; i < count; i++) {
            MetadataCommand command = switch (random.nextInt(5)) {
                case 0 -> registerNode("n" + (1 + random.nextInt(3)));
                case 1 -> createTenant("t" + random.nextInt(6));
                case 2 -> config(random.nextBoolean() ? random.nextInt(5) : null,
                        random.nextBoolean() ? levels[random.nextInt(levels.length)] : null,
                        random.nextBoolean() ? levels[random.nextInt(levels.length)] : null,
                        random.nextBoolean() ? policies[random.nextInt(policies.length)] : null,
                        random.nextBoolean() ? vnodes[random.nextInt(vnodes.length)] : null);
                case 3 -> new MetadataCommand.UpdateReplicationFactor("t" + random.nextInt(6),
                        1 + random.nextInt(3), 1_700_000_001L);
                default -> new MetadataCommand.RegisterNode("n" + (1 + random.nextInt(3)),
                        "10.0.1." + random.nextInt(9), 7070, 7071, 0);
            };
            entries.add(random.nextInt(4) == 0 ? MetadataEntry.unstamped(command)
                    : new MetadataEntry(command, HLC_BASE + random.nextInt(1 << 20),
                            MILLIS_BASE + random.nextInt(100_000), "m" + random.nextInt(3)));
        }
        return entries;
    }

    /** Applies {@code entries} in order, from index {@code firstIndex}, refused ones included. */
    static ClusterMetadata replay(ClusterMetadata state, List<MetadataEntry> entries,
                                  long firstIndex) {
        long index = firstIndex;
        for (MetadataEntry entry : entries) {
            state = MetadataStateMachine.apply(state, entry, index++).state();
        }
        return state;
    }
}
