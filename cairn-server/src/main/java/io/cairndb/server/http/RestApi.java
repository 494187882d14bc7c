package io.cairndb.server.http;

import com.google.protobuf.ByteString;
import com.google.protobuf.Descriptors.EnumValueDescriptor;
import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.Message;
import io.cairndb.api.AddStorageNodeRequest;
import io.cairndb.api.AddStorageNodeResponse;
import io.cairndb.api.BatchWriteItem;
import io.cairndb.api.BatchWriteRequest;
import io.cairndb.api.BatchWriteResponse;
import io.cairndb.api.CreateTenantRequest;
import io.cairndb.api.CreateTenantResponse;
import io.cairndb.api.DeleteKeyValueRequest;
import io.cairndb.api.DeleteKeyValueResponse;
import io.cairndb.api.ErrorCode;
import io.cairndb.api.GetMigrationStatusRequest;
import io.cairndb.api.GetMigrationStatusResponse;
import io.cairndb.api.GetTenantRequest;
import io.cairndb.api.GetTenantResponse;
import io.cairndb.api.ListStorageNodesRequest;
import io.cairndb.api.ListStorageNodesResponse;
import io.cairndb.api.RangeQueryRequest;
import io.cairndb.api.RangeQueryResponse;
import io.cairndb.api.ReadKeyValueRequest;
import io.cairndb.api.ReadKeyValueResponse;
import io.cairndb.api.RemoveStorageNodeRequest;
import io.cairndb.api.RemoveStorageNodeResponse;
import io.cairndb.api.UpdateReplicationFactorRequest;
import io.cairndb.api.UpdateReplicationFactorResponse;
import io.cairndb.api.VectorClock;
import io.cairndb.api.VectorClockEntry;
import io.cairndb.api.WriteKeyValueRequest;
import io.cairndb.api.WriteKeyValueResponse;
import io.cairndb.api.admin.AddControlMemberRequest;
import io.cairndb.api.admin.CancelMigrationRequest;
import io.cairndb.api.admin.CleanupNodeRequest;
import io.cairndb.api.admin.ConfigUpdate;
import io.cairndb.api.admin.GetClusterViewRequest;
import io.cairndb.api.admin.GetConfigRequest;
import io.cairndb.api.admin.GetControlStatusRequest;
import io.cairndb.api.admin.ListAuditEventsRequest;
import io.cairndb.api.admin.ListMigrationsRequest;
import io.cairndb.api.admin.RemoveControlMemberRequest;
import io.cairndb.api.admin.UpdateConfigRequest;
import io.cairndb.core.CairnException;
import io.cairndb.core.Limits;
import io.cairndb.server.common.Errors;
import io.cairndb.server.common.UnaryCalls;
import io.cairndb.server.control.AdminGrpcService;
import io.cairndb.server.coordinator.Answers;
import io.cairndb.server.coordinator.ClusterAdministration;
import io.cairndb.server.coordinator.Coordinator;
import io.cairndb.server.observability.ClusterEvents;
import io.cairndb.server.tracing.Tracing;
import io.grpc.stub.StreamObserver;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import io.javalin.http.Handler;
import io.javalin.http.HandlerType;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.function.BiConsumer;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * REST {@code /api/v1}: one route per operation of {@code CoordinatorService} and
 * {@code AdminService}, each calling the very methods the gRPC services call, so both fronts
 * share one code path and one set of rules. Answers are seed 002 envelopes whose {@code data} is
 * the gRPC response in JSON (see {@link ProtoJson}); refusals map through {@link HttpErrors}.
 *
 * <p>A value travels either as the raw request body (any content type but JSON) or, with
 * {@code Content-Type: application/json}, base64 in {@code {"value": "..."}}. A read answers the
 * envelope with the value in base64, or the raw bytes when the client accepts
 * {@code application/octet-stream}. Consistency comes from {@code ?consistency=} or the
 * {@code X-Consistency} header, idempotency from {@code Idempotency-Key}; a key's vector clock is
 * in the body and in {@code ETag}.
 *
 * <p>With tracing on, each route call is a server span ({@link RestSpans}).
 */
public final class RestApi {

    static final String PREFIX = "/api/v1";
    static final String CONSISTENCY_HEADER = "X-Consistency";
    static final String IDEMPOTENCY_HEADER = "Idempotency-Key";
    static final String OCTET_STREAM = "application/octet-stream";

    private final Coordinator coordinator;
    private final ClusterAdministration administration;
    private final AdminGrpcService admin;
    private final Limits limits;
    private final ClusterEvents clusterEvents;
    private final Tracing tracing;
    private final List<String> routes = new ArrayList<>();

    public RestApi(Coordinator coordinator, ClusterAdministration administration,
                   AdminGrpcService admin, Limits limits, ClusterEvents clusterEvents,
                   Tracing tracing) {
        this.tracing = tracing;
        this.coordinator = coordinator;
        this.administration = administration;
        this.admin = admin;
        this.limits = limits;
        this.clusterEvents = clusterEvents;
    }

    /** The largest request body worth reading: a full batch in base64, with room for JSON. */
    public long bodyBytesMax() {
        return limits.batchSizeBytesMax() * 4 / 3 + (long) limits.batchItemsMax() * 2048
                + 64 * 1024;
    }

    /** Registers every route, each checking its requests against {@code validator} first. */
    void register(RoutesConfig routes, RequestValidator validator) {
        String tenant = PREFIX + "/tenants/{tenant}";
        // A key may hold '/', which {key} would not match.
        String key = tenant + "/keys/<key>";
        // Operations are named as the OpenAPI document's operationIds.
        Route route = (method, path, operation, handler) -> route(routes, validator, method, path,
                operation, handler);
        route.add(HandlerType.POST, PREFIX + "/tenants", "createTenant", this::createTenant);
        route.add(HandlerType.GET, tenant, "getTenant", this::getTenant);
        route.add(HandlerType.PUT, tenant + "/replication-factor", "updateReplicationFactor",
                this::updateReplicationFactor);
        route.add(HandlerType.PUT, key, "writeKeyValue", this::write);
        route.add(HandlerType.GET, key, "readKeyValue", this::read);
        route.add(HandlerType.DELETE, key, "deleteKeyValue", this::delete);
        route.add(HandlerType.GET, tenant + "/keys", "rangeQuery", this::range);
        route.add(HandlerType.POST, tenant + "/batch", "batchWrite", this::batch);
        route.add(HandlerType.GET, PREFIX + "/nodes", "listStorageNodes", this::listNodes);
        route.add(HandlerType.POST, PREFIX + "/nodes", "addStorageNode", this::addNode);
        route.add(HandlerType.DELETE, PREFIX + "/nodes/{node}", "removeStorageNode",
                this::removeNode);
        route.add(HandlerType.POST, PREFIX + "/nodes/{node}/cleanup", "cleanupNode",
                this::cleanupNode);
        route.add(HandlerType.GET, PREFIX + "/migrations", "listMigrations",
                this::listMigrations);
        route.add(HandlerType.GET, PREFIX + "/migrations/{migration}", "getMigrationStatus",
                this::migration);
        route.add(HandlerType.POST, PREFIX + "/migrations/{migration}/cancel", "cancelMigration",
                this::cancelMigration);
        route.add(HandlerType.GET, PREFIX + "/cluster/view", "getClusterView",
                this::clusterView);
        route.add(HandlerType.GET, PREFIX + "/cluster/status", "getControlStatus",
                this::clusterStatus);
        route.add(HandlerType.POST, PREFIX + "/cluster/members", "addControlMember",
                this::addControlMember);
        route.add(HandlerType.DELETE, PREFIX + "/cluster/members/{member}",
                "removeControlMember", this::removeControlMember);
        route.add(HandlerType.GET, PREFIX + "/config", "getConfig", this::getConfig);
        route.add(HandlerType.PATCH, PREFIX + "/config", "updateConfig", this::updateConfig);
        route.add(HandlerType.GET, PREFIX + "/audit", "listAuditEvents", this::audit);
        if (tracing.enabled()) {
            routes.after(RestSpans::end);
        }
    }

    /** Adds one route of {@link #register}. */
    @FunctionalInterface
    private interface Route {
        void add(HandlerType method, String path, String operation, Handler handler);
    }

    private void route(RoutesConfig routes, RequestValidator validator, HandlerType method,
                       String path, String operation, Handler handler) {
        if (!validator.knows(operation)) {
            throw new IllegalStateException("route " + method + " " + path + " serves "
                    + operation + ", which the OpenAPI document does not name");
        }
        String template = path.replace('<', '{').replace('>', '}');
        Handler checked = ctx -> {
            Envelope.operation(ctx, operation, ctx.pathParamMap().get("tenant"));
            validator.check(operation, ctx);
            handler.handle(ctx);
        };
        routes.addHttpHandler(method, path, tracing.enabled()
                ? RestSpans.around(tracing, method, template, checked) : checked);
        this.routes.add(method.name() + " " + template + " " + operation);
    }

    /** The live streams: config changes from the same admin service, and cluster events. */
    LiveStream stream() {
        return new LiveStream(admin, clusterEvents);
    }

    /** Every route as "METHOD /path/{param} operationId", as an OpenAPI document names it. */
    public List<String> routes() {
        return List.copyOf(routes);
    }

    // ----------------------------------------------------------------------------- tenants

    private void createTenant(Context ctx) {
        JsonBody body = JsonBody.of(ctx, "tenantId", "replicationFactor");
        CreateTenantRequest request = CreateTenantRequest.newBuilder()
                .setTenantId(body.text("tenantId", ""))
                .setReplicationFactor(orZero(body.integer("replicationFactor", false)))
                .build();
        answer(ctx, 201, request, CreateTenantResponse.getDefaultInstance(),
                administration::createTenant, response -> ctx.header("Location",
                        PREFIX + "/tenants/" + response.getTenantId()));
    }

    private void getTenant(Context ctx) {
        answer(ctx, 200, GetTenantRequest.newBuilder().setTenantId(ctx.pathParam("tenant"))
                .build(), GetTenantResponse.getDefaultInstance(), administration::getTenant, null);
    }

    private void updateReplicationFactor(Context ctx) {
        JsonBody body = JsonBody.of(ctx, "replicationFactor");
        answer(ctx, 200, UpdateReplicationFactorRequest.newBuilder()
                        .setTenantId(ctx.pathParam("tenant"))
                        .setNewReplicationFactor(body.integer("replicationFactor", true)).build(),
                UpdateReplicationFactorResponse.getDefaultInstance(),
                administration::updateReplicationFactor, null);
    }

    // -------------------------------------------------------------------------- key-value

    /**
     * A conditional write is refused, not ignored: deciding it needs one decision per key, which
     * a leaderless quorum store can only make with a consensus round per write.
     */
    private static void refuseConditional(Context ctx) {
        if (ctx.header("If-Match") != null) {
            throw new ApiException(422, "If-Match is not supported: writes are not conditional "
                    + "here (a compare-and-set would need a consensus round per key); send the "
                    + "write without it", Map.of("field", "If-Match"));
        }
    }

    private void write(Context ctx) {
        byte[] value;
        if (isJson(ctx.contentType())) {
            value = JsonBody.of(ctx, "value").base64("value", true);
        } else {
            // Read before refusing: a refusal sent while the client still sends its body makes
            // the connection end in a reset, and the client may never see the answer. The body
            // is bounded by bodyBytesMax(), past which Jetty refuses it as it is read.
            value = ctx.bodyAsBytes();
        }
        refuseConditional(ctx);
        if (value.length > limits.valueSizeBytesMax()) {
            throw valueTooLarge(value.length);
        }
        WriteKeyValueRequest request = WriteKeyValueRequest.newBuilder()
                .setTenantId(ctx.pathParam("tenant"))
                .setKey(ctx.pathParam("key"))
                .setValue(ByteString.copyFrom(value))
                .setConsistency(consistency(ctx))
                .setIdempotencyKey(headerOrEmpty(ctx, IDEMPOTENCY_HEADER))
                .build();
        answer(ctx, 200, request, WriteKeyValueResponse.getDefaultInstance(), coordinator::write,
                response -> ctx.header("ETag", etag(response.getVectorClock())));
    }

    private ApiException valueTooLarge(long bytes) {
        return new ApiException(413, "the value is " + bytes + " bytes; the limit is "
                + limits.valueSizeBytesMax() + " bytes (limits.valueSizeBytesMax)",
                Map.of("field", "value", "limit", Long.toString(limits.valueSizeBytesMax())));
    }

    private void read(Context ctx) {
        ReadKeyValueRequest request = ReadKeyValueRequest.newBuilder()
                .setTenantId(ctx.pathParam("tenant"))
                .setKey(ctx.pathParam("key"))
                .setConsistency(consistency(ctx))
                .build();
        String accept = ctx.header("Accept");
        boolean raw = accept != null && accept.contains(OCTET_STREAM);
        coordinate(ctx, () -> Answers.answer(request,
                ReadKeyValueResponse.getDefaultInstance(), coordinator::read).thenAccept(response -> {
                    if (response.getSuccess()) {
                        ctx.header("ETag", etag(response.getVectorClock()));
                        if (raw) {
                            ctx.status(200).contentType(OCTET_STREAM)
                                    .result(response.getValue().toByteArray());
                            return;
                        }
                    }
                    send(ctx, 200, response);
                }));
    }

    private void delete(Context ctx) {
        refuseConditional(ctx);
        DeleteKeyValueRequest request = DeleteKeyValueRequest.newBuilder()
                .setTenantId(ctx.pathParam("tenant"))
                .setKey(ctx.pathParam("key"))
                .setConsistency(consistency(ctx))
                .setIdempotencyKey(headerOrEmpty(ctx, IDEMPOTENCY_HEADER))
                .build();
        answer(ctx, 200, request, DeleteKeyValueResponse.getDefaultInstance(), coordinator::delete,
                response -> ctx.header("ETag", etag(response.getVectorClock())));
    }

    private void range(Context ctx) {
        RangeQueryRequest request = RangeQueryRequest.newBuilder()
                .setTenantId(ctx.pathParam("tenant"))
                .setStartKey(queryOrEmpty(ctx, "start"))
                .setEndKey(queryOrEmpty(ctx, "end"))
                .setLimit(intQuery(ctx, "limit"))
                .setPageToken(queryOrEmpty(ctx, "pageToken"))
                .setConsistency(consistency(ctx))
                .build();
        answer(ctx, 200, request, RangeQueryResponse.getDefaultInstance(),
                coordinator::rangeQuery, null);
    }

    private void batch(Context ctx) {
        JsonBody body = JsonBody.of(ctx, "items", "consistency");
        String consistency = body.text("consistency", consistency(ctx));
        BatchWriteRequest.Builder request = BatchWriteRequest.newBuilder()
                .setTenantId(ctx.pathParam("tenant"))
                .setConsistency(consistency);
        for (JsonBody item : body.objects("items", "key", "value", "delete", "idempotencyKey")) {
            request.addItems(BatchWriteItem.newBuilder()
                    .setKey(item.text("key", ""))
                    .setValue(ByteString.copyFrom(item.base64("value", false)))
                    .setDelete(item.bool("delete", false))
                    .setIdempotencyKey(item.text("idempotencyKey", "")));
        }
        answer(ctx, 200, request.build(), BatchWriteResponse.getDefaultInstance(),
                coordinator::batchWrite, null);
    }

    // ----------------------------------------------------------------------- storage nodes

    private void listNodes(Context ctx) {
        answer(ctx, 200, ListStorageNodesRequest.getDefaultInstance(),
                ListStorageNodesResponse.getDefaultInstance(), administration::listStorageNodes,
                null);
    }

    private void addNode(Context ctx) {
        JsonBody body = JsonBody.of(ctx, "nodeId", "host", "port", "virtualNodes");
        answer(ctx, 200, AddStorageNodeRequest.newBuilder()
                        .setNodeId(body.text("nodeId", ""))
                        .setHost(body.text("host", ""))
                        .setPort(orZero(body.integer("port", true)))
                        .setVirtualNodes(orZero(body.integer("virtualNodes", false))).build(),
                AddStorageNodeResponse.getDefaultInstance(), administration::addStorageNode, null);
    }

    private void removeNode(Context ctx) {
        answer(ctx, 200, RemoveStorageNodeRequest.newBuilder()
                        .setNodeId(ctx.pathParam("node"))
                        .setForce(boolQuery(ctx, "force")).build(),
                RemoveStorageNodeResponse.getDefaultInstance(), administration::removeStorageNode,
                null);
    }

    private void migration(Context ctx) {
        answer(ctx, 200, GetMigrationStatusRequest.newBuilder()
                        .setMigrationId(ctx.pathParam("migration")).build(),
                GetMigrationStatusResponse.getDefaultInstance(), administration::getMigrationStatus,
                null);
    }

    private void cleanupNode(Context ctx) {
        admin(ctx, 200, CleanupNodeRequest.newBuilder().setNodeId(ctx.pathParam("node")).build(),
                admin::cleanupNode);
    }

    private void listMigrations(Context ctx) {
        admin(ctx, 200, ListMigrationsRequest.getDefaultInstance(), admin::listMigrations);
    }

    private void cancelMigration(Context ctx) {
        // The reason is optional, and so is the body that would carry it.
        String reason = ctx.bodyAsBytes().length == 0 ? ""
                : JsonBody.of(ctx, "reason").text("reason", "");
        admin(ctx, 200, CancelMigrationRequest.newBuilder()
                .setMigrationId(ctx.pathParam("migration"))
                .setReason(reason).build(), admin::cancelMigration);
    }

    // ------------------------------------------------------------------------------- admin

    private void clusterView(Context ctx) {
        admin(ctx, 200, GetClusterViewRequest.newBuilder()
                .setMinVersion(queryOrEmpty(ctx, "minVersion")).build(), admin::getClusterView);
    }

    private void clusterStatus(Context ctx) {
        admin(ctx, 200, GetControlStatusRequest.getDefaultInstance(), admin::getControlStatus);
    }

    private void addControlMember(Context ctx) {
        JsonBody body = JsonBody.of(ctx, "memberId", "raftAddress");
        admin(ctx, 200, AddControlMemberRequest.newBuilder()
                .setMemberId(body.text("memberId", ""))
                .setRaftAddress(body.text("raftAddress", "")).build(), admin::addControlMember);
    }

    private void removeControlMember(Context ctx) {
        admin(ctx, 200, RemoveControlMemberRequest.newBuilder()
                .setMemberId(ctx.pathParam("member")).build(), admin::removeControlMember);
    }

    private void getConfig(Context ctx) {
        admin(ctx, 200, GetConfigRequest.newBuilder()
                .setMinVersion(queryOrEmpty(ctx, "minVersion")).build(), admin::getConfig);
    }

    private void updateConfig(Context ctx) {
        JsonBody body = JsonBody.of(ctx, "replicationFactor", "readConsistency",
                "writeConsistency", "compactionPolicy", "virtualNodes");
        ConfigUpdate.Builder update = ConfigUpdate.newBuilder();
        // Only the fields sent change.
        Optional.ofNullable(body.integer("replicationFactor", false))
                .ifPresent(update::setReplicationFactor);
        Optional.ofNullable(body.text("readConsistency", null))
                .ifPresent(update::setReadConsistency);
        Optional.ofNullable(body.text("writeConsistency", null))
                .ifPresent(update::setWriteConsistency);
        Optional.ofNullable(body.text("compactionPolicy", null))
                .ifPresent(update::setCompactionPolicy);
        Optional.ofNullable(body.integer("virtualNodes", false))
                .ifPresent(update::setVirtualNodes);
        admin(ctx, 200, UpdateConfigRequest.newBuilder().setUpdate(update).build(),
                admin::updateConfig);
    }

    private void audit(Context ctx) {
        admin(ctx, 200, ListAuditEventsRequest.newBuilder()
                .setTenantId(queryOrEmpty(ctx, "tenant"))
                .setSinceMillis(longQuery(ctx, "sinceMillis"))
                .setLimit(intQuery(ctx, "limit")).build(), admin::listAuditEvents);
    }

    // ---------------------------------------------------------------------------- plumbing

    /** Calls the coordinator as its gRPC service does, and answers when its future completes. */
    private <Q extends Message, R extends Message> void answer(
            Context ctx, int status, Q request, R prototype,
            Function<Q, CompletableFuture<R>> call, java.util.function.Consumer<R> onSuccess) {
        coordinate(ctx, () -> Answers.answer(request, prototype, call)
                .thenAccept(response -> {
                    if (onSuccess != null && !refused(response)) {
                        onSuccess.accept(response);
                    }
                    send(ctx, status, response);
                }));
    }

    /** Answers with {@code work}'s future, run under the request's span when traced. */
    private void coordinate(Context ctx, Supplier<CompletableFuture<?>> work) {
        ctx.future(tracing.enabled() ? RestSpans.within(ctx, work) : work);
    }

    /** Calls an admin RPC's implementation with an observer that completes a future. */
    private static <Q extends Message, R extends Message> void admin(
            Context ctx, int status, Q request, BiConsumer<Q, StreamObserver<R>> method) {
        CompletableFuture<R> answered = UnaryCalls.call(observer -> method.accept(request,
                observer));
        ctx.future(() -> answered.handle((response, error) -> {
            if (error != null) {
                CairnException failure = Errors.unwrap(error);
                refuse(ctx, ErrorCode.forNumber(failure.code().number()), failure.getMessage());
            } else {
                send(ctx, status, response);
            }
            return null;
        }));
    }

    /** A response refused in-band: not a success, with a message saying why. */
    static boolean refused(Message response) {
        var type = response.getDescriptorForType();
        return !(Boolean) response.getField(type.findFieldByName("success"))
                && !((String) response.getField(type.findFieldByName("error_message"))).isEmpty();
    }

    /** The envelope of a gRPC-shaped response: its data, or its in-band refusal. */
    static void send(Context ctx, int status, Message response) {
        if (!refused(response)) {
            Envelope.success(ctx, status, out -> ProtoJson.write(out, response));
            return;
        }
        var type = response.getDescriptorForType();
        FieldDescriptor code = type.findFieldByName("error_code");
        ErrorCode errorCode = ErrorCode.forNumber(
                ((EnumValueDescriptor) response.getField(code)).getNumber());
        refuse(ctx, errorCode, (String) response.getField(type.findFieldByName("error_message")));
    }

    private static void refuse(Context ctx, ErrorCode code, String message) {
        ErrorCode known = code == null ? ErrorCode.INTERNAL_ERROR : code;
        HttpErrors.Status status = HttpErrors.of(known);
        Envelope.error(ctx, status.http(), status.code(), message,
                Map.of("errorCode", known.name()));
    }

    /** A vector clock as an entity tag: {@code "node:counter;node:counter"}. */
    static String etag(VectorClock clock) {
        StringBuilder tag = new StringBuilder("\"");
        for (VectorClockEntry entry : clock.getEntriesList()) {
            if (tag.length() > 1) {
                tag.append(';');
            }
            tag.append(entry.getCoordinatorNodeId()).append(':')
                    .append(entry.getLogicalTimestamp());
        }
        return tag.append('"').toString();
    }

    static boolean isJson(String contentType) {
        return contentType != null && contentType.toLowerCase(java.util.Locale.ROOT)
                .startsWith(Envelope.JSON_TYPE);
    }

    /** {@code ?consistency=} if given, else {@code X-Consistency}, else empty (the default). */
    static String consistency(Context ctx) {
        String query = ctx.queryParam("consistency");
        if (query != null) {
            return query;
        }
        return headerOrEmpty(ctx, CONSISTENCY_HEADER);
    }

    private static String headerOrEmpty(Context ctx, String name) {
        String value = ctx.header(name);
        return value == null ? "" : value;
    }

    private static String queryOrEmpty(Context ctx, String name) {
        String value = ctx.queryParam(name);
        return value == null ? "" : value;
    }

    private static int intQuery(Context ctx, String name) {
        long value = longQuery(ctx, name);
        if (value < Integer.MIN_VALUE || value > Integer.MAX_VALUE) {
            throw ApiException.invalid(name, name + " is " + value + "; it must fit 32 bits");
        }
        return (int) value;
    }

    private static long longQuery(Context ctx, String name) {
        String value = ctx.queryParam(name);
        if (value == null || value.isEmpty()) {
            return 0;
        }
        try {
            return Long.parseLong(value);
        } catch (NumberFormatException e) {
            throw ApiException.invalid(name, name + " '" + ApiException.abbreviate(value)
                    + "' is not a whole number");
        }
    }

    private static boolean boolQuery(Context ctx, String name) {
        String value = ctx.queryParam(name);
        if (value == null || value.isEmpty() || value.equals("false")) {
            return false;
        }
        if (value.equals("true")) {
            return true;
        }
        throw ApiException.invalid(name, name + " '" + ApiException.abbreviate(value)
                + "' must be true or false");
    }

    private static int orZero(Integer value) {
        return value == null ? 0 : value;
    }
}
