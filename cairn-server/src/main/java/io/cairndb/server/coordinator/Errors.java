package io.cairndb.server.coordinator;

import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.Message;
import io.cairndb.core.CairnException;
import io.cairndb.core.ErrorCode;
import io.cairndb.core.Failures;
import java.util.List;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns failures into in-band error responses: {@code success = false}, {@code error_message},
 * {@code error_code}. Every response of the contract has those fields, so one mapping serves all.
 * Unexpected failures are logged with a reference and answered as INTERNAL_ERROR without a stack
 * trace.
 */
public final class Errors {

    private static final Logger LOG = LoggerFactory.getLogger(Errors.class);

    /** Request fields echoed into an error response when the response has a field of that name. */
    private static final List<String> ECHOED = List.of("key", "tenant_id", "node_id",
            "migration_id");

    private Errors() {
    }

    /** The {@link CairnException} behind a failure, or INTERNAL_ERROR for anything unexpected. */
    public static CairnException unwrap(Throwable error) {
        Throwable cause = Failures.cause(error);
        if (cause instanceof CairnException cairn) {
            return cairn;
        }
        String reference = UUID.randomUUID().toString().substring(0, 8);
        LOG.error("internal error, reference {}", reference, cause);
        return new CairnException(ErrorCode.INTERNAL_ERROR, "internal error (reference "
                + reference + " in the server log): " + cause.getClass().getSimpleName());
    }

    /** An error response of the type of {@code prototype}, echoing identifying request fields. */
    @SuppressWarnings("unchecked")
    static <R extends Message> R response(R prototype, Message request, Throwable error) {
        CairnException failure = unwrap(error);
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
