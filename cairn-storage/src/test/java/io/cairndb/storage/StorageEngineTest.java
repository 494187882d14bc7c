package io.cairndb.storage;

import static io.cairndb.storage.TestEngine.bytes;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.cairndb.core.ApplyResult;
import io.cairndb.core.CairnException;
import io.cairndb.core.ErrorCode;
import io.cairndb.core.Mutation;
import io.cairndb.core.Tokens;
import io.cairndb.core.Version;
import io.cairndb.core.VersionResolver;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

// Proves the engine opens, bounds its log, keeps every store's data through a reopen, and
// refuses work once closed.
class StorageEngineTest {

    @RegisterExtension
    final TestEngine store = new TestEngine();

    @Test
    void survivesReopenAndKeepsMetadata() {
        store.put("t", "k", "v");
        store.engine().metadata().put("mlog/1", bytes("command"));
        long high = store.data().hlcHighWater();
        store.reopen("db", StorageOptions.DEFAULTS.withDurability(Durability.SYNC));
        assertThat(store.get("t", "k").value()).isEqualTo(bytes("v"));
        assertThat(store.engine().metadata().scan("mlog/")).containsOnlyKeys("mlog/1");
        assertThat(store.data().hlcHighWater()).isEqualTo(high).isGreaterThan(0);
        assertThat(store.data().liveKeys()).isEqualTo(1);
    }

    @Test
    void flushesPastTheLogBoundAndRecoversEveryWriteFromRecycledLogFiles() {
        long walBytesMax = 1L << 20;
        store.reopen("bounded", StorageOptions.DEFAULTS.withWalBytesMax(walBytesMax));
        // 32 MiB through 1,024 keys: without the bound every byte would stay in the write
        // buffers (64 MiB, never full) and so in the log, all of it replayed by a restart; with
        // it, the families holding the oldest log file are flushed and the file is reused.
        byte[] value = new byte[2 * 1024];
        int rounds = 16;
        int keys = 1_024;
        for (int round = 0; round < rounds; round++) {
            List<CompletableFuture<ApplyResult>> futures = new ArrayList<>();
            for (int i = 0; i < keys; i++) {
                Arrays.fill(value, (byte) (round * keys + i));
                byte[] key = bytes("key" + i);
                futures.add(store.data().apply(new Mutation("t", key, Tokens.token("t", key),
                        Version.write(value.clone(), "n1", store.nextStamp()), null)));
            }
            futures.forEach(CompletableFuture::join);
        }
        // RocksDB checks the bound on the write path: each write past it schedules a flush of
        // the families holding the oldest file. A burst can outrun the flushes, and once writes
        // stop nothing checks again, so a trickle of writes to another tenant keeps them coming.
        // What is measured is what the log must keep, not the size of its files: a file that
        // grew while a flush was pending keeps that size when it is reused.
        byte[] tick = bytes("tick");
        await().atMost(Duration.ofSeconds(60))
                .untilAsserted(() -> {
                    store.data().apply(new Mutation("ticks", tick, Tokens.token("ticks", tick),
                            Version.write(bytes("t"), "n1", store.nextStamp()), null)).join();
                    assertThat(store.engine().unflushedBytes())
                            .isLessThan((long) rounds * keys * value.length / 4);
                });
        store.reopen("bounded", StorageOptions.DEFAULTS);
        for (int i = 0; i < keys; i++) {
            Arrays.fill(value, (byte) ((rounds - 1) * keys + i));
            assertThat(store.get("t", "key" + i).value()).as("key%d", i).isEqualTo(value);
        }
        assertThat(store.data().liveKeys("t")).isEqualTo(keys);
    }

    @Test
    void refusesWorkOnceClosed() {
        store.close();
        byte[] key = bytes("k");
        assertThatThrownBy(() -> store.data().apply(new Mutation("t", key, 1,
                Version.write(bytes("v"), "n1", 1), null)).join())
                .hasCauseInstanceOf(CairnException.class)
                .satisfies(e -> assertThat(((CairnException) e.getCause()).code())
                        .isEqualTo(ErrorCode.INTERNAL_ERROR));
        assertThatThrownBy(() -> store.data().get("t", key, 1))
                .isInstanceOf(StorageException.class).hasMessageContaining("closed");
    }

    @Test
    void reportsAnUnusableDirectory() {
        Path file = store.dir().resolve("plain-file");
        assertThatThrownBy(() -> {
            java.nio.file.Files.writeString(file, "x");
            StorageEngine.open(file, StorageOptions.DEFAULTS, VersionResolver.DEFAULT);
        }).isInstanceOf(StorageException.class).hasMessageContaining(file.toString());
    }
}
