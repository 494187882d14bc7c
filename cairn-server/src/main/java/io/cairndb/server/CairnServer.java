package io.cairndb.server;

import io.cairndb.core.HybridLogicalClock;
import io.cairndb.core.Validation;
import io.cairndb.core.VersionResolver;
import io.cairndb.api.control.JoinRequest;
import io.cairndb.api.peer.StatsResponse;
import io.cairndb.server.common.Components;
import io.cairndb.server.common.ConfigException;
import io.cairndb.server.common.ServerLimits;
import io.cairndb.server.control.ClusterMetadata;
import io.cairndb.server.control.AdminGrpcService;
import io.cairndb.server.control.ControlGrpcService;
import io.cairndb.server.control.ClusterJoin;
import io.cairndb.server.control.raft.RaftMetadataStore;
import io.cairndb.server.control.raft.RaftSettings;
import io.cairndb.server.http.HttpPlane;
import io.cairndb.server.http.RestApi;
import io.cairndb.server.observability.GrpcRequestMetrics;
import io.cairndb.server.observability.NodeMetrics;
import io.cairndb.server.observability.ClusterEvents;
import io.cairndb.server.observability.Readiness;
import java.util.Map;
import io.cairndb.server.control.RemoteMetadataStore;
import io.cairndb.server.membership.Membership;
import io.cairndb.server.migration.MigrationRunner;
import io.cairndb.server.migration.MigrationSettings;
import io.cairndb.server.migration.RangeService;
import io.cairndb.server.replica.ClusterRouter;
import io.cairndb.server.replica.HintRouting;
import io.cairndb.server.replica.GrpcPeerConnector;
import io.cairndb.server.replica.HintedHandoff;
import io.cairndb.server.replica.PeerCodec;
import io.cairndb.server.replica.PeerGrpcService;
import io.cairndb.server.tracing.Tracing;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;
import java.util.function.Supplier;
import io.cairndb.core.Failures;
import io.cairndb.server.control.MetadataCommand;
import io.cairndb.server.control.MetadataStore;
import io.cairndb.server.control.NodeInfo;
import io.cairndb.server.control.TenantInfo;
import io.cairndb.core.Mutation;
import io.cairndb.core.Placement;
import io.cairndb.server.coordinator.ClusterAdministration;
import io.cairndb.server.coordinator.Coordinator;
import io.cairndb.server.coordinator.CoordinatorGrpcService;
import io.cairndb.server.coordinator.NodeStats;
import io.cairndb.server.replica.LocalReplica;
import io.cairndb.server.replica.PeerConnector;
import io.cairndb.storage.Durability;
import io.cairndb.storage.StorageEngine;
import io.cairndb.storage.StorageException;
import io.cairndb.storage.StorageOptions;
import io.grpc.Server;
import io.grpc.ServerInterceptors;
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
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.LongSupplier;
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
    private static final long CATCH_UP_RETRY_MILLIS = 100;
    /** Marks a data directory whose control member started joining and has not finished. */
    static final String JOINING_MARKER = "control-joining";
    /** How long a member that has joined waits for the log to name it, without a join limit. */
    private static final long JOINED_CATCH_UP_MILLIS = 60_000;

    private final ServerConfig config;
    private final String nodeId;
    private final Path dataDir;
    private final StorageEngine storage;
    private final MetadataStore metadata;
    private final Server grpc;
    private final Server peer;
    private final HttpPlane http;
    private final Coordinator coordinator;
    private final Components components;

    private CairnServer(ServerConfig config, String nodeId, Path dataDir, StorageEngine storage,
                        MetadataStore metadata, Server grpc, Server peer, HttpPlane http,
                        Coordinator coordinator, Components components) {
        this.config = config;
        this.nodeId = nodeId;
        this.dataDir = dataDir;
        this.storage = storage;
        this.metadata = metadata;
        this.grpc = grpc;
        this.peer = peer;
        this.http = http;
        this.coordinator = coordinator;
        this.components = components;
    }

    /** Starts a node on the system clock. */
    public static CairnServer start(ServerConfig config) {
        return start(config, System::currentTimeMillis);
    }

    /**
     * Starts a node whose wall clock is {@code wallMillis} (tests move time with it).
     *
     * @throws ConfigException if the data directory or the ports cannot be used, or the cluster
     *     cannot be joined, with the reason
     */
    public static CairnServer start(ServerConfig config, LongSupplier wallMillis) {
        return start(config, wallMillis, nodeId -> Tracing.start(config.tracing(), nodeId));
    }

    /**
     * Starts a node traced by what {@code tracing} makes for its node id (tests keep the spans in
     * memory with it).
     */
    static CairnServer start(ServerConfig config, LongSupplier wallMillis,
                             Function<String, Tracing> tracingFor) {
        config.validate();
        Path dataDir = Path.of(config.dataDir()).toAbsolutePath().normalize();
        String nodeId = nodeId(dataDir, config.nodeId());
        StorageOptions storageOptions = new StorageOptions(
                Durability.parse(config.storage().durability()),
                Duration.ofMillis(config.storage().syncIntervalMillis()),
                config.storage().writerShards(), StorageOptions.DEFAULTS.writeQueueItemsMax(),
                StorageOptions.DEFAULTS.writeGroupItemsMax(),
                config.storage().walBytesMax(),
                Duration.ofMillis(config.requests().idempotencyTtlMillis())
                        .plus(StorageOptions.IDEMPOTENCY_CLOCK_SLACK));
        Components components = new Components(nodeId);
        // Closed last: the spans of requests that finished while the node stopped are sent too.
        Tracing tracing = components.start("tracing", () -> tracingFor.apply(nodeId),
                Tracing::close);
        StorageEngine storage = components.start("storage", () -> {
            try {
                return StorageEngine.open(dataDir.resolve("storage"), storageOptions,
                        new VersionResolver());
            } catch (StorageException e) {
                throw new ConfigException(e.getMessage(), e);
            }
        }, StorageEngine::close);
        // Runs the node's periodic work; stopped first and last (see "background" below).
        ScheduledExecutorService maintenance = components.start("scheduler",
                () -> Executors.newScheduledThreadPool(2, r -> {
                    Thread thread = new Thread(r, "maintenance");
                    thread.setDaemon(true);
                    return thread;
                }), ScheduledExecutorService::shutdownNow);
        // Readings from a node whose clock runs further ahead than the bound are not adopted,
        // not even from what such a node stored here before a restart.
        long maxOffsetMillis = config.clock().maxOffsetMillis();
        HybridLogicalClock hlc = new HybridLogicalClock(Math.min(storage.data().hlcHighWater(),
                HybridLogicalClock.pack(wallMillis.getAsLong() + maxOffsetMillis, 0)),
                wallMillis, maxOffsetMillis);
        LocalReplica local = new LocalReplica(nodeId, storage.data(), tracing);
        AtomicReference<MetadataStore> metadataRef = new AtomicReference<>();
        Supplier<ClusterMetadata> view = () -> {
            MetadataStore store = metadataRef.get();
            return store == null ? ClusterMetadata.empty(config.cluster()) : store.current();
        };
        // Its JVM meters listen for GC notifications until closed; a restarted node makes new ones.
        NodeMetrics metrics = components.start("metrics", NodeMetrics::new, NodeMetrics::close);
        MembershipSettings membershipSettings = config.membership();
        PeerConnector peerConnector = new GrpcPeerConnector(nodeId, () -> {
            NodeInfo self = view.get().nodes().get(nodeId);
            return self == null ? null : self.host();
        }, config.requests().requestTimeoutMillis(), hlc, tracing, metrics.replicaCalls());
        Membership membership = components.start("membership", () -> new Membership(nodeId,
                local, hlc, wallMillis, membershipSettings.heartbeatIntervalMillis(),
                maxOffsetMillis, view, version -> {
                    if (metadataRef.get() instanceof RemoteMetadataStore remote) {
                        remote.behind(version);
                    }
                }, peerConnector), Membership::close);
        HintedHandoff hints = new HintedHandoff(storage.hints(), membership, hlc, wallMillis,
                config.requests().hintWindowMillis(), config.requests().hintsPerNodeMax());
        NodeStats stats = new NodeStats() {
            @Override
            public long keysCount() {
                return storage.data().liveKeys();
            }

            @Override
            public float diskUsagePercent() {
                return diskUsage(dataDir);
            }

            @Override
            public long hintsPending() {
                return hints.pendingTotal();
            }
        };
        // Both servers run their handlers on the transport (event-loop) threads: every handler
        // is asynchronous (storage writes go to the writer shards, reads touch only local
        // memory and disk, metadata and replica calls return futures), so handing each call
        // to a pooled thread would cost two thread wake-ups and buy nothing. One connection's
        // calls are then handled by one thread; clients wanting more spread open more.
        // Migration sources read ranges off the transport threads, a few at a time.
        ExecutorService rangeReaders = components.start("range readers",
                () -> Executors.newFixedThreadPool(ServerLimits.MIGRATION_RANGE_READERS,
                        runnable -> {
                            Thread thread = new Thread(runnable, "range-reader-" + nodeId);
                            thread.setDaemon(true);
                            return thread;
                        }), ExecutorService::shutdownNow);
        Server peer = components.start("peer server", () -> listen(config.host(),
                config.peerPort(), "peers", NettyServerBuilder.forAddress(
                                new InetSocketAddress(config.host(), config.peerPort()))
                        .maxInboundMessageSize(ServerLimits.MESSAGE_BYTES_MAX)
                        .directExecutor()
                        .addService(tracing.serve(new PeerGrpcService(nodeId, local, hlc,
                                wallMillis,
                                () -> view.get().version(), membership::heartbeatFrom,
                                () -> StatsResponse.newBuilder().setNodeId(nodeId)
                                        .setKeysCount(stats.keysCount())
                                        .setDiskUsagePercent(stats.diskUsagePercent())
                                        .setHintsPending(stats.hintsPending()).build(),
                                new RangeService(storage.ranges(), rangeReaders,
                                        wallMillis), tracing), true))
                        .build()), CairnServer::stop);
        // Client services are added once the metadata exists; the port is bound first
        // because joining a cluster announces it.
        ClientServices clientServices = new ClientServices(nodeId);
        Server grpc = components.start("client port", () -> listen(config.host(),
                config.port(), "clients", NettyServerBuilder.forAddress(
                                new InetSocketAddress(config.host(), config.port()))
                        .maxInboundMessageSize(ServerLimits.MESSAGE_BYTES_MAX)
                        .directExecutor()
                        .fallbackHandlerRegistry(clientServices)
                        .addService(ProtoReflectionServiceV1.newInstance())
                        .build()), CairnServer::stop);
        MetadataStore metadata = components.start("metadata", () -> config.roles()
                .contains("control")
                ? startControlMember(config, nodeId, dataDir, grpc.getPort(), peer.getPort(),
                        maintenance, wallMillis)
                : RemoteMetadataStore.join(config.join(), JoinRequest.newBuilder()
                                .setProtocolVersion(PeerCodec.PROTOCOL_VERSION)
                                .setNodeId(nodeId).setHost(config.host())
                                .setPort(grpc.getPort()).setPeerPort(peer.getPort())
                                .setVirtualNodes(config.cluster().virtualNodesDefault())
                                .setWaitForOperator(membershipSettings.waitForOperator()).build(),
                        storage.metadata(), maintenance,
                        config.requests().requestTimeoutMillis(),
                        membershipSettings.joinTimeoutMillis()), MetadataStore::close);
        metadataRef.set(metadata);
        metrics.watch(storage, hints, metadata, membership);
        ClusterRouter router = new ClusterRouter(membership, hints);
        Coordinator coordinator = new Coordinator(metadata, router,
                new Validation(config.limits()), hlc, wallMillis, config.requests(), stats,
                tracing);
        metrics.watchReadRepairs(coordinator, Coordinator::readRepairsSent);
        MigrationRunner migrations = components.start("migrations", () -> new MigrationRunner(
                nodeId, metadata, storage.data(), storage.metadata(), storage.ranges(),
                membership::fetchRange, membership::isAlive, membership::viewVersions,
                config.migration(), wallMillis, config.requests().requestTimeoutMillis()),
                MigrationRunner::close);
        ClusterAdministration administration = new ClusterAdministration(metadata, router,
                wallMillis, stats, config.migration().streamBytesPerSecond());
        AdminGrpcService admin = new AdminGrpcService(metadata, membership,
                migrations::cleanupNow);
        ClusterEvents clusterEvents = new ClusterEvents(metadata, membership::isAlive,
                wallMillis);
        membership.addVerdictListener(clusterEvents::verdict);
        HttpPlane http = components.start("http", () -> HttpPlane.start(config.host(),
                config.httpPort(), config.http().socketSendBufferBytes(), nodeId,
                new Readiness(nodeId, metadata, membership,
                        components::notRunning, Math.min(ServerLimits.PROBE_TIMEOUT_MILLIS_MAX,
                        config.requests().requestTimeoutMillis())),
                new RestApi(coordinator, administration, admin, config.limits(),
                        clusterEvents, tracing), metrics), HttpPlane::close);
        // Closed before the HTTP plane: while client calls drain, readiness already says no.
        components.run("client services", () -> {
            clientServices.add(tracing.serve(ServerInterceptors.intercept(
                    new CoordinatorGrpcService(coordinator, administration),
                    new GrpcRequestMetrics(metrics.requests())), false));
            clientServices.add(new ControlGrpcService(metadata));
            clientServices.add(admin);
            clientServices.serving();
        }, () -> stop(grpc));
        // Periodic work stops before anything it calls is closed.
        components.run("background", () -> {
            membership.start(maintenance);
            hints.start(maintenance, membershipSettings.hintDeliveryIntervalMillis());
            hints.route(hintRouting(metadata));
            migrations.start(maintenance);
        }, maintenance::shutdownNow);
        components.running();
        CairnServer server = new CairnServer(config, nodeId, dataDir, storage, metadata, grpc,
                peer, http, coordinator, components);
        LOG.info("node {} serving clients on {}:{} and peers on {}:{}, data in {}, "
                + "durability {}{}{}", nodeId, config.host(), server.port(), config.host(),
                peer.getPort(), dataDir, config.storage().durability(),
                config.join().isBlank() ? "" : ", joined through " + config.join(),
                config.tracing().enabled() ? ", traces to " + config.tracing().otlpEndpoint()
                        : "");
        return server;
    }

    /**
     * Hints follow the data: a hint kept for a node that no longer holds the key's range goes to
     * the key's owners now (and pending replicas, while a migration runs).
     */
    private static HintRouting hintRouting(MetadataStore metadata) {
        return new HintRouting() {
            @Override
            public List<String> targets(String node, Mutation mutation) {
                ClusterMetadata view = metadata.current();
                TenantInfo tenant = view.tenant(mutation.tenantId());
                if (tenant == null) {
                    return List.of(node);
                }
                Placement.Replicas replicas = view.placement().replicas(tenant.tenantId(),
                        tenant.replicationFactor(), mutation.token());
                if (replicas.natural().contains(node) || replicas.pending().contains(node)
                        || replicas.natural().isEmpty()) {
                    return List.of(node);
                }
                return replicas.writeTargets();
            }

            @Override
            public boolean gone(String node) {
                NodeInfo info = metadata.current().nodes().get(node);
                return info != null && NodeInfo.INACTIVE.equals(info.status());
            }
        };
    }

    /**
     * Starts this node's member of the control group. Without a join address it founds a group
     * of one; with one it learns the members, starts as a joiner and asks to be added. A member
     * that has a Raft log already resumes the group its log records.
     */
    private static MetadataStore startControlMember(ServerConfig config, String nodeId,
                                                    Path dataDir, int port, int peerPort,
                                                    ScheduledExecutorService scheduler,
                                                    LongSupplier wallMillis) {
        Path raftDir = dataDir.resolve("raft");
        // Written before a joiner starts its Raft storage and removed once it has joined: a node
        // killed in between has storage but no group yet, and must ask to join again rather than
        // resume a group that never named it.
        Path joining = dataDir.resolve(JOINING_MARKER);
        boolean resuming;
        try (var entries = Files.exists(raftDir) ? Files.list(raftDir) : java.util.stream.Stream
                .<Path>empty()) {
            resuming = entries.findAny().isPresent() && !Files.exists(joining);
        } catch (IOException e) {
            throw new ConfigException("cannot read " + raftDir + ": " + e.getMessage(), e);
        }
        long timeoutMillis = config.requests().requestTimeoutMillis();
        long joinTimeoutMillis = config.membership().joinTimeoutMillis();
        boolean founding = config.join().isBlank();
        // A port 0 is resolved by the store, which keeps the one it picked for later starts.
        int raftPort = config.raftPort();
        Map<String, String> members;
        if (founding || resuming) {
            // A resuming member's group comes from its log; itself is enough to find the leader.
            members = Map.of(nodeId, config.host() + ":" + raftPort);
        } else {
            members = ClusterJoin.controlMembers(config.join(), timeoutMillis, joinTimeoutMillis);
            try {
                Files.writeString(joining, "joining through " + config.join() + "\n");
            } catch (IOException e) {
                throw new ConfigException("cannot write " + joining + ": " + e.getMessage(), e);
            }
        }
        RaftMetadataStore raft;
        try {
            raft = RaftMetadataStore.start(RaftSettings.of(nodeId, config.host(),
                            raftPort, raftDir, members)
                    .withClusterConfig(config.cluster())
                    .withRequestTimeout(Duration.ofMillis(timeoutMillis))
                    .withSnapshots(config.control().snapshotThresholdEntries(),
                            RaftSettings.LOG_SEGMENT_SIZE_BYTES_MAX_DEFAULT)
                    .withElectionTimeout(
                            Duration.ofMillis(config.control().electionTimeoutMinMillis()),
                            Duration.ofMillis(config.control().electionTimeoutMaxMillis())),
                    wallMillis);
        } catch (IOException e) {
            throw new ConfigException("cannot start the control group member on "
                    + config.host() + ":" + config.raftPort() + ": " + e.getMessage(), e);
        }
        MetadataCommand.RegisterNode self = new MetadataCommand.RegisterNode(nodeId,
                config.host(), port, peerPort, config.cluster().virtualNodesDefault(),
                raft.address());
        try {
            if (resuming) {
                catchUp(raft, timeoutMillis);
                // After a full restart no majority may be up yet: serve with the view the log
                // recovered, and record this node's current address once a majority answers.
                registerInBackground(raft, self, scheduler);
            } else if (founding) {
                register(raft, self);
            } else {
                ClusterJoin.join(config.join(), JoinRequest.newBuilder()
                        .setProtocolVersion(PeerCodec.PROTOCOL_VERSION)
                        .setNodeId(nodeId).setHost(config.host()).setPort(port)
                        .setPeerPort(peerPort)
                        .setVirtualNodes(config.cluster().virtualNodesDefault())
                        .setWaitForOperator(config.membership().waitForOperator())
                        .setRaftAddress(raft.address()).build(), timeoutMillis, joinTimeoutMillis);
                // Joined: the member is in the group, so the log reaches it soon.
                long catchUpMillis = joinTimeoutMillis > 0 ? joinTimeoutMillis
                        : JOINED_CATCH_UP_MILLIS;
                raft.awaitVersion(raft.status().commitIndex(),
                        Duration.ofMillis(catchUpMillis)).join();
                CompletableFuture<Void> registered = new CompletableFuture<>();
                raft.addListener(state -> {
                    if (!registered.isDone() && state.nodes().containsKey(nodeId)) {
                        registered.complete(null);
                    }
                });
                if (raft.current().nodes().containsKey(nodeId)) {
                    registered.complete(null);
                }
                try {
                    registered.get(catchUpMillis, TimeUnit.MILLISECONDS);
                } catch (TimeoutException | ExecutionException e) {
                    throw new ConfigException("joined through " + config.join()
                            + " but this node's registration did not arrive within "
                            + catchUpMillis + " ms");
                }
                try {
                    Files.deleteIfExists(joining);
                } catch (IOException e) {
                    throw new ConfigException("cannot remove " + joining + ": " + e.getMessage(),
                            e);
                }
            }
            return raft;
        } catch (RuntimeException e) {
            raft.close();
            throw e instanceof java.util.concurrent.CompletionException
                    && e.getCause() instanceof RuntimeException cause ? cause : e;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            raft.close();
            throw new ConfigException("interrupted while joining the control group");
        }
    }

    /**
     * After a restart a member applies its log again in the background, and the last entries it
     * holds may only be known as committed once its group has a leader again. Until then its
     * view can be older than the one it served before: a tenant created just before a crash would
     * read as missing. This waits, up to {@code timeoutMillis}, until the group confirms that the
     * member has applied everything committed. Without a majority up (a full restart, nodes
     * coming back one by one) it serves the view recovered so far and says so.
     */
    private static void catchUp(MetadataStore raft, long timeoutMillis)
            throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
        String reason = "no answer";
        while (System.nanoTime() < deadline) {
            long leftMillis = Math.max(1, TimeUnit.NANOSECONDS.toMillis(
                    deadline - System.nanoTime()));
            try {
                raft.readLinearizable().get(leftMillis, TimeUnit.MILLISECONDS);
                return;
            } catch (ExecutionException e) {
                // Refused at once until the group has elected a leader: ask again shortly.
                Throwable cause = Failures.cause(e);
                reason = cause.getMessage() == null ? cause.toString() : cause.getMessage();
                Thread.sleep(CATCH_UP_RETRY_MILLIS);
            } catch (TimeoutException e) {
                break;
            }
        }
        LOG.warn("the control group did not confirm this node's metadata within {} ms ({});"
                + " serving with the metadata recovered from the log (version {}) meanwhile",
                timeoutMillis, reason, raft.current().version());
    }

    private static Server listen(String host, int port, String what, Server server) {
        try {
            return server.start();
        } catch (IOException e) {
            throw new ConfigException("cannot listen for " + what + " on " + host + ":" + port
                    + ": " + e.getMessage() + (port != 0 ? " (is another process using the "
                    + "port? 0 picks a free one)" : ""), e);
        }
    }

    private static void stop(Server server) {
        server.shutdown();
        try {
            if (!server.awaitTermination(5, TimeUnit.SECONDS)) {
                server.shutdownNow();
                server.awaitTermination(5, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            server.shutdownNow();
        }
    }

    private static void register(MetadataStore metadata, MetadataCommand.RegisterNode self) {
        if (self.isRecordedIn(metadata.current().nodes().get(self.nodeId()))) {
            return;
        }
        CompletableFuture<?> done = metadata.submit(self).thenAccept(applied -> {
            if (!applied.ok()) {
                throw new ConfigException("cannot register node " + self.nodeId() + ": "
                        + applied.error().getMessage());
            }
        });
        done.join();
    }

    private static void registerInBackground(MetadataStore metadata,
                                             MetadataCommand.RegisterNode self,
                                             ScheduledExecutorService scheduler) {
        Runnable attempt = new Runnable() {
            @Override
            public void run() {
                if (self.isRecordedIn(metadata.current().nodes().get(self.nodeId()))) {
                    return;
                }
                Runnable retry = this;
                metadata.submit(self).whenComplete((applied, error) -> {
                    if (error != null || !applied.ok()) {
                        LOG.info("address of node {} not recorded yet ({}); retrying",
                                self.nodeId(), error != null ? Quietly.message(error)
                                        : applied.error().getMessage());
                        try {
                            scheduler.schedule(retry, 1, TimeUnit.SECONDS);
                        } catch (java.util.concurrent.RejectedExecutionException e) {
                            // The node is stopping.
                        }
                    }
                });
            }
        };
        scheduler.execute(attempt);
    }

    /** Messages of failures for log lines. */
    private static final class Quietly {
        static String message(Throwable error) {
            Throwable cause = error.getCause() != null ? error.getCause() : error;
            return String.valueOf(cause.getMessage());
        }
    }

    /** The node id kept in the data directory, created on first start. */
    private static String nodeId(Path dataDir, String configured) {
        Path file = dataDir.resolve("node-id");
        if (!configured.isEmpty() && !Validation.NODE_ID.matcher(configured).matches()) {
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

    /** The peer gRPC port actually bound. */
    public int peerPort() {
        return peer.getPort();
    }

    /** The HTTP port actually bound (health endpoints). */
    public int httpPort() {
        return http.port();
    }

    /** The REST routes this node serves, as "METHOD /path/{param}". */
    public List<String> restRoutes() {
        return http.restRoutes();
    }

    /** Writes this node stamped again because a replica held a version they had not seen. */
    long restampedWrites() {
        return coordinator.restampedCount();
    }

    /** This node's coordinator, for tests that call it on a thread of their own. */
    Coordinator coordinator() {
        return coordinator;
    }

    /** The metadata this node follows. */
    public MetadataStore metadata() {
        return metadata;
    }

    /** Each of this node's components and where it is in its lifecycle, in start order. */
    public Map<String, Components.State> components() {
        return components.states();
    }

    /** Closes the node's components, newest first; readiness turns false before any stops. */
    @Override
    public void close() {
        components.close();
        LOG.info("node {} stopped", nodeId);
    }
}
