package io.cairndb.bench.backend;

import java.time.Duration;
import java.util.Locale;

/** Builds the backend a name denotes. */
public final class Backends {

    private Backends() {
    }

    /**
     * Settings every backend understands.
     *
     * @param target where the system listens; null for the backend's default
     * @param tenant the CairnDB tenant; for etcd and Redis, the key prefix {@code tenant/}
     * @param consistency the backend's read (and, for CairnDB, write) level; null for its default
     * @param replicationFactor the CairnDB tenant's RF when the run creates it; 0 for the server's
     *     default
     * @param connections client connections to open; operations are spread over them round-robin
     * @param timeout the deadline of each operation
     * @param unary CairnDB: one RPC per operation instead of the SDK's pipeline stream
     */
    public record Settings(String target, String tenant, String consistency,
                           int replicationFactor, int connections, Duration timeout,
                           boolean unary) {

        public Settings {
            if (connections < 1) {
                throw new IllegalArgumentException("--connections must be >= 1, was "
                        + connections);
            }
            if (replicationFactor < 0) {
                throw new IllegalArgumentException("--rf must be >= 0, was " + replicationFactor);
            }
        }
    }

    /**
     * The backend named {@code name}: {@code cairn} (gRPC), {@code http} (CairnDB's REST API),
     * {@code etcd} or {@code redis}.
     *
     * @throws IllegalArgumentException naming the valid choices
     */
    public static Backend create(String name, Settings settings) {
        if (settings.unary() && !name.equalsIgnoreCase("cairn")) {
            throw new IllegalArgumentException("--unary applies only to the cairn backend");
        }
        switch (name.toLowerCase(Locale.ROOT)) {
            case "cairn":
                return new CairnBackend(settings);
            case "etcd":
                return new EtcdBackend(settings);
            case "redis":
                return new RedisBackend(settings);
            case "http":
                return new HttpBackend(settings);
            default:
                throw new IllegalArgumentException("backend must be cairn, http, etcd or redis,"
                        + " was '" + name + "'");
        }
    }
}
