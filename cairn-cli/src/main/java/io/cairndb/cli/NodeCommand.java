package io.cairndb.cli;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.cairndb.client.CairnClient;
import io.cairndb.client.CleanupResult;
import io.cairndb.client.NodeChange;
import io.cairndb.client.StorageNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code cairn node}: list, add, remove and clean up storage nodes. */
@Command(name = "node", mixinStandardHelpOptions = true,
        description = "List and change the cluster's storage nodes.",
        subcommands = {NodeCommand.ListNodes.class, NodeCommand.Add.class,
            NodeCommand.Remove.class, NodeCommand.Cleanup.class})
final class NodeCommand extends GroupCommand {

    static void print(ClientCommand command, NodeChange change) {
        if (command.jsonOutput()) {
            ObjectNode node = Output.object();
            node.put("nodeId", change.nodeId());
            node.put("migrationId", change.migrationStarted() ? change.migrationId() : null);
            node.put("message", change.message());
            Output.putTime(node, "estimatedCompletion", change.estimatedCompletion());
            Output.println(command.out(), node);
            return;
        }
        StringBuilder line = new StringBuilder("OK node=").append(change.nodeId());
        if (change.migrationStarted()) {
            line.append(" migration=").append(change.migrationId());
        }
        if (change.estimatedCompletion() != null) {
            line.append(" eta=").append(Output.time(change.estimatedCompletion()));
        }
        if (!change.message().isEmpty()) {
            line.append(" (").append(change.message()).append(')');
        }
        command.out().println(line);
    }

    @Command(name = "list", mixinStandardHelpOptions = true,
            description = "List the storage nodes and their load.")
    static final class ListNodes extends ClientCommand {

        private static final String[] HEADINGS =
                {"NODE ID", "HOST", "PORT", "STATUS", "UP", "VNODES", "KEYS", "DISK%", "HINTS",
                    "CLOCK"};

        @Override
        int run(CairnClient client) {
            List<StorageNode> nodes = client.listStorageNodes();
            if (jsonOutput()) {
                ArrayNode array = Output.array();
                for (StorageNode node : nodes) {
                    ObjectNode entry = array.addObject();
                    entry.put("nodeId", node.nodeId());
                    entry.put("host", node.host());
                    entry.put("port", node.port());
                    entry.put("status", node.status());
                    entry.put("virtualNodes", node.virtualNodes());
                    entry.put("keyCount", node.keyCount());
                    entry.put("diskUsagePercent", node.diskUsagePercent());
                    entry.put("alive", node.alive());
                    entry.put("hintsPending", node.hintsPending());
                    entry.put("clockOffsetMillis", node.clockOffsetMillis());
                }
                Output.println(out(), array);
                return 0;
            }
            List<String[]> rows = new ArrayList<>();
            rows.add(HEADINGS);
            for (StorageNode node : nodes) {
                rows.add(new String[] {node.nodeId(), node.host(), Integer.toString(node.port()),
                    node.status(), node.alive() ? "yes" : "no",
                    Integer.toString(node.virtualNodes()), Long.toString(node.keyCount()),
                    String.format(Locale.ROOT, "%.1f", node.diskUsagePercent()),
                    Long.toString(node.hintsPending()), Output.offset(node.clockOffsetMillis())});
            }
            Output.table(out(), rows);
            return 0;
        }
    }

    @Command(name = "add", mixinStandardHelpOptions = true,
            description = {"Add a storage node; the ranges it gains move to it in a migration.",
                "Prints the migration's id and the server's estimate of its end; follow it with "
                    + "'cairn migration status ID --watch'."})
    static final class Add extends ClientCommand {

        @Parameters(index = "0", paramLabel = "NODE_ID")
        String nodeId;

        @Parameters(index = "1", paramLabel = "HOST")
        String host;

        @Parameters(index = "2", paramLabel = "PORT")
        int port;

        @Option(names = "--vnodes", paramLabel = "N", defaultValue = "0",
                description = "Ring tokens for the node, a capacity weight (default: the "
                        + "server's, 150).")
        int virtualNodes;

        @Override
        void check() {
            if (port < 1 || port > 65535) {
                throw usage("PORT must be in 1..65535, was " + port);
            }
            if (virtualNodes < 0) {
                throw usage("--vnodes must be positive, was " + virtualNodes);
            }
        }

        @Override
        int run(CairnClient client) {
            print(this, client.addStorageNode(nodeId, host, port, virtualNodes));
            return 0;
        }
    }

    @Command(name = "remove", mixinStandardHelpOptions = true,
            description = {"Remove a storage node, draining its data to the other replicas "
                    + "first.",
                "Prints the id of the draining migration; follow it with "
                    + "'cairn migration status ID --watch'."})
    static final class Remove extends ClientCommand {

        @Parameters(index = "0", paramLabel = "NODE_ID")
        String nodeId;

        @Option(names = "--force",
                description = "Drop the node at once; repair restores the replica count.")
        boolean force;

        @Override
        int run(CairnClient client) {
            print(this, client.removeStorageNode(nodeId, force));
            return 0;
        }
    }

    @Command(name = "cleanup", mixinStandardHelpOptions = true,
            description = {"Delete the keys the --target node holds but no longer owns: the "
                    + "copies finished migrations moved to other nodes.",
                "Runs on that node only; clean up each node that lost ranges. Deleting many "
                    + "keys can take longer than the default --timeout."})
    static final class Cleanup extends ClientCommand {

        @Override
        int run(CairnClient client) {
            CleanupResult result = client.cleanupNode();
            if (jsonOutput()) {
                ObjectNode node = Output.object();
                node.put("nodeId", result.nodeId());
                node.put("keysDeleted", result.keysDeleted());
                Output.println(out(), node);
            } else {
                out().println("OK node=" + result.nodeId() + " keys_deleted="
                        + result.keysDeleted());
            }
            return 0;
        }
    }
}
