package io.cairndb.storage;

import io.cairndb.core.IdempotencyRecord;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.cairndb.core.VectorClock;
import io.cairndb.core.Version;
import io.cairndb.testkit.Property;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

// Proves records round-trip exactly and that any damaged byte is caught by the checksum.
class CodecTest {

    @Test
    void versionsRoundTripAndDamageIsDetected() {
        Property.forAll("version codec", random -> {
            Map<String, Long> clock = new HashMap<>();
            for (int i = random.nextInt(5); i > 0; i--) {
                clock.put("node-" + random.nextInt(100), random.nextLong() & Long.MAX_VALUE);
            }
            byte[] value = null;
            if (random.nextInt(4) != 0) {
                value = new byte[random.nextInt(300)];
                random.nextBytes(value);
            }
            Version version = new Version(value, VectorClock.of(clock), random.nextLong(),
                    "coordinator-" + random.nextInt(10));
            byte[] encoded = Codec.encodeVersion(version);
            assertThat(Codec.decodeVersion(encoded, "test")).isEqualTo(version);
            byte[] damaged = encoded.clone();
            int at = random.nextInt(damaged.length);
            damaged[at] ^= (byte) (1 + random.nextInt(255));
            assertThatThrownBy(() -> Codec.decodeVersion(damaged, "test"))
                    .isInstanceOf(StorageCorruptionException.class);
        });
    }

    @Test
    void idempotencyRecordsRoundTrip() {
        IdempotencyRecord record = new IdempotencyRecord(new byte[] {1, 2, 3}, 10, 20,
                VectorClock.of("n1", 7), 7, "n1");
        IdempotencyRecord decoded = Codec.decodeIdempotency(Codec.encodeIdempotency(record), "t");
        assertThat(decoded.requestHash()).isEqualTo(record.requestHash());
        assertThat(decoded.clock()).isEqualTo(record.clock());
        assertThat(decoded.expiresAtMillis()).isEqualTo(20);
        assertThatThrownBy(() -> Codec.decodeIdempotency(new byte[3], "t"))
                .isInstanceOf(StorageCorruptionException.class).hasMessageContaining("too short");
    }
}
