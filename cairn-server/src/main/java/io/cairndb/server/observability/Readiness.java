package io.cairndb.server.observability;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.cairndb.server.control.ClusterMetadata;
import io.cairndb.server.control.MetadataStore;
import io.cairndb.server.membership.Membership;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Whether this node can serve (seed 004 {@code /health/ready}): a majority of the control group
 * answers, and this node's cluster view is not behind. The answer is the JSON body the HTTP plane
 * sends; it blocks up to the check timeout while the control group is asked, so callers run it
 * off any I/O thread.
 */
public final class Readiness {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final String nodeId;
    private final MetadataStore metadata;
    private final Membership membership;
    private final long checkTimeoutMillis;

    public Readiness(String nodeId, MetadataStore metadata, Membership membership,
                     long checkTimeoutMillis) {
        this.nodeId = nodeId;
        this.metadata = metadata;
        this.membership = membership;
        this.checkTimeoutMillis = checkTimeoutMillis;
    }

    /** Whether this node can serve: a control quorum answers, and its view is not behind. */
    public ObjectNode readiness() {
        ObjectNode body = JSON.createObjectNode().put("nodeId", nodeId);
        ObjectNode checks = body.putObject("checks");
        boolean quorum;
        try {
            ClusterMetadata read = metadata.readLinearizable()
                    .get(checkTimeoutMillis, TimeUnit.MILLISECONDS);
            quorum = true;
            checks.putObject("controlQuorum").put("ok", true)
                    .put("detail", "a majority of the control group answered a read at version "
                            + read.version());
        } catch (java.util.concurrent.TimeoutException e) {
            quorum = false;
            checks.putObject("controlQuorum").put("ok", false)
                    .put("detail", "no majority of the control group answered within "
                            + checkTimeoutMillis + " ms");
        } catch (java.util.concurrent.ExecutionException e) {
            quorum = false;
            checks.putObject("controlQuorum").put("ok", false)
                    .put("detail", String.valueOf(e.getCause().getMessage()));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            quorum = false;
            checks.putObject("controlQuorum").put("ok", false).put("detail", "interrupted");
        }
        long local = metadata.current().version();
        long newest = local;
        for (Map.Entry<String, Long> peer : membership.viewVersions().entrySet()) {
            if (membership.isAlive(peer.getKey())) {
                newest = Math.max(newest, peer.getValue());
            }
        }
        boolean current = local >= newest;
        checks.putObject("viewCurrent").put("ok", current)
                .put("detail", current ? "cluster view version " + local
                        : "cluster view version " + local + " is behind version " + newest
                                + " reported by a peer");
        body.put("ready", quorum && current);
        body.put("viewVersion", local);
        return body;
    }
}
