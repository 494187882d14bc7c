package io.cairndb.client;

import java.util.Objects;

/**
 * The cluster configuration and the metadata version it was read at.
 *
 * @param config the configuration
 * @param version the metadata version, {@code term:index}; pass it as a minimum version to a
 *     later read on any node to see at least this state (read-your-writes)
 */
public record VersionedConfig(ClusterConfig config, String version) {

    public VersionedConfig {
        Objects.requireNonNull(config, "config");
        Objects.requireNonNull(version, "version");
    }

    /** The metadata index of {@link #version()}: what {@code watchConfig} resumes from. */
    public long index() {
        int colon = version.lastIndexOf(':');
        return Long.parseLong(version.substring(colon + 1));
    }
}
