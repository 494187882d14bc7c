package io.cairndb.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.cairndb.client.CairnClient;
import io.cairndb.client.KeyValue;
import io.cairndb.client.ReadResult;
import io.cairndb.client.WriteResult;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.Optional;
import java.util.stream.Stream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code cairn kv}: read, write, delete and scan a tenant's keys. */
@Command(name = "kv", mixinStandardHelpOptions = true,
        description = "Read and write a tenant's keys.",
        subcommands = {KvCommand.Put.class, KvCommand.Get.class, KvCommand.Del.class,
            KvCommand.Scan.class, KvBatchCommand.class})
final class KvCommand extends GroupCommand {

    static ObjectNode json(WriteResult result) {
        ObjectNode node = Output.object();
        node.put("key", result.key());
        node.put("idempotencyKey", result.idempotencyKey());
        node.set("vectorClock", Output.clockJson(result.vectorClock()));
        node.put("replicaCount", result.replicaCount());
        node.put("consistency", result.consistency());
        node.put("duplicate", result.duplicate());
        return node;
    }

    static String line(String verb, WriteResult result) {
        return verb + "key=" + result.key() + " replicas=" + result.replicaCount() + " clock="
                + Output.clock(result.vectorClock()) + (result.duplicate() ? " (duplicate)" : "");
    }

    @Command(name = "put", mixinStandardHelpOptions = true,
            description = {"Write a key's value.",
                "The value comes from exactly one of: the VALUE argument (as UTF-8), --file, "
                    + "or standard input (VALUE '-' or --stdin)."})
    static final class Put extends ClientCommand {

        @Parameters(index = "0", paramLabel = "TENANT")
        String tenant;

        @Parameters(index = "1", paramLabel = "KEY")
        String key;

        @Parameters(index = "2", paramLabel = "VALUE", arity = "0..1",
                description = "The value; '-' reads standard input.")
        String value;

        @Option(names = "--file", paramLabel = "PATH", description = "Read the value from a file.")
        Path file;

        @Option(names = "--stdin", description = "Read the value from standard input.")
        boolean stdin;

        @Option(names = "--idempotency-key", paramLabel = "K",
                description = "Makes a retry safe: the same key and value is written once.")
        String idempotencyKey;

        @Mixin
        ConsistencyOption consistency;

        private byte[] bytes;

        @Override
        void check() throws IOException {
            boolean fromStdin = stdin || "-".equals(value);
            boolean fromArgument = value != null && !"-".equals(value);
            int sources = (fromArgument ? 1 : 0) + (file != null ? 1 : 0) + (fromStdin ? 1 : 0);
            if (sources != 1) {
                throw usage(sources == 0
                        ? "no value: give VALUE, --file PATH, or --stdin (or VALUE '-')"
                        : "more than one value: give only one of VALUE, --file, --stdin");
            }
            if (fromArgument) {
                bytes = value.getBytes(StandardCharsets.UTF_8);
            } else if (file != null) {
                bytes = readFile(file);
            } else {
                bytes = context().in().readAllBytes();
            }
        }

        private byte[] readFile(Path path) {
            try {
                return Files.readAllBytes(path);
            } catch (IOException e) {
                throw usage("cannot read --file " + path + ": " + describe(e));
            }
        }

        @Override
        int run(CairnClient client) {
            WriteResult written = client.write(tenant, key, bytes, consistency.level,
                    idempotencyKey);
            if (jsonOutput()) {
                Output.println(out(), json(written));
            } else {
                out().println(line("OK ", written));
            }
            return 0;
        }
    }

    @Command(name = "get", mixinStandardHelpOptions = true,
            description = {"Print a key's value.",
                "Text prints as it is; a value that is not UTF-8 prints as base64."})
    static final class Get extends ClientCommand {

        @Parameters(index = "0", paramLabel = "TENANT")
        String tenant;

        @Parameters(index = "1", paramLabel = "KEY")
        String key;

        @Mixin
        ConsistencyOption consistency;

        @Override
        int run(CairnClient client) {
            ReadResult read = client.read(tenant, key, consistency.level);
            byte[] value = read.value();
            if (jsonOutput()) {
                ObjectNode node = Output.object();
                node.put("key", read.key());
                Output.putValue(node, value);
                node.set("vectorClock", Output.clockJson(read.vectorClock()));
                node.put("replicaCount", read.replicaCount());
                Output.println(out(), node);
                return 0;
            }
            Optional<String> text = Output.utf8(value);
            if (text.isPresent()) {
                out().println(text.get());
            } else {
                out().println(Output.base64(value));
                err().println("note: the value of '" + key + "' is not UTF-8 text; printed as"
                        + " base64");
            }
            return 0;
        }
    }

    @Command(name = "del", aliases = "delete", mixinStandardHelpOptions = true,
            description = "Delete a key (writes a tombstone; succeeds whether or not it existed).")
    static final class Del extends ClientCommand {

        @Parameters(index = "0", paramLabel = "TENANT")
        String tenant;

        @Parameters(index = "1", paramLabel = "KEY")
        String key;

        @Option(names = "--idempotency-key", paramLabel = "K",
                description = "Makes a retry safe.")
        String idempotencyKey;

        @Mixin
        ConsistencyOption consistency;

        @Override
        int run(CairnClient client) {
            WriteResult deleted = client.delete(tenant, key, consistency.level, idempotencyKey);
            if (jsonOutput()) {
                Output.println(out(), json(deleted));
            } else {
                out().println(line("OK deleted ", deleted));
            }
            return 0;
        }
    }

    @Command(name = "scan", mixinStandardHelpOptions = true,
            description = {"List a tenant's keys and values in key order, within [START, END).",
                "Prints KEY<TAB>VALUE lines, or with --json one JSON object per line. Values "
                    + "that are not UTF-8 print as base64."})
    static final class Scan extends ClientCommand {

        @Parameters(index = "0", paramLabel = "TENANT")
        String tenant;

        @Option(names = "--start", paramLabel = "KEY",
                description = "First key, inclusive (default: the tenant's first).")
        String startKey;

        @Option(names = "--end", paramLabel = "KEY",
                description = "Last key, exclusive (default: to the tenant's last).")
        String endKey;

        @Option(names = "--limit", paramLabel = "N",
                description = "Print at most N items (default: all).")
        Integer limit;

        @Option(names = "--page-size", paramLabel = "N",
                description = "Items fetched per call (default: the server's, 100).")
        Integer pageSize;

        @Mixin
        ConsistencyOption consistency;

        @Override
        void check() {
            if (limit != null && limit < 1) {
                throw usage("--limit must be positive, was " + limit);
            }
            if (pageSize != null && pageSize < 1) {
                throw usage("--page-size must be positive, was " + pageSize);
            }
        }

        @Override
        int run(CairnClient client) {
            int perPage = pageSize == null ? 0 : pageSize;
            if (limit != null && (perPage == 0 || perPage > limit)) {
                // Ask for no more than will be printed.
                perPage = limit;
            }
            Stream<KeyValue> items = client.scan(tenant, startKey, endKey, perPage,
                    consistency.level);
            if (limit != null) {
                items = items.limit(limit);
            }
            boolean noted = false;
            for (Iterator<KeyValue> it = items.iterator(); it.hasNext(); ) {
                KeyValue item = it.next();
                byte[] value = item.value();
                if (jsonOutput()) {
                    ObjectNode node = Output.object();
                    node.put("key", item.key());
                    Output.putValue(node, value);
                    node.set("vectorClock", Output.clockJson(item.vectorClock()));
                    Output.println(out(), node);
                    continue;
                }
                Optional<String> text = Output.utf8(value);
                out().println(item.key() + "\t" + text.orElseGet(() -> Output.base64(value)));
                if (text.isEmpty() && !noted) {
                    err().println("note: values that are not UTF-8 text print as base64 (first:"
                            + " '" + item.key() + "')");
                    noted = true;
                }
            }
            return 0;
        }
    }

    /** An I/O failure as a short phrase: the exception's message, or its kind. */
    static String describe(IOException e) {
        String kind = e.getClass().getSimpleName().replace("Exception", "");
        if (e instanceof java.nio.file.NoSuchFileException) {
            return "no such file";
        }
        if (e instanceof java.nio.file.AccessDeniedException) {
            return "permission denied";
        }
        return e.getMessage() == null ? kind : e.getMessage();
    }
}
