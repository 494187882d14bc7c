package io.cairndb.cli;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.cairndb.client.AuditEvent;
import io.cairndb.client.CairnClient;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code cairn audit}: list the metadata changes the cluster's audit log keeps. */
@Command(name = "audit", mixinStandardHelpOptions = true,
        description = "List metadata changes (tenants, nodes, configuration), oldest first: the "
                + "newest that match, up to --limit.")
final class AuditCommand extends ClientCommand {

    /** The most events one listing asks for: what the cluster keeps. */
    static final int LIMIT_MAX = 10_000;

    private static final Pattern AGO = Pattern.compile("(\\d{1,9})(ms|s|m|h|d)");

    @Option(names = "--tenant", paramLabel = "TENANT",
            description = "Only changes of this tenant.")
    String tenant;

    @Option(names = "--since", paramLabel = "TIME",
            description = "Only changes from this time on: an ISO-8601 instant "
                    + "(2024-05-01T12:00:00Z) or a duration back from now (30s, 10m, 2h, 7d, "
                    + "PT1H30M).")
    String since;

    @Option(names = "--limit", paramLabel = "N", defaultValue = "100",
            description = "At most this many, the newest (default: ${DEFAULT-VALUE}, at most "
                    + LIMIT_MAX + ").")
    int limit;

    private Instant sinceInstant;

    @Override
    void check() {
        if (limit < 1 || limit > LIMIT_MAX) {
            throw usage("--limit must be between 1 and " + LIMIT_MAX + ", was " + limit);
        }
        if (since != null) {
            sinceInstant = parseSince(since.trim());
        }
    }

    private Instant parseSince(String text) {
        Matcher ago = AGO.matcher(text.toLowerCase(Locale.ROOT));
        Duration back = null;
        if (ago.matches()) {
            long amount = Long.parseLong(ago.group(1));
            back = switch (ago.group(2)) {
                case "ms" -> Duration.ofMillis(amount);
                case "s" -> Duration.ofSeconds(amount);
                case "m" -> Duration.ofMinutes(amount);
                case "h" -> Duration.ofHours(amount);
                default -> Duration.ofDays(amount);
            };
        } else if (text.toUpperCase(Locale.ROOT).startsWith("P")) {
            try {
                back = Duration.parse(text.toUpperCase(Locale.ROOT));
            } catch (DateTimeParseException e) {
                throw usage("--since '" + text + "' is not an ISO-8601 duration");
            }
            if (back.isNegative()) {
                throw usage("--since '" + text + "' is a negative duration");
            }
        }
        if (back != null) {
            return context().clock().instant().minus(back);
        }
        try {
            return Instant.parse(text);
        } catch (DateTimeParseException e) {
            throw usage("--since must be an ISO-8601 instant like 2024-05-01T12:00:00Z or a "
                    + "duration like 10m, was '" + text + "'");
        }
    }

    @Override
    int run(CairnClient client) {
        List<AuditEvent> events = client.listAuditEvents(tenant, sinceInstant, limit);
        if (jsonOutput()) {
            ArrayNode array = Output.array();
            for (AuditEvent event : events) {
                ObjectNode node = array.addObject();
                node.put("id", event.id());
                node.put("version", event.version());
                node.put("hlc", event.hlc());
                Output.putTime(node, "at", event.at());
                node.put("action", event.action());
                node.put("tenantId", event.tenantId().isEmpty() ? null : event.tenantId());
                node.put("nodeId", event.nodeId().isEmpty() ? null : event.nodeId());
                node.put("actor", event.actor().isEmpty() ? null : event.actor());
                node.put("details", event.details());
            }
            Output.println(out(), array);
            return 0;
        }
        List<String[]> rows = new ArrayList<>();
        rows.add(new String[] {"ID", "TIME", "ACTION", "TENANT", "NODE", "ACTOR", "DETAILS"});
        for (AuditEvent event : events) {
            rows.add(new String[] {event.id(), Output.time(event.at()), event.action(),
                Output.dash(event.tenantId()), Output.dash(event.nodeId()),
                Output.dash(event.actor()), event.details()});
        }
        Output.table(out(), rows);
        return 0;
    }
}
