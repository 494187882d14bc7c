package io.cairndb.server.control;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The byte forms of metadata: commands (as the log holds them) and whole states (as snapshots and
 * the cluster-view stream carry them). JSON, so that an operator can read a log entry.
 */
public final class MetadataCodec {

    private static final ObjectMapper JSON = new ObjectMapper()
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

    /** The serialised shape of a {@link ClusterMetadata}. */
    record State(long version, ClusterConfig config, List<TenantInfo> tenants,
                 List<NodeInfo> nodes) {
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

    public static byte[] encodeState(ClusterMetadata metadata) {
        try {
            return JSON.writeValueAsBytes(new State(metadata.version(), metadata.config(),
                    List.copyOf(metadata.tenants().values()),
                    List.copyOf(metadata.nodes().values())));
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
            return new ClusterMetadata(state.version(), state.config(), tenants, nodes);
        } catch (IOException e) {
            throw new IllegalArgumentException("not a metadata state: " + e.getMessage(), e);
        }
    }
}
