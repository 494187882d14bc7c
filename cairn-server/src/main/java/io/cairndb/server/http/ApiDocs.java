package io.cairndb.server.http;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The REST API's documentation: the OpenAPI document the routes are written against (from
 * {@code cairn-api}, {@code openapi/cairn-api.yaml}) at {@code /api/v1/openapi.yaml} and
 * {@code .json}, and Swagger UI at {@code /api/v1/docs}, its files served from the Swagger UI
 * webjar so the page works without reaching any other site.
 */
final class ApiDocs {

    static final String SPEC_RESOURCE = "openapi/cairn-api.yaml";
    private static final String WEBJAR = "META-INF/resources/webjars/swagger-ui/";
    private static final String WEBJAR_POM =
            "META-INF/maven/org.webjars/swagger-ui/pom.properties";
    /** The Swagger UI files the page loads; nothing else of the webjar is served. */
    private static final Set<String> ASSETS = Set.of("swagger-ui.css", "swagger-ui-bundle.js",
            "swagger-ui-standalone-preset.js", "favicon-16x16.png", "favicon-32x32.png");
    private static final Map<String, String> TYPES = Map.of("css", "text/css", "js",
            "text/javascript", "png", "image/png");
    private static final String PAGE = """
            <!DOCTYPE html>
            <html lang="en">
            <head>
              <meta charset="utf-8">
              <title>CairnDB REST API</title>
              <link rel="icon" type="image/png" href="/api/v1/docs/favicon-32x32.png">
              <link rel="stylesheet" href="/api/v1/docs/swagger-ui.css">
            </head>
            <body>
              <div id="swagger-ui"></div>
              <script src="/api/v1/docs/swagger-ui-bundle.js"></script>
              <script>
                window.ui = SwaggerUIBundle({url: "/api/v1/openapi.json", dom_id: "#swagger-ui"});
              </script>
            </body>
            </html>
            """;

    private final byte[] yaml;
    private final byte[] json;
    private final String webjarVersion;
    private final Map<String, byte[]> assets = new ConcurrentHashMap<>();

    private ApiDocs(byte[] yaml, byte[] json, String webjarVersion) {
        this.yaml = yaml;
        this.json = json;
        this.webjarVersion = webjarVersion;
    }

    /** Reads the document and finds the webjar; a build that lost either fails here, at start. */
    static ApiDocs load() {
        byte[] yaml = resource(SPEC_RESOURCE);
        byte[] json;
        try {
            json = new ObjectMapper().writeValueAsBytes(new YAMLMapper().readTree(yaml));
        } catch (IOException e) {
            throw new IllegalStateException(SPEC_RESOURCE + " is not valid YAML", e);
        }
        Properties pom = new Properties();
        try (InputStream in = new java.io.ByteArrayInputStream(resource(WEBJAR_POM))) {
            pom.load(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return new ApiDocs(yaml, json, pom.getProperty("version"));
    }

    private static byte[] resource(String name) {
        try (InputStream in = ApiDocs.class.getClassLoader().getResourceAsStream(name)) {
            if (in == null) {
                throw new IllegalStateException(name + " is not on the classpath; the build "
                        + "that made this jar is incomplete");
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + name, e);
        }
    }

    /** The document as JSON. */
    byte[] json() {
        return json;
    }

    void register(RoutesConfig routes) {
        routes.get(RestApi.PREFIX + "/openapi.yaml", ctx -> ctx.contentType("application/yaml")
                .result(yaml));
        routes.get(RestApi.PREFIX + "/openapi.json", ctx -> ctx.contentType(Envelope.JSON_TYPE)
                .result(json));
        routes.get(RestApi.PREFIX + "/docs", ctx -> ctx.contentType("text/html; charset=utf-8")
                .result(PAGE.getBytes(StandardCharsets.UTF_8)));
        routes.get(RestApi.PREFIX + "/docs/{file}", this::asset);
    }

    private void asset(Context ctx) {
        String file = ctx.pathParam("file");
        if (!ASSETS.contains(file)) {
            throw new ApiException(404, "no documentation file " + file, Map.of());
        }
        byte[] bytes = assets.computeIfAbsent(file,
                name -> resource(WEBJAR + webjarVersion + "/" + name));
        ctx.header("Cache-Control", "max-age=86400")
                .contentType(TYPES.get(file.substring(file.lastIndexOf('.') + 1)))
                .result(bytes);
    }
}
