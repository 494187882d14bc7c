package io.cairndb.server.control;

import io.cairndb.core.Migration;
import io.cairndb.core.Placement;
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
    private final List<Migration> migrations;
    private volatile Placement placement;

    /** Finished migrations kept for GetMigrationStatus, beyond those pending or running. */
    public static final int FINISHED_MIGRATIONS_KEPT = 100;

    public ClusterMetadata(long version, ClusterConfig config, Map<String, TenantInfo> tenants,
                           Map<String, NodeInfo> nodes) {
        this(version, config, 0, 0, tenants, nodes, List.of());
    }

    public ClusterMetadata(long version, ClusterConfig config, long configVersion,
                           long configChangedAtMillis, Map<String, TenantInfo> tenants,
                           Map<String, NodeInfo> nodes, List<AuditEvent> auditEvents) {
        this(version, config, configVersion, configChangedAtMillis, tenants, nodes, auditEvents,
                List.of());
    }

    /**
     * @param configVersion the version of the command that last changed {@code config}; 0 while
     *     it is the configuration the metadata started with
     * @param configChangedAtMillis when that command was proposed (Unix milliseconds), 0 if unknown
     * @param auditEvents the newest {@link AuditEvent#EVENTS_MAX} changes, oldest first
     * @param migrations data migrations, oldest first: finished ones (the newest
     *     {@link #FINISHED_MIGRATIONS_KEPT}), then the running one, then those waiting their turn
     */
    public ClusterMetadata(long version, ClusterConfig config, long configVersion,
                           long configChangedAtMillis, Map<String, TenantInfo> tenants,
                           Map<String, NodeInfo> nodes, List<AuditEvent> auditEvents,
                           List<Migration> migrations) {
        this(version, config, configVersion, configChangedAtMillis,
                Collections.unmodifiableMap(new TreeMap<>(tenants)),
                Collections.unmodifiableMap(new TreeMap<>(nodes)), null, checked(auditEvents,
                        version), List.copyOf(migrations));
    }

    // The maps are already sorted and unmodifiable; a null ring is computed from the nodes.
    private ClusterMetadata(long version, ClusterConfig config, long configVersion,
                            long configChangedAtMillis, Map<String, TenantInfo> tenants,
                            Map<String, NodeInfo> nodes, Ring ring,
                            List<AuditEvent> auditEvents, List<Migration> migrations) {
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
        this.migrations = migrations;
    }

    // The owners: active nodes, and draining ones until their data has moved.
    private static Ring ringOf(Map<String, NodeInfo> nodes) {
        Map<String, long[]> tokens = new LinkedHashMap<>();
        for (NodeInfo node : nodes.values()) {
            if (node.ownsData()) {
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

    /** The ring of the storage nodes that own data now: active and draining ones. */
    public Ring ring() {
        return ring;
    }

    /** Data migrations: finished ones, then the running one, then those waiting, oldest first. */
    public List<Migration> migrations() {
        return migrations;
    }

    /** The id of the migration a command at log index {@code index} creates. */
    public static String migrationIdAt(long index) {
        return "m-" + index;
    }

    public Migration migration(String id) {
        for (Migration migration : migrations) {
            if (migration.id().equals(id)) {
                return migration;
            }
        }
        return null;
    }

    /** The migration moving data now, or null. */
    public Migration runningMigration() {
        for (Migration migration : migrations) {
            if (migration.running()) {
                return migration;
            }
        }
        return null;
    }

    /** Where every key's replicas are, pending ones of the running migration included. */
    public Placement placement() {
        Placement computed = placement;
        if (computed == null) {
            computed = placementOf(runningMigration());
            placement = computed;
        }
        return computed;
    }

    private Placement placementOf(Migration running) {
        if (running == null) {
            return Placement.stable(ring);
        }
        if (Migration.REPLICATION_CHANGE.equals(running.type())) {
            return Placement.replicationChange(ring, running.tenantId(),
                    running.replicationFactorAfter());
        }
        return Placement.nodeChange(ring, futureRing(running));
    }

    /** The ring once {@code migration}, a node change, flips. */
    public Ring futureRing(Migration migration) {
        Map<String, long[]> tokens = new LinkedHashMap<>();
        for (NodeInfo node : nodes.values()) {
            if (node.ownsData() || node.nodeId().equals(migration.nodeId())) {
                tokens.put(node.nodeId(), node.tokens());
            }
        }
        if (Migration.NODE_DELETION.equals(migration.type())) {
            tokens.remove(migration.nodeId());
        }
        return Ring.of(tokens);
    }

    /** Storage nodes that can hold replicas. */
    public int storageNodeCount() {
        return ring.nodes().size();
    }

    public TenantInfo tenant(String tenantId) {
        return tenants.get(tenantId);
    }

    /** The nodes that joined with the control role, by id. */
    public List<String> controlNodeIds() {
        return nodes.values().stream().filter(node -> node.raftAddress() != null)
                .map(NodeInfo::nodeId).sorted().toList();
    }

    /** The newest {@link AuditEvent#EVENTS_MAX} changes, oldest first, one per version. */
    public List<AuditEvent> auditEvents() {
        return auditEvents;
    }

    /** A state at {@code event.version()} with new tenants and nodes and the event logged. */
    ClusterMetadata with(Map<String, TenantInfo> newTenants, Map<String, NodeInfo> newNodes,
                         AuditEvent event) {
        return with(event.version(), newTenants, newNodes, migrations, event);
    }

    /**
     * A state at {@code version} with new tenants, nodes and migrations; with {@code event} null
     * nothing is logged (progress reports are not audited).
     */
    ClusterMetadata with(long newVersion, Map<String, TenantInfo> newTenants,
                         Map<String, NodeInfo> newNodes, List<Migration> newMigrations,
                         AuditEvent event) {
        if (newVersion <= version) {
            throw new IllegalStateException("version " + newVersion
                    + " does not follow metadata version " + version);
        }
        return rebuilt(newVersion, newTenants, newNodes, newMigrations,
                event == null ? auditEvents : appended(event));
    }

    /**
     * The same version with tenants, nodes and migrations replaced: the further effects of the
     * command that made this state (a migration it queued, started or flipped).
     */
    ClusterMetadata replacing(Map<String, TenantInfo> newTenants, Map<String, NodeInfo> newNodes,
                              List<Migration> newMigrations) {
        return rebuilt(version, newTenants, newNodes, newMigrations, auditEvents);
    }

    // Maps that are the current ones are kept as they are, and so is the ring with the nodes.
    private ClusterMetadata rebuilt(long newVersion, Map<String, TenantInfo> newTenants,
                                    Map<String, NodeInfo> newNodes, List<Migration> newMigrations,
                                    List<AuditEvent> newEvents) {
        Map<String, TenantInfo> sortedTenants = newTenants == tenants ? tenants
                : Collections.unmodifiableMap(new TreeMap<>(newTenants));
        Map<String, NodeInfo> sortedNodes = newNodes == nodes ? nodes
                : Collections.unmodifiableMap(new TreeMap<>(newNodes));
        return new ClusterMetadata(newVersion, config, configVersion, configChangedAtMillis,
                sortedTenants, sortedNodes, sortedNodes == nodes ? ring : null, newEvents,
                newMigrations == migrations ? migrations : trimmed(newMigrations));
    }

    // Keeps every unfinished migration and the newest finished ones.
    private static List<Migration> trimmed(List<Migration> all) {
        long finished = all.stream().filter(Migration::finished).count();
        if (finished <= FINISHED_MIGRATIONS_KEPT) {
            return List.copyOf(all);
        }
        long drop = finished - FINISHED_MIGRATIONS_KEPT;
        List<Migration> kept = new ArrayList<>(all.size());
        for (Migration migration : all) {
            if (migration.finished() && drop > 0) {
                drop--;
            } else {
                kept.add(migration);
            }
        }
        return List.copyOf(kept);
    }

    /** A state at {@code event.version()} with a new configuration and the event logged. */
    ClusterMetadata withConfig(ClusterConfig newConfig, AuditEvent event) {
        return new ClusterMetadata(event.version(), newConfig, event.version(), event.atMillis(),
                tenants, nodes, ring, appended(event), migrations);
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
