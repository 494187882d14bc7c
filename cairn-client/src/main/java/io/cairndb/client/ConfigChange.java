package io.cairndb.client;

import java.time.Instant;
import java.util.Objects;

/**
 * One change of the cluster configuration, as a config watch delivers it.
 *
 * @param version the metadata index of the change; resume a watch from it
 * @param config the whole configuration after the change
 * @param changedAt when the change was proposed, or null if the server did not say
 */
public record ConfigChange(long version, ClusterConfig config, Instant changedAt) {

    public ConfigChange {
        Objects.requireNonNull(config, "config");
    }
}
