package io.cairndb.server.control;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.cairndb.core.Migration;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The byte forms of metadata: commands (as nodes forward them), log entries (as the metadata log
 * holds them) and whole states (as snapshots and the cluster-view stream carry them). JSON, so
 * that an operator can read a log entry.
 *
 * <p>A log entry is an envelope around its command:
 * {@code {"command":{"type":"create_tenant",...},"hlc":...,"atMillis":...,"actor":"m1"}}. Logs
 * written before entries had envelopes hold bare commands ({@code {"type":"create_tenant",...}});
 * {@link #decodeEntry} reads those as entries with hlc and atMillis 0 and no actor.
 */
public final class MetadataCodec {

    private static final ObjectMapper JSON = new ObjectMapper()
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

    /** The field that only an envelope has at its top level; a bare command has "type". */
    private static final String ENVELOPE_FIELD = "command";

    /**
     * The serialised shape of a {@link ClusterMetadata}. Fields added later (the audit log, when
     * the configuration changed) are absent from older snapshots and cached views and read as
     * empty.
     */
    record State(long version, ClusterConfig config, List<TenantInfo> tenants,
                 List<NodeInfo> nodes, Long configVersion, Long configChangedAtMillis,
                 List<AuditEvent> auditEvents, List<Migration> migrations) {
    }

    /** The serialised shape of a {@link MetadataEntry}. */
    private record Envelope(MetadataCommand command, long hlc, long atMillis, String actor) {
    }

    private MetadataCodec() {
    }

    public static byte[] encodeCommand(MetadataCommand command) {
        try {
            return JSON.writerFor(MetadataCommand.class).writeValueAsBytes(command);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot encode metadata command " + command, e);
        }
    }

    /** @throws IllegalArgumentException if the bytes are not a metadata command */
    public static MetadataCommand decodeCommand(byte[] bytes) {
        try {
            return JSON.readValue(bytes, MetadataCommand.class);
        } catch (IOException e) {
            throw new IllegalArgumentException("not a metadata command: " + e.getMessage(), e);
        }
    }

    /** The entry as the metadata log holds it: an envelope around the command. */
    public static byte[] encodeEntry(MetadataEntry entry) {
        try {
            return JSON.writeValueAsBytes(new Envelope(entry.command(), entry.hlc(),
                    entry.atMillis(), entry.actor()));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot encode metadata entry " + entry, e);
        }
    }

    /**
     * Reads a log entry: an envelope, or a bare command from a log written before envelopes (its
     * hlc and atMillis read as 0, its actor as null).
     *
     * @throws IllegalArgumentException if the bytes are neither
     */
    public static MetadataEntry decodeEntry(byte[] bytes) {
        try {
            JsonNode tree = JSON.readTree(bytes);
            if (tree == null || !tree.isObject()) {
                throw new IllegalArgumentException("not a metadata log entry: not a JSON object");
            }
            if (!tree.has(ENVELOPE_FIELD)) {
                return MetadataEntry.unstamped(JSON.treeToValue(tree, MetadataCommand.class));
            }
            Envelope envelope = JSON.treeToValue(tree, Envelope.class);
            if (envelope.command() == null) {
                throw new IllegalArgumentException("not a metadata log entry: its command is "
                        + "null");
            }
            return new MetadataEntry(envelope.command(), envelope.hlc(), envelope.atMillis(),
                    envelope.actor());
        } catch (IOException e) {
            throw new IllegalArgumentException("not a metadata log entry: " + e.getMessage(), e);
        }
    }

    public static byte[] encodeState(ClusterMetadata metadata) {
        try {
            return JSON.writeValueAsBytes(new State(metadata.version(), metadata.config(),
                    List.copyOf(metadata.tenants().values()),
                    List.copyOf(metadata.nodes().values()), metadata.configVersion(),
                    metadata.configChangedAtMillis(), metadata.auditEvents(),
                    metadata.migrations()));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot encode cluster metadata", e);
        }
    }

    /** @throws IllegalArgumentException if the bytes are not a metadata state */
    public static ClusterMetadata decodeState(byte[] bytes) {
        try {
            State state = JSON.readValue(bytes, State.class);
            Map<String, TenantInfo> tenants = new LinkedHashMap<>();
            state.tenants().forEach(tenant -> tenants.put(tenant.tenantId(), tenant));
            Map<String, NodeInfo> nodes = new LinkedHashMap<>();
            state.nodes().forEach(node -> nodes.put(node.nodeId(), node));
            return new ClusterMetadata(state.version(), state.config(),
                    orZero(state.configVersion()), orZero(state.configChangedAtMillis()),
                    tenants, nodes, state.auditEvents() == null ? List.of() : state.auditEvents(),
                    state.migrations() == null ? List.of() : state.migrations());
        } catch (IOException e) {
            throw new IllegalArgumentException("not a metadata state: " + e.getMessage(), e);
        } catch (IllegalStateException e) {
            throw new IllegalArgumentException("not a consistent metadata state: "
                    + e.getMessage(), e);
        }
    }

    private static long orZero(Long value) {
        return value == null ? 0 : value;
    }
}
