package io.cairndb.server;

// Proves REST /api/v1 answers seed 002 envelopes over the coordinator's own code path.

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.google.protobuf.ByteString;
import io.cairndb.api.ErrorCode;
import io.cairndb.api.ReadKeyValueRequest;
import io.cairndb.api.ReadKeyValueResponse;
import io.cairndb.api.WriteKeyValueRequest;
import io.cairndb.api.WriteKeyValueResponse;
import io.cairndb.server.http.HttpErrors;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class RestApiTest {

    @RegisterExtension
    static final RunningNode NODE = new RunningNode();


    @BeforeAll
    static void start() throws Exception {
        for (String tenant : List.of("acme", "other")) {
            RestClient.Answer created = NODE.rest().json("POST", "/api/v1/tenants",
                    "{\"tenantId\":\"" + tenant + "\",\"replicationFactor\":1}");
            assertThat(created.status()).as(created.text()).isEqualTo(201);
        }
    }

    private static byte[] utf8(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    private static void assertEnvelope(RestClient.Answer answer, boolean success) {
        assertThat(answer.header("Content-Type")).as(answer.text()).startsWith("application/json");
        assertThat(answer.header("X-Request-Id")).isNotBlank();
        JsonNode body = answer.json();
        assertThat(body.get("success").asBoolean()).as(answer.text()).isEqualTo(success);
        assertThat(body.at("/meta/requestId").asText()).isEqualTo(answer.header("X-Request-Id"));
        assertThat(body.at("/meta/timestamp").asText()).matches("\\d{4}-\\d\\d-\\d\\dT.*Z");
        assertThat(body.at("/meta/duration").isNumber()).isTrue();
    }

    @Test
    void tenantIsCreatedAndRead() throws Exception {
        RestClient.Answer created = NODE.rest().json("POST", "/api/v1/tenants",
                "{\"tenantId\":\"fresh\"}");
        assertThat(created.status()).isEqualTo(201);
        assertThat(created.header("Location")).isEqualTo("/api/v1/tenants/fresh");
        RestClient.Answer read = NODE.rest().get("/api/v1/tenants/fresh");
        assertEnvelope(read, true);
        assertThat(read.json().at("/data/tenantId").asText()).isEqualTo("fresh");
        assertThat(read.json().at("/data/replicationFactor").asInt()).isEqualTo(1);
        RestClient.Answer again = NODE.rest().json("POST", "/api/v1/tenants",
                "{\"tenantId\":\"fresh\"}");
        assertThat(again.status()).isEqualTo(409);
        assertThat(again.json().at("/error/details/errorCode").asText())
                .isEqualTo("TENANT_EXISTS");
    }

    @Test
    void keyWrittenOverRestReadsBackOverGrpcWithTheSameBytesAndClock() throws Exception {
        byte[] value = {0, 1, 2, (byte) 0xff, 'x'};
        RestClient.Answer written = NODE.rest().send("PUT", "/api/v1/tenants/acme/keys/rest:1",
                "application/octet-stream", value);
        assertEnvelope(written, true);
        ReadKeyValueResponse read = NODE.node().stub.readKeyValue(ReadKeyValueRequest.newBuilder()
                .setTenantId("acme").setKey("rest:1").build());
        assertThat(read.getValue().toByteArray()).isEqualTo(value);
        JsonNode clock = written.json().at("/data/vectorClock/entries/0");
        assertThat(read.getVectorClock().getEntries(0).getCoordinatorNodeId())
                .isEqualTo(clock.get("coordinatorNodeId").asText());
        assertThat(read.getVectorClock().getEntries(0).getLogicalTimestamp())
                .isEqualTo(Long.parseLong(clock.get("logicalTimestamp").asText()));
    }

    @Test
    void keyWrittenOverGrpcReadsBackOverRestInBothForms() throws Exception {
        byte[] value = utf8("from gRPC ✓");
        WriteKeyValueResponse written = NODE.node().stub.writeKeyValue(WriteKeyValueRequest.newBuilder()
                .setTenantId("acme").setKey("grpc:1").setValue(ByteString.copyFrom(value))
                .build());
        RestClient.Answer json = NODE.rest().get("/api/v1/tenants/acme/keys/grpc:1");
        assertEnvelope(json, true);
        assertThat(Base64.getDecoder().decode(json.json().at("/data/value").asText()))
                .isEqualTo(value);
        String etag = "\"" + written.getVectorClock().getEntries(0).getCoordinatorNodeId() + ":"
                + written.getVectorClock().getEntries(0).getLogicalTimestamp() + "\"";
        assertThat(json.header("ETag")).isEqualTo(etag);
        RestClient.Answer raw = NODE.rest().get("/api/v1/tenants/acme/keys/grpc:1",
                "Accept", "application/octet-stream");
        assertThat(raw.status()).isEqualTo(200);
        assertThat(raw.header("Content-Type")).startsWith("application/octet-stream");
        assertThat(raw.bytes()).isEqualTo(value);
        assertThat(raw.header("ETag")).isEqualTo(etag);
    }

    @Test
    void jsonBodyCarriesTheValueInBase64() throws Exception {
        RestClient.Answer written = NODE.rest().json("PUT", "/api/v1/tenants/acme/keys/doc",
                "{\"value\":\"" + Base64.getEncoder().encodeToString(utf8("{\"a\":1}")) + "\"}",
                "X-Consistency", "all");
        assertEnvelope(written, true);
        assertThat(written.json().at("/data/consistency").asText()).isEqualTo("all");
        RestClient.Answer raw = NODE.rest().get("/api/v1/tenants/acme/keys/doc?consistency=one",
                "Accept", "application/octet-stream");
        assertThat(raw.text()).isEqualTo("{\"a\":1}");
    }

    @Test
    void retryWithTheSameIdempotencyKeyIsADuplicateAndWritesNoNewValue() throws Exception {
        String path = "/api/v1/tenants/acme/keys/idem";
        RestClient.Answer first = NODE.rest().send("PUT", path, "text/plain", utf8("v1"),
                "Idempotency-Key", "retry-1");
        RestClient.Answer retry = NODE.rest().send("PUT", path, "text/plain", utf8("v1"),
                "Idempotency-Key", "retry-1");
        assertThat(first.json().at("/data/isDuplicate").asBoolean()).isFalse();
        assertThat(retry.json().at("/data/isDuplicate").asBoolean()).isTrue();
        // The retry stamps the same value again (see the README's Idempotency paragraph).
        assertThat(NODE.rest().get(path).header("ETag")).isEqualTo(retry.header("ETag"));
        assertThat(Base64.getDecoder().decode(NODE.rest().get(path).json().at("/data/value")
                .asText())).isEqualTo(utf8("v1"));
        RestClient.Answer conflict = NODE.rest().send("PUT", path, "text/plain", utf8("v2"),
                "Idempotency-Key", "retry-1");
        assertThat(conflict.status()).isEqualTo(409);
        assertThat(conflict.json().at("/error/details/errorCode").asText())
                .isEqualTo("IDEMPOTENCY_KEY_CONFLICT");
    }

    @Test
    void rangePagesThroughKeysInOrderAndDeleteRemovesOne() throws Exception {
        RestClient.Answer batch = NODE.rest().json("POST", "/api/v1/tenants/other/batch",
                "{\"items\":[{\"key\":\"r3\",\"value\":\"Mw==\"},{\"key\":\"r1\",\"value\":\"MQ==\"},"
                        + "{\"key\":\"r2\",\"value\":\"Mg==\"},{\"key\":\"\",\"value\":\"\"}]}");
        assertEnvelope(batch, true);
        assertThat(batch.json().at("/data/succeededCount").asInt()).isEqualTo(3);
        assertThat(batch.json().at("/data/results/3/errorCode").asText())
                .isEqualTo("INVALID_REQUEST");
        RestClient.Answer first = NODE.rest().get("/api/v1/tenants/other/keys?start=r&limit=2");
        assertEnvelope(first, true);
        assertThat(first.json().at("/data/items/0/key").asText()).isEqualTo("r1");
        assertThat(first.json().at("/data/items/1/key").asText()).isEqualTo("r2");
        String token = first.json().at("/data/nextPageToken").asText();
        RestClient.Answer second = NODE.rest().get("/api/v1/tenants/other/keys?limit=2&pageToken="
                + token);
        assertThat(second.json().at("/data/items/0/key").asText()).isEqualTo("r3");
        RestClient.Answer deleted = NODE.rest().send("DELETE", "/api/v1/tenants/other/keys/r2", null,
                null);
        assertEnvelope(deleted, true);
        assertThat(NODE.rest().get("/api/v1/tenants/other/keys/r2").status()).isEqualTo(404);
        RestClient.Answer foreign = NODE.rest().get("/api/v1/tenants/acme/keys?pageToken=" + token);
        assertThat(foreign.status()).isEqualTo(422);
        assertThat(foreign.json().at("/error/message").asText()).contains("another tenant");
    }

    @Test
    void adminRoutesAnswerOverTheSameServices() throws Exception {
        RestClient.Answer patched = NODE.rest().json("PATCH", "/api/v1/config",
                "{\"writeConsistency\":\"ONE\"}");
        assertEnvelope(patched, true);
        assertThat(patched.json().at("/data/config/writeConsistency").asText()).isEqualTo("one");
        String version = patched.json().at("/data/version").asText();
        RestClient.Answer config = NODE.rest().get("/api/v1/config?minVersion=" + version);
        assertThat(config.json().at("/data/config/writeConsistency").asText()).isEqualTo("one");
        assertThat(NODE.rest().json("PATCH", "/api/v1/config", "{\"writeConsistency\":\"quorum\"}")
                .status()).isEqualTo(200);
        RestClient.Answer audit = NODE.rest().get("/api/v1/audit?limit=1");
        assertThat(audit.json().at("/data/events/0/action").asText()).isEqualTo("update_config");
        assertThat(NODE.rest().get("/api/v1/cluster/view").json().at("/data/members/0/nodeId").asText())
                .isEqualTo(NODE.server().nodeId());
        assertThat(NODE.rest().get("/api/v1/cluster/status").json().at("/data/role").asText())
                .isEqualTo("leader");
        assertThat(NODE.rest().get("/api/v1/nodes").json().at("/data/nodes/0/alive").asBoolean())
                .isTrue();
        RestClient.Answer rf = NODE.rest().json("PUT", "/api/v1/tenants/other/replication-factor",
                "{\"replicationFactor\":0}");
        assertThat(rf.status()).isEqualTo(422);
        assertThat(NODE.rest().get("/api/v1/migrations/none").status()).isEqualTo(404);
    }

    @Test
    void badInputIsAnsweredWithTheEnvelopeAndItsStatusNeverA500() throws Exception {
        record Case(String what, int status, String code, RestClient.Answer answer) {
        }
        List<Case> cases = new ArrayList<>();
        cases.add(new Case("malformed JSON", 400, "INVALID_REQUEST",
                NODE.rest().json("POST", "/api/v1/tenants", "{\"tenantId\": ")));
        cases.add(new Case("wrong type", 400, "INVALID_REQUEST",
                NODE.rest().json("POST", "/api/v1/tenants", "{\"tenantId\":\"t\",\"replicationFactor\":"
                        + "\"three\"}")));
        cases.add(new Case("unknown field", 400, "INVALID_REQUEST",
                NODE.rest().json("POST", "/api/v1/tenants", "{\"tenant\":\"t\"}")));
        cases.add(new Case("bad tenant id", 422, "VALIDATION_ERROR",
                NODE.rest().get("/api/v1/tenants/Not_Valid!/keys/k")));
        cases.add(new Case("unknown tenant", 404, "NOT_FOUND",
                NODE.rest().get("/api/v1/tenants/nobody/keys/k")));
        cases.add(new Case("2 MiB value", 413, "PAYLOAD_TOO_LARGE",
                NODE.rest().send("PUT", "/api/v1/tenants/acme/keys/big", "application/octet-stream",
                        new byte[2 * 1024 * 1024])));
        cases.add(new Case("unknown route", 404, "NOT_FOUND", NODE.rest().get("/api/v1/nothing")));
        cases.add(new Case("wrong method", 405, "METHOD_NOT_ALLOWED",
                NODE.rest().send("POST", "/api/v1/tenants/acme/keys/k", "text/plain", utf8("x"))));
        cases.add(new Case("bad consistency", 422, "VALIDATION_ERROR",
                NODE.rest().get("/api/v1/tenants/acme/keys/k?consistency=strong")));
        cases.add(new Case("bad limit", 400, "INVALID_REQUEST",
                NODE.rest().get("/api/v1/tenants/acme/keys?limit=ten")));
        cases.add(new Case("bad base64", 400, "INVALID_REQUEST",
                NODE.rest().json("PUT", "/api/v1/tenants/acme/keys/k", "{\"value\":\"***\"}")));
        cases.add(new Case("conditional write", 422, "VALIDATION_ERROR",
                NODE.rest().send("PUT", "/api/v1/tenants/acme/keys/k", "text/plain", utf8("x"),
                        "If-Match", "\"n1:1\"")));
        cases.add(new Case("conditional delete", 422, "VALIDATION_ERROR",
                NODE.rest().send("DELETE", "/api/v1/tenants/acme/keys/k", null, new byte[0],
                        "If-Match", "*")));
        for (Case tried : cases) {
            assertThat(tried.answer().status()).as(tried.what() + ": " + tried.answer().text())
                    .isEqualTo(tried.status());
            assertEnvelope(tried.answer(), false);
            JsonNode error = tried.answer().json().get("error");
            assertThat(error.get("code").asText()).as(tried.what()).isEqualTo(tried.code());
            assertThat(error.get("message").asText()).as(tried.what()).isNotBlank()
                    .doesNotContain("Exception").doesNotContain("\tat ");
        }
    }

    @Test
    void requestsJettyCannotDecodeGetTheEnvelopeNotAnHtmlPage() throws Exception {
        String answer = NODE.rest().raw("GET /api/v1/tenants/acme/keys/%zz HTTP/1.1\r\nHost: x\r\n"
                + "Connection: close\r\n\r\n");
        assertThat(answer).startsWith("HTTP/1.1 400").contains("application/json")
                .contains("\"code\":\"INVALID_REQUEST\"").doesNotContain("<html");
    }

    @Test
    void aClientsRequestIdIsEchoed() throws Exception {
        RestClient.Answer answer = NODE.rest().get("/api/v1/tenants/acme", "X-Request-Id", "trace-42");
        assertThat(answer.header("X-Request-Id")).isEqualTo("trace-42");
        assertThat(answer.json().at("/meta/requestId").asText()).isEqualTo("trace-42");
        assertThat(NODE.rest().get("/api/v1/nothing", "X-Request-Id", "trace-43")
                .header("X-Request-Id")).isEqualTo("trace-43");
    }

    @Test
    void theReadmeErrorTableIsTheOneTheServerUses() throws Exception {
        String readme = Files.readString(Path.of("..", "README.md"));
        Matcher row = Pattern.compile("\\| `([A-Z_]+)` \\| (\\d{3}) \\| `([A-Z_]+)` \\|")
                .matcher(readme);
        List<String> documented = new ArrayList<>();
        while (row.find()) {
            ErrorCode code = ErrorCode.valueOf(row.group(1));
            assertThat(HttpErrors.of(code)).as(code.name()).isEqualTo(
                    new HttpErrors.Status(Integer.parseInt(row.group(2)), row.group(3)));
            documented.add(code.name());
        }
        for (ErrorCode code : ErrorCode.values()) {
            if (code != ErrorCode.UNRECOGNIZED) {
                assertThat(documented).as("README row for " + code).contains(code.name());
            }
        }
    }
}
