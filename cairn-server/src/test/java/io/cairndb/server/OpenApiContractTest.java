package io.cairndb.server;

// Proves the served OpenAPI document is valid and that every operation in it answers a real node
// with a response its schema accepts, and that the node serves no route the document lacks.

import static org.assertj.core.api.Assertions.assertThat;

import com.networknt.schema.Schema;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SpecificationVersion;
import io.swagger.v3.parser.OpenAPIV3Parser;
import io.swagger.v3.parser.core.models.ParseOptions;
import io.swagger.v3.parser.core.models.SwaggerParseResult;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

class OpenApiContractTest {

    @RegisterExtension
    static final RunningNode NODE = new RunningNode();

    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final SchemaRegistry SCHEMAS =
            SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_2020_12);

    private static JsonNode spec;
    private static final Map<String, Schema> compiled = new HashMap<>();

    @BeforeAll
    static void start() throws Exception {
        RestClient.Answer served = NODE.rest().get("/api/v1/openapi.json");
        assertThat(served.status()).isEqualTo(200);
        spec = JSON.readTree(served.bytes());
    }

    /** One call of the walk: what is sent, and the status it must get. */
    private record Call(String operationId, String method, String path, String contentType,
                        String body, int status, String... headers) {

        Call withPath(String newPath) {
            return new Call(operationId, method, newPath, contentType, body, status, headers);
        }
    }

    private static String newestMigration() {
        var migrations = NODE.server().metadata().current().migrations();
        return migrations.isEmpty() ? "none" : migrations.get(migrations.size() - 1).id();
    }

    /** Stands in a call's path for the id of the newest migration when the call is sent. */
    private static final String NEWEST_MIGRATION = "{newest-migration}";

    private static List<Call> walk() {
        String self = NODE.server().nodeId();
        String tenants = "/api/v1/tenants";
        String keys = tenants + "/contract/keys";
        List<Call> calls = new ArrayList<>();
        calls.add(new Call("createTenant", "POST", tenants, "application/json",
                "{\"tenantId\":\"contract\",\"replicationFactor\":1}", 201));
        calls.add(new Call("createTenant", "POST", tenants, "application/json",
                "{\"tenantId\":\"contract\"}", 409));
        calls.add(new Call("createTenant", "POST", tenants, "application/json",
                "{\"tenantId\":\"Not Valid\"}", 422));
        calls.add(new Call("createTenant", "POST", tenants, "application/json", "{", 400));
        calls.add(new Call("getTenant", "GET", tenants + "/contract", null, null, 200));
        calls.add(new Call("getTenant", "GET", tenants + "/missing", null, null, 404));
        calls.add(new Call("updateReplicationFactor", "PUT",
                tenants + "/contract/replication-factor", "application/json",
                "{\"replicationFactor\":1}", 200));
        calls.add(new Call("updateReplicationFactor", "PUT",
                tenants + "/contract/replication-factor", "application/json",
                "{\"replicationFactor\":0}", 422));
        calls.add(new Call("writeKeyValue", "PUT", keys + "/k1", "text/plain", "one", 200,
                "Idempotency-Key", "contract-1"));
        calls.add(new Call("writeKeyValue", "PUT", keys + "/k1", "text/plain", "two", 409,
                "Idempotency-Key", "contract-1"));
        calls.add(new Call("writeKeyValue", "PUT", keys + "/k2", "application/json",
                "{\"value\":\"dHdv\"}", 200, "X-Consistency", "all"));
        calls.add(new Call("writeKeyValue", "PUT", keys + "/k3", "application/json",
                "{\"value\":7}", 400));
        calls.add(new Call("writeKeyValue", "PUT", keys + "/k3", "application/octet-stream",
                "x".repeat(1024 * 1024 + 1), 413));
        calls.add(new Call("writeKeyValue", "PUT", tenants + "/missing/keys/k", "text/plain",
                "x", 404));
        calls.add(new Call("readKeyValue", "GET", keys + "/k1", null, null, 200));
        calls.add(new Call("readKeyValue", "GET", keys + "/k1", null, null, 200,
                "Accept", "application/octet-stream"));
        calls.add(new Call("readKeyValue", "GET", keys + "/none", null, null, 404));
        calls.add(new Call("readKeyValue", "GET", keys + "/k1?consistency=most", null, null,
                422));
        calls.add(new Call("rangeQuery", "GET", keys + "?start=k&limit=1", null, null, 200));
        calls.add(new Call("rangeQuery", "GET", keys + "?limit=many", null, null, 400));
        calls.add(new Call("batchWrite", "POST", tenants + "/contract/batch", "application/json",
                "{\"items\":[{\"key\":\"b1\",\"value\":\"MQ==\"},{\"key\":\"k2\",\"delete\":true}"
                        + ",{\"key\":\"\"}]}", 200));
        calls.add(new Call("batchWrite", "POST", tenants + "/contract/batch", "application/json",
                "{\"items\":[]}", 422));
        calls.add(new Call("deleteKeyValue", "DELETE", keys + "/k1", null, null, 200));
        calls.add(new Call("listStorageNodes", "GET", "/api/v1/nodes", null, null, 200));
        calls.add(new Call("addStorageNode", "POST", "/api/v1/nodes", "application/json",
                "{\"nodeId\":\"" + self + "\",\"host\":\"127.0.0.1\",\"port\":7070}", 409));
        calls.add(new Call("addStorageNode", "POST", "/api/v1/nodes", "application/json",
                "{\"nodeId\":\"n2\",\"host\":\"127.0.0.1\",\"port\":70000}", 422));
        calls.add(new Call("removeStorageNode", "DELETE", "/api/v1/nodes/" + self + "?force=true",
                null, null, 409));
        calls.add(new Call("removeStorageNode", "DELETE", "/api/v1/nodes/x?force=maybe",
                null, null, 400));
        calls.add(new Call("getMigrationStatus", "GET", "/api/v1/migrations/m-1", null, null,
                404));
        calls.add(new Call("getClusterView", "GET", "/api/v1/cluster/view", null, null, 200));
        calls.add(new Call("getClusterView", "GET", "/api/v1/cluster/view?minVersion=soon", null,
                null, 422));
        calls.add(new Call("getControlStatus", "GET", "/api/v1/cluster/status", null, null, 200));
        calls.add(new Call("addControlMember", "POST", "/api/v1/cluster/members",
                "application/json", "{\"memberId\":\"" + self + "\",\"raftAddress\":"
                        + "\"127.0.0.1:1\"}", 422));
        calls.add(new Call("removeControlMember", "DELETE", "/api/v1/cluster/members/" + self,
                null, null, 422));
        calls.add(new Call("getConfig", "GET", "/api/v1/config", null, null, 200));
        calls.add(new Call("updateConfig", "PATCH", "/api/v1/config", "application/json",
                "{\"readConsistency\":\"quorum\"}", 200));
        calls.add(new Call("updateConfig", "PATCH", "/api/v1/config", "application/json",
                "{}", 422));
        calls.add(new Call("listAuditEvents", "GET", "/api/v1/audit?limit=5", null, null, 200));
        calls.add(new Call("listAuditEvents", "GET", "/api/v1/audit?limit=-1", null, null, 422));
        calls.add(new Call("cleanupNode", "POST", "/api/v1/nodes/" + self + "/cleanup", null,
                null, 200));
        calls.add(new Call("cleanupNode", "POST", "/api/v1/nodes/nobody/cleanup", null, null,
                422));
        calls.add(new Call("listMigrations", "GET", "/api/v1/migrations", null, null, 200));
        return calls;
    }

    /**
     * The walk's last leg, once a node that never answers has registered: it joins, so its
     * migration waits until it is cancelled.
     */
    private static List<Call> migrationWalk() {
        List<Call> calls = new ArrayList<>();
        calls.add(new Call("addStorageNode", "POST", "/api/v1/nodes", "application/json",
                "{\"nodeId\":\"absent\",\"host\":\"127.0.0.1\",\"port\":1}", 200));
        calls.add(new Call("listMigrations", "GET", "/api/v1/migrations", null, null, 200));
        String cancel = "/api/v1/migrations/" + NEWEST_MIGRATION + "/cancel";
        calls.add(new Call("cancelMigration", "POST", cancel, "application/json",
                "{\"reason\":7}", 400));
        calls.add(new Call("cancelMigration", "POST", cancel, "application/json",
                "{\"reason\":\"" + "x".repeat(501) + "\"}", 422));
        calls.add(new Call("cancelMigration", "POST", cancel, "application/json",
                "{\"reason\":\"contract\"}", 200));
        calls.add(new Call("cancelMigration", "POST", cancel, null, null, 422));
        calls.add(new Call("cancelMigration", "POST", "/api/v1/migrations/m-0/cancel", null,
                null, 404));
        return calls;
    }

    @Test
    void theServedDocumentIsAValidOpenApi31Document() throws Exception {
        String yaml = NODE.rest().get("/api/v1/openapi.yaml").text();
        ParseOptions options = new ParseOptions();
        options.setResolve(true);
        SwaggerParseResult parsed = new OpenAPIV3Parser().readContents(yaml, null, options);
        assertThat(parsed.getMessages()).isEmpty();
        assertThat(parsed.getOpenAPI().getOpenapi()).isEqualTo("3.1.0");
        assertThat(JSON.readTree(new com.fasterxml.jackson.dataformat.yaml.YAMLMapper()
                .readTree(yaml).toString())).isEqualTo(spec);
    }

    @Test
    void swaggerUiIsServedFromTheNodeItself() throws Exception {
        RestClient.Answer page = NODE.rest().get("/api/v1/docs");
        assertThat(page.status()).isEqualTo(200);
        assertThat(page.header("Content-Type")).startsWith("text/html");
        assertThat(page.text()).contains("/api/v1/openapi.json").doesNotContain("http:")
                .doesNotContain("https:");
        for (String file : List.of("swagger-ui-bundle.js", "swagger-ui.css")) {
            RestClient.Answer asset = NODE.rest().get("/api/v1/docs/" + file);
            assertThat(asset.status()).as(file).isEqualTo(200);
            assertThat(asset.bytes().length).as(file).isGreaterThan(10_000);
            assertThat(page.text()).contains("/api/v1/docs/" + file);
        }
        assertThat(NODE.rest().get("/api/v1/docs/index.html").status()).isEqualTo(404);
    }

    @Test
    void theNodeServesExactlyTheRoutesTheDocumentNames() {
        TreeSet<String> documented = new TreeSet<>();
        for (Iterator<Map.Entry<String, JsonNode>> paths = spec.get("paths").properties()
                .iterator(); paths.hasNext(); ) {
            Map.Entry<String, JsonNode> path = paths.next();
            for (String method : List.of("get", "put", "post", "delete", "patch")) {
                if (path.getValue().has(method)) {
                    documented.add(method.toUpperCase(java.util.Locale.ROOT) + " "
                            + path.getKey() + " "
                            + path.getValue().get(method).get("operationId").asString());
                }
            }
        }
        assertThat(new TreeSet<>(NODE.server().restRoutes())).isEqualTo(documented);
    }

    @Test
    void everyOperationAnswersWithWhatItsSchemaDescribes() throws Exception {
        TreeSet<String> operations = new TreeSet<>();
        TreeSet<String> walked = new TreeSet<>();
        spec.get("paths").forEach(path -> path.forEach(operation -> {
            if (operation.has("operationId")) {
                operations.add(operation.get("operationId").asString());
            }
        }));
        for (Call call : walk()) {
            walked.add(check(call));
        }
        MigrationRoutesTest.registerStandby(NODE.node(), "absent");
        for (Call planned : migrationWalk()) {
            walked.add(check(planned.withPath(planned.path().replace(NEWEST_MIGRATION,
                    newestMigration()))));
        }
        assertThat(walked).isEqualTo(operations);
    }

    /** Sends one call and checks its answer against the document; returns its operation. */
    private static String check(Call call) throws Exception {
        RestClient.Answer answer = NODE.rest().send(call.method(), call.path(), call.contentType(),
                call.body() == null ? null : call.body().getBytes(StandardCharsets.UTF_8),
                call.headers());
        String what = call.operationId() + " " + call.method() + " " + call.path() + " -> "
                + answer.status() + " " + answer.text();
        assertThat(answer.status()).as(what).isEqualTo(call.status());
        JsonNode operation = operation(call);
        assertThat(operation.get("operationId").asString()).as(what)
                .isEqualTo(call.operationId());
        JsonNode response = resolve(operation.at("/responses/" + answer.status()));
        assertThat(response.isMissingNode()).as("status not documented: " + what).isFalse();
        String type = answer.header("Content-Type").split(";")[0].trim();
        JsonNode content = response.get("content").get(type);
        assertThat(content).as("content type " + type + " not documented: " + what)
                .isNotNull();
        if (type.equals("application/json")) {
            var errors = schema(content.get("schema")).validate(JSON.readTree(answer.bytes()));
            assertThat(errors).as(what).isEmpty();
        }
        return call.operationId();
    }

    /** The document's operation for a call: its path template matched against the call's path. */
    private static JsonNode operation(Call call) {
        String path = call.path().split("\\?")[0];
        for (Map.Entry<String, JsonNode> template : spec.get("paths").properties()) {
            String regex = template.getKey().replaceAll("\\{key\\}", ".+")
                    .replaceAll("\\{[^}]+\\}", "[^/]+");
            JsonNode operation = template.getValue()
                    .get(call.method().toLowerCase(java.util.Locale.ROOT));
            if (operation != null && Pattern.matches(regex, path)) {
                return operation;
            }
        }
        throw new AssertionError("no operation in the document for " + call);
    }

    private static JsonNode resolve(JsonNode node) {
        if (node.has("$ref")) {
            return spec.at(node.get("$ref").asString().substring(1));
        }
        return node;
    }

    /** A response schema, compiled against the whole document so that its $refs resolve. */
    private static Schema schema(JsonNode schema) {
        String ref = schema.get("$ref").asString();
        return compiled.computeIfAbsent(ref, key -> {
            // Only what the $refs reach: the validator warns of every keyword it does not know.
            ObjectNode root = JSON.createObjectNode();
            root.put("$ref", key);
            root.set("components", spec.get("components"));
            return SCHEMAS.getSchema(root);
        });
    }
}
