package io.cairndb.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.cairndb.cli.CliHarness.Result;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

// Proves `cairn tenant create|get|set-rf` print their results and map refusals to exit code 1.
class TenantCommandTest {

    private static final String NOW = "2023-11-14T22:13:20Z";

    private final CliHarness cli = new CliHarness();

    @AfterEach
    void stop() {
        cli.close();
    }

    private static JsonNode json(String text) throws Exception {
        return Output.JSON.readTree(text);
    }

    @Test
    void createPrintsTheTenant() {
        Result result = cli.run("tenant", "create", "acme", "--rf", "2");

        assertThat(result.exitCode()).isZero();
        assertThat(result.out()).isEqualTo("OK tenant=acme rf=2 created=" + NOW + "\n");
        assertThat(result.err()).isEmpty();
    }

    @Test
    void createWithoutFactorTakesTheServerDefault() {
        assertThat(cli.run("tenant", "create", "acme").out()).contains("rf=3");
    }

    @Test
    void createWithJsonPrintsTheTenantAsJson() throws Exception {
        Result result = cli.run("tenant", "create", "acme", "--json");

        assertThat(json(result.out())).isEqualTo(json("{\"tenantId\":\"acme\","
                + "\"replicationFactor\":3,\"createdAt\":\"" + NOW + "\",\"updatedAt\":\"" + NOW
                + "\"}"));
    }

    @Test
    void createOfAnExistingTenantIsAServerError() {
        cli.run("tenant", "create", "acme");

        Result result = cli.run("tenant", "create", "acme");

        assertThat(result.exitCode()).isEqualTo(1);
        assertThat(result.out()).isEmpty();
        assertThat(result.err()).isEqualTo("error: TENANT_EXISTS: tenant 'acme' already exists\n");
    }

    @Test
    void createWithAnImpossibleFactorIsAServerError() {
        Result result = cli.run("tenant", "create", "acme", "--rf", "9");

        assertThat(result.exitCode()).isEqualTo(1);
        assertThat(result.err()).startsWith("error: INVALID_REPLICATION_FACTOR: ");
    }

    @Test
    void createWithANegativeFactorIsAUsageError() {
        Result result = cli.run("tenant", "create", "acme", "--rf", "-1");

        assertThat(result.exitCode()).isEqualTo(2);
        assertThat(result.err()).startsWith("error: --rf must be positive, was -1\n")
                .contains("Usage: cairn tenant create");
        assertThat(cli.targets).isEmpty();
    }

    @Test
    void getDescribesTheTenant() {
        cli.run("tenant", "create", "acme", "--rf", "2");

        Result result = cli.run("tenant", "get", "acme");

        assertThat(result.exitCode()).isZero();
        assertThat(result.out()).isEqualTo(""
                + "tenant              acme\n"
                + "replication factor  2\n"
                + "created             " + NOW + "\n"
                + "updated             " + NOW + "\n");
    }

    @Test
    void getWithJsonPrintsTheTenantAsJson() throws Exception {
        cli.run("tenant", "create", "acme", "--rf", "2");

        JsonNode tenant = json(cli.run("tenant", "get", "acme", "--json").out());

        assertThat(tenant.get("tenantId").asText()).isEqualTo("acme");
        assertThat(tenant.get("replicationFactor").asInt()).isEqualTo(2);
        assertThat(tenant.get("updatedAt").asText()).isEqualTo(NOW);
    }

    @Test
    void getOfAMissingTenantIsAServerError() {
        Result result = cli.run("tenant", "get", "x");

        assertThat(result.exitCode()).isEqualTo(1);
        assertThat(result.err()).isEqualTo("error: TENANT_NOT_FOUND: tenant 'x' does not exist\n");
    }

    @Test
    void setRfReportsTheChangeAndTheMigration() {
        cli.run("tenant", "create", "acme", "--rf", "3");

        assertThat(cli.run("tenant", "set-rf", "acme", "2").out())
                .isEqualTo("OK tenant=acme rf=3->2 migration=mig-1\n");
        assertThat(cli.run("tenant", "set-rf", "acme", "2").out())
                .isEqualTo("OK tenant=acme rf=2->2 (no migration)\n");
    }

    @Test
    void setRfWithJsonPrintsTheChangeAsJson() throws Exception {
        cli.run("tenant", "create", "acme", "--rf", "3");

        JsonNode change = json(cli.run("tenant", "set-rf", "acme", "1", "--json").out());

        assertThat(change).isEqualTo(json("{\"tenantId\":\"acme\",\"oldReplicationFactor\":3,"
                + "\"newReplicationFactor\":1,\"migrationId\":\"mig-1\","
                + "\"updatedAt\":\"2023-11-14T22:14:20Z\"}"));
    }

    @Test
    void setRfRefusedByTheServerIsAServerError() {
        cli.run("tenant", "create", "acme");

        Result result = cli.run("tenant", "set-rf", "acme", "4");

        assertThat(result.exitCode()).isEqualTo(1);
        assertThat(result.err()).startsWith("error: INVALID_REPLICATION_FACTOR: ");
    }

    @Test
    void setRfBelowOneOrNotANumberIsAUsageError() {
        assertThat(cli.run("tenant", "set-rf", "acme", "0").exitCode()).isEqualTo(2);
        Result notANumber = cli.run("tenant", "set-rf", "acme", "three");
        assertThat(notANumber.exitCode()).isEqualTo(2);
        assertThat(notANumber.err()).contains("'three' is not an int");
    }
}
