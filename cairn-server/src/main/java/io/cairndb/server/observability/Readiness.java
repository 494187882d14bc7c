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
import java.util.function.Supplier;

/**
 * Whether this node can serve (seed 004 {@code /health/ready}): every component of the node runs
 * (a node that is starting or closing is not ready), a majority of the control group
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
    private final Supplier<List<String>> notRunning;
    private final long checkTimeoutMillis;

    /**
     * {@code notRunning} names the node's components that are not running (see
     * {@code Components#notRunning}): any of them makes the node unready.
     */
    public Readiness(String nodeId, MetadataStore metadata, Membership membership,
                     Supplier<List<String>> notRunning, long checkTimeoutMillis) {
        this.nodeId = nodeId;
        this.metadata = metadata;
        this.membership = membership;
        this.notRunning = notRunning;
        this.checkTimeoutMillis = checkTimeoutMillis;
    }

    /**
     * Whether this node can serve: all its components run, a control quorum answers, its view is
     * not behind and its clock is in bounds.
     */
    public ObjectNode readiness() {
        ObjectNode body = JSON.createObjectNode().put("nodeId", nodeId);
        ObjectNode checks = body.putObject("checks");
        List<String> stopped = notRunning.get();
        checks.putObject("componentsRunning").put("ok", stopped.isEmpty())
                .put("detail", stopped.isEmpty() ? "every component of this node is running"
                        : "not running: " + String.join(", ", stopped));
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
        body.put("ready", stopped.isEmpty() && quorum && current && clockRefusal == null);
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
