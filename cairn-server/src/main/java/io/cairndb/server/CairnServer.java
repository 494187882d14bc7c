package io.cairndb.server;

import io.cairndb.core.CairnException;
import io.cairndb.core.ErrorCode;
import io.cairndb.core.HybridLogicalClock;
import io.cairndb.core.Validation;
import io.cairndb.core.VersionResolver;
import io.cairndb.server.control.LocalMetadataLog;
import io.cairndb.server.control.MetadataCommand;
import io.cairndb.server.control.MetadataStore;
import io.cairndb.server.control.NodeInfo;
import io.cairndb.server.coordinator.Coordinator;
import io.cairndb.server.coordinator.CoordinatorGrpcService;
import io.cairndb.server.coordinator.NodeStats;
import io.cairndb.server.replica.LocalReplica;
import io.cairndb.server.replica.Replica;
import io.cairndb.storage.Durability;
import io.cairndb.storage.StorageEngine;
import io.cairndb.storage.StorageException;
import io.cairndb.storage.StorageOptions;
import io.grpc.Server;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.protobuf.services.ProtoReflectionServiceV1;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One CairnDB node with all three roles: it keeps the metadata (control), serves clients
 * (coordinator) and holds data (storage). The data path already runs through the ring and the
 * replica interface, with this node as the ring's only member and its replica called in-process.
 *
 * <p>Lifecycle: {@link #start} opens storage, replays the metadata log, registers the node, and
 * serves; {@link #close} stops serving, lets in-flight writes commit, and closes storage.
 */
public final class CairnServer implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(CairnServer.class);
    private static final Pattern NODE_ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.-]{0,63}");
    private static final int GRPC_MESSAGE_BYTES_MAX = 80 * 1024 * 1024;

    private final ServerConfig config;
    private final String nodeId;
    private final Path dataDir;
    private final StorageEngine storage;
    private final MetadataStore metadata;
    private final Server grpc;
    private final ScheduledExecutorService maintenance;

    private CairnServer(ServerConfig config, String nodeId, Path dataDir, StorageEngine storage,
                        MetadataStore metadata, Server grpc, ScheduledExecutorService maintenance) {
        this.config = config;
        this.nodeId = nodeId;
        this.dataDir = dataDir;
        this.storage = storage;
        this.metadata = metadata;
        this.grpc = grpc;
        this.maintenance = maintenance;
    }

    /** Starts a node on the system clock. */
    public static CairnServer start(ServerConfig config) {
        return start(config, System::currentTimeMillis);
    }

    /**
     * Starts a node whose wall clock is {@code wallMillis} (tests move time with it).
     *
     * @throws ConfigException if the data directory or the ports cannot be used, with the reason
     */
    public static CairnServer start(ServerConfig config, LongSupplier wallMillis) {
        config.validate();
        Path dataDir = Path.of(config.dataDir()).toAbsolutePath().normalize();
        String nodeId = nodeId(dataDir, config.nodeId());
        StorageOptions storageOptions = new StorageOptions(
                Durability.parse(config.storage().durability()),
                Duration.ofMillis(config.storage().syncIntervalMillis()),
                config.storage().writerShards(), StorageOptions.DEFAULTS.writeQueueItemsMax(),
                StorageOptions.DEFAULTS.writeGroupItemsMax());
        StorageEngine storage;
        try {
            storage = StorageEngine.open(dataDir.resolve("storage"), storageOptions,
                    new VersionResolver());
        } catch (StorageException e) {
            throw new ConfigException(e.getMessage(), e);
        }
        ScheduledExecutorService maintenance = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread thread = new Thread(r, "maintenance");
            thread.setDaemon(true);
            return thread;
        });
        try {
            MetadataStore metadata = new LocalMetadataLog(storage, config.cluster());
            HybridLogicalClock hlc = new HybridLogicalClock(storage.hlcHighWater());
            Replica local = new LocalReplica(nodeId, storage);
            NodeStats stats = new NodeStats() {
                @Override
                public long keysCount() {
                    return storage.liveKeys();
                }

                @Override
                public float diskUsagePercent() {
                    return diskUsage(dataDir);
                }
            };
            Coordinator coordinator = new Coordinator(nodeId, metadata, node -> {
                if (node.equals(nodeId)) {
                    return local;
                }
                throw new CairnException(ErrorCode.INTERNAL_ERROR, "no route to node '" + node
                        + "'");
            }, new Validation(config.limits()), hlc, wallMillis, config.requests(), stats);
            Server grpc = NettyServerBuilder
                    .forAddress(new InetSocketAddress(config.host(), config.port()))
                    .maxInboundMessageSize(GRPC_MESSAGE_BYTES_MAX)
                    .addService(new CoordinatorGrpcService(coordinator))
                    .addService(ProtoReflectionServiceV1.newInstance())
                    .build();
            try {
                grpc.start();
            } catch (IOException e) {
                throw new ConfigException("cannot listen for clients on " + config.host() + ":"
                        + config.port() + ": " + e.getMessage()
                        + (config.port() != 0 ? " (is another server using the port? --port 0 "
                        + "picks a free one)" : ""), e);
            }
            try {
                // Registered once the port is bound, so the metadata holds the real one.
                register(metadata, nodeId, config.host(), grpc.getPort(), config);
            } catch (RuntimeException e) {
                grpc.shutdownNow();
                throw e;
            }
            long purgeMillis = config.idempotencyPurgeIntervalMillis();
            maintenance.scheduleWithFixedDelay(() -> purgeIdempotency(storage, wallMillis),
                    purgeMillis, purgeMillis, TimeUnit.MILLISECONDS);
            CairnServer server = new CairnServer(config, nodeId, dataDir, storage, metadata, grpc,
                    maintenance);
            LOG.info("node {} serving clients on {}:{}, data in {}, durability {}", nodeId,
                    config.host(), server.port(), dataDir, config.storage().durability());
            return server;
        } catch (RuntimeException e) {
            maintenance.shutdownNow();
            storage.close();
            throw e;
        }
    }

    private static void register(MetadataStore metadata, String nodeId, String host, int port,
                                 ServerConfig config) {
        NodeInfo known = metadata.current().nodes().get(nodeId);
        if (known != null && known.host().equals(host) && known.port() == port
                && known.peerPort() == config.peerPort()) {
            return;
        }
        CompletableFuture<?> done = metadata.submit(new MetadataCommand.RegisterNode(nodeId,
                host, port, config.peerPort(),
                config.cluster().virtualNodesDefault())).thenAccept(applied -> {
                    if (!applied.ok()) {
                        throw new ConfigException("cannot register node " + nodeId + ": "
                                + applied.error().getMessage());
                    }
                });
        done.join();
    }

    private static void purgeIdempotency(StorageEngine storage, LongSupplier wallMillis) {
        try {
            int purged = storage.purgeExpiredIdempotency(wallMillis.getAsLong(), 100_000);
            if (purged > 0) {
                LOG.info("purged {} expired idempotency records", purged);
            }
        } catch (RuntimeException e) {
            LOG.warn("idempotency purge failed: {}", e.getMessage());
        }
    }

    /** The node id kept in the data directory, created on first start. */
    private static String nodeId(Path dataDir, String configured) {
        Path file = dataDir.resolve("node-id");
        if (!configured.isEmpty() && !NODE_ID.matcher(configured).matches()) {
            throw new ConfigException("nodeId '" + configured + "' is invalid: use 1-64 letters, "
                    + "digits, '_', '.' or '-', starting with a letter or digit");
        }
        try {
            Files.createDirectories(dataDir);
            if (Files.exists(file)) {
                String stored = Files.readString(file, StandardCharsets.UTF_8).trim();
                if (!configured.isEmpty() && !configured.equals(stored)) {
                    throw new ConfigException("data directory " + dataDir + " belongs to node '"
                            + stored + "', not '" + configured + "'; use another --data-dir");
                }
                return stored;
            }
            String id = configured.isEmpty()
                    ? "node-" + UUID.randomUUID().toString().substring(0, 8) : configured;
            Files.writeString(file, id + "\n", StandardCharsets.UTF_8);
            return id;
        } catch (IOException e) {
            throw new ConfigException("cannot use data directory " + dataDir + ": "
                    + e.getMessage(), e);
        }
    }

    static float diskUsage(Path dataDir) {
        try {
            FileStore store = Files.getFileStore(dataDir);
            long total = store.getTotalSpace();
            if (total <= 0) {
                return 0f;
            }
            return (float) (100.0 * (total - store.getUsableSpace()) / total);
        } catch (IOException e) {
            return 0f;
        }
    }

    public String nodeId() {
        return nodeId;
    }

    /** The client gRPC port actually bound (useful when configured as 0). */
    public int port() {
        return grpc.getPort();
    }

    public String host() {
        return config.host();
    }

    public Path dataDir() {
        return dataDir;
    }

    public ServerConfig config() {
        return config;
    }

    /** Blocks until the server has stopped. */
    public void awaitTermination() throws InterruptedException {
        grpc.awaitTermination();
    }

    @Override
    public void close() {
        grpc.shutdown();
        try {
            if (!grpc.awaitTermination(5, TimeUnit.SECONDS)) {
                grpc.shutdownNow();
                grpc.awaitTermination(5, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            grpc.shutdownNow();
        }
        maintenance.shutdownNow();
        metadata.close();
        storage.close();
        LOG.info("node {} stopped", nodeId);
    }
}
