package io.cairndb.server.replica;

import com.google.protobuf.ByteString;
import io.cairndb.api.peer.ApplyRequest;
import io.cairndb.api.peer.ClockEntry;
import io.cairndb.api.peer.StoredVersion;
import io.cairndb.core.VectorClock;
import io.cairndb.core.Version;
import io.cairndb.core.Mutation;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Conversions between the storage model and the peer protocol's messages. */
public final class PeerCodec {

    /** The peer protocol version this node speaks. */
    public static final int PROTOCOL_VERSION = 1;

    private PeerCodec() {
    }

    public static List<ClockEntry> toProto(VectorClock clock) {
        ClockEntry[] entries = new ClockEntry[clock.size()];
        for (int i = 0; i < entries.length; i++) {
            entries[i] = ClockEntry.newBuilder().setNodeId(clock.node(i))
                    .setCounter(clock.counter(i)).build();
        }
        return List.of(entries);
    }

    public static VectorClock fromProto(List<ClockEntry> entries) {
        Map<String, Long> clock = new LinkedHashMap<>();
        for (ClockEntry entry : entries) {
            clock.merge(entry.getNodeId(), entry.getCounter(), Math::max);
        }
        return VectorClock.of(clock);
    }

    public static StoredVersion toProto(Version version) {
        StoredVersion.Builder builder = StoredVersion.newBuilder()
                .setTombstone(version.isTombstone())
                .addAllClock(toProto(version.clock()))
                .setHlc(version.hlc())
                .setCoordinatorNodeId(version.coordinatorNodeId());
        if (!version.isTombstone()) {
            builder.setValue(ByteString.copyFrom(version.value()));
        }
        return builder.build();
    }

    public static Version fromProto(StoredVersion version) {
        return new Version(version.getTombstone() ? null : version.getValue().toByteArray(),
                fromProto(version.getClockList()), version.getHlc(),
                version.getCoordinatorNodeId());
    }

    public static ApplyRequest toProto(Mutation mutation, String senderNodeId) {
        ApplyRequest.Builder builder = ApplyRequest.newBuilder()
                .setProtocolVersion(PROTOCOL_VERSION)
                .setTenantId(mutation.tenantId())
                .setKey(ByteString.copyFrom(mutation.key()))
                .setToken(mutation.token())
                .setVersion(toProto(mutation.version()))
                .setSenderNodeId(senderNodeId);
        Mutation.IdempotencyRequest idem = mutation.idempotency();
        if (idem != null) {
            builder.setIdempotencyKey(idem.idempotencyKey())
                    .setRequestHash(ByteString.copyFrom(idem.requestHash()))
                    .setNowMillis(idem.nowMillis())
                    .setTtlMillis(idem.ttlMillis())
                    .setIdempotencyKeyGenerated(idem.generated());
        }
        return builder.build();
    }

    public static Mutation fromProto(ApplyRequest request) {
        Mutation.IdempotencyRequest idem = request.getIdempotencyKey().isEmpty() ? null
                : new Mutation.IdempotencyRequest(request.getIdempotencyKey(),
                        request.getRequestHash().toByteArray(), request.getNowMillis(),
                        request.getTtlMillis(), request.getIdempotencyKeyGenerated());
        return new Mutation(request.getTenantId(), request.getKey().toByteArray(),
                request.getToken(), fromProto(request.getVersion()), idem);
    }
}
