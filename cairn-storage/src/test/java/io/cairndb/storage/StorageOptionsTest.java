package io.cairndb.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

// Proves the engine's settings refuse values it cannot run with, naming the setting.
class StorageOptionsTest {

    @Test
    void refusesSettingsTheEngineCannotRunWith() {
        assertThatThrownBy(() -> StorageOptions.DEFAULTS.withIdempotencyKeep(
                Duration.ofMillis(999))).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("idempotencyKeep must be at least a second, was PT0.999S");
        assertThatThrownBy(() -> StorageOptions.DEFAULTS.withWalBytesMax(0))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("walBytesMax must be positive, was 0");
        assertThatThrownBy(() -> new StorageOptions(Durability.SYNC, Duration.ZERO, 1, 1, 1, 1,
                Duration.ofHours(1))).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("syncInterval must be positive, was PT0S");
        assertThatThrownBy(() -> new StorageOptions(Durability.SYNC, Duration.ofSeconds(1), 65,
                1, 1, 1, Duration.ofHours(1))).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("writerShards must be 1..64, was 65");
    }

    @Test
    void keepsIdempotencyRecordsADayAndAnHourByDefault() {
        assertThat(StorageOptions.DEFAULTS.idempotencyKeep()).isEqualTo(Duration.ofHours(25));
        assertThat(StorageOptions.DEFAULTS.withIdempotencyKeep(Duration.ofMinutes(5))
                .idempotencyKeep()).isEqualTo(Duration.ofMinutes(5));
    }
}
