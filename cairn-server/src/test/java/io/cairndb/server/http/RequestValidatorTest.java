package io.cairndb.server.http;

// Proves the validator's rules that the node's own document does not exercise: required query
// parameters and headers, optional bodies, and operations the document does not name.

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.javalin.Javalin;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class RequestValidatorTest {

    private static final String DOCUMENT = """
            {"openapi": "3.1.0", "info": {"title": "t", "version": "1"}, "paths": {"/probe": {
              "get": {"operationId": "probe", "parameters": [
                {"name": "q", "in": "query", "required": true,
                 "schema": {"type": "integer", "maximum": 5}},
                {"name": "X-Probe", "in": "header", "required": true,
                 "schema": {"type": "string"}}]},
              "post": {"operationId": "send", "requestBody": {"required": false, "content": {
                "application/json": {"schema": {"type": "object",
                  "properties": {"n": {"type": "integer"}}}}}}}}}}
            """;
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    private static RequestValidator validator;
    private static Javalin javalin;

    @BeforeAll
    static void start() {
        validator = RequestValidator.of(DOCUMENT.getBytes(StandardCharsets.UTF_8));
        javalin = Javalin.create(config -> {
            config.startup.showJavalinBanner = false;
            config.routes.get("/probe", ctx -> {
                validator.check("probe", ctx);
                ctx.result("ok");
            });
            config.routes.post("/probe", ctx -> {
                validator.check("send", ctx);
                ctx.result("ok");
            });
            config.routes.exception(ApiException.class, (e, ctx) -> ctx.status(e.status())
                    .result(e.status() + " " + e.details().get("field") + ": " + e.getMessage()));
        }).start("127.0.0.1", 0);
    }

    @AfterAll
    static void stop() {
        javalin.stop();
    }

    private static String send(String method, String path, String body, String... headers)
            throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
                + javalin.port() + path)).method(method, body == null
                ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        for (int i = 0; i < headers.length; i += 2) {
            request.header(headers[i], headers[i + 1]);
        }
        return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString()).body();
    }

    @Test
    void aRequiredParameterThatIsMissingOrEmptyIsNamed() throws Exception {
        assertThat(send("GET", "/probe", null, "X-Probe", "x"))
                .isEqualTo("400 q: query parameter q is required");
        assertThat(send("GET", "/probe?q=", null, "X-Probe", "x"))
                .isEqualTo("400 q: query parameter q is required");
        assertThat(send("GET", "/probe?q=1", null))
                .isEqualTo("400 X-Probe: header parameter X-Probe is required");
        assertThat(send("GET", "/probe?q=9", null, "X-Probe", "x"))
                .startsWith("422 q: query parameter q '9' must have a maximum value of 5");
        assertThat(send("GET", "/probe?q=99999999999999999999", null, "X-Probe", "x"))
                .isEqualTo("400 q: q '99999999999999999999' is not a whole number");
        assertThat(send("GET", "/probe?q=5", null, "X-Probe", "x")).isEqualTo("ok");
    }

    @Test
    void valuesAcceptedOnceAreAcceptedAgainAndRefusedOnesRefusedAgain() throws Exception {
        for (int i = 0; i < 3; i++) {
            assertThat(send("GET", "/probe?q=4", null, "X-Probe", "x")).isEqualTo("ok");
            assertThat(send("GET", "/probe?q=6", null, "X-Probe", "x"))
                    .startsWith("422 q: query parameter q '6' must have a maximum value of 5");
        }
    }

    @Test
    void anOptionalBodyMayBeLeftOutButNotBeWrong() throws Exception {
        assertThat(send("POST", "/probe", null)).isEqualTo("ok");
        assertThat(send("POST", "/probe", "{\"n\":1}")).isEqualTo("ok");
        assertThat(send("POST", "/probe", "{\"n\":true}"))
                .isEqualTo("400 n: n must be an integer, not boolean true");
    }

    @Test
    void anOperationTheDocumentDoesNotNameIsAProgrammingError() {
        assertThat(validator.knows("probe")).isTrue();
        assertThat(validator.knows("unknown")).isFalse();
        assertThatThrownBy(() -> validator.check("unknown", null))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("operation unknown is not in the OpenAPI document");
    }
}
