package io.cairndb.server.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.networknt.schema.Error;
import com.networknt.schema.InputFormat;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaLocation;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.dialect.Dialects;
import io.javalin.http.Context;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import tools.jackson.databind.node.JsonNodeFactory;

/**
 * Checks every REST request against the OpenAPI document before its route runs: each parameter
 * the operation declares (path, query, header) and a JSON body against the operation's schemas,
 * so that the document is the contract the node enforces, not only the one it describes. The
 * schemas are JSON Schema 2020-12, as OpenAPI 3.1 has them, compiled once at start.
 *
 * <p>A request whose shape is wrong (a body that is not JSON, a field of the wrong type, a field
 * the schema does not name, a required field missing, a parameter that is not a number) is 400
 * {@code INVALID_REQUEST}. A well-formed request whose values break a rule of the document (a
 * pattern, an enumeration, a bound) is 422 {@code VALIDATION_ERROR} with
 * {@code details.errorCode = INVALID_REQUEST}: the very answer the coordinator gives for the
 * same rule over gRPC, now with the field named. Either way {@code details.field} names the
 * field, and the message names it too.
 *
 * <p>Bodies of other content types (a raw value) are not read here.
 */
final class RequestValidator {

    /** The document's identifier for resolving its {@code $ref}s; nothing is fetched from it. */
    private static final String DOCUMENT = "urn:cairndb:api:v1:openapi";
    /** Keywords that say a request has the wrong shape, rather than a value that breaks a rule. */
    private static final Set<String> SHAPE_KEYWORDS = Set.of("type", "required",
            "additionalProperties", "unevaluatedProperties", "false");
    /** At most this many problems are named in one message. */
    private static final int PROBLEMS_NAMED_MAX = 3;

    /**
     * A parameter of an operation: where it is, its JSON type, and its compiled schema, or null
     * when the schema is a bare {@code type: string}, which every parameter's text meets.
     */
    private record Parameter(String name, String in, boolean required, String type,
                             Schema schema, Set<String> accepted) {

        /** Whether {@code value} was accepted before: the schema's verdict cannot change. */
        boolean acceptedBefore(String value) {
            return accepted.contains(value);
        }

        void accept(String value) {
            if (value.length() <= ACCEPTED_VALUE_CHARS_MAX
                    && accepted.size() < ACCEPTED_VALUES_MAX) {
                accepted.add(value);
            }
        }
    }

    /**
     * The values of one parameter remembered as accepted, so that the hot path (the same few
     * tenants and consistency words, request after request) skips the schema; a bound on how
     * many, and how long each, keeps the memory fixed whatever clients send.
     */
    private static final int ACCEPTED_VALUES_MAX = 4096;
    private static final int ACCEPTED_VALUE_CHARS_MAX = 128;

    /** Schema keywords that say nothing about a value: a schema of only these accepts any. */
    private static final Set<String> ANNOTATIONS = Set.of("type", "description", "example",
            "examples", "title", "format", "contentEncoding");

    /**
     * An operation's rules. {@code jsonBody} is null when the operation takes no JSON body;
     * {@code jsonOnly} says whether every body is read as JSON whatever its content type.
     */
    private record Operation(String id, List<Parameter> parameters, Schema jsonBody,
                             boolean bodyRequired, boolean jsonOnly, List<String> fields) {
    }

    private final JsonNode document;
    private final Map<String, Operation> operations;

    private RequestValidator(JsonNode document, Map<String, Operation> operations) {
        this.document = document;
        this.operations = operations;
    }

    /** Compiles the rules of every operation of the document (OpenAPI 3.1, as JSON). */
    static RequestValidator of(byte[] json) {
        JsonNode document;
        try {
            document = Envelope.JSON.readTree(json);
        } catch (IOException e) {
            throw new IllegalStateException("the OpenAPI document is not JSON", e);
        }
        SchemaRegistry schemas = SchemaRegistry.withDefaultDialect(Dialects.getOpenApi31(),
                builder -> builder.schemas(Map.of(DOCUMENT,
                        new String(json, StandardCharsets.UTF_8))));
        Map<String, Operation> operations = new HashMap<>();
        for (Map.Entry<String, JsonNode> path : document.get("paths").properties()) {
            String pathPointer = "/paths/" + escape(path.getKey());
            for (Map.Entry<String, JsonNode> method : path.getValue().properties()) {
                JsonNode operation = method.getValue();
                if (!operation.has("operationId")) {
                    continue;
                }
                String pointer = pathPointer + "/" + method.getKey();
                Operation compiled = compile(document, schemas, operation, pointer,
                        path.getValue().path("parameters"), pathPointer + "/parameters");
                operations.put(compiled.id(), compiled);
            }
        }
        return new RequestValidator(document, Map.copyOf(operations));
    }

    private static Operation compile(JsonNode document, SchemaRegistry schemas, JsonNode operation,
                                     String pointer, JsonNode pathParameters,
                                     String pathParametersPointer) {
        // Parameters of the operation override those of its path with the same name and place.
        Map<String, Parameter> parameters = new LinkedHashMap<>();
        for (int i = 0; i < pathParameters.size(); i++) {
            Parameter parameter = parameter(document, schemas, pathParameters.get(i),
                    pathParametersPointer + "/" + i);
            parameters.put(parameter.in() + ":" + parameter.name(), parameter);
        }
        JsonNode own = operation.path("parameters");
        for (int i = 0; i < own.size(); i++) {
            Parameter parameter = parameter(document, schemas, own.get(i),
                    pointer + "/parameters/" + i);
            parameters.put(parameter.in() + ":" + parameter.name(), parameter);
        }
        Schema jsonBody = null;
        boolean jsonOnly = false;
        List<String> fields = List.of();
        JsonNode body = operation.path("requestBody");
        JsonNode content = body.path("content");
        if (content.has(Envelope.JSON_TYPE)) {
            String schemaPointer = pointer + "/requestBody/content/"
                    + escape(Envelope.JSON_TYPE) + "/schema";
            jsonBody = schemas.getSchema(SchemaLocation.of(DOCUMENT + "#" + schemaPointer));
            jsonOnly = content.size() == 1;
            fields = new ArrayList<>();
            for (Map.Entry<String, JsonNode> field : resolve(document, document.at(schemaPointer))
                    .path("properties").properties()) {
                fields.add(field.getKey());
            }
        }
        return new Operation(operation.get("operationId").asText(),
                List.copyOf(parameters.values()), jsonBody, body.path("required").asBoolean(),
                jsonOnly, List.copyOf(fields));
    }

    private static Parameter parameter(JsonNode document, SchemaRegistry schemas, JsonNode node,
                                       String pointer) {
        if (node.has("$ref")) {
            pointer = node.get("$ref").asText().substring(1);
            node = document.at(pointer);
        }
        JsonNode resolved = resolve(document, node.path("schema"));
        String type = resolved.path("type").asText("string");
        boolean anyText = type.equals("string") && ANNOTATIONS.containsAll(
                list(resolved.fieldNames()));
        Schema schema = anyText ? null : schemas.getSchema(SchemaLocation.of(DOCUMENT + "#"
                + pointer + "/schema"));
        return new Parameter(node.get("name").asText(), node.get("in").asText(),
                node.path("required").asBoolean(), type, schema,
                java.util.concurrent.ConcurrentHashMap.newKeySet());
    }

    /** A schema with its {@code $ref}s followed. */
    private static JsonNode resolve(JsonNode document, JsonNode schema) {
        JsonNode resolved = schema;
        while (resolved.has("$ref")) {
            resolved = document.at(resolved.get("$ref").asText().substring(1));
        }
        return resolved;
    }

    private static List<String> list(java.util.Iterator<String> names) {
        List<String> list = new ArrayList<>();
        names.forEachRemaining(list::add);
        return list;
    }

    /** A JSON pointer's escaping of one name (RFC 6901). */
    private static String escape(String name) {
        return name.replace("~", "~0").replace("/", "~1");
    }

    /**
     * Whether the document names {@code operationId}. A route the document does not name is a
     * build that lost its document, so the routes check this as they are registered.
     */
    boolean knows(String operationId) {
        return operations.containsKey(operationId);
    }

    /**
     * Checks {@code ctx}'s request against the rules of {@code operationId}.
     *
     * @throws ApiException 400 or 422 naming the field, when the request breaks them
     */
    void check(String operationId, Context ctx) {
        Operation operation = operations.get(operationId);
        if (operation == null) {
            throw new IllegalStateException("operation " + operationId
                    + " is not in the OpenAPI document; the routes and the document disagree");
        }
        for (Parameter parameter : operation.parameters()) {
            checkParameter(parameter, ctx);
        }
        if (operation.jsonBody() != null && (operation.jsonOnly()
                || RestApi.isJson(ctx.contentType()))) {
            checkBody(operation, ctx);
        }
    }

    private static void checkParameter(Parameter parameter, Context ctx) {
        String value = switch (parameter.in()) {
            case "path" -> ctx.pathParamMap().get(parameter.name());
            case "query" -> ctx.queryParam(parameter.name());
            case "header" -> ctx.header(parameter.name());
            default -> throw new IllegalStateException("parameter " + parameter.name()
                    + " is in " + parameter.in() + ", which the node does not read");
        };
        // An empty query parameter or header is as if absent; a path parameter is never absent.
        if (value == null || (value.isEmpty() && !parameter.in().equals("path"))) {
            if (parameter.required()) {
                throw ApiException.invalid(parameter.name(), parameter.in() + " parameter "
                        + parameter.name() + " is required");
            }
            return;
        }
        if (parameter.schema() == null || parameter.acceptedBefore(value)) {
            return;
        }
        List<Error> errors = parameter.schema().validate(typed(parameter, value));
        if (errors.isEmpty()) {
            parameter.accept(value);
        } else {
            Error error = errors.get(0);
            String message = parameter.in() + " parameter " + parameter.name() + " '"
                    + ApiException.abbreviate(value) + "' " + error.getMessage();
            throw refusal(SHAPE_KEYWORDS.contains(error.getKeyword()), parameter.name(),
                    message);
        }
    }

    /** A parameter's text as the JSON value its schema describes, or a 400 if it is not one. */
    private static tools.jackson.databind.JsonNode typed(Parameter parameter, String value) {
        JsonNodeFactory nodes = JsonNodeFactory.instance;
        switch (parameter.type()) {
            case "integer" -> {
                try {
                    return nodes.numberNode(Long.parseLong(value));
                } catch (NumberFormatException e) {
                    throw ApiException.invalid(parameter.name(), parameter.name() + " '"
                            + ApiException.abbreviate(value) + "' is not a whole number");
                }
            }
            case "boolean" -> {
                if (!value.equals("true") && !value.equals("false")) {
                    throw ApiException.invalid(parameter.name(), parameter.name() + " '"
                            + ApiException.abbreviate(value) + "' must be true or false");
                }
                return nodes.booleanNode(value.equals("true"));
            }
            default -> {
                return nodes.stringNode(value);
            }
        }
    }

    private void checkBody(Operation operation, Context ctx) {
        if (ctx.bodyAsBytes().length == 0 && !operation.bodyRequired()) {
            return;
        }
        // Parses once for the route too, with the node's messages for a body that is not JSON.
        JsonBody.tree(ctx, operation.fields());
        List<Error> errors = new ArrayList<>(operation.jsonBody().validate(ctx.body(),
                InputFormat.JSON));
        if (errors.isEmpty()) {
            return;
        }
        // Shape first: a field of the wrong type makes its value's rules moot.
        errors.sort(Comparator.comparing((Error error) ->
                !SHAPE_KEYWORDS.contains(error.getKeyword())));
        boolean shape = SHAPE_KEYWORDS.contains(errors.get(0).getKeyword());
        List<String> problems = new ArrayList<>();
        for (Error error : errors) {
            if (problems.size() == PROBLEMS_NAMED_MAX
                    || SHAPE_KEYWORDS.contains(error.getKeyword()) != shape) {
                break;
            }
            problems.add(describe(error));
        }
        String message = String.join("; ", problems) + (errors.size() > problems.size()
                ? " (and " + (errors.size() - problems.size()) + " more)" : "");
        throw refusal(shape, field(errors.get(0)), message);
    }

    /** One problem of a body, in words that name the field. */
    private String describe(Error error) {
        String field = field(error);
        return switch (error.getKeyword()) {
            case "required" -> field + " is required";
            case "additionalProperties", "unevaluatedProperties", "false" -> {
                List<String> allowed = allowedFields(error);
                yield "unknown field " + field + (allowed.isEmpty() ? ""
                        : "; the fields are " + String.join(", ", allowed));
            }
            case "type" -> field + " must be " + article(error.getArguments()[1].toString())
                    + ", not " + error.getArguments()[0] + " "
                    + ApiException.abbreviate(String.valueOf(error.getInstanceNode()));
            default -> field + " " + ApiException.abbreviate(String.valueOf(
                    error.getInstanceNode())) + " " + error.getMessage();
        };
    }

    /** The fields the object schema that refused a field names. */
    private List<String> allowedFields(Error error) {
        String location = error.getSchemaLocation().getFragment().toString();
        int last = location.lastIndexOf('/');
        if (last < 0) {
            return List.of();
        }
        List<String> allowed = new ArrayList<>();
        for (Map.Entry<String, JsonNode> field : resolve(document,
                document.at(location.substring(0, last))).path("properties").properties()) {
            allowed.add(field.getKey());
        }
        return allowed;
    }

    /**
     * The field a problem is about, as a client names it: {@code items[2].key}, or
     * {@code body} for the body as a whole.
     */
    private static String field(Error error) {
        StringBuilder field = new StringBuilder();
        for (String segment : error.getInstanceLocation().toString().split("/")) {
            if (segment.isEmpty()) {
                continue;
            }
            if (segment.chars().allMatch(Character::isDigit)) {
                field.append('[').append(segment).append(']');
            } else {
                field.append(field.length() == 0 ? "" : ".")
                        .append(segment.replace("~1", "/").replace("~0", "~"));
            }
        }
        if (error.getProperty() != null) {
            field.append(field.length() == 0 ? "" : ".").append(error.getProperty());
        }
        return field.length() == 0 ? "body" : field.toString();
    }

    private static String article(String type) {
        return switch (type) {
            case "integer", "object", "array" -> "an " + type;
            default -> "a " + type;
        };
    }

    private static ApiException refusal(boolean shape, String field, String message) {
        if (shape) {
            return ApiException.invalid(field, message);
        }
        return new ApiException(422, message, Map.of("field", field, "errorCode",
                "INVALID_REQUEST"));
    }
}
