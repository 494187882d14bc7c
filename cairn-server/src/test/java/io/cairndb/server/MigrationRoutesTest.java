package io.cairndb.server;

// Proves REST lists and cancels migrations and cleans up a node through the admin service's own
// code path, and that each refusal (an unknown or blank id, a migration that has ended, a node
// that is another or unknown) is an envelope naming what was wrong.

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.cairndb.api.admin.AdminServiceGrpc;
import io.cairndb.api.admin.ListMigrationsRequest;
import io.cairndb.api.admin.ListMigrationsResponse;
import io.cairndb.api.control.ControlServiceGrpc;
import io.cairndb.api.control.JoinRequest;
import io.cairndb.api.control.JoinResponse;
import io.cairndb.core.Migration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.RegisterExtension;

@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class MigrationRoutesTest {

    @RegisterExtension
    static final RunningNode NODE = new RunningNode();

    /**
     * Registers a node that will never answer; in a cluster with tenants it waits for
     * AddStorageNode as a standby.
     */
    static void registerStandby(TestNode node, String nodeId) {
        JoinResponse joined = ControlServiceGrpc.newBlockingStub(node.channel)
                .withDeadlineAfter(30, TimeUnit.SECONDS)
                .join(JoinRequest.newBuilder().setNodeId(nodeId).setHost("127.0.0.1")
                        .setPort(1).setPeerPort(1).setWaitForOperator(true).build());
        assertThat(joined.getSuccess()).as(joined.getErrorMessage()).isTrue();
    }

    private static RestClient.Answer post(String path) throws Exception {
        return NODE.rest().send("POST", path, null, null);
    }

    private static void assertRefused(RestClient.Answer answer, int status, String code,
                                      String errorCode, String... words) {
        assertThat(answer.status()).as(answer.text()).isEqualTo(status);
        JsonNode body = answer.json();
        assertThat(body.get("success").asBoolean()).isFalse();
        assertThat(body.at("/error/code").asText()).isEqualTo(code);
        assertThat(body.at("/error/details/errorCode").asText()).isEqualTo(errorCode);
        assertThat(body.at("/error/message").asText()).contains(words);
    }

    @Test
    @Order(1)
    void aNodeCleansItselfUpAndRefusesToCleanAnUnknownNode() throws Exception {
        String self = NODE.server().nodeId();
        RestClient.Answer cleaned = post("/api/v1/nodes/" + self + "/cleanup");
        assertThat(cleaned.status()).as(cleaned.text()).isEqualTo(200);
        assertThat(cleaned.json().at("/data/nodeId").asText()).isEqualTo(self);
        assertThat(cleaned.json().at("/data/keysDeleted").asLong()).isZero();

        assertRefused(post("/api/v1/nodes/nobody/cleanup"), 422, "VALIDATION_ERROR",
                "INVALID_REQUEST", "'nobody' is not a member of the cluster");
    }

    @Test
    @Order(2)
    void migrationsAreListedAndCancelledAsOverGrpc() throws Exception {
        RestClient.Answer none = NODE.rest().get("/api/v1/migrations");
        assertThat(none.status()).as(none.text()).isEqualTo(200);
        assertThat(none.json().at("/data/migrations").size()).isZero();

        // A node that never answers joins a cluster with a tenant, so it joins through a
        // migration, which runs until it is cancelled.
        assertThat(NODE.rest().json("POST", "/api/v1/tenants", "{\"tenantId\":\"held\"}")
                .status()).isEqualTo(201);
        registerStandby(NODE.node(), "absent");
        RestClient.Answer added = NODE.rest().json("POST", "/api/v1/nodes",
                "{\"nodeId\":\"absent\",\"host\":\"127.0.0.1\",\"port\":1}");
        assertThat(added.status()).as(added.text()).isEqualTo(200);
        String id = added.json().at("/data/migrationId").asText();

        JsonNode listed = NODE.rest().get("/api/v1/migrations").json().at("/data/migrations");
        assertThat(listed.size()).isEqualTo(1);
        assertThat(listed.get(0).get("migrationId").asText()).isEqualTo(id);
        assertThat(listed.get(0).get("type").asText()).isEqualTo(Migration.NODE_ADDITION);
        assertThat(listed.get(0).get("nodeId").asText()).isEqualTo("absent");
        ListMigrationsResponse overGrpc = AdminServiceGrpc.newBlockingStub(NODE.node().channel)
                .withDeadlineAfter(30, TimeUnit.SECONDS)
                .listMigrations(ListMigrationsRequest.getDefaultInstance());
        assertThat(listed.get(0).get("status").asText())
                .isEqualTo(overGrpc.getMigrations(0).getStatus());

        // A joining node is a member, yet only it can clean itself up.
        assertRefused(post("/api/v1/nodes/absent/cleanup"), 422, "VALIDATION_ERROR",
                "INVALID_REQUEST", "cleanup runs on the node it cleans", "'absent' itself");

        RestClient.Answer cancelled = NODE.rest().json("POST",
                "/api/v1/migrations/" + id + "/cancel", "{\"reason\":\"wrong rack\"}");
        assertThat(cancelled.status()).as(cancelled.text()).isEqualTo(200);
        assertThat(cancelled.json().at("/data/migration/status").asText())
                .isEqualTo(Migration.CANCELLED);
        assertThat(cancelled.json().at("/data/migration/reason").asText())
                .isEqualTo("wrong rack");
        assertThat(NODE.rest().get("/api/v1/migrations/" + id).json().at("/data/status")
                .asText()).isEqualTo(Migration.CANCELLED);

        assertRefused(post("/api/v1/migrations/" + id + "/cancel"), 422, "VALIDATION_ERROR",
                "INVALID_REQUEST", "has ended already: cancelled");
    }

    @Test
    @Order(3)
    void cancellingAnUnknownOrBlankIdOrWithABadReasonIsRefused() throws Exception {
        assertRefused(post("/api/v1/migrations/m-424242/cancel"), 404, "NOT_FOUND",
                "MIGRATION_NOT_FOUND", "no migration with id 'm-424242'");
        assertRefused(post("/api/v1/migrations/%20/cancel"), 422, "VALIDATION_ERROR",
                "INVALID_REQUEST", "migration_id is required");

        RestClient.Answer notText = NODE.rest().json("POST", "/api/v1/migrations/m-1/cancel",
                "{\"reason\":7}");
        assertThat(notText.status()).as(notText.text()).isEqualTo(400);
        assertThat(notText.json().at("/error/details/field").asText()).contains("reason");
        RestClient.Answer unknownField = NODE.rest().json("POST",
                "/api/v1/migrations/m-1/cancel", "{\"why\":\"x\"}");
        assertThat(unknownField.status()).as(unknownField.text()).isEqualTo(400);
        RestClient.Answer tooLong = NODE.rest().json("POST", "/api/v1/migrations/m-1/cancel",
                "{\"reason\":\"" + "x".repeat(501) + "\"}");
        assertThat(tooLong.status()).as(tooLong.text()).isEqualTo(422);
        assertThat(tooLong.json().at("/error/details/field").asText()).contains("reason");
    }
}
