package io.cairndb.client;

import io.cairndb.api.ErrorCode;
import io.cairndb.api.admin.AddControlMemberRequest;
import io.cairndb.api.admin.AdminServiceGrpc;
import io.cairndb.api.admin.AuditEvent;
import io.cairndb.api.admin.CancelMigrationRequest;
import io.cairndb.api.admin.CancelMigrationResponse;
import io.cairndb.api.admin.CleanupNodeRequest;
import io.cairndb.api.admin.CleanupNodeResponse;
import io.cairndb.api.admin.ClusterConfig;
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
import io.cairndb.api.admin.ListMigrationsRequest;
import io.cairndb.api.admin.ListMigrationsResponse;
import io.cairndb.api.admin.MigrationInfo;
import io.cairndb.api.admin.NodeView;
import io.cairndb.api.admin.RemoveControlMemberRequest;
import io.cairndb.api.admin.UpdateConfigRequest;
import io.cairndb.api.admin.UpdateConfigResponse;
import io.cairndb.api.admin.WatchConfigRequest;
import io.grpc.Status;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A single-process stand-in for a node's AdminService: a configuration with a change history, a
 * three-member control group, two storage nodes, three audit events, and the migrations of a
 * {@link FakeMigrations} table. It answers as node n1, which holds {@link #STRAY_KEYS} keys it no
 * longer owns until cleaned up. It keeps the last request of each read so tests can see what a
 * caller sent.
 */
public final class FakeAdmin extends AdminServiceGrpc.AdminServiceImplBase {

    public static final long NOW_MILLIS = 1_700_000_000_000L;
    static final long TERM = 2;
    /** Keys the answering node holds but no longer owns, until its first cleanup. */
    public static final long STRAY_KEYS = 42;
    private static final Set<String> LEVELS = Set.of("one", "quorum", "all");
    private static final Set<String> POLICIES = Set.of("level", "universal");
    private static final Pattern TOKEN = Pattern.compile("(\\d+):(\\d+)");

    private ClusterConfig config = ClusterConfig.newBuilder().setReplicationFactor(3)
            .setReadConsistency("quorum").setWriteConsistency("quorum")
            .setCompactionPolicy("level").setVirtualNodes(150).build();
    private long version = 7;
    private final List<ConfigChange> changes = new ArrayList<>();
    private final List<StreamObserver<ConfigChange>> watchers = new CopyOnWriteArrayList<>();
    private final Map<String, String> members = new LinkedHashMap<>(Map.of("m1",
            "10.0.0.1:9000"));
    private volatile boolean endWatches;
    private volatile Status watchFailure;
    public volatile GetConfigRequest lastGetConfig;
    public volatile GetClusterViewRequest lastGetClusterView;
    public volatile ListAuditEventsRequest lastAudit;
    public volatile WatchConfigRequest lastWatch;
    /** Control nodes the status reports as not voting. */
    public volatile List<String> notVoting = List.of();
    public volatile CancelMigrationRequest lastCancel;
    private final FakeMigrations migrations;
    private long strayKeys = STRAY_KEYS;
    private ErrorCode refusalCode;
    private String refusalMessage;
    private Status migrationFailure;

    public FakeAdmin() {
        this(new FakeMigrations());
    }

    /** An admin service that lists and cancels the migrations in {@code migrations}. */
    public FakeAdmin(FakeMigrations migrations) {
        this.migrations = migrations;
        members.put("m2", "10.0.0.2:9000");
        members.put("m3", "10.0.0.3:9000");
        // One change before the tests start: read consistency was set to quorum at version 5.
        changes.add(ConfigChange.newBuilder().setVersion(5).setConfig(config)
                .setChangedAtMillis(NOW_MILLIS - 60_000).build());
    }

    /** The next migration call (list, cancel, cleanup) answers {@code success = false}. */
    public synchronized void refuseNext(ErrorCode code, String message) {
        refusalCode = code;
        refusalMessage = message;
    }

    /** The next migration call (list, cancel, cleanup) fails with {@code status}. */
    public synchronized void failNext(Status status) {
        migrationFailure = status;
    }

    /** Fails the call if a test asked for it; returns whether it did. */
    private boolean failed(StreamObserver<?> observer) {
        if (migrationFailure == null) {
            return false;
        }
        observer.onError(migrationFailure.asRuntimeException());
        migrationFailure = null;
        return true;
    }

    /** Watches end after the changes already known, instead of waiting for more. */
    public void endWatches() {
        endWatches = true;
    }

    /** The next watch fails with {@code status}. */
    void failWatch(Status status) {
        watchFailure = status;
    }

    int watcherCount() {
        return watchers.size();
    }

    private String token() {
        return TERM + ":" + version;
    }

    @Override
    public synchronized void getConfig(GetConfigRequest request,
                                       StreamObserver<GetConfigResponse> observer) {
        lastGetConfig = request;
        GetConfigResponse.Builder response = GetConfigResponse.newBuilder();
        String problem = checkToken(request.getMinVersion());
        if (problem != null) {
            response.setSuccess(false).setErrorCode(ErrorCode.INVALID_REQUEST)
                    .setErrorMessage(problem);
        } else if (ahead(request.getMinVersion())) {
            response.setSuccess(false).setErrorCode(ErrorCode.QUORUM_NOT_REACHED)
                    .setErrorMessage("version " + request.getMinVersion()
                            + " did not arrive within 10000 ms");
        } else {
            response.setSuccess(true).setConfig(config).setVersion(token());
        }
        observer.onNext(response.build());
        observer.onCompleted();
    }

    private static String checkToken(String token) {
        if (token.isEmpty() || TOKEN.matcher(token).matches()) {
            return null;
        }
        return "min_version '" + token + "' is not a version token term:index";
    }

    private boolean ahead(String token) {
        Matcher matcher = TOKEN.matcher(token);
        return matcher.matches() && Long.parseLong(matcher.group(2)) > version;
    }

    @Override
    public void updateConfig(UpdateConfigRequest request,
                             StreamObserver<UpdateConfigResponse> observer) {
        UpdateConfigResponse response;
        ConfigChange change = null;
        synchronized (this) {
            ConfigUpdate update = request.getUpdate();
            String problem = null;
            if (!update.hasReplicationFactor() && !update.hasReadConsistency()
                    && !update.hasWriteConsistency() && !update.hasCompactionPolicy()
                    && !update.hasVirtualNodes()) {
                problem = "update names no setting to change";
            } else if (update.hasReplicationFactor() && update.getReplicationFactor() < 1) {
                problem = "replication_factor is " + update.getReplicationFactor()
                        + "; it must be at least 1";
            } else if (update.hasReadConsistency()
                    && !LEVELS.contains(update.getReadConsistency())) {
                problem = "read_consistency is '" + update.getReadConsistency()
                        + "'; use one of one, quorum, all";
            } else if (update.hasWriteConsistency()
                    && !LEVELS.contains(update.getWriteConsistency())) {
                problem = "write_consistency is '" + update.getWriteConsistency()
                        + "'; use one of one, quorum, all";
            } else if (update.hasCompactionPolicy()
                    && !POLICIES.contains(update.getCompactionPolicy())) {
                problem = "compaction_policy is '" + update.getCompactionPolicy()
                        + "'; use one of level, universal";
            } else if (update.hasVirtualNodes()
                    && (update.getVirtualNodes() < 1 || update.getVirtualNodes() > 4096)) {
                problem = "virtual_nodes is " + update.getVirtualNodes()
                        + "; it must be between 1 and 4096";
            }
            if (problem != null) {
                response = UpdateConfigResponse.newBuilder().setSuccess(false)
                        .setErrorCode(ErrorCode.INVALID_REQUEST).setErrorMessage(problem).build();
            } else {
                ClusterConfig.Builder next = config.toBuilder();
                if (update.hasReplicationFactor()) {
                    next.setReplicationFactor(update.getReplicationFactor());
                }
                if (update.hasReadConsistency()) {
                    next.setReadConsistency(update.getReadConsistency());
                }
                if (update.hasWriteConsistency()) {
                    next.setWriteConsistency(update.getWriteConsistency());
                }
                if (update.hasCompactionPolicy()) {
                    next.setCompactionPolicy(update.getCompactionPolicy());
                }
                if (update.hasVirtualNodes()) {
                    next.setVirtualNodes(update.getVirtualNodes());
                }
                config = next.build();
                version++;
                change = ConfigChange.newBuilder().setVersion(version).setConfig(config)
                        .setChangedAtMillis(NOW_MILLIS).build();
                changes.add(change);
                response = UpdateConfigResponse.newBuilder().setSuccess(true).setConfig(config)
                        .setVersion(token()).build();
            }
        }
        observer.onNext(response);
        observer.onCompleted();
        if (change != null) {
            for (StreamObserver<ConfigChange> watcher : watchers) {
                watcher.onNext(change);
            }
        }
    }

    @Override
    public void watchConfig(WatchConfigRequest request, StreamObserver<ConfigChange> observer) {
        lastWatch = request;
        Status failure = watchFailure;
        if (failure != null) {
            watchFailure = null;
            observer.onError(failure.asRuntimeException());
            return;
        }
        List<ConfigChange> known;
        synchronized (this) {
            known = changes.stream().filter(change -> change.getVersion()
                    > request.getFromVersion()).toList();
        }
        known.forEach(observer::onNext);
        if (endWatches) {
            observer.onCompleted();
            return;
        }
        ((ServerCallStreamObserver<ConfigChange>) observer)
                .setOnCancelHandler(() -> watchers.remove(observer));
        watchers.add(observer);
    }

    @Override
    public synchronized void getControlStatus(
            GetControlStatusRequest request,
            StreamObserver<GetControlStatusResponse> observer) {
        observer.onNext(GetControlStatusResponse.newBuilder().setSuccess(true)
                .setMemberId("m2").setLeaderId("m1").setTerm(TERM).setCommitIndex(version)
                .setAppliedIndex(version - 1).setRole("follower")
                .addAllMembers(members())
                .addNodes(NodeView.newBuilder().setNodeId("n1").setViewVersion(version)
                        .setAlive(true).setClockOffsetMillis(7))
                .addNodes(NodeView.newBuilder().setNodeId("n2").setViewVersion(version - 2)
                        .setAlive(false))
                .addAllNotVoting(notVoting)
                .build());
        observer.onCompleted();
    }

    private List<ControlMember> members() {
        List<ControlMember> list = new ArrayList<>();
        members.forEach((id, address) -> list.add(ControlMember.newBuilder().setMemberId(id)
                .setRaftAddress(address).setLeader(id.equals("m1")).build()));
        return list;
    }

    @Override
    public synchronized void getClusterView(GetClusterViewRequest request,
                                            StreamObserver<GetClusterViewResponse> observer) {
        lastGetClusterView = request;
        observer.onNext(GetClusterViewResponse.newBuilder().setSuccess(true).setVersion(version)
                .addMembers(ClusterViewNode.newBuilder().setNodeId("n1").setHost("10.0.0.1")
                        .setPort(7070).setPeerPort(7071).setStatus("active").setVirtualNodes(150)
                        .setAlive(true))
                .addMembers(ClusterViewNode.newBuilder().setNodeId("n2").setHost("10.0.0.2")
                        .setPort(7070).setPeerPort(7071).setStatus("active").setVirtualNodes(64)
                        .setAlive(false))
                .build());
        observer.onCompleted();
    }

    @Override
    public void listAuditEvents(ListAuditEventsRequest request,
                                StreamObserver<ListAuditEventsResponse> observer) {
        lastAudit = request;
        List<AuditEvent> all = List.of(
                event(3, NOW_MILLIS - 3_600_000, "register_node", "", "n1",
                        "storage node 'n1' added at 10.0.0.1:7070 (peer port 7071) with 150 "
                        + "virtual nodes"),
                event(4, NOW_MILLIS - 600_000, "create_tenant", "acme", "",
                        "tenant 'acme' created with replication factor 3"),
                event(5, NOW_MILLIS - 60_000, "update_config", "", "",
                        "read_consistency one -> quorum"));
        List<AuditEvent> matching = all.stream()
                .filter(event -> request.getTenantId().isEmpty()
                        || request.getTenantId().equals(event.getTenantId()))
                .filter(event -> event.getAtMillis() >= request.getSinceMillis())
                .toList();
        int limit = request.getLimit() == 0 ? 100 : request.getLimit();
        matching = matching.subList(Math.max(0, matching.size() - limit), matching.size());
        observer.onNext(ListAuditEventsResponse.newBuilder().setSuccess(true)
                .addAllEvents(matching).build());
        observer.onCompleted();
    }

    private static AuditEvent event(long version, long atMillis, String action, String tenant,
                                    String node, String details) {
        return AuditEvent.newBuilder().setId(Long.toString(version)).setVersion(version)
                .setHlc(atMillis << 16).setAtMillis(atMillis).setAction(action)
                .setTenantId(tenant).setNodeId(node).setActor("m1").setDetails(details).build();
    }

    @Override
    public synchronized void addControlMember(
            AddControlMemberRequest request,
            StreamObserver<ControlMembershipResponse> observer) {
        ControlMembershipResponse.Builder response = ControlMembershipResponse.newBuilder();
        if (members.containsKey(request.getMemberId())) {
            response.setSuccess(false).setErrorCode(ErrorCode.INVALID_REQUEST)
                    .setErrorMessage("member_id '" + request.getMemberId()
                            + "' is already a member of the control group");
        } else {
            members.put(request.getMemberId(), request.getRaftAddress());
            response.setSuccess(true).addAllMembers(members());
        }
        observer.onNext(response.build());
        observer.onCompleted();
    }

    @Override
    public synchronized void removeControlMember(
            RemoveControlMemberRequest request,
            StreamObserver<ControlMembershipResponse> observer) {
        ControlMembershipResponse.Builder response = ControlMembershipResponse.newBuilder();
        if (members.remove(request.getMemberId()) == null) {
            response.setSuccess(false).setErrorCode(ErrorCode.INVALID_REQUEST)
                    .setErrorMessage("member_id '" + request.getMemberId()
                            + "' is not a member of the control group");
        } else {
            response.setSuccess(true).addAllMembers(members());
        }
        observer.onNext(response.build());
        observer.onCompleted();
    }

    // -------------------------------------------------------------------------- migrations

    @Override
    public synchronized void listMigrations(ListMigrationsRequest request,
                                            StreamObserver<ListMigrationsResponse> observer) {
        if (failed(observer)) {
            return;
        }
        ListMigrationsResponse.Builder response = ListMigrationsResponse.newBuilder();
        if (refusalCode != null) {
            response.setSuccess(false).setErrorCode(refusalCode).setErrorMessage(refusalMessage);
            refusalCode = null;
        } else {
            response.setSuccess(true).addAllMigrations(migrations.all());
        }
        observer.onNext(response.build());
        observer.onCompleted();
    }

    @Override
    public synchronized void cancelMigration(CancelMigrationRequest request,
                                             StreamObserver<CancelMigrationResponse> observer) {
        if (failed(observer)) {
            return;
        }
        lastCancel = request;
        CancelMigrationResponse.Builder response = CancelMigrationResponse.newBuilder();
        MigrationInfo migration = migrations.get(request.getMigrationId());
        if (refusalCode != null) {
            response.setSuccess(false).setErrorCode(refusalCode).setErrorMessage(refusalMessage);
            refusalCode = null;
        } else if (migration == null) {
            response.setSuccess(false).setErrorCode(ErrorCode.MIGRATION_NOT_FOUND)
                    .setErrorMessage("migration '" + request.getMigrationId()
                            + "' does not exist");
        } else if (Set.of("completed", "failed", "cancelled").contains(migration.getStatus())) {
            response.setSuccess(false).setErrorCode(ErrorCode.INVALID_REQUEST)
                    .setErrorMessage("migration '" + request.getMigrationId() + "' is already "
                            + migration.getStatus());
        } else {
            String reason = request.getReason().isEmpty() ? "cancelled" : request.getReason();
            response.setSuccess(true)
                    .setMigration(migrations.cancel(request.getMigrationId(), reason));
        }
        observer.onNext(response.build());
        observer.onCompleted();
    }

    @Override
    public synchronized void cleanupNode(CleanupNodeRequest request,
                                         StreamObserver<CleanupNodeResponse> observer) {
        if (failed(observer)) {
            return;
        }
        CleanupNodeResponse.Builder response = CleanupNodeResponse.newBuilder();
        if (refusalCode != null) {
            response.setSuccess(false).setErrorCode(refusalCode).setErrorMessage(refusalMessage);
            refusalCode = null;
        } else {
            response.setSuccess(true).setNodeId("n1").setKeysDeleted(strayKeys);
            strayKeys = 0;
        }
        observer.onNext(response.build());
        observer.onCompleted();
    }
}
