package io.cairndb.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.cairndb.client.CairnClient;
import io.cairndb.client.ControlMember;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** {@code cairn control}: change who is in the control group (Raft reconfiguration). */
@Command(name = "control", mixinStandardHelpOptions = true,
        description = "Add and remove members of the control group (the Raft group that keeps "
                + "the cluster metadata).",
        subcommands = {ControlCommand.AddMember.class, ControlCommand.RemoveMember.class})
final class ControlCommand extends GroupCommand {

    static void print(ClientCommand command, String done, List<ControlMember> members) {
        if (command.jsonOutput()) {
            ObjectNode node = Output.object();
            node.set("members", ClusterCommand.json(members));
            Output.println(command.out(), node);
            return;
        }
        command.out().println("OK " + done);
        Output.table(command.out(), ClusterCommand.rows(members));
    }

    @Command(name = "add-member", mixinStandardHelpOptions = true,
            description = {"Add a member to the control group: a node removed earlier, or a "
                    + "node started as a joiner (a node whose control members leave itself out).",
                "The leader brings it up to date, then commits the larger group."})
    static final class AddMember extends ClientCommand {

        @Parameters(index = "0", paramLabel = "ID", description = "The new member's id.")
        String memberId;

        @Parameters(index = "1", paramLabel = "HOST:RAFTPORT",
                description = "Where the new member's Raft server listens.")
        String raftAddress;

        @Override
        void check() {
            int colon = raftAddress.lastIndexOf(':');
            if (colon <= 0 || colon == raftAddress.length() - 1) {
                throw usage("HOST:RAFTPORT must be host:port, was '" + raftAddress + "'");
            }
            int port;
            try {
                port = Integer.parseInt(raftAddress.substring(colon + 1));
            } catch (NumberFormatException e) {
                throw usage("HOST:RAFTPORT has a port that is not a number: '" + raftAddress
                        + "'");
            }
            if (port < 1 || port > 65535) {
                throw usage("HOST:RAFTPORT must have a port in 1..65535, was " + port);
            }
        }

        @Override
        int run(CairnClient client) {
            print(this, "member " + memberId + " added",
                    client.addControlMember(memberId, raftAddress));
            return 0;
        }
    }

    @Command(name = "remove-member", mixinStandardHelpOptions = true,
            description = {"Remove a member from the control group. It no longer votes or "
                    + "counts towards a majority, but keeps following the metadata (as a Raft "
                    + "listener) and serving as a coordinator and storage node.",
                "add-member makes it a member again."})
    static final class RemoveMember extends ClientCommand {

        @Parameters(index = "0", paramLabel = "ID", description = "The member to remove.")
        String memberId;

        @Override
        int run(CairnClient client) {
            print(this, "member " + memberId + " removed", client.removeControlMember(memberId));
            return 0;
        }
    }
}
