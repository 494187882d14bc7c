package io.cairndb.cli;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.cairndb.client.CairnClient;
import io.cairndb.client.ClusterView;
import io.cairndb.client.ControlMember;
import io.cairndb.client.ControlStatus;
import io.cairndb.core.ControlGroup;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/** {@code cairn cluster}: the control group's state and the cluster view. */
@Command(name = "cluster", mixinStandardHelpOptions = true,
        description = "Show the control group and the cluster view.",
        subcommands = {ClusterCommand.Status.class, ClusterCommand.View.class})
final class ClusterCommand extends GroupCommand {

    static ArrayNode json(List<ControlMember> members) {
        ArrayNode array = Output.array();
        for (ControlMember member : members) {
            ObjectNode entry = array.addObject();
            entry.put("memberId", member.memberId());
            entry.put("raftAddress", member.raftAddress());
            entry.put("leader", member.leader());
        }
        return array;
    }

    static List<String[]> rows(List<ControlMember> members) {
        List<String[]> rows = new ArrayList<>();
        rows.add(new String[] {"MEMBER", "RAFT ADDRESS", "LEADER"});
        for (ControlMember member : members) {
            rows.add(new String[] {member.memberId(), Output.dash(member.raftAddress()),
                member.leader() ? "yes" : "no"});
        }
        return rows;
    }

    @Command(name = "status", mixinStandardHelpOptions = true,
            description = "Show the control group (members, leader, term, commit and applied "
                    + "index) as the answering node sees it, and each node's view version and "
                    + "whether it is up.")
    static final class Status extends ClientCommand {

        @Override
        int run(CairnClient client) {
            ControlStatus status = client.getControlStatus();
            if (jsonOutput()) {
                ObjectNode node = Output.object();
                node.put("memberId", status.memberId());
                node.put("role", status.role());
                node.put("leaderId", status.leaderId().isEmpty() ? null : status.leaderId());
                node.put("term", status.term());
                node.put("commitIndex", status.commitIndex());
                node.put("appliedIndex", status.appliedIndex());
                node.set("members", json(status.members()));
                status.notVoting().forEach(node.putArray("notVoting")::add);
                node.put("clockRefusal", status.clockRefusal().isEmpty() ? null
                        : status.clockRefusal());
                if (!status.notVoting().isEmpty()) {
                    node.putArray("warnings").add(ControlGroup.notVotingWarning(
                            status.members().size(), status.notVoting()));
                }
                ArrayNode nodes = node.putArray("nodes");
                for (ControlStatus.NodeView view : status.nodes()) {
                    ObjectNode entry = nodes.addObject();
                    entry.put("nodeId", view.nodeId());
                    entry.put("viewVersion", view.viewVersion());
                    entry.put("alive", view.alive());
                    entry.put("clockOffsetMillis", view.clockOffsetMillis());
                }
                Output.println(out(), node);
                return 0;
            }
            Output.table(out(), List.of(
                    new String[] {"member", Output.dash(status.memberId())},
                    new String[] {"role", status.role()},
                    new String[] {"leader", Output.dash(status.leaderId())},
                    new String[] {"term", Long.toString(status.term())},
                    new String[] {"commit index", Long.toString(status.commitIndex())},
                    new String[] {"applied index", Long.toString(status.appliedIndex())}));
            out().println();
            Output.table(out(), rows(status.members()));
            out().println();
            List<String[]> nodes = new ArrayList<>();
            nodes.add(new String[] {"NODE", "VIEW VERSION", "UP", "CLOCK"});
            for (ControlStatus.NodeView view : status.nodes()) {
                nodes.add(new String[] {view.nodeId(), Long.toString(view.viewVersion()),
                    view.alive() ? "yes" : "no", Output.offset(view.clockOffsetMillis())});
            }
            Output.table(out(), nodes);
            if (!status.clockRefusal().isEmpty()) {
                out().println();
                out().println("WARNING: " + status.clockRefusal());
            }
            if (!status.notVoting().isEmpty()) {
                out().println();
                out().println("WARNING: " + ControlGroup.notVotingWarning(
                        status.members().size(), status.notVoting()));
            }
            return 0;
        }
    }

    @Command(name = "view", mixinStandardHelpOptions = true,
            description = "Show the cluster view: every storage node in the metadata, and "
                    + "whether the answering node believes it is up.")
    static final class View extends ClientCommand {

        @Mixin
        MinVersionOption minVersion = new MinVersionOption();

        @Override
        int run(CairnClient client) {
            ClusterView view = client.getClusterView(minVersion.value);
            if (jsonOutput()) {
                ObjectNode node = Output.object();
                node.put("version", view.version());
                ArrayNode nodes = node.putArray("nodes");
                for (ClusterView.Node member : view.nodes()) {
                    ObjectNode entry = nodes.addObject();
                    entry.put("nodeId", member.nodeId());
                    entry.put("host", member.host());
                    entry.put("port", member.port());
                    entry.put("peerPort", member.peerPort());
                    entry.put("status", member.status());
                    entry.put("virtualNodes", member.virtualNodes());
                    entry.put("alive", member.alive());
                }
                Output.println(out(), node);
                return 0;
            }
            out().println("version " + view.version());
            List<String[]> rows = new ArrayList<>();
            rows.add(new String[] {"NODE ID", "HOST", "PORT", "PEER PORT", "STATUS", "VNODES",
                "UP"});
            for (ClusterView.Node member : view.nodes()) {
                rows.add(new String[] {member.nodeId(), member.host(),
                    Integer.toString(member.port()), Integer.toString(member.peerPort()),
                    member.status(), Integer.toString(member.virtualNodes()),
                    member.alive() ? "yes" : "no"});
            }
            Output.table(out(), rows);
            return 0;
        }
    }
}
