package io.cairndb.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.cairndb.server.common.ConfigException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

// Proves configuration layers (defaults < YAML < environment < flags) and its error messages.
class ConfigLoaderTest {

    @TempDir
    Path dir;

    @Test
    void defaultsWorkOnOneMachine() {
        ServerConfig config = ConfigLoader.load(null, Map.of(), Map.of());
        assertThat(config.port()).isEqualTo(7070);
        assertThat(config.peerPort()).isEqualTo(7071);
        assertThat(config.raftPort()).isEqualTo(7072);
        assertThat(config.httpPort()).isEqualTo(8080);
        assertThat(config.storage().durability()).isEqualTo("periodic");
        assertThat(config.storage().walBytesMax()).isEqualTo(256L << 20);
        assertThat(config.cluster().virtualNodesDefault()).isEqualTo(150);
        assertThat(config.limits().valueSizeBytesMax()).isEqualTo(1024 * 1024);
    }

    @Test
    void yamlThenEnvironmentThenFlags() throws Exception {
        Path file = dir.resolve("cairn.yaml");
        Files.writeString(file, """
                port: 9000
                dataDir: /tmp/from-yaml
                storage:
                  durability: sync
                limits:
                  valueSizeBytesMax: 2048
                """);
        ServerConfig yaml = ConfigLoader.load(file, Map.of(), Map.of());
        assertThat(yaml.port()).isEqualTo(9000);
        assertThat(yaml.storage().durability()).isEqualTo("sync");
        assertThat(yaml.limits().valueSizeBytesMax()).isEqualTo(2048);
        assertThat(yaml.limits().keySizeBytesMax()).isEqualTo(1024);

        ServerConfig env = ConfigLoader.load(file, Map.of("CAIRN_PORT", "9100",
                "CAIRN_STORAGE_DURABILITY", "periodic", "HOME", "/root"), Map.of());
        assertThat(env.port()).isEqualTo(9100);
        assertThat(env.storage().durability()).isEqualTo("periodic");
        assertThat(env.dataDir()).isEqualTo("/tmp/from-yaml");

        ServerConfig flags = ConfigLoader.load(file, Map.of("CAIRN_PORT", "9100"),
                Map.of("port", "9200", "dataDir", "/tmp/flag"));
        assertThat(flags.port()).isEqualTo(9200);
        assertThat(flags.dataDir()).isEqualTo("/tmp/flag");
    }

    @Test
    void environmentNamesFollowThePath() {
        assertThat(ConfigLoader.envName("dataDir")).isEqualTo("CAIRN_DATA_DIR");
        assertThat(ConfigLoader.envName("storage.syncIntervalMillis"))
                .isEqualTo("CAIRN_STORAGE_SYNC_INTERVAL_MILLIS");
    }

    @Test
    void errorsNameTheSetting() throws Exception {
        Path unknown = dir.resolve("unknown.yaml");
        Files.writeString(unknown, "prot: 9000\n");
        assertThatThrownBy(() -> ConfigLoader.load(unknown, Map.of(), Map.of()))
                .isInstanceOf(ConfigException.class).hasMessageContaining("unknown setting 'prot'");
        Path nested = dir.resolve("nested.yaml");
        Files.writeString(nested, "storage:\n  durabilty: sync\n");
        assertThatThrownBy(() -> ConfigLoader.load(nested, Map.of(), Map.of()))
                .hasMessageContaining("unknown setting 'storage.durabilty'");
        Path broken = dir.resolve("broken.yaml");
        Files.writeString(broken, "port: [unclosed\n");
        assertThatThrownBy(() -> ConfigLoader.load(broken, Map.of(), Map.of()))
                .hasMessageContaining("is not valid YAML");
        assertThatThrownBy(() -> ConfigLoader.load(dir.resolve("missing.yaml"), Map.of(),
                Map.of())).hasMessageContaining("does not exist");
        assertThatThrownBy(() -> ConfigLoader.load(null, Map.of("CAIRN_PORT", "seventy"),
                Map.of())).hasMessageContaining("setting 'port' (environment variable CAIRN_PORT)"
                + " must be a whole number");
        assertThatThrownBy(() -> ConfigLoader.load(null, Map.of(), Map.of("port", "70000")))
                .hasMessageContaining("port is 70000");
        assertThatThrownBy(() -> ConfigLoader.load(null, Map.of(),
                Map.of("storage.durability", "sometimes")))
                .hasMessageContaining("durability 'sometimes' is not one of: sync, periodic");
        assertThat(ConfigLoader.load(null, Map.of(), Map.of("join", "h:7070")).join())
                .isEqualTo("h:7070");
        assertThatThrownBy(() -> ConfigLoader.load(null, Map.of(), Map.of("join", "nowhere")))
                .hasMessageContaining("join is 'nowhere'; it must be host:port");
        assertThatThrownBy(() -> ConfigLoader.load(null, Map.of(), Map.of("roles", "storage")))
                .hasMessageContaining("roles is [storage]");
        assertThatThrownBy(() -> ConfigLoader.load(null, Map.of(), Map.of("roles", "storage,x")))
                .hasMessageContaining("each role must be one of");
        assertThatThrownBy(() -> ConfigLoader.load(null,
                Map.of("CAIRN_CLUSTER_COMPACTION_POLICY", "tiered"), Map.of()))
                .hasMessageContaining("cluster.compactionPolicy is 'tiered'; it must be one of "
                        + "level, universal");
        assertThat(ConfigLoader.load(null, Map.of("CAIRN_CLUSTER_COMPACTION_POLICY",
                "universal"), Map.of()).cluster().compactionPolicy()).isEqualTo("universal");
        assertThat(ConfigLoader.load(null, Map.of("CAIRN_STORAGE_WAL_BYTES_MAX", "1073741824"),
                Map.of()).storage().walBytesMax()).isEqualTo(1L << 30);
        assertThatThrownBy(() -> ConfigLoader.load(null, Map.of(),
                Map.of("storage.walBytesMax", "1000")))
                .hasMessageContaining("storage.walBytesMax is 1000; it must be at least 16777216");
        assertThatThrownBy(() -> ConfigLoader.load(null,
                Map.of("CAIRN_STORAGE_WAL_BYTES_MAX", "lots"), Map.of()))
                .hasMessageContaining("setting 'storage.walBytesMax' (environment variable "
                        + "CAIRN_STORAGE_WAL_BYTES_MAX) must be a whole number");
        assertThatThrownBy(() -> ConfigLoader.load(null, Map.of(),
                Map.of("limits.batchSizeBytesMax", "100000000")))
                .hasMessageContaining("limits.batchSizeBytesMax is 100000000; a batch must fit "
                        + "in one message, so it must be below 83886080");
        assertThatThrownBy(() -> ConfigLoader.load(null, Map.of(),
                Map.of("cluster.virtualNodesDefault", "5000")))
                .hasMessageContaining("cluster.virtualNodesDefault is 5000; it must be between 1 "
                        + "and 4096");
        Path badLimits = dir.resolve("limits.yaml");
        Files.writeString(badLimits, "limits:\n  scanPageItemsDefault: 5000\n");
        assertThatThrownBy(() -> ConfigLoader.load(badLimits, Map.of(), Map.of()))
                .hasMessageContaining("scanPageItemsDefault");
    }
}
