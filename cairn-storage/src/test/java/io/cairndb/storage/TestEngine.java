package io.cairndb.storage;

import io.cairndb.core.ApplyResult;
import io.cairndb.core.Mutation;
import io.cairndb.core.Tokens;
import io.cairndb.core.Version;
import io.cairndb.core.VersionResolver;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * An engine in a directory of its own for each test, closed and opened again at will, and the
 * writes and reads the storage tests make of it: each write is stamped after the one before.
 * A test class registers one with {@code @RegisterExtension}; before each test it opens an engine
 * with the default options in {@code dir()/db}, and after it closes the engine and deletes the
 * directory.
 */
final class TestEngine implements BeforeEachCallback, AfterEachCallback {

    private final VersionResolver resolver = new VersionResolver();
    private Path dir;
    private StorageEngine engine;
    private long stamp = 1_000;

    @Override
    public void beforeEach(ExtensionContext context) throws IOException {
        dir = Files.createTempDirectory("cairn-storage-test");
        stamp = 1_000;
        engine = StorageEngine.open(dir.resolve("db"), StorageOptions.DEFAULTS, resolver);
    }

    @Override
    public void afterEach(ExtensionContext context) throws IOException {
        close();
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
        }
    }

    /** The test's directory; the engine opened before the test is in {@code db} below it. */
    Path dir() {
        return dir;
    }

    StorageEngine engine() {
        return engine;
    }

    DataStore data() {
        return engine.data();
    }

    /** Closes the engine and opens the one in {@code dir/name} with {@code options}. */
    void reopen(String name, StorageOptions options) {
        engine.close();
        engine = StorageEngine.open(dir.resolve(name), options, resolver);
    }

    /** A hybrid-clock reading after every one handed out before. */
    long nextStamp() {
        return ++stamp;
    }

    ApplyResult put(String tenant, String key, String value) {
        return apply(tenant, key, Version.write(bytes(value), "n1", nextStamp()), null);
    }

    ApplyResult delete(String tenant, String key) {
        return apply(tenant, key, Version.tombstone("n1", nextStamp()), null);
    }

    ApplyResult apply(String tenant, String key, Version version,
                      Mutation.IdempotencyRequest idempotency) {
        return data().apply(mutation(tenant, key, version, idempotency)).join();
    }

    Version get(String tenant, String key) {
        byte[] keyBytes = bytes(key);
        return data().get(tenant, keyBytes, Tokens.token(tenant, keyBytes));
    }

    static Mutation mutation(String tenant, String key, Version version,
                             Mutation.IdempotencyRequest idempotency) {
        byte[] keyBytes = bytes(key);
        return new Mutation(tenant, keyBytes, Tokens.token(tenant, keyBytes), version,
                idempotency);
    }

    static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    /** Closes the engine; closing it again does nothing. */
    void close() {
        engine.close();
    }
}
