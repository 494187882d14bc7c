package io.cairndb.server;

// Proves /health and /health/ready answer the same JSON on the Javalin server as before, and
// that readiness follows the node's lifecycle.

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.cairndb.api.admin.AdminServiceGrpc;
import io.cairndb.api.admin.ConfigChange;
import io.cairndb.api.admin.ConfigUpdate;
import io.cairndb.api.admin.UpdateConfigRequest;
import io.cairndb.api.admin.WatchConfigRequest;
import io.cairndb.server.common.Components;
import io.grpc.stub.StreamObserver;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
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
        assertThat(body.at("/checks/componentsRunning/ok").asBoolean()).isTrue();
        assertThat(body.get("viewVersion").asLong()).isPositive();
        assertThat(NODE.server().components()).containsKeys("storage", "metadata", "http",
                "client services", "background");
        assertThat(NODE.server().components().values()).containsOnly(Components.State.RUNNING);
    }

    /**
     * A node told to stop first reads as not ready, then lets its client calls finish: a load
     * balancer probing readiness stops sending to it before its port closes. A watch that stays
     * open holds the drain for as long as the node lets it.
     */
    @Test
    void aClosingNodeIsNotReadyWhileItsClientCallsDrain(@TempDir Path dir) throws Exception {
        TestNode node = new TestNode(dir, Map.of());
        AtomicBoolean watching = new AtomicBoolean();
        AdminServiceGrpc.newStub(node.channel).watchConfig(WatchConfigRequest.newBuilder()
                .setNodeId("watcher").build(), new StreamObserver<>() {
                    @Override
                    public void onNext(ConfigChange change) {
                        watching.set(true);
                    }

                    @Override
                    public void onError(Throwable t) {
                    }

                    @Override
                    public void onCompleted() {
                    }
                });
        AdminServiceGrpc.newBlockingStub(node.channel).updateConfig(UpdateConfigRequest
                .newBuilder().setUpdate(ConfigUpdate.newBuilder().setVirtualNodes(32)).build());
        await().untilTrue(watching);
        int httpPort = node.server.httpPort();
        Thread closer = new Thread(node.server::close, "closer");
        closer.start();
        try {
            await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> {
                HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(URI.create(
                        "http://127.0.0.1:" + httpPort + "/health/ready")).build(),
                        HttpResponse.BodyHandlers.ofString());
                assertThat(response.statusCode()).isEqualTo(503);
                JsonNode body = JSON.readTree(response.body());
                assertThat(body.get("ready").asBoolean()).isFalse();
                assertThat(body.at("/checks/componentsRunning/ok").asBoolean()).isFalse();
                assertThat(body.at("/checks/componentsRunning/detail").asText())
                        .startsWith("not running: node " + node.server.nodeId() + " (closing)")
                        .contains("client services (closing)");
            });
        } finally {
            node.channel.shutdownNow();
            closer.join();
        }
        assertThat(node.server.components().values()).containsOnly(Components.State.CLOSED);
    }

    @Test
    void healthAnswersOnlyGet() throws Exception {
        HttpResponse<String> response = send("POST", "/health");
        assertThat(response.statusCode()).isEqualTo(405);
        assertThat(response.body()).doesNotContain("<html");
    }
}
