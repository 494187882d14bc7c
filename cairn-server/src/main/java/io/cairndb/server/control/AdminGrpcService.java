package io.cairndb.server.control;

import io.cairndb.api.ErrorCode;
import io.cairndb.api.admin.AddControlMemberRequest;
import io.cairndb.api.admin.AdminServiceGrpc;
import io.cairndb.api.admin.ClusterViewNode;
import io.cairndb.api.admin.ConfigChange;
import io.cairndb.api.admin.ConfigUpdate;
import io.cairndb.api.admin.ControlMember;
import io.cairndb.api.admin.ControlMembershipResponse;
import io.cairndb.api.admin.GetClusterViewRequest;
import io.cairndb.api.admin.GetClusterViewResponse;
import io.cairndb.api.admin.GetConfigRequest;
import io.cairndb.api.admin.GetConfigResponse;
import io.cairndb.api.admin.GetControlStatusRequest;
import io.cairndb.api.admin.GetControlStatusResponse;
import io.cairndb.api.admin.ListAuditEventsRequest;
import io.cairndb.api.admin.ListAuditEventsResponse;
import io.cairndb.api.admin.NodeView;
import io.cairndb.api.admin.RemoveControlMemberRequest;
import io.cairndb.api.admin.UpdateConfigRequest;
import io.cairndb.api.admin.UpdateConfigResponse;
import io.cairndb.api.admin.WatchConfigRequest;
import io.cairndb.core.CairnException;
import io.cairndb.core.ControlGroup;
import io.cairndb.core.Validation;
import io.cairndb.server.common.Errors;
import io.cairndb.server.membership.Membership;
import io.grpc.Context;
import io.grpc.Deadline;
import io.grpc.Status;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import io.cairndb.api.admin.CancelMigrationRequest;
import io.cairndb.api.admin.CancelMigrationResponse;
import io.cairndb.api.admin.CleanupNodeRequest;
import io.cairndb.api.admin.CleanupNodeResponse;
import io.cairndb.api.admin.ListMigrationsRequest;
import io.cairndb.api.admin.ListMigrationsResponse;
import io.cairndb.api.admin.MigrationInfo;
import io.cairndb.core.Migration;
import java.util.Objects;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The admin contract ({@code cairn.admin.v1.AdminService}), served by every node from its own
 * metadata store and failure detector: the cluster view, the cluster configuration (read, change,
 * watch), the control group's state and membership, and the audit log.
 *
 * <p>Reads are linearizable unless the request names a version token {@code term:index}; then
 * this node answers from its own state once it has applied that index (read-your-writes on any
 * node, waiting at most {@link #AWAIT_VERSION_WAIT_MAX} or the call's deadline). The term in a
 * token is this node's current Raft term when the version was handed out; only its index is
 * waited for.
 *
 * <p>Every refusal is in-band ({@code success = false}, an {@link ErrorCode}, a message naming the
 * field), never a stack trace. The one server stream, {@code WatchConfig}, has no such fields and
 * refuses with a gRPC status instead.
 */
public final class AdminGrpcService extends AdminServiceGrpc.AdminServiceImplBase {

    private static final Logger LOG = LoggerFactory.getLogger(AdminGrpcService.class);

    /** The longest a follower read waits for this node to apply the version it names. */
    public static final Duration AWAIT_VERSION_WAIT_MAX = Duration.ofSeconds(10);
    public static final int AUDIT_EVENTS_LIMIT_DEFAULT = 100;
    public static final int AUDIT_EVENTS_LIMIT_MAX = AuditEvent.EVENTS_MAX;
    /** Config watch streams open at once on this node. */
    public static final int CONFIG_WATCHERS_MAX = 1_000;

    private static final Pattern VERSION_TOKEN = Pattern.compile("(\\d{1,18}):(\\d{1,18})");

    private final MetadataStore metadata;
    private final Membership membership;
    private final java.util.function.Supplier<CompletableFuture<Long>> cleanup;
    private final List<ConfigWatcher> watchers = new CopyOnWriteArrayList<>();

    /**
     * @param cleanup starts deleting, on this node, the keys it no longer owns; completes with
     *     how many
     */
    public AdminGrpcService(MetadataStore metadata, Membership membership,
                            java.util.function.Supplier<CompletableFuture<Long>> cleanup) {
        this.metadata = Objects.requireNonNull(metadata, "metadata");
        this.membership = Objects.requireNonNull(membership, "membership");
        this.cleanup = Objects.requireNonNull(cleanup, "cleanup");
        metadata.addListener(state -> watchers.forEach(watcher -> watcher.catchUp(state)));
    }

    // ------------------------------------------------------------------------- cluster view

    @Override
    public void getClusterView(GetClusterViewRequest request,
                               StreamObserver<GetClusterViewResponse> observer) {
        answer(observer, () -> read("min_version", request.getMinVersion()), state -> {
            GetClusterViewResponse.Builder response = GetClusterViewResponse.newBuilder()
                    .setSuccess(true).setVersion(state.version());
            for (NodeInfo node : state.nodes().values()) {
                response.addMembers(ClusterViewNode.newBuilder()
                        .setNodeId(node.nodeId())
                        .setHost(node.host())
                        .setPort(node.port())
                        .setPeerPort(node.peerPort())
                        .setStatus(node.status())
                        .setVirtualNodes(node.virtualNodes())
                        .setAlive(membership.isAlive(node.nodeId())));
            }
            return response.build();
        }, (code, message) -> GetClusterViewResponse.newBuilder().setSuccess(false)
                .setErrorCode(code).setErrorMessage(message).build());
    }

    // ------------------------------------------------------------------------------- config

    @Override
    public void getConfig(GetConfigRequest request, StreamObserver<GetConfigResponse> observer) {
        answer(observer, () -> read("min_version", request.getMinVersion()),
                state -> GetConfigResponse.newBuilder().setSuccess(true)
                        .setConfig(toWire(state.config()))
                        .setVersion(versionToken(state.version())).build(),
                (code, message) -> GetConfigResponse.newBuilder().setSuccess(false)
                        .setErrorCode(code).setErrorMessage(message).build());
    }

    @Override
    public void updateConfig(UpdateConfigRequest request,
                             StreamObserver<UpdateConfigResponse> observer) {
        answer(observer, () -> {
            MetadataCommand.UpdateConfig command = fromWire(request.getUpdate());
            if (command.namesNoField()) {
                throw CairnException.invalid("update names no setting to change: set at least "
                        + "one of replication_factor, read_consistency, write_consistency, "
                        + "compaction_policy, virtual_nodes");
            }
            String problem = command.problem();
            if (problem != null) {
                throw CairnException.invalid(problem);
            }
            return metadata.submit(command).thenApply(applied -> {
                if (!applied.ok()) {
                    throw applied.error();
                }
                return applied.state();
            });
        }, state -> UpdateConfigResponse.newBuilder().setSuccess(true)
                .setConfig(toWire(state.config()))
                .setVersion(versionToken(state.version())).build(),
                (code, message) -> UpdateConfigResponse.newBuilder().setSuccess(false)
                        .setErrorCode(code).setErrorMessage(message).build());
    }

    /**
     * Sends every configuration change after {@code from_version} that this node still knows
     * (its audit log holds the newest {@link AuditEvent#EVENTS_MAX} changes; when older changes
     * were dropped, the latest configuration stands in for them), then each new change as it is
     * applied here, until the caller cancels.
     */
    @Override
    public void watchConfig(WatchConfigRequest request, StreamObserver<ConfigChange> observer) {
        ServerCallStreamObserver<ConfigChange> stream =
                (ServerCallStreamObserver<ConfigChange>) observer;
        if (request.getFromVersion() < 0) {
            stream.onError(Status.INVALID_ARGUMENT.withDescription("from_version is "
                    + request.getFromVersion() + "; it must be a metadata index, 0 or more")
                    .asRuntimeException());
            return;
        }
        if (watchers.size() >= CONFIG_WATCHERS_MAX) {
            stream.onError(Status.RESOURCE_EXHAUSTED.withDescription(CONFIG_WATCHERS_MAX
                    + " config watches are open on this node already; watch another node or "
                    + "close one").asRuntimeException());
            return;
        }
        ConfigWatcher watcher = new ConfigWatcher(stream, request.getNodeId(),
                request.getFromVersion());
        stream.setOnCancelHandler(() -> watchers.remove(watcher));
        // Listening first, then catching up: a change applied in between is sent by one or the
        // other, and the watcher sends each version once.
        watchers.add(watcher);
        LOG.debug("config watch from '{}' after version {}", request.getNodeId(),
                request.getFromVersion());
        watcher.catchUp(metadata.current());
    }

    /** Config watch streams open now. */
    int configWatchCount() {
        return watchers.size();
    }

    /** One config watch stream; changes go out one at a time, in version order, each once. */
    private final class ConfigWatcher {

        private final ServerCallStreamObserver<ConfigChange> stream;
        private final String nodeId;
        private long sentVersion;

        ConfigWatcher(ServerCallStreamObserver<ConfigChange> stream, String nodeId,
                      long fromVersion) {
            this.stream = stream;
            this.nodeId = nodeId;
            this.sentVersion = fromVersion;
        }

        synchronized void catchUp(ClusterMetadata state) {
            if (stream.isCancelled() || state.configVersion() <= sentVersion) {
                return;
            }
            List<AuditEvent> events = state.auditEvents();
            int first = events.size();
            while (first > 0 && events.get(first - 1).version() > sentVersion) {
                first--;
            }
            boolean dropped = events.isEmpty() || events.get(0).version() > state.configVersion();
            try {
                if (dropped) {
                    // The change that made the current configuration is no longer in the audit
                    // log, so the changes between are unknown; the configuration after them is
                    // known, and each change carries the whole configuration.
                    send(state.configVersion(), state.config(), state.configChangedAtMillis());
                    return;
                }
                for (AuditEvent event : events.subList(first, events.size())) {
                    if (event.changesConfig()) {
                        send(event.version(), event.config(), event.atMillis());
                    }
                }
            } catch (RuntimeException e) {
                // The stream is gone (cancelled or failed); its cancel handler forgets it.
                LOG.debug("config watch of '{}' ended: {}", nodeId, e.toString());
                watchers.remove(this);
            }
        }

        private void send(long version, ClusterConfig config, long atMillis) {
            stream.onNext(ConfigChange.newBuilder().setVersion(version).setConfig(toWire(config))
                    .setChangedAtMillis(atMillis).build());
            sentVersion = version;
        }
    }

    // ------------------------------------------------------------------------ control group

    @Override
    public void getControlStatus(GetControlStatusRequest request,
                                 StreamObserver<GetControlStatusResponse> observer) {
        answer(observer, () -> CompletableFuture.completedFuture(metadata.status()), status -> {
            GetControlStatusResponse.Builder response = GetControlStatusResponse.newBuilder()
                    .setSuccess(true)
                    .setMemberId(orEmpty(status.memberId()))
                    .setLeaderId(orEmpty(status.leaderId()))
                    .setTerm(status.term())
                    .setCommitIndex(status.commitIndex())
                    .setAppliedIndex(status.appliedIndex())
                    .setRole(role(status.role()))
                    .addAllMembers(members(status));
            ControlGroup group = metadata.controlGroup();
            if (group != null) {
                response.addAllNotVoting(group.notVoting(metadata.current().controlNodeIds()));
            }
            Map<String, Long> viewVersions = membership.viewVersions();
            TreeSet<String> nodeIds = new TreeSet<>(viewVersions.keySet());
            nodeIds.addAll(metadata.current().nodes().keySet());
            Map<String, Long> offsets = membership.clockOffsets();
            for (String nodeId : nodeIds) {
                NodeView.Builder view = NodeView.newBuilder().setNodeId(nodeId)
                        .setViewVersion(viewVersions.getOrDefault(nodeId, 0L))
                        .setAlive(membership.isAlive(nodeId));
                Long offset = nodeId.equals(membership.selfNodeId()) ? Long.valueOf(0)
                        : offsets.get(nodeId);
                if (offset != null) {
                    view.setClockOffsetMillis(offset);
                }
                response.addNodes(view);
            }
            String refusal = membership.clockVerdict().reason();
            if (refusal != null) {
                response.setClockRefusal(refusal);
            }
            return response.build();
        }, (code, message) -> GetControlStatusResponse.newBuilder().setSuccess(false)
                .setErrorCode(code).setErrorMessage(message).build());
    }

    @Override
    public void addControlMember(AddControlMemberRequest request,
                                 StreamObserver<ControlMembershipResponse> observer) {
        answer(observer, () -> {
            String memberId = checkMemberId(request.getMemberId());
            String address = checkAddress(request.getRaftAddress());
            ControlGroup.Change add = ControlGroup.addVoter(memberId, address);
            return changeMembers(current -> {
                if (current.voters().containsKey(memberId)) {
                    throw CairnException.invalid("member_id '" + memberId + "' is already a "
                            + "member of the control group " + current.voters().keySet());
                }
                return add.applyTo(current);
            });
        }, this::membershipResponse, AdminGrpcService::membershipRefusal);
    }

    @Override
    public void removeControlMember(RemoveControlMemberRequest request,
                                    StreamObserver<ControlMembershipResponse> observer) {
        answer(observer, () -> {
            String memberId = checkMemberId(request.getMemberId());
            return changeMembers(ControlGroup.removeVoter(memberId));
        }, this::membershipResponse, AdminGrpcService::membershipRefusal);
    }

    private CompletableFuture<MetadataStore.ControlStatus> changeMembers(
            ControlGroup.Change change) {
        return metadata.changeControlGroup(change).thenApply(ignored -> metadata.status());
    }

    private ControlMembershipResponse membershipResponse(MetadataStore.ControlStatus status) {
        return ControlMembershipResponse.newBuilder().setSuccess(true)
                .addAllMembers(members(status)).build();
    }

    private static ControlMembershipResponse membershipRefusal(ErrorCode code, String message) {
        return ControlMembershipResponse.newBuilder().setSuccess(false).setErrorCode(code)
                .setErrorMessage(message).build();
    }

    private static List<ControlMember> members(MetadataStore.ControlStatus status) {
        List<ControlMember> members = new ArrayList<>();
        for (MetadataStore.ControlStatus.Member member : status.members()) {
            members.add(ControlMember.newBuilder().setMemberId(member.memberId())
                    .setRaftAddress(orEmpty(member.address()))
                    .setLeader(member.memberId().equals(status.leaderId())).build());
        }
        return members;
    }

    private static String role(MetadataStore.ControlStatus.Role role) {
        return role == null || role == MetadataStore.ControlStatus.Role.UNKNOWN ? "none"
                : role.name().toLowerCase(Locale.ROOT);
    }

    private static String checkMemberId(String memberId) {
        if (!Validation.NODE_ID.matcher(memberId).matches()) {
            throw CairnException.invalid("member_id '" + memberId + "' is not a member id: "
                    + "use 1 to 64 of A-Z a-z 0-9 _ . -, starting with a letter or digit");
        }
        return memberId;
    }

    private static String checkAddress(String address) {
        int colon = address.lastIndexOf(':');
        String problem = null;
        if (colon <= 0 || colon == address.length() - 1) {
            problem = "is not host:port";
        } else {
            try {
                int port = Integer.parseInt(address.substring(colon + 1));
                if (port < 1 || port > 65535) {
                    problem = "has port " + port + "; it must be between 1 and 65535";
                }
            } catch (NumberFormatException e) {
                problem = "has a port that is not a number";
            }
        }
        if (problem != null) {
            throw CairnException.invalid("raft_address '" + address + "' " + problem);
        }
        return address;
    }

    // ---------------------------------------------------------------------------- audit log

    @Override
    public void listAuditEvents(ListAuditEventsRequest request,
                                StreamObserver<ListAuditEventsResponse> observer) {
        answer(observer, () -> {
            if (request.getLimit() < 0 || request.getLimit() > AUDIT_EVENTS_LIMIT_MAX) {
                throw CairnException.invalid("limit is " + request.getLimit() + "; it must be "
                        + "between 1 and " + AUDIT_EVENTS_LIMIT_MAX + " (0 for "
                        + AUDIT_EVENTS_LIMIT_DEFAULT + ")");
            }
            if (request.getSinceMillis() < 0) {
                throw CairnException.invalid("since_millis is " + request.getSinceMillis()
                        + "; it must be Unix milliseconds, or 0 for the oldest event kept");
            }
            return metadata.readLinearizable();
        }, state -> {
            int limit = request.getLimit() == 0 ? AUDIT_EVENTS_LIMIT_DEFAULT : request.getLimit();
            List<AuditEvent> events = state.auditEvents();
            // The newest matches, sent oldest first: walk back from the newest.
            List<io.cairndb.api.admin.AuditEvent> matching = new ArrayList<>();
            for (int i = events.size() - 1; i >= 0 && matching.size() < limit; i--) {
                AuditEvent event = events.get(i);
                if (!request.getTenantId().isEmpty()
                        && !request.getTenantId().equals(event.tenantId())) {
                    continue;
                }
                if (event.atMillis() < request.getSinceMillis()) {
                    // Times are the proposers' wall clocks, so they are not strictly ordered
                    // along the log; an older-looking event does not end the walk.
                    continue;
                }
                matching.add(toWire(event));
            }
            java.util.Collections.reverse(matching);
            return ListAuditEventsResponse.newBuilder().setSuccess(true).addAllEvents(matching)
                    .build();
        }, (code, message) -> ListAuditEventsResponse.newBuilder().setSuccess(false)
                .setErrorCode(code).setErrorMessage(message).build());
    }

    // --------------------------------------------------------------------------- migrations

    @Override
    public void listMigrations(ListMigrationsRequest request,
                               StreamObserver<ListMigrationsResponse> observer) {
        answer(observer, metadata::readLinearizable, state -> {
            ListMigrationsResponse.Builder response = ListMigrationsResponse.newBuilder()
                    .setSuccess(true);
            state.migrations().forEach(migration -> response.addMigrations(toWire(migration)));
            return response.build();
        }, (code, message) -> ListMigrationsResponse.newBuilder().setSuccess(false)
                .setErrorCode(code).setErrorMessage(message).build());
    }

    @Override
    public void cancelMigration(CancelMigrationRequest request,
                                StreamObserver<CancelMigrationResponse> observer) {
        answer(observer, () -> {
            if (request.getMigrationId().isBlank()) {
                throw CairnException.invalid("migration_id is required");
            }
            if (request.getReason().length() > 500) {
                throw CairnException.invalid("reason is " + request.getReason().length()
                        + " characters; it may be at most 500");
            }
            return metadata.submit(new MetadataCommand.CancelMigration(
                    request.getMigrationId(), request.getReason(), System.currentTimeMillis()));
        }, applied -> {
            if (!applied.ok()) {
                throw applied.error();
            }
            return CancelMigrationResponse.newBuilder().setSuccess(true)
                    .setMigration(toWire(applied.state().migration(request.getMigrationId())))
                    .build();
        }, (code, message) -> CancelMigrationResponse.newBuilder().setSuccess(false)
                .setErrorCode(code).setErrorMessage(message).build());
    }

    @Override
    public void cleanupNode(CleanupNodeRequest request,
                            StreamObserver<CleanupNodeResponse> observer) {
        answer(observer, () -> {
            checkCleanupTarget(request.getNodeId());
            return cleanup.get();
        },
                deleted -> CleanupNodeResponse.newBuilder().setSuccess(true)
                        .setNodeId(membership.selfNodeId()).setKeysDeleted(deleted).build(),
                (code, message) -> CleanupNodeResponse.newBuilder().setSuccess(false)
                        .setErrorCode(code).setErrorMessage(message).build());
    }

    /**
     * Refuses a cleanup meant for another node: the keys it deletes are this node's, and a node
     * removed from the cluster still cleans itself up.
     */
    private void checkCleanupTarget(String nodeId) {
        if (nodeId.isEmpty() || nodeId.equals(membership.selfNodeId())) {
            return;
        }
        if (!metadata.current().nodes().containsKey(nodeId)) {
            throw CairnException.invalid("node_id '" + Validation.printable(nodeId)
                    + "' is not a member of the cluster");
        }
        throw CairnException.invalid("node_id '" + nodeId + "' is another node; cleanup runs "
                + "on the node it cleans: send it to node '" + nodeId + "' itself, not to '"
                + membership.selfNodeId() + "'");
    }

    /** A migration as the admin contract shows it. */
    public static MigrationInfo toWire(Migration migration) {
        MigrationInfo.Builder info = MigrationInfo.newBuilder()
                .setMigrationId(migration.id())
                .setType(migration.type())
                .setStatus(migration.status())
                .setKeysMigrated(migration.keysMigrated())
                .setTotalKeys(migration.totalKeys())
                .setBytesMigrated(migration.bytesMigrated())
                .setTotalBytes(migration.totalBytes())
                .setPercentage((float) migration.percentage())
                .setStartedAtMillis(migration.startedAtMillis())
                .setFinishedAtMillis(migration.finishedAtMillis())
                .setTasks(migration.tasks().size())
                .setTasksDone((int) migration.tasks().stream().filter(Migration.Task::done)
                        .count())
                .setTasksLost(migration.lostTasks().size());
        if (migration.nodeId() != null) {
            info.setNodeId(migration.nodeId());
        }
        if (migration.tenantId() != null) {
            info.setTenantId(migration.tenantId());
        }
        if (migration.reason() != null) {
            info.setReason(migration.reason());
        }
        return info.build();
    }

    // ---------------------------------------------------------------------------- plumbing

    /** Reads the metadata: linearizable with no token, else once this node applied its index. */
    private CompletableFuture<ClusterMetadata> read(String field, String token) {
        if (token.isEmpty()) {
            return metadata.readLinearizable();
        }
        var matcher = VERSION_TOKEN.matcher(token);
        if (!matcher.matches()) {
            throw CairnException.invalid(field + " '" + token + "' is not a version token "
                    + "term:index (two numbers, as a GetConfig or UpdateConfig answer gives)");
        }
        long index = Long.parseLong(matcher.group(2));
        return metadata.awaitVersion(index, awaitTimeout());
    }

    /** The follower-read wait: {@link #AWAIT_VERSION_WAIT_MAX}, or less if the call ends first. */
    private static Duration awaitTimeout() {
        Deadline deadline = Context.current().getDeadline();
        if (deadline == null) {
            return AWAIT_VERSION_WAIT_MAX;
        }
        long remainingMillis = Math.max(1, deadline.timeRemaining(TimeUnit.MILLISECONDS));
        return Duration.ofMillis(Math.min(remainingMillis, AWAIT_VERSION_WAIT_MAX.toMillis()));
    }

    private String versionToken(long version) {
        return metadata.status().term() + ":" + version;
    }

    @FunctionalInterface
    private interface Work<T> {
        CompletableFuture<T> start();
    }

    @FunctionalInterface
    private interface Refusal<R> {
        R of(ErrorCode code, String message);
    }

    /**
     * Runs {@code work} and answers with {@code success} of its result, or with {@code refusal}
     * of whatever went wrong, thrown or completed exceptionally: never a gRPC error.
     */
    private static <T, R> void answer(StreamObserver<R> observer, Work<T> work,
                                      Function<T, R> success, Refusal<R> refusal) {
        CompletableFuture<T> started;
        try {
            started = work.start();
        } catch (RuntimeException | Error e) {
            started = CompletableFuture.failedFuture(e);
        }
        started.handle((value, error) -> {
            R response;
            if (error == null) {
                try {
                    response = success.apply(value);
                } catch (RuntimeException | Error e) {
                    // Whatever broke, the caller gets an answer rather than a call that hangs.
                    response = refuse(refusal, e);
                }
            } else {
                response = refuse(refusal, error);
            }
            try {
                observer.onNext(response);
                observer.onCompleted();
            } catch (RuntimeException e) {
                // The caller went away (cancelled, or past its deadline); nobody to tell.
                LOG.debug("admin answer not delivered: {}", e.toString());
            }
            return null;
        });
    }

    private static <R> R refuse(Refusal<R> refusal, Throwable error) {
        CairnException failure = Errors.unwrap(error);
        ErrorCode code = ErrorCode.forNumber(failure.code().number());
        return refusal.of(code == null ? ErrorCode.INTERNAL_ERROR : code, failure.getMessage());
    }

    // ------------------------------------------------------------------------------ wire forms

    static io.cairndb.api.admin.ClusterConfig toWire(ClusterConfig config) {
        return io.cairndb.api.admin.ClusterConfig.newBuilder()
                .setReplicationFactor(config.replicationFactorDefault())
                .setReadConsistency(config.readConsistencyDefault())
                .setWriteConsistency(config.writeConsistencyDefault())
                .setCompactionPolicy(config.compactionPolicy())
                .setVirtualNodes(config.virtualNodesDefault())
                .build();
    }

    static io.cairndb.api.admin.AuditEvent toWire(AuditEvent event) {
        return io.cairndb.api.admin.AuditEvent.newBuilder()
                .setId(event.id())
                .setVersion(event.version())
                .setHlc(event.hlc())
                .setAtMillis(event.atMillis())
                .setAction(event.action())
                .setTenantId(orEmpty(event.tenantId()))
                .setNodeId(orEmpty(event.nodeId()))
                .setActor(orEmpty(event.actor()))
                .setDetails(orEmpty(event.details()))
                .build();
    }

    /** The update as a command; words are trimmed and lower-cased ("QUORUM" is "quorum"). */
    static MetadataCommand.UpdateConfig fromWire(ConfigUpdate update) {
        return new MetadataCommand.UpdateConfig(
                update.hasReplicationFactor() ? update.getReplicationFactor() : null,
                update.hasReadConsistency() ? word(update.getReadConsistency()) : null,
                update.hasWriteConsistency() ? word(update.getWriteConsistency()) : null,
                update.hasCompactionPolicy() ? word(update.getCompactionPolicy()) : null,
                update.hasVirtualNodes() ? update.getVirtualNodes() : null);
    }

    private static String word(String text) {
        return text.trim().toLowerCase(Locale.ROOT);
    }

    private static String orEmpty(String text) {
        return text == null ? "" : text;
    }
}
