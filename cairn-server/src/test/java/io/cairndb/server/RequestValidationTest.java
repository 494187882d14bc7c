package io.cairndb.server;

// Proves every REST request is checked against the OpenAPI document: each way a request can
// break it is refused with the envelope, the right status and the field named, never a 500.

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class RequestValidationTest {

    @RegisterExtension
    static final RunningNode NODE = new RunningNode();

    /** A request the document refuses, and the answer it must get. */
    private record Refusal(String what, int status, String field, String messagePart,
                           RestClient.Answer answer) {
    }

    @BeforeAll
    static void start() throws Exception {
        assertThat(NODE.rest().json("POST", "/api/v1/tenants",
                "{\"tenantId\":\"acme\",\"replicationFactor\":1}").status()).isEqualTo(201);
    }

    @Test
    void requestsOfTheWrongShapeAre400NamingTheField() throws Exception {
        RestClient rest = NODE.rest();
        List<Refusal> refusals = new ArrayList<>();
        refusals.add(new Refusal("body not JSON", 400, null, "not valid JSON",
                rest.json("POST", "/api/v1/tenants", "{\"tenantId\": ")));
        refusals.add(new Refusal("empty body", 400, null, "the request body is empty",
                rest.json("POST", "/api/v1/tenants", "")));
        refusals.add(new Refusal("body not an object", 400, "body", "must be an object",
                rest.json("POST", "/api/v1/tenants", "[\"acme\"]")));
        refusals.add(new Refusal("wrong type", 400, "replicationFactor",
                "replicationFactor must be an integer, not string \"three\"",
                rest.json("POST", "/api/v1/tenants",
                        "{\"tenantId\":\"t\",\"replicationFactor\":\"three\"}")));
        refusals.add(new Refusal("unknown field", 400, "tenant",
                "unknown field tenant; the fields are tenantId, replicationFactor",
                rest.json("POST", "/api/v1/tenants", "{\"tenantId\":\"t\",\"tenant\":\"t\"}")));
        refusals.add(new Refusal("missing field", 400, "tenantId", "tenantId is required",
                rest.json("POST", "/api/v1/tenants", "{\"replicationFactor\":1}")));
        refusals.add(new Refusal("wrong type in an array item", 400, "items[1].key",
                "items[1].key must be a string, not integer 7",
                rest.json("POST", "/api/v1/tenants/acme/batch",
                        "{\"items\":[{\"key\":\"a\"},{\"key\":7}]}")));
        refusals.add(new Refusal("unknown field in an array item", 400, "items[0].valu",
                "unknown field items[0].valu; the fields are key, value, delete, idempotencyKey",
                rest.json("POST", "/api/v1/tenants/acme/batch",
                        "{\"items\":[{\"key\":\"a\",\"valu\":\"MQ==\"}]}")));
        refusals.add(new Refusal("JSON value with an unknown field", 400, "data",
                "unknown field data; the fields are value",
                rest.json("PUT", "/api/v1/tenants/acme/keys/k",
                        "{\"value\":\"MQ==\",\"data\":1}")));
        refusals.add(new Refusal("query parameter not a number", 400, "limit",
                "limit 'ten' is not a whole number",
                rest.get("/api/v1/tenants/acme/keys?limit=ten")));
        refusals.add(new Refusal("query parameter not a boolean", 400, "force",
                "force 'maybe' must be true or false",
                rest.send("DELETE", "/api/v1/nodes/n1?force=maybe", null, null)));
        assertRefused(refusals, "INVALID_REQUEST");
    }

    @Test
    void wellFormedRequestsThatBreakARuleAre422NamingTheField() throws Exception {
        RestClient rest = NODE.rest();
        List<Refusal> refusals = new ArrayList<>();
        refusals.add(new Refusal("body field pattern", 422, "tenantId",
                "tenantId \"Not Valid\" does not match the regex pattern",
                rest.json("POST", "/api/v1/tenants", "{\"tenantId\":\"Not Valid\"}")));
        refusals.add(new Refusal("body field minimum", 422, "replicationFactor",
                "must have a minimum value of 1",
                rest.json("PUT", "/api/v1/tenants/acme/replication-factor",
                        "{\"replicationFactor\":0}")));
        refusals.add(new Refusal("body field enumeration", 422, "readConsistency",
                "readConsistency \"strong\" does not have a value in the enumeration",
                rest.json("PATCH", "/api/v1/config", "{\"readConsistency\":\"strong\"}")));
        refusals.add(new Refusal("body with too few fields", 422, "body",
                "must have at least 1 properties", rest.json("PATCH", "/api/v1/config", "{}")));
        refusals.add(new Refusal("path parameter pattern", 422, "tenant",
                "path parameter tenant 'Not_Valid!' does not match the regex pattern",
                rest.get("/api/v1/tenants/Not_Valid!/keys/k")));
        refusals.add(new Refusal("query parameter enumeration", 422, "consistency",
                "query parameter consistency 'strong' does not have a value in the enumeration",
                rest.get("/api/v1/tenants/acme/keys/k?consistency=strong")));
        refusals.add(new Refusal("header enumeration", 422, "X-Consistency",
                "header parameter X-Consistency 'strong' does not have a value",
                rest.send("PUT", "/api/v1/tenants/acme/keys/k", "text/plain",
                        "v".getBytes(StandardCharsets.UTF_8), "X-Consistency", "strong")));
        refusals.add(new Refusal("query parameter minimum", 422, "limit",
                "query parameter limit '-1' must have a minimum value of 0",
                rest.get("/api/v1/audit?limit=-1")));
        refusals.add(new Refusal("query parameter pattern", 422, "minVersion",
                "query parameter minVersion 'soon' does not match the regex pattern",
                rest.get("/api/v1/config?minVersion=soon")));
        assertRefused(refusals, "VALIDATION_ERROR");
        for (Refusal refusal : refusals) {
            assertThat(refusal.answer().json().at("/error/details/errorCode").asText())
                    .as(refusal.what()).isEqualTo("INVALID_REQUEST");
        }
    }

    @Test
    void aRawValueIsNotReadAsJsonAndValidRequestsPass() throws Exception {
        RestClient rest = NODE.rest();
        RestClient.Answer raw = rest.send("PUT", "/api/v1/tenants/acme/keys/raw", "text/plain",
                "{\"not\": json".getBytes(StandardCharsets.UTF_8), "X-Consistency", "ALL");
        assertThat(raw.status()).as(raw.text()).isEqualTo(200);
        assertThat(rest.get("/api/v1/tenants/acme/keys/raw", "Accept",
                "application/octet-stream").text()).isEqualTo("{\"not\": json");
        RestClient.Answer batch = rest.json("POST", "/api/v1/tenants/acme/batch",
                "{\"consistency\":\"one\",\"items\":[{\"key\":\"b\",\"value\":\"MQ==\"},"
                        + "{\"key\":\"raw\",\"delete\":true}]}");
        assertThat(batch.status()).as(batch.text()).isEqualTo(200);
        assertThat(batch.json().at("/data/succeededCount").asInt()).isEqualTo(2);
        RestClient.Answer page = rest.get("/api/v1/tenants/acme/keys?limit=&consistency=");
        assertThat(page.status()).as(page.text()).isEqualTo(200);
    }

    private static void assertRefused(List<Refusal> refusals, String code) {
        for (Refusal refusal : refusals) {
            RestClient.Answer answer = refusal.answer();
            String what = refusal.what() + ": " + answer.text();
            assertThat(answer.status()).as(what).isEqualTo(refusal.status());
            assertThat(answer.header("Content-Type")).as(what).startsWith("application/json");
            assertThat(answer.header("X-Request-Id")).as(what).isNotBlank();
            JsonNode body = answer.json();
            assertThat(body.get("success").asBoolean()).as(what).isFalse();
            assertThat(body.at("/error/code").asText()).as(what).isEqualTo(code);
            assertThat(body.at("/error/message").asText()).as(what)
                    .contains(refusal.messagePart()).doesNotContain("Exception")
                    .doesNotContain("\tat ");
            if (refusal.field() != null) {
                assertThat(body.at("/error/details/field").asText()).as(what)
                        .isEqualTo(refusal.field());
            }
        }
    }
}
