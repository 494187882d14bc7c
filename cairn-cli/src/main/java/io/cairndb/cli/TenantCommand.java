package io.cairndb.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.cairndb.client.CairnClient;
import io.cairndb.client.RfChange;
import io.cairndb.client.Tenant;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code cairn tenant}: create, describe and re-replicate tenants. */
@Command(name = "tenant", mixinStandardHelpOptions = true,
        description = "Create and manage tenants.",
        subcommands = {TenantCommand.Create.class, TenantCommand.Get.class,
            TenantCommand.SetRf.class})
final class TenantCommand extends GroupCommand {

    static ObjectNode json(Tenant tenant) {
        ObjectNode node = Output.object();
        node.put("tenantId", tenant.tenantId());
        node.put("replicationFactor", tenant.replicationFactor());
        Output.putTime(node, "createdAt", tenant.createdAt());
        Output.putTime(node, "updatedAt", tenant.updatedAt());
        return node;
    }

    @Command(name = "create", mixinStandardHelpOptions = true,
            description = "Create a tenant.")
    static final class Create extends ClientCommand {

        @Parameters(index = "0", paramLabel = "TENANT",
                description = "The tenant's id: [a-z0-9][a-z0-9_-]{0,62}.")
        String tenant;

        @Option(names = "--rf", paramLabel = "N", defaultValue = "0",
                description = "Replicas per key (default: the server's).")
        int replicationFactor;

        @Override
        void check() {
            if (replicationFactor < 0) {
                throw usage("--rf must be positive, was " + replicationFactor);
            }
        }

        @Override
        int run(CairnClient client) {
            Tenant created = client.createTenant(tenant, replicationFactor);
            if (jsonOutput()) {
                Output.println(out(), json(created));
            } else {
                out().println("OK tenant=" + created.tenantId() + " rf="
                        + created.replicationFactor() + " created="
                        + Output.time(created.createdAt()));
            }
            return 0;
        }
    }

    @Command(name = "get", mixinStandardHelpOptions = true, description = "Describe a tenant.")
    static final class Get extends ClientCommand {

        @Parameters(index = "0", paramLabel = "TENANT")
        String tenant;

        @Override
        int run(CairnClient client) {
            Tenant found = client.getTenant(tenant);
            if (jsonOutput()) {
                Output.println(out(), json(found));
            } else {
                out().println("tenant              " + found.tenantId());
                out().println("replication factor  " + found.replicationFactor());
                out().println("created             " + Output.time(found.createdAt()));
                out().println("updated             " + Output.time(found.updatedAt()));
            }
            return 0;
        }
    }

    @Command(name = "set-rf", mixinStandardHelpOptions = true,
            description = {"Change a tenant's replication factor; the data moves in a "
                    + "migration.",
                "Prints the migration's id; follow it with "
                    + "'cairn migration status ID --watch'."})
    static final class SetRf extends ClientCommand {

        @Parameters(index = "0", paramLabel = "TENANT")
        String tenant;

        @Parameters(index = "1", paramLabel = "N", description = "The new replication factor.")
        int replicationFactor;

        @Override
        void check() {
            if (replicationFactor < 1) {
                throw usage("the replication factor must be positive, was " + replicationFactor);
            }
        }

        @Override
        int run(CairnClient client) {
            RfChange change = client.updateReplicationFactor(tenant, replicationFactor);
            if (jsonOutput()) {
                ObjectNode node = Output.object();
                node.put("tenantId", change.tenantId());
                node.put("oldReplicationFactor", change.oldReplicationFactor());
                node.put("newReplicationFactor", change.newReplicationFactor());
                node.put("migrationId", change.migrationStarted() ? change.migrationId() : null);
                Output.putTime(node, "updatedAt", change.updatedAt());
                Output.println(out(), node);
            } else {
                out().println("OK tenant=" + change.tenantId() + " rf="
                        + change.oldReplicationFactor() + "->" + change.newReplicationFactor()
                        + (change.migrationStarted() ? " migration=" + change.migrationId()
                                : " (no migration)"));
            }
            return 0;
        }
    }
}
