package io.cairndb.server.control;

import io.cairndb.core.Ring;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * One immutable, versioned view of everything the cluster agrees on. {@code version} is the index
 * of the last metadata command applied; two members at the same version hold the same view.
 */
public final class ClusterMetadata {

    private final long version;
    private final ClusterConfig config;
    private final Map<String, TenantInfo> tenants;
    private final Map<String, NodeInfo> nodes;
    private final Ring ring;

    public ClusterMetadata(long version, ClusterConfig config, Map<String, TenantInfo> tenants,
                           Map<String, NodeInfo> nodes) {
        this.version = version;
        this.config = config;
        this.tenants = Collections.unmodifiableMap(new TreeMap<>(tenants));
        this.nodes = Collections.unmodifiableMap(new TreeMap<>(nodes));
        Map<String, long[]> tokens = new LinkedHashMap<>();
        for (NodeInfo node : this.nodes.values()) {
            if (!NodeInfo.INACTIVE.equals(node.status())) {
                tokens.put(node.nodeId(), node.tokens());
            }
        }
        this.ring = Ring.of(tokens);
    }

    public static ClusterMetadata empty(ClusterConfig config) {
        return new ClusterMetadata(0, config, Map.of(), Map.of());
    }

    public long version() {
        return version;
    }

    public ClusterConfig config() {
        return config;
    }

    public Map<String, TenantInfo> tenants() {
        return tenants;
    }

    public Map<String, NodeInfo> nodes() {
        return nodes;
    }

    /** The ring of every storage node that is not inactive. */
    public Ring ring() {
        return ring;
    }

    /** Storage nodes that can hold replicas. */
    public int storageNodeCount() {
        return ring.nodes().size();
    }

    public TenantInfo tenant(String tenantId) {
        return tenants.get(tenantId);
    }

    ClusterMetadata with(long newVersion, Map<String, TenantInfo> newTenants,
                         Map<String, NodeInfo> newNodes) {
        return new ClusterMetadata(newVersion, config, newTenants, newNodes);
    }
}
