package io.cairndb.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.cairndb.client.BatchItem;
import io.cairndb.client.BatchItemResult;
import io.cairndb.client.BatchResult;
import io.cairndb.client.CairnClient;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code cairn kv batch}: many writes and deletes of one tenant in one request. */
@Command(name = "batch", mixinStandardHelpOptions = true,
        description = {"Write or delete many keys of one tenant in one request.",
            "Items come from exactly one of: KEY=VALUE arguments, --file PATH, or --stdin. A file "
                + "or standard input holds one JSON object per line:",
            "  {\"key\":\"k\",\"value\":\"v\"}           write a UTF-8 value",
            "  {\"key\":\"k\",\"valueBase64\":\"AAE=\"}  write bytes",
            "  {\"key\":\"k\",\"delete\":true}         delete",
            "each optionally with \"idempotencyKey\":\"...\". Blank lines are skipped.",
            "Each item succeeds or fails on its own; the exit code is 1 if any failed."})
final class KvBatchCommand extends ClientCommand {

    private static final Set<String> FIELDS =
            Set.of("key", "value", "valueBase64", "delete", "idempotencyKey");

    @Parameters(index = "0", paramLabel = "TENANT")
    String tenant;

    @Parameters(index = "1..*", paramLabel = "KEY=VALUE", description = "Items to write.")
    List<String> assignments = new ArrayList<>();

    @Option(names = "--file", paramLabel = "PATH",
            description = "Read JSON-lines items from a file.")
    Path file;

    @Option(names = "--stdin", description = "Read JSON-lines items from standard input.")
    boolean stdin;

    @Mixin
    ConsistencyOption consistency;

    private List<BatchItem> items;

    @Override
    void check() throws IOException {
        int sources = (assignments.isEmpty() ? 0 : 1) + (file != null ? 1 : 0) + (stdin ? 1 : 0);
        if (sources != 1) {
            throw usage(sources == 0
                    ? "no items: give KEY=VALUE arguments, --file PATH, or --stdin"
                    : "items from more than one source: give only one of KEY=VALUE, --file,"
                            + " --stdin");
        }
        if (!assignments.isEmpty()) {
            items = fromAssignments(assignments);
        } else if (file != null) {
            try (BufferedReader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
                items = fromJsonLines(reader, file.toString());
            } catch (IOException e) {
                throw usage("cannot read --file " + file + ": " + KvCommand.describe(e));
            }
        } else {
            items = fromJsonLines(new BufferedReader(new InputStreamReader(context().in(),
                    StandardCharsets.UTF_8)), "standard input");
        }
        if (items.isEmpty()) {
            throw usage("no items in " + (file != null ? file : "standard input"));
        }
    }

    private List<BatchItem> fromAssignments(List<String> texts) {
        List<BatchItem> parsed = new ArrayList<>(texts.size());
        for (String text : texts) {
            int equals = text.indexOf('=');
            if (equals <= 0) {
                throw usage("'" + text + "' is not KEY=VALUE");
            }
            parsed.add(BatchItem.put(text.substring(0, equals), text.substring(equals + 1)));
        }
        return parsed;
    }

    private List<BatchItem> fromJsonLines(BufferedReader reader, String source)
            throws IOException {
        List<BatchItem> parsed = new ArrayList<>();
        int number = 0;
        for (String line = reader.readLine(); line != null; line = reader.readLine()) {
            number++;
            if (line.isBlank()) {
                continue;
            }
            String where = source + " line " + number + ": ";
            JsonNode node;
            try {
                node = Output.JSON.readTree(line);
            } catch (JsonProcessingException e) {
                throw usage(where + "not JSON: " + e.getOriginalMessage());
            }
            parsed.add(item(node, where));
        }
        return parsed;
    }

    private BatchItem item(JsonNode node, String where) {
        if (!node.isObject()) {
            throw usage(where + "expected a JSON object");
        }
        for (Iterator<String> names = node.fieldNames(); names.hasNext(); ) {
            String name = names.next();
            if (!FIELDS.contains(name)) {
                throw usage(where + "unknown field '" + name + "'; expected " + FIELDS);
            }
        }
        JsonNode key = node.get("key");
        if (key == null || !key.isTextual()) {
            throw usage(where + "\"key\" must be a string");
        }
        String idempotencyKey = text(node, "idempotencyKey", where);
        JsonNode delete = node.get("delete");
        if (delete != null && !delete.isBoolean()) {
            throw usage(where + "\"delete\" must be true or false");
        }
        String value = text(node, "value", where);
        String valueBase64 = text(node, "valueBase64", where);
        if (delete != null && delete.booleanValue()) {
            if (value != null || valueBase64 != null) {
                throw usage(where + "a delete carries no value");
            }
            return BatchItem.delete(key.textValue(), idempotencyKey);
        }
        if ((value == null) == (valueBase64 == null)) {
            throw usage(where + "give exactly one of \"value\", \"valueBase64\" (or"
                    + " \"delete\":true)");
        }
        byte[] bytes;
        if (value != null) {
            bytes = value.getBytes(StandardCharsets.UTF_8);
        } else {
            try {
                bytes = Base64.getDecoder().decode(valueBase64);
            } catch (IllegalArgumentException e) {
                throw usage(where + "\"valueBase64\" is not base64: " + e.getMessage());
            }
        }
        return BatchItem.put(key.textValue(), bytes, idempotencyKey);
    }

    private String text(JsonNode node, String field, String where) {
        JsonNode value = node.get(field);
        if (value == null || value.isNull()) {
            return null;
        }
        if (!value.isTextual()) {
            throw usage(where + "\"" + field + "\" must be a string");
        }
        return value.textValue();
    }

    @Override
    int run(CairnClient client) {
        BatchResult result = client.batchWrite(tenant, items, consistency.level);
        if (jsonOutput()) {
            Output.println(out(), json(result));
        } else {
            for (int i = 0; i < result.results().size(); i++) {
                out().println(line(result.results().get(i), i < items.size() && items.get(i)
                        .delete()));
            }
            out().println(result.succeededCount() + " succeeded, " + result.failedCount()
                    + " failed");
        }
        if (!result.allSucceeded()) {
            err().println("error: " + result.failures().size() + " of " + result.results().size()
                    + " batch items failed");
            return CairnCli.EXIT_SERVER_ERROR;
        }
        return 0;
    }

    private static String line(BatchItemResult item, boolean delete) {
        if (!item.success()) {
            return "FAILED key=" + item.key() + " " + item.errorCode() + ": "
                    + item.errorMessage();
        }
        return "OK " + (delete ? "deleted " : "") + "key=" + item.key() + " replicas="
                + item.replicaCount() + " clock=" + Output.clock(item.vectorClock())
                + (item.duplicate() ? " (duplicate)" : "");
    }

    private static ObjectNode json(BatchResult result) {
        ObjectNode node = Output.object();
        node.put("success", result.allSucceeded());
        node.put("consistency", result.consistency());
        node.put("succeededCount", result.succeededCount());
        node.put("failedCount", result.failedCount());
        ArrayNode results = node.putArray("results");
        for (BatchItemResult item : result.results()) {
            ObjectNode entry = results.addObject();
            entry.put("key", item.key());
            entry.put("success", item.success());
            entry.put("idempotencyKey", item.idempotencyKey());
            entry.set("vectorClock", Output.clockJson(item.vectorClock()));
            entry.put("replicaCount", item.replicaCount());
            entry.put("duplicate", item.duplicate());
            entry.put("errorCode", item.success() ? null : item.errorCode().name());
            entry.put("errorMessage", item.success() ? null : item.errorMessage());
        }
        return node;
    }
}
