package io.cairndb.server;

// Proves /health and /health/ready answer the same JSON on the Javalin server as before.

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class HealthEndpointsTest {

    @RegisterExtension
    static final RunningNode NODE = new RunningNode();

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newHttpClient();


    private static HttpResponse<String> send(String method, String path) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
                        + NODE.server().httpPort() + path))
                .method(method, HttpRequest.BodyPublishers.noBody()).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void livenessNamesTheNode() throws Exception {
        HttpResponse<String> response = send("GET", "/health");
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("Content-Type")).hasValueSatisfying(
                type -> assertThat(type).startsWith("application/json"));
        JsonNode body = JSON.readTree(response.body());
        assertThat(body.get("status").asText()).isEqualTo("ok");
        assertThat(body.get("nodeId").asText()).isEqualTo(NODE.server().nodeId());
    }

    @Test
    void readinessReportsEveryCheckOfAServingNode() throws Exception {
        HttpResponse<String> response = send("GET", "/health/ready");
        assertThat(response.statusCode()).isEqualTo(200);
        JsonNode body = JSON.readTree(response.body());
        assertThat(body.get("ready").asBoolean()).isTrue();
        assertThat(body.get("nodeId").asText()).isEqualTo(NODE.server().nodeId());
        assertThat(body.at("/checks/controlQuorum/ok").asBoolean()).isTrue();
        assertThat(body.at("/checks/viewCurrent/ok").asBoolean()).isTrue();
        assertThat(body.get("viewVersion").asLong()).isPositive();
    }

    @Test
    void healthAnswersOnlyGet() throws Exception {
        HttpResponse<String> response = send("POST", "/health");
        assertThat(response.statusCode()).isEqualTo(405);
        assertThat(response.body()).doesNotContain("<html");
    }
}
