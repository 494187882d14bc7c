package io.cairndb.server.control;

import io.cairndb.core.Ring;
import io.cairndb.server.membership.NodeDirectory;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * One immutable, versioned view of everything the cluster agrees on. {@code version} is the index
 * of the last metadata command applied; two members at the same version hold the same view,
 * audit log included.
 */
public final class ClusterMetadata implements NodeDirectory {

    private final long version;
    private final ClusterConfig config;
    private final long configVersion;
    private final long configChangedAtMillis;
    private final Map<String, TenantInfo> tenants;
    private final Map<String, NodeInfo> nodes;
    private final Ring ring;
    private final List<AuditEvent> auditEvents;

    public ClusterMetadata(long version, ClusterConfig config, Map<String, TenantInfo> tenants,
                           Map<String, NodeInfo> nodes) {
        this(version, config, 0, 0, tenants, nodes, List.of());
    }

    /**
     * @param configVersion the version of the command that last changed {@code config}; 0 while
     *     it is the configuration the metadata started with
     * @param configChangedAtMillis when that command was proposed (Unix milliseconds), 0 if unknown
     * @param auditEvents the newest {@link AuditEvent#EVENTS_MAX} changes, oldest first
     */
    public ClusterMetadata(long version, ClusterConfig config, long configVersion,
                           long configChangedAtMillis, Map<String, TenantInfo> tenants,
                           Map<String, NodeInfo> nodes, List<AuditEvent> auditEvents) {
        this(version, config, configVersion, configChangedAtMillis,
                Collections.unmodifiableMap(new TreeMap<>(tenants)),
                Collections.unmodifiableMap(new TreeMap<>(nodes)), null, checked(auditEvents,
                        version));
    }

    // The maps are already sorted and unmodifiable; a null ring is computed from the nodes.
    private ClusterMetadata(long version, ClusterConfig config, long configVersion,
                            long configChangedAtMillis, Map<String, TenantInfo> tenants,
                            Map<String, NodeInfo> nodes, Ring ring,
                            List<AuditEvent> auditEvents) {
        if (configVersion > version) {
            throw new IllegalStateException("config version " + configVersion
                    + " is beyond metadata version " + version);
        }
        this.version = version;
        this.config = config;
        this.configVersion = configVersion;
        this.configChangedAtMillis = configChangedAtMillis;
        this.tenants = tenants;
        this.nodes = nodes;
        this.ring = ring != null ? ring : ringOf(nodes);
        this.auditEvents = auditEvents;
    }

    private static Ring ringOf(Map<String, NodeInfo> nodes) {
        Map<String, long[]> tokens = new LinkedHashMap<>();
        for (NodeInfo node : nodes.values()) {
            if (!NodeInfo.INACTIVE.equals(node.status())) {
                tokens.put(node.nodeId(), node.tokens());
            }
        }
        return Ring.of(tokens);
    }

    // Events are kept oldest first, one per version, none beyond the state's own version.
    private static List<AuditEvent> checked(List<AuditEvent> events, long version) {
        if (events.size() > AuditEvent.EVENTS_MAX) {
            throw new IllegalStateException(events.size() + " audit events exceed the bound of "
                    + AuditEvent.EVENTS_MAX);
        }
        long previous = 0;
        for (AuditEvent event : events) {
            if (event.version() <= previous || event.version() > version) {
                throw new IllegalStateException("audit event at version " + event.version()
                        + " is out of order (after " + previous + ", metadata version "
                        + version + ")");
            }
            previous = event.version();
        }
        return List.copyOf(events);
    }

    public static ClusterMetadata empty(ClusterConfig config) {
        return new ClusterMetadata(0, config, Map.of(), Map.of());
    }

    @Override
    public long version() {
        return version;
    }

    public ClusterConfig config() {
        return config;
    }

    /** The version of the command that last changed the configuration; 0 if none has. */
    public long configVersion() {
        return configVersion;
    }

    /** When the configuration last changed (Unix milliseconds); 0 if it never did or unknown. */
    public long configChangedAtMillis() {
        return configChangedAtMillis;
    }

    public Map<String, TenantInfo> tenants() {
        return tenants;
    }

    @Override
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

    /** The newest {@link AuditEvent#EVENTS_MAX} changes, oldest first, one per version. */
    /** The nodes that joined with the control role, by id. */
    public List<String> controlNodeIds() {
        return nodes.values().stream().filter(node -> node.raftAddress() != null)
                .map(NodeInfo::nodeId).sorted().toList();
    }

    public List<AuditEvent> auditEvents() {
        return auditEvents;
    }

    /** A state at {@code event.version()} with new tenants and nodes and the event logged. */
    ClusterMetadata with(Map<String, TenantInfo> newTenants, Map<String, NodeInfo> newNodes,
                         AuditEvent event) {
        Map<String, TenantInfo> sortedTenants = newTenants == tenants ? tenants
                : Collections.unmodifiableMap(new TreeMap<>(newTenants));
        Map<String, NodeInfo> sortedNodes = newNodes == nodes ? nodes
                : Collections.unmodifiableMap(new TreeMap<>(newNodes));
        return new ClusterMetadata(event.version(), config, configVersion, configChangedAtMillis,
                sortedTenants, sortedNodes, sortedNodes == nodes ? ring : null,
                appended(event));
    }

    /** A state at {@code event.version()} with a new configuration and the event logged. */
    ClusterMetadata withConfig(ClusterConfig newConfig, AuditEvent event) {
        return new ClusterMetadata(event.version(), newConfig, event.version(), event.atMillis(),
                tenants, nodes, ring, appended(event));
    }

    private List<AuditEvent> appended(AuditEvent event) {
        if (event.version() <= version) {
            throw new IllegalStateException("audit event at version " + event.version()
                    + " does not follow metadata version " + version);
        }
        int kept = Math.min(auditEvents.size(), AuditEvent.EVENTS_MAX - 1);
        List<AuditEvent> events = new ArrayList<>(kept + 1);
        events.addAll(auditEvents.subList(auditEvents.size() - kept, auditEvents.size()));
        events.add(event);
        return Collections.unmodifiableList(events);
    }
}
