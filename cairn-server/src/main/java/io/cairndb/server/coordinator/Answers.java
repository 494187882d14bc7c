package io.cairndb.server.coordinator;

import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.Message;
import io.cairndb.core.CairnException;
import io.cairndb.server.common.Errors;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;

/**
 * Turns the coordinator's answers and failures into responses of the client contract. Failures go
 * in-band: {@code success = false}, {@code error_message}, {@code error_code}. Every response of
 * the contract has those fields, so one mapping serves all; the unary RPCs, the pipeline and the
 * REST routes all answer through it.
 */
public final class Answers {

    /** Request fields echoed into an error response when the response has a field of that name. */
    private static final List<String> ECHOED = List.of("key", "tenant_id", "node_id",
            "migration_id");

    private Answers() {
    }

    /**
     * The response to one call: the coordinator's answer, or a failure (thrown at once or raised
     * later) turned into the response's in-band error fields. The future never fails.
     */
    public static <Q extends Message, R extends Message> CompletableFuture<R> answer(
            Q request, R prototype, Function<Q, CompletableFuture<R>> call) {
        CompletableFuture<R> future;
        try {
            future = call.apply(request);
        } catch (RuntimeException e) {
            future = CompletableFuture.failedFuture(e);
        }
        return future.handle((response, error) ->
                error == null ? response : failure(prototype, request, error));
    }

    /** An error response of the type of {@code prototype}, echoing identifying request fields. */
    @SuppressWarnings("unchecked")
    static <R extends Message> R failure(R prototype, Message request, Throwable error) {
        CairnException failure = Errors.unwrap(error);
        Message.Builder builder = prototype.newBuilderForType();
        var type = builder.getDescriptorForType();
        builder.setField(type.findFieldByName("success"), false);
        builder.setField(type.findFieldByName("error_message"), failure.getMessage());
        FieldDescriptor code = type.findFieldByName("error_code");
        builder.setField(code, code.getEnumType().findValueByNumber(failure.code().number()));
        for (String name : ECHOED) {
            FieldDescriptor target = type.findFieldByName(name);
            FieldDescriptor source = request.getDescriptorForType().findFieldByName(name);
            if (target != null && source != null && target.getType() == source.getType()) {
                builder.setField(target, request.getField(source));
            }
        }
        FieldDescriptor replicaCount = type.findFieldByName("replica_count");
        if (replicaCount != null && failure instanceof QuorumNotReachedException quorum) {
            builder.setField(replicaCount, quorum.acknowledged());
        }
        return (R) builder.build();
    }
}
