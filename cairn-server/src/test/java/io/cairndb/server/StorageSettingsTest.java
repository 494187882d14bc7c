package io.cairndb.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

// Proves a node's storage settings reach the engine it opens, as RocksDB records its options.
class StorageSettingsTest {

    @TempDir
    Path dir;

    @Test
    void theLogBoundAnOperatorSetsIsTheOneTheEngineKeeps() throws IOException {
        try (TestNode node = new TestNode(dir, Map.of("storage.walBytesMax", "33554432"))) {
            assertThat(optionsFile(dir.resolve("storage")))
                    .contains("max_total_wal_size=33554432");
        }
    }

    @Test
    void theDefaultLogBoundIsTheEnginesDefault() throws IOException {
        try (TestNode node = new TestNode(dir, Map.of())) {
            assertThat(optionsFile(dir.resolve("storage")))
                    .contains("max_total_wal_size=" + (256L << 20));
        }
    }

    @Test
    void idempotencyRecordsAreKeptAnHourPastTheTimeAnOperatorSets() throws IOException {
        try (TestNode node = new TestNode(dir, Map.of("requests.idempotencyTtlMillis",
                "7200000"))) {
            String options = optionsFile(dir.resolve("storage"));
            String records = options.substring(options.indexOf("[CFOptions \"idempotency\"]"));
            records = records.substring(0, records.indexOf("[TableOptions"));
            assertThat(records).contains("compaction_style=kCompactionStyleFIFO")
                    .contains("ttl=" + (3 * 3600));
        }
    }

    /** The options file RocksDB wrote last when it opened the database. */
    private static String optionsFile(Path storage) throws IOException {
        try (Stream<Path> files = Files.list(storage)) {
            Path newest = files.filter(f -> f.getFileName().toString().startsWith("OPTIONS-"))
                    .max(Comparator.comparing(Path::toString)).orElseThrow();
            return Files.readString(newest);
        }
    }
}
