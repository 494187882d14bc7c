package io.cairndb.server.control.raft;

import io.cairndb.core.Backoff;
import io.cairndb.core.CairnException;
import io.cairndb.core.ControlGroup;
import io.cairndb.core.ErrorCode;
import io.cairndb.core.Failures;
import io.cairndb.core.HybridLogicalClock;
import io.cairndb.server.control.AuditEvent;
import io.cairndb.server.control.ClusterMetadata;
import io.cairndb.server.control.MetadataCodec;
import io.cairndb.server.control.MetadataCommand;
import io.cairndb.server.control.MetadataEntry;
import io.cairndb.server.control.MetadataStateMachine;
import io.cairndb.server.control.MetadataStore;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.io.UncheckedIOException;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import java.util.function.LongSupplier;
import org.apache.ratis.client.RaftClient;
import org.apache.ratis.client.RaftClientConfigKeys;
import org.apache.ratis.client.retry.RequestTypeDependentRetryPolicy;
import org.apache.ratis.conf.RaftProperties;
import org.apache.ratis.grpc.GrpcConfigKeys;
import org.apache.ratis.proto.RaftProtos.RaftClientRequestProto;
import org.apache.ratis.proto.RaftProtos.RaftPeerRole;
import org.apache.ratis.protocol.ClientId;
import org.apache.ratis.protocol.Message;
import org.apache.ratis.protocol.RaftClientReply;
import org.apache.ratis.protocol.RaftGroup;
import org.apache.ratis.protocol.RaftGroupId;
import org.apache.ratis.protocol.RaftPeer;
import org.apache.ratis.protocol.RaftPeerId;
import org.apache.ratis.protocol.SetConfigurationRequest;
import org.apache.ratis.protocol.exceptions.SetConfigurationException;
import org.apache.ratis.protocol.exceptions.StateMachineException;
import org.apache.ratis.retry.RetryPolicies;
import org.apache.ratis.retry.RetryPolicy;
import org.apache.ratis.server.DivisionInfo;
import org.apache.ratis.server.RaftServer;
import org.apache.ratis.server.RaftServerConfigKeys;
import org.apache.ratis.server.storage.RaftStorage;
import org.apache.ratis.thirdparty.com.google.protobuf.UnsafeByteOperations;
import org.apache.ratis.util.SizeInBytes;
import org.apache.ratis.util.TimeDuration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The cluster metadata replicated by Raft (Apache Ratis) across the control members. Each member
 * runs a Ratis server holding the log and a {@link MetadataRaftStateMachine}, and a Ratis client
 * through which it submits commands: the client sends to the member it believes leads, and a
 * follower answers with NotLeader and the leader's id, which the client follows, so a command
 * submitted on any member reaches the leader without the caller knowing who that is.
 *
 * <p>Commands are applied only once committed, on every member, in log order; the state's version
 * is the log index of the last command applied. {@link #submit} completes once the command is
 * committed and applied on the leader and (within the request timeout) on this member, so this
 * member's {@link #current()} already shows it. Reads are local ({@link #current()}),
 * linearizable ({@link #readLinearizable()}, Raft ReadIndex), or follower reads behind a version
 * token ({@link #awaitVersion}).
 *
 * <p>Lifecycle: {@link #start} returns a running store; {@link #close} stops the client and the
 * server and fails every call made after it.
 */
public final class RaftMetadataStore implements MetadataStore {

    private static final Logger LOG = LoggerFactory.getLogger(RaftMetadataStore.class);

    /** The control group. Fixed, so that a restarted member finds its group's storage. */
    static final RaftGroupId GROUP_ID = RaftGroupId.valueOf(
            UUID.nameUUIDFromBytes("io.cairndb.control".getBytes(StandardCharsets.UTF_8)));

    private static final int CALLBACK_THREADS = 2;
    private static final int CALLBACKS_QUEUED_MAX = 10_000;
    /** How long the client waits before it retries a request that found no ready leader. */
    private static final Duration RETRY_SLEEP = Duration.ofMillis(100);
    /** How long a start waits for its Raft port to be free before giving up. */
    static final Duration PORT_WAIT = Duration.ofSeconds(5);
    /** How often a start waiting for its Raft port tries it again. */
    private static final Duration PORT_POLL = Duration.ofMillis(100);
    /** Snapshots kept on disk: the newest, and the one before in case the newest is bad. */
    private static final int SNAPSHOTS_RETAINED = 2;
    /** Ratis preallocates this much of each new log segment, at most a segment. */
    private static final long LOG_PREALLOCATED_BYTES_MAX = 4L * 1024 * 1024;
    /**
     * A membership change first brings new members up to date, so it gets this many request
     * timeouts.
     */
    private static final int MEMBERSHIP_TIMEOUT_FACTOR = 3;

    /** Waits before a membership change is applied again to a group that changed under it. */
    private static final Backoff MEMBERSHIP_RETRY =
            new Backoff(Duration.ofMillis(50), Duration.ofSeconds(1));

    /** The first election after start waits this many times less than later ones. */
    private static final int FIRST_ELECTION_DIVISOR = 4;

    private enum Lifecycle { RUNNING, CLOSING, CLOSED }

    private final RaftSettings settings;
    /** The members named at start, this one's port resolved. */
    private final Map<String, String> initialMembers;
    private final RaftPeerId selfId;
    private final String address;
    private final int port;
    private final RaftServer server;
    // The client follows the group as this member knows it: a client built for an older group
    // could know no member that is alive, nor the current leader.
    private volatile RaftClient client;
    private volatile java.util.Set<RaftPeer> clientPeers = java.util.Set.of();
    private final java.util.List<RaftClient> retiredClients =
            new java.util.concurrent.CopyOnWriteArrayList<>();
    private final MetadataRaftStateMachine stateMachine;
    private final ExecutorService admin;
    /** Runs callers' continuations, so that none runs on a Ratis thread and stalls the log. */
    private final ExecutorService callbacks;
    private final AtomicReference<Lifecycle> lifecycle = new AtomicReference<>(Lifecycle.RUNNING);
    /** Spreads out the retries of membership changes that conflicted. */
    private final java.util.Random random = new java.util.Random();
    /** Stamps the commands this member proposes. */
    private final HybridLogicalClock hlc = new HybridLogicalClock();
    /** The wall clock that stamps proposed entries (tests move it; the node passes its own). */
    private final LongSupplier wallMillis;

    private RaftMetadataStore(RaftSettings settings, Map<String, String> initialMembers,
                              String address, int port, RaftServer server, RaftClient client,
                              MetadataRaftStateMachine stateMachine, LongSupplier wallMillis) {
        this.settings = settings;
        this.wallMillis = wallMillis;
        this.initialMembers = Map.copyOf(initialMembers);
        this.selfId = RaftPeerId.valueOf(settings.memberId());
        this.address = address;
        this.port = port;
        this.server = server;
        this.client = client;
        this.stateMachine = stateMachine;
        this.admin = Executors.newSingleThreadExecutor(
                daemonThreads("cairn-control-admin-" + settings.memberId()));
        // Past the queue bound the completing thread runs the continuation itself: slower Raft
        // under overload rather than lost answers.
        this.callbacks = new ThreadPoolExecutor(CALLBACK_THREADS, CALLBACK_THREADS, 0,
                TimeUnit.MILLISECONDS, new ArrayBlockingQueue<>(CALLBACKS_QUEUED_MAX),
                daemonThreads("cairn-control-callback-" + settings.memberId()),
                new ThreadPoolExecutor.CallerRunsPolicy());
    }

    private static ThreadFactory daemonThreads(String name) {
        AtomicInteger count = new AtomicInteger();
        return runnable -> {
            Thread thread = new Thread(runnable, name + "-" + count.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        };
    }

    /** The caller's view of {@code future}: completed on a callback thread, unwrapped. */
    private <T> CompletableFuture<T> handOff(CompletableFuture<T> future) {
        CompletableFuture<T> result = new CompletableFuture<>();
        future.whenComplete((value, failure) -> {
            Runnable complete = () -> {
                if (failure != null) {
                    result.completeExceptionally(Failures.cause(failure));
                } else {
                    result.complete(value);
                }
            };
            try {
                callbacks.execute(complete);
            } catch (RejectedExecutionException e) {
                complete.run();
            }
        });
        return result;
    }

    /**
     * Starts this member: opens (or creates) its storage, replays its snapshot and log, joins the
     * group and starts serving Raft on {@link #port()}. Returns before a leader is known; calls
     * made meanwhile wait for one within the request timeout.
     */
    public static RaftMetadataStore start(RaftSettings settings) throws IOException {
        return start(settings, System::currentTimeMillis);
    }

    /** Starts this member, stamping what it proposes with {@code wallMillis}. */
    public static RaftMetadataStore start(RaftSettings settings, LongSupplier wallMillis)
            throws IOException {
        // The group knows a member by its address, so a port picked at random on the first start
        // is kept for every later one.
        Path addressFile = addressFile(settings.storageDir());
        int port = settings.port();
        if (port == 0 && Files.exists(addressFile)) {
            port = storedPort(addressFile);
        }
        if (port == 0) {
            port = freePort(settings.host());
        } else {
            awaitPortFree(settings.host(), port);
        }
        String address = settings.host() + ":" + port;
        Map<String, String> members = new LinkedHashMap<>(settings.members());
        String own = members.get(settings.memberId());
        if (own != null && RaftSettings.parsePort(settings.memberId(), own) == 0) {
            members.put(settings.memberId(), address);
        } else if (own != null) {
            address = own;
        }
        RaftGroup group = RaftGroup.valueOf(GROUP_ID, toPeers(members));
        Files.createDirectories(settings.storageDir());
        MetadataRaftStateMachine stateMachine =
                new MetadataRaftStateMachine(settings.clusterConfig());
        // A joiner starts with no configuration at all: it neither votes nor stands until the
        // leader sends it the group that names it.
        RaftServer server = RaftServer.newBuilder()
                .setServerId(RaftPeerId.valueOf(settings.memberId()))
                .setGroup(own != null ? group : RaftGroup.valueOf(GROUP_ID))
                .setProperties(serverProperties(settings, port))
                .setStateMachine(stateMachine)
                .setOption(RaftStorage.StartupOption.RECOVER)
                .build();
        RaftClient client = null;
        try {
            server.start();
            Files.writeString(addressFile, address + "\n", StandardCharsets.UTF_8);
            client = newClient(settings, group, own != null);
            RaftMetadataStore store = new RaftMetadataStore(settings, members, address, port,
                    server, client, stateMachine, wallMillis);
            LOG.info("control member {} started on {} (storage {}, group {}{})",
                    settings.memberId(), address, settings.storageDir(), members.keySet(),
                    own == null ? ", joining" : "");
            return store;
        } catch (IOException | RuntimeException e) {
            closeQuietly(client);
            closeQuietly(server);
            throw e;
        }
    }

    private static RaftProperties serverProperties(RaftSettings settings, int port) {
        RaftProperties properties = new RaftProperties();
        RaftServerConfigKeys.setStorageDir(properties, List.of(settings.storageDir().toFile()));
        GrpcConfigKeys.Server.setHost(properties, settings.host());
        GrpcConfigKeys.Server.setPort(properties, port);
        RaftServerConfigKeys.Rpc.setTimeoutMin(properties, millis(settings.electionTimeoutMin()));
        RaftServerConfigKeys.Rpc.setTimeoutMax(properties, millis(settings.electionTimeoutMax()));
        // Right after start nobody leads yet, so there is no leader to wait for: the first
        // election comes sooner. A member restarting into a live group loses nothing by it, as
        // its pre-vote fails while the others hear from their leader.
        RaftServerConfigKeys.Rpc.setFirstElectionTimeoutMin(properties,
                millis(settings.electionTimeoutMin().dividedBy(FIRST_ELECTION_DIVISOR)));
        RaftServerConfigKeys.Rpc.setFirstElectionTimeoutMax(properties,
                millis(settings.electionTimeoutMax().dividedBy(FIRST_ELECTION_DIVISOR)));
        // Reads confirm leadership with a majority (ReadIndex) on whichever member serves them.
        RaftServerConfigKeys.Read.setOption(properties,
                RaftServerConfigKeys.Read.Option.LINEARIZABLE);
        RaftServerConfigKeys.Read.setTimeout(properties, millis(settings.requestTimeout()));
        long threshold = settings.snapshotThresholdEntries();
        RaftServerConfigKeys.Snapshot.setAutoTriggerEnabled(properties, true);
        RaftServerConfigKeys.Snapshot.setAutoTriggerThreshold(properties, threshold);
        RaftServerConfigKeys.Snapshot.setCreationGap(properties, threshold);
        RaftServerConfigKeys.Snapshot.setRetentionFileNum(properties, SNAPSHOTS_RETAINED);
        RaftServerConfigKeys.Log.setPurgeUptoSnapshotIndex(properties, true);
        RaftServerConfigKeys.Log.setPurgeGap(properties,
                (int) Math.min(threshold, Integer.MAX_VALUE));
        RaftServerConfigKeys.Log.setSegmentSizeMax(properties,
                SizeInBytes.valueOf(settings.logSegmentSizeBytesMax()));
        RaftServerConfigKeys.Log.setPreallocatedSize(properties, SizeInBytes.valueOf(
                Math.min(LOG_PREALLOCATED_BYTES_MAX, settings.logSegmentSizeBytesMax())));
        // Growing from one member to three adds a majority at once; Ratis first brings the new
        // members up to date, so the change is safe.
        RaftServerConfigKeys.LeaderElection.setMemberMajorityAdd(properties, true);
        return properties;
    }

    private static RaftClient newClient(RaftSettings settings, RaftGroup group,
                                        boolean selfInGroup) {
        RaftProperties properties = new RaftProperties();
        RaftClientConfigKeys.Rpc.setRequestTimeout(properties, millis(settings.requestTimeout()));
        // A request is retried (through NotLeader redirects, elections and unreachable members)
        // until the request timeout since its first attempt, then it fails: it never outlives
        // the caller's deadline, which is enforced separately as well.
        RetryPolicy retry = timeBoundRetry(settings.requestTimeout());
        RaftClient.Builder builder = RaftClient.newBuilder()
                .setClientId(ClientId.randomId())
                .setProperties(properties)
                .setRaftGroup(group)
                .setRetryPolicy(retry);
        if (selfInGroup) {
            // Ask this member first; if it does not lead, its answer names who does.
            builder.setLeaderId(RaftPeerId.valueOf(settings.memberId()));
        }
        return builder.build();
    }

    private static RetryPolicy timeBoundRetry(Duration timeout) {
        RetryPolicy untilTimeout = RetryPolicies.retryForeverWithSleep(millis(RETRY_SLEEP));
        RequestTypeDependentRetryPolicy.Builder builder =
                RequestTypeDependentRetryPolicy.newBuilder();
        for (RaftClientRequestProto.TypeCase type : List.of(
                RaftClientRequestProto.TypeCase.WRITE, RaftClientRequestProto.TypeCase.READ)) {
            builder.setRetryPolicy(type, untilTimeout).setTimeout(type, millis(timeout));
        }
        return builder.build();
    }

    /** This member's id. */
    public String memberId() {
        return settings.memberId();
    }

    /** The port the Raft service listens on (the chosen one when the settings gave 0). */
    public int port() {
        return port;
    }

    /** The {@code host:port} this member is known by in the group. */
    public String address() {
        return address;
    }

    @Override
    public long leaderChanges() {
        return stateMachine.leaderChanges();
    }

    @Override
    public ClusterMetadata current() {
        return stateMachine.current();
    }

    /**
     * {@inheritDoc}
     *
     * <p>Listeners run on the thread that applies the log, after each command that changed the
     * state and after a snapshot replaced it: they must be quick and must never wait for this
     * store (a listener that waits for a submit waits for itself).
     */
    @Override
    public void addListener(Consumer<ClusterMetadata> listener) {
        stateMachine.addListener(Objects.requireNonNull(listener, "listener"));
    }

    /**
     * Sends {@code command} to the leader (through whichever member this one reaches first) and
     * completes with the state right after it. Fails with QUORUM_NOT_REACHED when no majority
     * commits it within the request timeout; the command may still be committed later, when a
     * majority is back.
     */
    @Override
    public CompletableFuture<MetadataStateMachine.Applied> submit(MetadataCommand command) {
        Objects.requireNonNull(command, "command");
        if (lifecycle.get() != Lifecycle.RUNNING) {
            return CompletableFuture.failedFuture(closedError());
        }
        long startNanos = System.nanoTime();
        Message message = Message.valueOf(
                UnsafeByteOperations.unsafeWrap(MetadataCodec.encodeEntry(stamp(command))));
        CompletableFuture<RaftClientReply> sent;
        try {
            sent = client().async().send(message);
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(writeFailure(e));
        }
        // copy(): the deadline ends our wait without completing Ratis's own future, which its
        // ordered request window still tracks.
        return handOff(sent.copy()
                .orTimeout(settings.requestTimeout().toMillis(), TimeUnit.MILLISECONDS)
                .handle((reply, failure) -> {
                    if (failure != null) {
                        retireClient();
                        throw new CompletionException(writeFailure(failure));
                    }
                    if (!reply.isSuccess()) {
                        retireClient();
                        throw new CompletionException(writeFailure(reply.getException()));
                    }
                    return CommandReply.decode(reply.getMessage().getContent().toByteArray());
                })
                .thenCompose(reply -> appliedHere(reply, startNanos)));
    }

    /**
     * The command as a log entry stamped by this member, the proposer: its clocks are read here,
     * once, so that every member applying the entry records the same times. The clock first
     * catches up with the newest entry this member has applied, so a change never reads earlier
     * than one it could have seen.
     */
    private MetadataEntry stamp(MetadataCommand command) {
        List<AuditEvent> events = stateMachine.current().auditEvents();
        if (!events.isEmpty()) {
            hlc.observe(events.get(events.size() - 1).hlc());
        }
        long atMillis = wallMillis.getAsLong();
        return new MetadataEntry(command, hlc.now(atMillis), atMillis, settings.memberId());
    }

    // The leader has applied the command. Wait (within what is left of the deadline) until this
    // member has too, so that current() here already shows it; if it lags, answer with the state
    // the leader sent.
    private CompletableFuture<MetadataStateMachine.Applied> appliedHere(CommandReply reply,
                                                                        long startNanos) {
        long remainingMillis = remainingMillis(startNanos);
        CompletableFuture<Void> applied = stateMachine.awaitApplied(reply.logIndex())
                .orTimeout(remainingMillis, TimeUnit.MILLISECONDS);
        return applied.handle((ignored, failure) -> {
            ClusterMetadata state = failure == null ? stateMachine.stateAt(reply.logIndex())
                    : null;
            if (state == null && reply.hasState()) {
                state = MetadataCodec.decodeState(reply.state());
            }
            if (state == null && failure == null) {
                // Applied here, but the state at that index was since replaced by a snapshot:
                // the newer state holds the command's effect too.
                state = stateMachine.current();
            }
            if (state == null) {
                throw new CompletionException(new CairnException(ErrorCode.INTERNAL_ERROR,
                        "metadata command was committed at log index " + reply.logIndex()
                        + " but control member '" + settings.memberId()
                        + "' has not applied it within "
                        + settings.requestTimeout().toMillis() + " ms"));
            }
            return new MetadataStateMachine.Applied(state, reply.error());
        });
    }

    /**
     * Confirms through Raft ReadIndex, served by this member when it is in the group, that it has
     * applied every command committed before the call, then returns its state.
     */
    @Override
    public CompletableFuture<ClusterMetadata> readLinearizable() {
        if (lifecycle.get() != Lifecycle.RUNNING) {
            return CompletableFuture.failedFuture(closedError());
        }
        long startNanos = System.nanoTime();
        RaftPeerId target = inGroup() ? selfId : null;
        CompletableFuture<RaftClientReply> sent;
        try {
            // Unordered: a read waits for no earlier request of this client, only for ReadIndex.
            sent = client().async().sendReadOnlyUnordered(Message.EMPTY, target);
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(readFailure(e));
        }
        return handOff(sent.copy()
                .orTimeout(settings.requestTimeout().toMillis(), TimeUnit.MILLISECONDS)
                .handle((reply, failure) -> {
                    if (failure != null) {
                        retireClient();
                        throw new CompletionException(readFailure(failure));
                    }
                    if (!reply.isSuccess()) {
                        retireClient();
                        throw new CompletionException(readFailure(reply.getException()));
                    }
                    return MetadataRaftStateMachine.decodeQueryReply(reply.getMessage());
                })
                // When a member other than this one answered, this one may still lag behind it.
                .thenCompose(index -> stateMachine.awaitApplied(index)
                        .orTimeout(remainingMillis(startNanos), TimeUnit.MILLISECONDS)
                        .handle((ignored, failure) -> {
                            if (failure != null) {
                                throw new CompletionException(readFailure(failure));
                            }
                            return stateMachine.current();
                        })));
    }

    /** Waits, on this member alone, until it has applied log index {@code version}. */
    @Override
    public CompletableFuture<ClusterMetadata> awaitVersion(long version, Duration timeout) {
        Objects.requireNonNull(timeout, "timeout");
        if (lifecycle.get() != Lifecycle.RUNNING) {
            return CompletableFuture.failedFuture(closedError());
        }
        return handOff(stateMachine.awaitApplied(version)
                .orTimeout(Math.max(1, timeout.toMillis()), TimeUnit.MILLISECONDS)
                .handle((ignored, failure) -> {
                    if (failure != null) {
                        Throwable cause = Failures.cause(failure);
                        if (cause instanceof CairnException cairn) {
                            throw new CompletionException(cairn);
                        }
                        throw new CompletionException(new CairnException(
                                ErrorCode.QUORUM_NOT_REACHED, "control member '"
                                + settings.memberId() + "' has applied the metadata log up to "
                                + "index " + stateMachine.appliedIndex() + "; version " + version
                                + " did not arrive within " + timeout.toMillis() + " ms",
                                cause));
                    }
                    return stateMachine.current();
                }));
    }

    @Override
    public ControlStatus status() {
        RaftServer.Division division = division();
        DivisionInfo info = division.getInfo();
        RaftPeerId leader = info.getLeaderId();
        List<ControlStatus.Member> members = new ArrayList<>();
        for (RaftPeer peer : division.getRaftConf().getCurrentPeers()) {
            members.add(new ControlStatus.Member(peer.getId().toString(), peer.getAddress()));
        }
        members.sort((a, b) -> a.memberId().compareTo(b.memberId()));
        // Ratis may go on reporting a member it demoted to listener as a follower.
        boolean listener = division.getRaftConf().getCurrentPeers(RaftPeerRole.LISTENER).stream()
                .anyMatch(peer -> peer.getId().equals(selfId));
        return new ControlStatus(settings.memberId(), leader == null ? null : leader.toString(),
                info.getCurrentTerm(), division.getRaftLog().getLastCommittedIndex(),
                stateMachine.appliedIndex(), members, listener ? ControlStatus.Role.LISTENER
                : role(info.getCurrentRole()));
    }

    private static ControlStatus.Role role(RaftPeerRole role) {
        if (role == null) {
            return ControlStatus.Role.UNKNOWN;
        }
        return switch (role) {
            case LEADER -> ControlStatus.Role.LEADER;
            case FOLLOWER -> ControlStatus.Role.FOLLOWER;
            case CANDIDATE -> ControlStatus.Role.CANDIDATE;
            case LISTENER -> ControlStatus.Role.LISTENER;
            default -> ControlStatus.Role.UNKNOWN;
        };
    }

    /**
     * Carries out {@code change} on the control group through Raft's membership change: new
     * voters are first brought up to date, then the new group is committed by a majority of both
     * the old and the new one. Voters to add must be running: started as joiners, or removed
     * earlier (a removed member stays in the group as a listener: it no longer votes, but still
     * applies every committed entry, so its {@link #current()} stays up to date).
     *
     * <p>The change is applied to the group as this member knows it, and committed only if the
     * leader still holds that group (Ratis' compare-and-set mode). When another change got in
     * first, or this member's copy lagged, it is applied again to the newer group after a short
     * randomised wait. Changes made at once through any members therefore all take effect, one
     * after the other; none is computed from a group another has replaced.
     */
    @Override
    public CompletableFuture<ControlGroup> changeControlGroup(ControlGroup.Change change) {
        Objects.requireNonNull(change, "change");
        if (lifecycle.get() != Lifecycle.RUNNING) {
            return CompletableFuture.failedFuture(closedError());
        }
        Duration timeout = settings.requestTimeout().multipliedBy(MEMBERSHIP_TIMEOUT_FACTOR);
        long timeoutMillis = timeout.toMillis();
        long deadlineNanos = System.nanoTime() + timeout.toNanos();
        CompletableFuture<ControlGroup> changed = CompletableFuture.supplyAsync(
                () -> changeUntil(change, timeout, deadlineNanos), admin);
        return handOff(changed.orTimeout(timeoutMillis, TimeUnit.MILLISECONDS)
                .handle((group, failure) -> {
                    if (failure == null) {
                        return group;
                    }
                    Throwable cause = Failures.cause(failure);
                    if (cause instanceof CairnException cairn) {
                        throw new CompletionException(cairn);
                    }
                    throw new CompletionException(new CairnException(
                            ErrorCode.QUORUM_NOT_REACHED, "control group change did not complete "
                            + "within " + timeoutMillis + " ms (new members must be running and "
                            + "reachable, and a majority of the current group too): "
                            + cause.getMessage(), cause));
                }));
    }

    private ControlGroup changeUntil(ControlGroup.Change change, Duration timeout,
                                     long deadlineNanos) {
        // Its own client: the change waits for new members to catch up, longer than a write.
        RaftSettings adminSettings = settings.withRequestTimeout(timeout);
        for (int attempt = 0; ; attempt++) {
            ControlGroup current = controlGroup();
            ControlGroup next = change.applyTo(current);
            if (next.equals(current)) {
                return current;
            }
            requireRealAddresses(next);
            SetConfigurationException conflict;
            try (RaftClient adminClient = newClient(adminSettings, clientGroup(), inGroup())) {
                RaftClientReply reply = adminClient.admin().setConfiguration(
                        SetConfigurationRequest.Arguments.newBuilder()
                                .setMode(SetConfigurationRequest.Mode.COMPARE_AND_SET)
                                .setServersInCurrentConf(toPeers(current.voters()))
                                .setListenersInCurrentConf(toPeers(current.listeners()))
                                .setServersInNewConf(toPeers(next.voters()))
                                .setListenersInNewConf(toPeers(next.listeners()))
                                .build());
                if (reply.isSuccess()) {
                    LOG.info("control group is now {} (was {})", next, current);
                    return next;
                }
                if (!(reply.getException() instanceof SetConfigurationException refused)) {
                    throw new CompletionException(reply.getException());
                }
                conflict = refused;
            } catch (SetConfigurationException e) {
                conflict = e;
            } catch (IOException e) {
                throw new CompletionException(e);
            }
            Duration wait = MEMBERSHIP_RETRY.delay(attempt, random);
            if (System.nanoTime() + wait.toNanos() >= deadlineNanos) {
                throw new CompletionException(conflict);
            }
            LOG.info("control group changed since this member read it as {}; applying the "
                    + "change again to the newer group in {} ms", current, wait.toMillis());
            try {
                Thread.sleep(wait.toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new CompletionException(e);
            }
        }
    }

    private static void requireRealAddresses(ControlGroup group) {
        for (Map.Entry<String, String> voter : group.voters().entrySet()) {
            int port;
            try {
                port = RaftSettings.parsePort(voter.getKey(), voter.getValue());
            } catch (IllegalArgumentException e) {
                throw CairnException.invalid(e.getMessage());
            }
            if (port == 0) {
                throw CairnException.invalid("member '" + voter.getKey() + "' has port 0; a "
                        + "group change needs every member's real address");
            }
        }
    }

    /** The control group as this member knows it: voters and listeners. */
    @Override
    public ControlGroup controlGroup() {
        var conf = division().getRaftConf();
        return new ControlGroup(addresses(conf.getCurrentPeers()),
                addresses(conf.getCurrentPeers(RaftPeerRole.LISTENER)));
    }

    private static Map<String, String> addresses(Collection<RaftPeer> peers) {
        Map<String, String> addresses = new LinkedHashMap<>();
        for (RaftPeer peer : peers) {
            addresses.put(peer.getId().toString(), peer.getAddress());
        }
        return addresses;
    }

    /** Stops the client and the server. Calls made afterwards fail; a second close does nothing. */
    @Override
    public void close() {
        if (!lifecycle.compareAndSet(Lifecycle.RUNNING, Lifecycle.CLOSING)) {
            return;
        }
        closeQuietly(client);
        retiredClients.forEach(RaftMetadataStore::closeQuietly);
        closeQuietly(server);
        admin.shutdownNow();
        callbacks.shutdown();
        lifecycle.set(Lifecycle.CLOSED);
        LOG.info("control member {} closed", settings.memberId());
    }

    private RaftServer.Division division() {
        try {
            return server.getDivision(GROUP_ID);
        } catch (IOException e) {
            throw new UncheckedIOException("control member '" + settings.memberId()
                    + "' has no division for the control group", e);
        }
    }

    /**
     * Drops the client after a failed request. A Ratis client whose ordered request failed for
     * good closes its request window and refuses everything after, so the next request gets a
     * fresh client.
     */
    private void retireClient() {
        clientPeers = java.util.Set.of();
    }

    /** The client for the group as this member knows it now; rebuilt when the group changes. */
    private RaftClient client() {
        RaftGroup group = clientGroup();
        java.util.Set<RaftPeer> peers = new java.util.HashSet<>(group.getPeers());
        if (peers.equals(clientPeers)) {
            return client;
        }
        synchronized (retiredClients) {
            if (!peers.equals(clientPeers)) {
                RaftClient fresh = newClient(settings, group, peers.stream()
                        .anyMatch(peer -> peer.getId().equals(selfId)));
                // The old client may still have requests in flight; it is closed with the store.
                retiredClients.add(client);
                client = fresh;
                clientPeers = peers;
            }
            return client;
        }
    }

    // The group as this member knows it now, for a client to find the leader through.
    private RaftGroup clientGroup() {
        try {
            Collection<RaftPeer> peers = division().getRaftConf().getCurrentPeers();
            if (!peers.isEmpty()) {
                return RaftGroup.valueOf(GROUP_ID, peers);
            }
        } catch (UncheckedIOException e) {
            LOG.debug("no division yet: {}", e.getMessage());
        }
        return RaftGroup.valueOf(GROUP_ID, toPeers(initialMembers));
    }

    private boolean inGroup() {
        try {
            return division().getRaftConf().getCurrentPeers().stream()
                    .anyMatch(peer -> peer.getId().equals(selfId));
        } catch (UncheckedIOException e) {
            return false;
        }
    }

    private int groupSize() {
        try {
            return division().getRaftConf().getCurrentPeers().size();
        } catch (RuntimeException e) {
            return settings.members().size();
        }
    }

    private CairnException writeFailure(Throwable failure) {
        Throwable cause = Failures.cause(failure);
        if (cause instanceof CairnException cairn) {
            return cairn;
        }
        if (lifecycle.get() != Lifecycle.RUNNING) {
            return closedError();
        }
        if (cause instanceof StateMachineException) {
            return new CairnException(ErrorCode.INTERNAL_ERROR, "the control group could not "
                    + "apply the metadata command: " + cause.getMessage(), cause);
        }
        return new CairnException(ErrorCode.QUORUM_NOT_REACHED, "metadata write could not reach "
                + "a majority of the control group (" + groupSize() + " members) within "
                + settings.requestTimeout().toMillis() + " ms", cause);
    }

    private CairnException readFailure(Throwable failure) {
        Throwable cause = Failures.cause(failure);
        if (cause instanceof CairnException cairn) {
            return cairn;
        }
        if (lifecycle.get() != Lifecycle.RUNNING) {
            return closedError();
        }
        return new CairnException(ErrorCode.QUORUM_NOT_REACHED, "metadata read could not be "
                + "confirmed by a majority of the control group (" + groupSize() + " members) "
                + "within " + settings.requestTimeout().toMillis() + " ms", cause);
    }

    private CairnException closedError() {
        return new CairnException(ErrorCode.INTERNAL_ERROR, "control member '"
                + settings.memberId() + "' is closed");
    }

    private long remainingMillis(long startNanos) {
        long elapsedMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNanos);
        return Math.max(1, settings.requestTimeout().toMillis() - elapsedMillis);
    }

    private static List<RaftPeer> toPeers(Map<String, String> members) {
        List<RaftPeer> peers = new ArrayList<>(members.size());
        for (Map.Entry<String, String> member : members.entrySet()) {
            RaftSettings.parsePort(member.getKey(), member.getValue());
            peers.add(RaftPeer.newBuilder()
                    .setId(RaftPeerId.valueOf(member.getKey()))
                    .setAddress(member.getValue())
                    .build());
        }
        return peers;
    }

    private static TimeDuration millis(Duration duration) {
        return TimeDuration.valueOf(duration.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** Where a member records its address: beside its storage, which Ratis owns. */
    static Path addressFile(Path storageDir) {
        return storageDir.resolveSibling(storageDir.getFileName() + "-address");
    }

    private static int storedPort(Path addressFile) throws IOException {
        String address = Files.readString(addressFile, StandardCharsets.UTF_8).trim();
        try {
            return Integer.parseInt(address.substring(address.lastIndexOf(':') + 1));
        } catch (NumberFormatException e) {
            throw new IOException("the Raft address kept in " + addressFile + " is '" + address
                    + "', not host:port; name the Raft port explicitly", e);
        }
    }

    // A port the OS just handed out and released. Another process could take it before Ratis
    // binds it; the window is short, and a real deployment names its port.
    private static int freePort(String host) throws IOException {
        return bindAndRelease(host, 0);
    }

    /** Listens on {@code port} (0: any) as Ratis will, closes at once, and returns the port. */
    private static int bindAndRelease(String host, int port) throws IOException {
        try (ServerSocket socket = new ServerSocket()) {
            socket.setReuseAddress(true);
            socket.bind(new InetSocketAddress(host, port));
            return socket.getLocalPort();
        }
    }

    /**
     * Returns once {@code port} can be listened on, waiting up to {@link #PORT_WAIT} for it.
     * A port picked at random on the first start and kept is in the range the OS hands out for
     * outgoing connections, so on a restart one may hold it for a moment; Ratis, finding the
     * port taken, would end the whole process with a stack trace instead of an error.
     *
     * @throws IOException naming the port when it is still taken after the wait
     */
    private static void awaitPortFree(String host, int port) throws IOException {
        long deadline = System.nanoTime() + PORT_WAIT.toNanos();
        boolean waiting = false;
        while (true) {
            try {
                bindAndRelease(host, port);
                return;
            } catch (BindException e) {
                if (System.nanoTime() >= deadline) {
                    throw new IOException(host + ":" + port + " is in use (is another process"
                            + " using the port?)", e);
                }
                if (!waiting) {
                    LOG.warn("the Raft port {}:{} is in use; waiting up to {} s for it", host,
                            port, PORT_WAIT.toSeconds());
                    waiting = true;
                }
            }
            try {
                Thread.sleep(PORT_POLL.toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new InterruptedIOException("interrupted while waiting for the Raft port "
                        + host + ":" + port);
            }
        }
    }

    private static void closeQuietly(AutoCloseable closeable) {
        if (closeable == null) {
            return;
        }
        try {
            closeable.close();
        } catch (Exception e) {
            LOG.warn("closing {} failed: {}", closeable, e.toString());
        }
    }

    @Override
    public String toString() {
        return "RaftMetadataStore{" + settings.memberId() + "@" + address + " "
                + lifecycle.get() + "}";
    }

    /** The first index still in this member's Raft log; above 0 once a snapshot purged it. */
    long logStartIndex() {
        return division().getRaftLog().getStartIndex();
    }
}
