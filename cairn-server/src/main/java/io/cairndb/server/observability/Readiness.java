package io.cairndb.server.observability;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.cairndb.core.ControlGroup;
import io.cairndb.server.control.ClusterMetadata;
import io.cairndb.server.control.MetadataStore;
import io.cairndb.server.membership.Membership;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Whether this node can serve (seed 004 {@code /health/ready}): a majority of the control group
 * answers, this node's cluster view is not behind, and its clock is within bounds of the
 * cluster's (a node whose clock is off coordinates no writes). The answer is the JSON body the HTTP plane
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
        String clockRefusal = membership.clockVerdict().reason();
        checks.putObject("clockInBounds").put("ok", clockRefusal == null)
                .put("detail", clockRefusal == null ? "this node's clock is within bounds of "
                        + "the cluster's" : clockRefusal);
        body.put("ready", quorum && current && clockRefusal == null);
        body.put("viewVersion", local);
        controlGroup(body);
        return body;
    }

    /**
     * Says who votes in the control group against the nodes that joined with the control role.
     * It does not decide readiness: a member taken out with {@code control remove-member} is
     * meant not to vote, and this node serves either way. But a group smaller than intended
     * tolerates fewer failures, and the body says so instead of hiding it.
     */
    private void controlGroup(ObjectNode body) {
        ControlGroup group = metadata.controlGroup();
        if (group == null) {
            return;
        }
        List<String> controlNodes = metadata.current().controlNodeIds();
        List<String> notVoting = group.notVoting(controlNodes);
        ObjectNode node = body.putObject("controlGroup");
        group.voters().keySet().forEach(node.putArray("voters")::add);
        controlNodes.forEach(node.putArray("controlNodes")::add);
        notVoting.forEach(node.putArray("notVoting")::add);
        if (!notVoting.isEmpty()) {
            body.putArray("warnings").add(ControlGroup.notVotingWarning(
                    group.voters().size(), notVoting));
        }
    }
}
