package io.cairndb.server.replica;

import static org.assertj.core.api.Assertions.assertThat;

import io.cairndb.api.peer.ApplyRequest;
import io.cairndb.core.Version;
import io.cairndb.core.Mutation;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

// Proves a mutation crosses the peer protocol whole, its idempotency check included.
class PeerCodecTest {

    private static final byte[] KEY = "k".getBytes(StandardCharsets.UTF_8);
    private static final Version VERSION =
            Version.write("v".getBytes(StandardCharsets.UTF_8), "n1", 42);

    @Test
    void carriesWhetherTheCoordinatorMadeTheIdempotencyKeyUp() throws Exception {
        for (boolean generated : new boolean[] {true, false}) {
            Mutation sent = new Mutation("t", KEY, 7, VERSION, new Mutation.IdempotencyRequest(
                    "idem", new byte[] {1, 2}, 1_000, 5_000, generated));
            ApplyRequest wire = PeerCodec.toProto(sent, "n1");
            Mutation received = PeerCodec.fromProto(ApplyRequest.parseFrom(wire.toByteArray()));
            assertThat(received.idempotency().generated()).isEqualTo(generated);
            assertThat(received.idempotency().idempotencyKey()).isEqualTo("idem");
            assertThat(received.idempotency().requestHash()).containsExactly(1, 2);
            assertThat(received.idempotency().nowMillis()).isEqualTo(1_000);
            assertThat(received.idempotency().ttlMillis()).isEqualTo(5_000);
            assertThat(received.key()).isEqualTo(KEY);
            assertThat(received.token()).isEqualTo(7);
            assertThat(received.version()).isEqualTo(VERSION);
        }
    }

    @Test
    void aSenderThatSaysNothingIsTakenAsNotSure() {
        // An older sender never sets the field: the replica looks for an earlier record.
        ApplyRequest wire = PeerCodec.toProto(new Mutation("t", KEY, 7, VERSION,
                new Mutation.IdempotencyRequest("idem", new byte[] {1}, 1_000, 5_000, true)),
                "n1").toBuilder().clearIdempotencyKeyGenerated().build();
        assertThat(PeerCodec.fromProto(wire).idempotency().generated()).isFalse();
        assertThat(PeerCodec.fromProto(PeerCodec.toProto(
                new Mutation("t", KEY, 7, VERSION, null), "n1")).idempotency()).isNull();
    }
}
