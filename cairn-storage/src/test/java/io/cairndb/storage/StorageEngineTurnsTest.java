package io.cairndb.storage;

import static org.assertj.core.api.Assertions.assertThat;

import io.cairndb.core.CairnException;
import io.cairndb.core.Tokens;
import io.cairndb.core.Version;
import io.cairndb.core.VersionResolver;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

// Proves that under periodic durability the mutations an event loop applies in one task commit
// together on its thread, that everything else still goes to the writer, and that the two
// commit paths never lose or reorder a key's versions, closing included.
class StorageEngineTurnsTest {

    @TempDir
    Path dir;

    private final List<ExecutorService> loops = new ArrayList<>();
    /** Each fake event loop's thread, mapped to the loop it runs. */
    private final Map<Thread, ExecutorService> loopOfThread = new ConcurrentHashMap<>();
    private final CallerTurns turns = () -> loopOfThread.get(Thread.currentThread());
    private final AtomicLong stamp = new AtomicLong(1_000);
    private StorageEngine engine;

    @AfterEach
    void stop() throws InterruptedException {
        if (engine != null) {
            engine.close();
        }
        for (ExecutorService loop : loops) {
            loop.shutdownNow();
            assertThat(loop.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
        }
    }

    private StorageEngine open(Durability durability) {
        return StorageEngine.open(dir.resolve("db"),
                StorageOptions.DEFAULTS.withDurability(durability), new VersionResolver(), turns);
    }

    /** A single-threaded executor standing in for a transport thread. */
    private ExecutorService loop(String name) throws Exception {
        ExecutorService loop = Executors.newSingleThreadExecutor(r -> new Thread(r, name));
        loops.add(loop);
        Thread thread = loop.submit(Thread::currentThread).get();
        loopOfThread.put(thread, loop);
        return loop;
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private Mutation write(String key, String value) {
        byte[] k = bytes(key);
        return new Mutation("t", k, Tokens.token("t", k),
                Version.write(bytes(value), "n1", stamp.incrementAndGet()), null);
    }

    private Version get(String key) {
        byte[] k = bytes(key);
        return engine.get("t", k, Tokens.token("t", k));
    }

    /** Applies the mutations from one task of {@code loop}, noting the thread each completes on. */
    private List<CompletableFuture<String>> applyInOneTask(ExecutorService loop,
            List<Mutation> mutations) throws Exception {
        return loop.submit(() -> {
            List<CompletableFuture<String>> completedOn = new ArrayList<>();
            for (Mutation mutation : mutations) {
                completedOn.add(engine.apply(mutation)
                        .thenApply(result -> Thread.currentThread().getName()));
            }
            return completedOn;
        }).get();
    }

    @Test
    void mutationsOfOneLoopTaskCommitTogetherOnTheLoopsThread() throws Exception {
        engine = open(Durability.PERIODIC);
        ExecutorService loop = loop("loop-1");
        Mutation first = write("k", "v1");
        Mutation second = write("k", "v2");
        List<CompletableFuture<ApplyResult>> results = loop.submit(() -> List.of(
                engine.apply(first), engine.apply(second), engine.apply(write("other", "o"))))
                .get();

        assertThat(results.get(1).get(10, TimeUnit.SECONDS).previous())
                .as("a later mutation of the turn sees the earlier one")
                .isEqualTo(first.version());
        List<CompletableFuture<String>> threads = applyInOneTask(loop,
                List.of(write("k", "v3"), write("k2", "x")));
        for (CompletableFuture<String> thread : threads) {
            assertThat(thread.get(10, TimeUnit.SECONDS)).isEqualTo("loop-1");
        }
        assertThat(get("k").value()).isEqualTo(bytes("v3"));
        assertThat(get("other").value()).isEqualTo(bytes("o"));
        assertThat(engine.liveKeys("t")).isEqualTo(3);
    }

    @Test
    void callersThatRunNoLoopAndSyncWritesGoToTheWriter() throws Exception {
        engine = open(Durability.PERIODIC);
        assertThat(engine.apply(write("k", "v")).thenApply(r -> Thread.currentThread().getName())
                .get(10, TimeUnit.SECONDS)).isEqualTo("storage-writer-0");
        engine.close();

        engine = open(Durability.SYNC);
        ExecutorService loop = loop("loop-1");
        assertThat(applyInOneTask(loop, List.of(write("k", "v2"))).get(0)
                .get(10, TimeUnit.SECONDS))
                .as("a sync commit waits for the disk, which a loop must not")
                .isEqualTo("storage-writer-0");
        assertThat(get("k").value()).isEqualTo(bytes("v2"));
    }

    @Test
    void aLoopThatRefusesTasksLeavesItsMutationsToTheWriter() throws Exception {
        ExecutorService shutDown = Executors.newSingleThreadExecutor();
        shutDown.shutdown();
        engine = StorageEngine.open(dir.resolve("db"), StorageOptions.DEFAULTS,
                new VersionResolver(), () -> shutDown);
        assertThat(engine.apply(write("k", "v")).thenApply(r -> Thread.currentThread().getName())
                .get(10, TimeUnit.SECONDS)).isEqualTo("storage-writer-0");
        assertThat(get("k").value()).isEqualTo(bytes("v"));
    }

    @Test
    void aTurnLeftWhenTheEngineClosesFailsItsMutationsInsteadOfWriting() throws Exception {
        engine = open(Durability.PERIODIC);
        ExecutorService loop = loop("loop-1");
        CompletableFuture<CompletableFuture<ApplyResult>> applied = new CompletableFuture<>();
        CountDownLatch closed = new CountDownLatch(1);
        loop.execute(() -> {
            applied.complete(engine.apply(write("k", "v")));
            // The turn's commit runs after this task: hold it until the engine has closed.
            try {
                closed.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        CompletableFuture<ApplyResult> pending = applied.get(10, TimeUnit.SECONDS);
        assertThat(pending).isNotDone();
        StorageEngine closing = engine;
        engine = null;
        closing.close();
        closed.countDown();

        assertThat(pending).failsWithin(10, TimeUnit.SECONDS).withThrowableThat()
                .havingCause().isInstanceOf(CairnException.class)
                .withMessageContaining("storage is shutting down");
    }

    @Test
    void loopsAndOtherThreadsWritingTheSameKeysKeepEachKeysNewestVersion() throws Exception {
        engine = open(Durability.PERIODIC);
        int keys = 40;
        int tasks = 300;
        Map<String, Version> newest = new ConcurrentHashMap<>();
        List<CompletableFuture<ApplyResult>> all = java.util.Collections.synchronizedList(
                new ArrayList<>());
        List<ExecutorService> writers = List.of(loop("loop-1"), loop("loop-2"),
                Executors.newSingleThreadExecutor(r -> new Thread(r, "plain")));
        loops.add(writers.get(2));
        List<java.util.concurrent.Future<?>> submitted = new ArrayList<>();
        for (int task = 0; task < tasks; task++) {
            for (ExecutorService writer : writers) {
                int seed = task;
                submitted.add(writer.submit(() -> {
                    for (int i = 0; i < 5; i++) {
                        String key = "k" + ((seed * 7 + i * 13) % keys);
                        Mutation mutation = write(key, writer.hashCode() + "/" + seed + "/" + i);
                        newest.merge(key, mutation.version(),
                                (a, b) -> a.hlc() >= b.hlc() ? a : b);
                        all.add(engine.apply(mutation));
                    }
                }));
            }
        }
        for (java.util.concurrent.Future<?> future : submitted) {
            future.get(30, TimeUnit.SECONDS);
        }
        CompletableFuture.allOf(all.toArray(new CompletableFuture<?>[0])).get(30, TimeUnit.SECONDS);

        assertThat(all).hasSize(tasks * writers.size() * 5);
        newest.forEach((key, version) -> assertThat(get(key)).as(key).isEqualTo(version));
        assertThat(engine.liveKeys("t")).isEqualTo(newest.size());
    }
}
