package io.cairndb.cli;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.cairndb.client.CairnClient;
import io.cairndb.client.CairnException;
import io.cairndb.client.MigrationInfo;
import io.cairndb.client.MigrationStatus;
import java.io.InterruptedIOException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code cairn migration}: list, follow and cancel the data migrations topology changes start. */
@Command(name = "migration", mixinStandardHelpOptions = true,
        description = "List, follow and cancel data migrations: the moves of data that adding or "
                + "removing a node, or changing a tenant's replication factor, starts.",
        subcommands = {MigrationCommand.ListMigrations.class, MigrationCommand.Status.class,
            MigrationCommand.Cancel.class})
final class MigrationCommand extends GroupCommand {

    /** How often {@code status --watch} asks the server. */
    static final Duration POLL_INTERVAL = Duration.ofMillis(500);

    static ObjectNode json(MigrationInfo migration) {
        ObjectNode node = Output.object();
        node.put("migrationId", migration.migrationId());
        node.put("type", migration.type());
        node.put("nodeId", migration.nodeId().isEmpty() ? null : migration.nodeId());
        node.put("tenantId", migration.tenantId().isEmpty() ? null : migration.tenantId());
        node.put("status", migration.status());
        node.put("percentage", migration.percentage());
        node.put("keysMigrated", migration.keysMigrated());
        node.put("totalKeys", migration.totalKeys());
        node.put("bytesMigrated", migration.bytesMigrated());
        node.put("totalBytes", migration.totalBytes());
        node.put("tasks", migration.tasks());
        node.put("tasksDone", migration.tasksDone());
        node.put("tasksLost", migration.tasksLost());
        Output.putTime(node, "startedAt", migration.startedAt());
        Output.putTime(node, "finishedAt", migration.finishedAt());
        node.put("reason", migration.reason().isEmpty() ? null : migration.reason());
        return node;
    }

    /** What a migration is about: {@code node=n4} or {@code tenant=acme}. */
    static String subject(MigrationInfo migration) {
        if (!migration.nodeId().isEmpty()) {
            return "node=" + migration.nodeId();
        }
        if (!migration.tenantId().isEmpty()) {
            return "tenant=" + migration.tenantId();
        }
        return "-";
    }

    static String percent(double percentage) {
        return String.format(Locale.ROOT, "%.1f%%", percentage);
    }

    @Command(name = "list", mixinStandardHelpOptions = true,
            description = "List the cluster's migrations, running and finished, with their "
                    + "progress.")
    static final class ListMigrations extends ClientCommand {

        private static final String[] HEADINGS =
                {"MIGRATION", "TYPE", "SUBJECT", "STATUS", "DONE", "KEYS"};

        @Override
        int run(CairnClient client) {
            List<MigrationInfo> migrations = client.listMigrations();
            if (jsonOutput()) {
                ArrayNode array = Output.array();
                migrations.forEach(migration -> array.add(json(migration)));
                Output.println(out(), array);
                return 0;
            }
            List<String[]> rows = new ArrayList<>();
            rows.add(HEADINGS);
            for (MigrationInfo migration : migrations) {
                rows.add(new String[] {migration.migrationId(), migration.type(),
                    subject(migration), migration.status(), percent(migration.percentage()),
                    migration.keysMigrated() + "/" + migration.totalKeys()});
            }
            Output.table(out(), rows);
            return 0;
        }
    }

    @Command(name = "status", mixinStandardHelpOptions = true,
            description = {"Show where a migration stands.",
                "With --watch, follow it until it ends: on a terminal one line is redrawn "
                    + "(bar, percentage, keys and bytes moved, rate, time left); otherwise, "
                    + "and with --json, one line per poll (JSON lines with --json). Exits 0 when "
                    + "the migration completes, 1 when it fails or is cancelled."})
    static final class Status extends ClientCommand {

        @Parameters(index = "0", paramLabel = "MIGRATION_ID",
                description = "The id a node or replication-factor change printed, or one from "
                        + "'cairn migration list'.")
        String migrationId;

        @Option(names = "--watch",
                description = "Poll every 500 ms until the migration completes, fails "
                        + "or is cancelled.")
        boolean watch;

        @Override
        int run(CairnClient client) throws InterruptedIOException {
            if (watch) {
                return new Watch(client).run();
            }
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

        /** One {@code --watch}: polls until the migration ends, printing a line each time. */
        private final class Watch {

            private final CairnClient client;
            private final boolean redraw;
            /** Whether the server answers ListMigrations, which alone reports bytes. */
            private boolean listing = true;
            private int drawnLength;

            Watch(CairnClient client) {
                this.client = client;
                this.redraw = context().terminal() && !jsonOutput();
            }

            int run() throws InterruptedIOException {
                ProgressLine.Sample previous = null;
                try {
                    while (true) {
                        MigrationStatus status = client.getMigrationStatus(migrationId);
                        MigrationInfo info = listed();
                        Instant now = context().clock().instant();
                        ProgressLine.Sample sample = new ProgressLine.Sample(now,
                                status.status(), status.percentage(), status.keysMigrated(),
                                status.totalKeys(), info == null ? -1 : info.bytesMigrated(),
                                info == null ? -1 : info.totalBytes(),
                                status.estimatedCompletion());
                        ProgressLine.Progress progress = ProgressLine.of(previous, sample);
                        print(status, info, progress);
                        if (status.finished()) {
                            return end(status, info);
                        }
                        previous = sample;
                        context().pause().pause(POLL_INTERVAL);
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new InterruptedIOException("interrupted while watching migration "
                            + migrationId);
                } finally {
                    if (drawnLength > 0) {
                        // Ends the redrawn line, so what follows (an error) starts on its own.
                        out().println();
                        out().flush();
                    }
                }
            }

            /** This migration as the list reports it; null if the server does not list it. */
            private MigrationInfo listed() {
                if (!listing) {
                    return null;
                }
                try {
                    for (MigrationInfo migration : client.listMigrations()) {
                        if (migration.migrationId().equals(migrationId)) {
                            return migration;
                        }
                    }
                    return null;
                } catch (CairnException e) {
                    // A server older than ListMigrations still reports keys; the watch goes on
                    // without bytes rather than failing.
                    if (io.grpc.Status.fromThrowable(e).getCode()
                            == io.grpc.Status.Code.UNIMPLEMENTED) {
                        listing = false;
                        return null;
                    }
                    throw e;
                }
            }

            private void print(MigrationStatus status, MigrationInfo info,
                               ProgressLine.Progress progress) {
                if (jsonOutput()) {
                    ProgressLine.Sample sample = progress.sample();
                    ObjectNode node = Output.object();
                    Output.putTime(node, "at", sample.at());
                    node.put("migrationId", status.migrationId());
                    node.put("type", status.type());
                    node.put("nodeId", status.nodeId().isEmpty() ? null : status.nodeId());
                    node.put("tenantId", info == null || info.tenantId().isEmpty() ? null
                            : info.tenantId());
                    node.put("status", status.status());
                    node.put("percentage", status.percentage());
                    node.put("keysMigrated", status.keysMigrated());
                    node.put("totalKeys", status.totalKeys());
                    node.put("bytesMigrated", sample.bytesKnown() ? sample.bytesMigrated()
                            : null);
                    node.put("totalBytes", sample.bytesKnown() ? sample.totalBytes() : null);
                    node.put("keysPerSecond", progress.keysPerSecond());
                    node.put("etaSeconds", progress.eta() == null ? null
                            : progress.eta().toSeconds());
                    node.put("reason", info == null || info.reason().isEmpty() ? null
                            : info.reason());
                    Output.println(out(), node);
                    out().flush();
                    return;
                }
                String line = status.migrationId() + " " + status.status() + " "
                        + ProgressLine.text(progress);
                if (redraw) {
                    out().print(ProgressLine.redraw(line, drawnLength));
                    drawnLength = Math.max(drawnLength, line.length());
                } else {
                    out().println(line);
                }
                out().flush();
            }

            private int end(MigrationStatus status, MigrationInfo info) {
                if (status.status().equals("completed")) {
                    return CairnCli.EXIT_OK;
                }
                String reason = info == null || info.reason().isEmpty() ? ""
                        : ": " + info.reason();
                if (drawnLength > 0) {
                    out().println();
                    out().flush();
                    drawnLength = 0;
                }
                err().println("error: migration " + migrationId + " " + status.status()
                        + reason);
                return CairnCli.EXIT_SERVER_ERROR;
            }
        }
    }

    @Command(name = "cancel", mixinStandardHelpOptions = true,
            description = "Cancel a pending or running migration. The data it moved stays "
                    + "where it is.")
    static final class Cancel extends ClientCommand {

        @Parameters(index = "0", paramLabel = "MIGRATION_ID")
        String migrationId;

        @Option(names = "--reason", paramLabel = "TEXT",
                description = "Why, kept with the migration and in the audit log.")
        String reason;

        @Override
        int run(CairnClient client) {
            MigrationInfo cancelled = client.cancelMigration(migrationId, reason);
            if (jsonOutput()) {
                Output.println(out(), json(cancelled));
            } else {
                out().println("OK migration=" + cancelled.migrationId() + " status="
                        + cancelled.status()
                        + (cancelled.reason().isEmpty() ? "" : " (" + cancelled.reason() + ")"));
            }
            return 0;
        }
    }
}
