package io.cairndb.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.cairndb.client.CairnClient;
import io.cairndb.client.ClusterConfig;
import io.cairndb.client.ConfigChange;
import io.cairndb.client.ConfigUpdate;
import io.cairndb.client.VersionedConfig;
import java.io.PrintWriter;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code cairn config}: read, change and watch the cluster-wide configuration. */
@Command(name = "config", mixinStandardHelpOptions = true,
        description = "Read, change and watch the cluster configuration.",
        subcommands = {ConfigCommand.Get.class, ConfigCommand.Set.class,
            ConfigCommand.Watch.class})
final class ConfigCommand extends GroupCommand {

    /** The keys {@code config set} takes, in the order {@code config get} prints them. */
    static final List<String> KEYS = List.of("replication-factor", "read-consistency",
            "write-consistency", "compaction-policy", "virtual-nodes");

    private static final Pattern VERSION = Pattern.compile("(?:(\\d{1,18}):)?(\\d{1,18})");

    /** The configuration as {@code key value} pairs, in {@link #KEYS} order. */
    static Map<String, String> settings(ClusterConfig config) {
        Map<String, String> settings = new LinkedHashMap<>();
        settings.put("replication-factor", Integer.toString(config.replicationFactor()));
        settings.put("read-consistency", config.readConsistency());
        settings.put("write-consistency", config.writeConsistency());
        settings.put("compaction-policy", config.compactionPolicy());
        settings.put("virtual-nodes", Integer.toString(config.virtualNodes()));
        return settings;
    }

    static ObjectNode json(ClusterConfig config) {
        ObjectNode node = Output.object();
        node.put("replicationFactor", config.replicationFactor());
        node.put("readConsistency", config.readConsistency());
        node.put("writeConsistency", config.writeConsistency());
        node.put("compactionPolicy", config.compactionPolicy());
        node.put("virtualNodes", config.virtualNodes());
        return node;
    }

    /** {@code key=value} pairs on one line, for results and watch lines. */
    static String line(ClusterConfig config) {
        StringBuilder line = new StringBuilder();
        settings(config).forEach((key, value) -> {
            if (line.length() > 0) {
                line.append(' ');
            }
            line.append(key).append('=').append(value);
        });
        return line.toString();
    }

    @Command(name = "get", mixinStandardHelpOptions = true,
            description = "Print the cluster configuration and the version it was read at.")
    static final class Get extends ClientCommand {

        @Mixin
        MinVersionOption minVersion = new MinVersionOption();

        @Override
        int run(CairnClient client) {
            VersionedConfig read = client.getConfig(minVersion.value);
            if (jsonOutput()) {
                ObjectNode node = json(read.config());
                node.put("version", read.version());
                Output.println(out(), node);
                return 0;
            }
            List<String[]> rows = new ArrayList<>();
            settings(read.config()).forEach((key, value) -> rows.add(new String[] {key, value}));
            rows.add(new String[] {"version", read.version()});
            Output.table(out(), rows);
            return 0;
        }
    }

    @Command(name = "set", mixinStandardHelpOptions = true,
            description = "Change cluster settings; the others keep their values.",
            footer = {"", "Keys: replication-factor (1 or more), read-consistency and "
                    + "write-consistency (one, quorum, all), compaction-policy (level, "
                    + "universal), virtual-nodes (1 to 4096).",
                "The consistency defaults apply to the next request that names no level, the "
                    + "replication factor to the next tenant created without one, virtual-nodes "
                    + "to the next node that joins. compaction-policy is recorded for the whole "
                    + "cluster, but storage engines do not switch compaction style yet.",
                "Example: cairn config set read-consistency=one virtual-nodes=64"})
    static final class Set extends ClientCommand {

        @Parameters(arity = "1..*", paramLabel = "KEY=VALUE",
                description = "A setting to change.")
        List<String> assignments;

        private ConfigUpdate update;

        @Override
        void check() {
            ConfigUpdate built = ConfigUpdate.NONE;
            java.util.Set<String> seen = new java.util.HashSet<>();
            for (String assignment : assignments) {
                int equals = assignment.indexOf('=');
                if (equals <= 0) {
                    throw usage("'" + assignment + "' is not KEY=VALUE; keys: "
                            + String.join(", ", KEYS));
                }
                String key = assignment.substring(0, equals).trim();
                String value = assignment.substring(equals + 1).trim();
                if (!seen.add(key)) {
                    throw usage(key + " is given twice");
                }
                if (value.isEmpty()) {
                    throw usage(key + " has no value");
                }
                built = switch (key) {
                    case "replication-factor" -> built.withReplicationFactor(number(key, value));
                    case "read-consistency" -> built.withReadConsistency(value);
                    case "write-consistency" -> built.withWriteConsistency(value);
                    case "compaction-policy" -> built.withCompactionPolicy(value);
                    case "virtual-nodes" -> built.withVirtualNodes(number(key, value));
                    default -> throw usage("unknown key '" + key + "'; keys: "
                            + String.join(", ", KEYS));
                };
            }
            update = built;
        }

        private int number(String key, String value) {
            try {
                return Integer.parseInt(value);
            } catch (NumberFormatException e) {
                throw usage(key + " must be a whole number, was '" + value + "'");
            }
        }

        @Override
        int run(CairnClient client) {
            VersionedConfig changed = client.updateConfig(update);
            if (jsonOutput()) {
                ObjectNode node = json(changed.config());
                node.put("version", changed.version());
                Output.println(out(), node);
            } else {
                out().println("OK version=" + changed.version() + " " + line(changed.config()));
            }
            return 0;
        }
    }

    @Command(name = "watch", mixinStandardHelpOptions = true,
            description = {"Print each configuration change as a line, until interrupted "
                    + "(Ctrl-C) or the server ends the watch.",
                "Without --from, first prints the current configuration, then the changes "
                        + "after it."})
    static final class Watch extends ClientCommand {

        @Option(names = "--from", paramLabel = "VERSION",
                description = "Print every change after this metadata version (an index, or a "
                        + "TERM:INDEX token) that the server still knows, then new ones.")
        String from;

        private long fromIndex = -1;

        @Override
        void check() {
            if (from == null) {
                return;
            }
            Matcher matcher = VERSION.matcher(from.trim());
            if (!matcher.matches()) {
                throw usage("--from must be a metadata version (an index like 12, or a "
                        + "TERM:INDEX token like 3:12), was '" + from + "'");
            }
            fromIndex = Long.parseLong(matcher.group(2));
        }

        @Override
        int run(CairnClient client) {
            long after = fromIndex;
            if (after < 0) {
                VersionedConfig current = client.getConfig();
                after = current.index();
                print(out(), after, current.config(), null, true);
            }
            try (Stream<ConfigChange> changes = client.watchConfig(after)) {
                Iterator<ConfigChange> each = changes.iterator();
                while (each.hasNext()) {
                    ConfigChange change = each.next();
                    print(out(), change.version(), change.config(), change.changedAt(), false);
                }
            }
            return 0;
        }

        private void print(PrintWriter out, long version, ClusterConfig config,
                           Instant changedAt, boolean current) {
            if (jsonOutput()) {
                ObjectNode node = Output.object();
                node.put("version", version);
                Output.putTime(node, "changedAt", changedAt);
                node.put("current", current);
                node.set("config", json(config));
                Output.println(out, node);
            } else {
                out.println("version=" + version + " " + (current ? "current"
                        : "changed=" + Output.time(changedAt)) + " " + line(config));
            }
            // Each change shows as it arrives, not when the watch ends.
            out.flush();
        }
    }
}
