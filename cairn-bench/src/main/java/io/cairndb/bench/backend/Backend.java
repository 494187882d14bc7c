package io.cairndb.bench.backend;

import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * One system under test, seen through its own asynchronous client. The load driver's measurement
 * loop is the same for every backend; a backend only turns a read or a write into a call and a
 * failure into an error code.
 *
 * <p>Contract: {@link #prepare} runs once, before any operation, and may block. {@link #read} and
 * {@link #write} are called from many threads at once, must not block, and return a future that
 * completes when the system has answered; a read of a key that holds no value completes
 * exceptionally with {@link KeyNotFound}. Completion may happen on any thread.
 */
public interface Backend extends AutoCloseable {

    /** The backend's name on the command line: {@code cairn}, {@code etcd} or {@code redis}. */
    String name();

    /**
     * Readies the system for the run (for CairnDB: creates the tenant) and checks that it
     * answers.
     *
     * @throws RuntimeException with a one-line message when the system cannot be used
     */
    void prepare();

    /** What the run measured, for the report: target, consistency and the like. */
    Map<String, Object> describe();

    /** Writes {@code value} under {@code key}; the caller must not modify {@code value}. */
    CompletableFuture<?> write(String key, byte[] value);

    /** Reads {@code key}. */
    CompletableFuture<?> read(String key);

    /**
     * The name a failure is counted under: the system's error code where it has one ({@code
     * QUORUM_NOT_REACHED}, {@code KEY_NOT_FOUND}), else {@code TIMEOUT}, {@code UNAVAILABLE}, or
     * the exception's class name.
     */
    String errorCode(Throwable failure);

    /** Releases the connections; waits briefly for calls in flight. */
    @Override
    void close();

    /** A read found no value under the key. */
    final class KeyNotFound extends RuntimeException {

        private static final long serialVersionUID = 1L;

        public static final String CODE = "KEY_NOT_FOUND";

        public KeyNotFound(String key) {
            super("no value under key '" + key + "'", null, false, false);
        }
    }
}
