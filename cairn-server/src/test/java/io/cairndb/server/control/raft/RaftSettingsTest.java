package io.cairndb.server.control.raft;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

// Proves control-member settings refuse what Ratis would misread, with messages naming the field.
class RaftSettingsTest {

    private static final Path DIR = Path.of("control");

    @Test
    void defaultsSuitASingleMember() {
        RaftSettings settings = RaftSettings.of("m1", "127.0.0.1", 0, DIR,
                Map.of("m1", "127.0.0.1:0"));

        assertThat(settings.snapshotThresholdEntries())
                .isEqualTo(RaftSettings.SNAPSHOT_THRESHOLD_ENTRIES_DEFAULT);
        assertThat(settings.requestTimeout()).isEqualTo(Duration.ofSeconds(5));
        assertThat(settings.electionTimeoutMin()).isLessThan(settings.electionTimeoutMax());
    }

    @Test
    void addressesMustBeHostAndPort() {
        assertThatThrownBy(() -> RaftSettings.of("m1", "127.0.0.1", 7000, DIR,
                Map.of("m1", "127.0.0.1")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("host:port");
        assertThatThrownBy(() -> RaftSettings.of("m1", "127.0.0.1", 7000, DIR,
                Map.of("m1", "127.0.0.1:99999")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("port");
        assertThatThrownBy(() -> RaftSettings.of("m1", "127.0.0.1", 7000, DIR, Map.of()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("members");
    }

    @Test
    void portZeroNeedsAnAddressToAdvertise() {
        assertThatThrownBy(() -> RaftSettings.of("m1", "0.0.0.0", 0, DIR,
                Map.of("m1", "0.0.0.0:0")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("advertise");
    }

    @Test
    void limitsAreChecked() {
        RaftSettings settings = RaftSettings.of("m1", "127.0.0.1", 7000, DIR,
                Map.of("m1", "127.0.0.1:7000"));

        assertThatThrownBy(() -> settings.withSnapshots(0, 1 << 20))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("snapshotThresholdEntries");
        assertThatThrownBy(() -> settings.withSnapshots(10, 1024))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("logSegmentSizeBytesMax");
        assertThatThrownBy(() -> settings.withElectionTimeout(Duration.ofSeconds(2),
                Duration.ofSeconds(1)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("min <= max");
        assertThatThrownBy(() -> settings.withRequestTimeout(Duration.ZERO))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("requestTimeout");
    }
}
