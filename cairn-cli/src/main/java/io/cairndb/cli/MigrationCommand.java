package io.cairndb.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.cairndb.client.CairnClient;
import io.cairndb.client.MigrationStatus;
import java.util.Locale;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** {@code cairn migration}: follow the data migrations that topology changes start. */
@Command(name = "migration", mixinStandardHelpOptions = true,
        description = "Follow data migrations.",
        subcommands = MigrationCommand.Status.class)
final class MigrationCommand extends GroupCommand {

    @Command(name = "status", mixinStandardHelpOptions = true,
            description = "Show where a migration stands.")
    static final class Status extends ClientCommand {

        @Parameters(index = "0", paramLabel = "MIGRATION_ID")
        String migrationId;

        @Override
        int run(CairnClient client) {
            MigrationStatus status = client.getMigrationStatus(migrationId);
            if (jsonOutput()) {
                ObjectNode node = Output.object();
                node.put("migrationId", status.migrationId());
                node.put("type", status.type());
                node.put("nodeId", status.nodeId());
                node.put("status", status.status());
                node.put("keysMigrated", status.keysMigrated());
                node.put("totalKeys", status.totalKeys());
                node.put("percentage", status.percentage());
                Output.putTime(node, "startedAt", status.startedAt());
                Output.putTime(node, "estimatedCompletion", status.estimatedCompletion());
                Output.println(out(), node);
                return 0;
            }
            out().println("migration  " + status.migrationId());
            out().println("type       " + status.type());
            out().println("node       " + status.nodeId());
            out().println("status     " + status.status());
            out().println("progress   " + status.keysMigrated() + "/" + status.totalKeys()
                    + " keys (" + String.format(Locale.ROOT, "%.1f", status.percentage()) + "%)");
            out().println("started    " + Output.time(status.startedAt()));
            out().println("eta        " + Output.time(status.estimatedCompletion()));
            return 0;
        }
    }
}
