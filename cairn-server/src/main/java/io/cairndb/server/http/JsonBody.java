package io.cairndb.server.http;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.javalin.http.Context;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * A JSON object read from a request body or from one element of it, with typed getters that
 * refuse a wrong type or an unknown field with a 400 naming the field: a request that cannot be
 * read never reaches a service.
 */
final class JsonBody {

    private static final String PARSED = "cairn.jsonBody";

    private final ObjectNode node;
    private final String path;

    private JsonBody(ObjectNode node, String path) {
        this.node = node;
        this.path = path;
    }

    /** The request's body as an object whose fields are all among {@code known}. */
    static JsonBody of(Context ctx, String... known) {
        return object(tree(ctx, List.of(known)), "body", known);
    }

    /**
     * The request's body parsed as JSON, once per request: the first call parses it and the
     * request keeps the tree for the next.
     *
     * @param known the fields a body may have, named when the body is empty
     * @throws ApiException 400 when the body is empty or is not JSON
     */
    static JsonNode tree(Context ctx, List<String> known) {
        JsonNode parsed = ctx.attribute(PARSED);
        if (parsed != null) {
            return parsed;
        }
        byte[] body = ctx.bodyAsBytes();
        if (body.length == 0) {
            throw new ApiException(400, "the request body is empty; send a JSON object with "
                    + String.join(", ", known), Map.of());
        }
        try {
            parsed = Envelope.JSON.readTree(body);
        } catch (JsonProcessingException e) {
            String problem = e.getOriginalMessage();
            int noise = problem.indexOf(" (start marker at");
            throw new ApiException(400, "the request body is not valid JSON: "
                    + (noise > 0 ? problem.substring(0, noise) : problem) + " (line "
                    + e.getLocation().getLineNr() + ", column " + e.getLocation().getColumnNr()
                    + ")", Map.of());
        } catch (java.io.IOException e) {
            throw new ApiException(400, "the request body could not be read: " + e.getMessage(),
                    Map.of());
        }
        ctx.attribute(PARSED, parsed);
        return parsed;
    }

    private static JsonBody object(JsonNode parsed, String path, String... known) {
        if (parsed == null || !parsed.isObject()) {
            throw ApiException.invalid(path, path + " must be a JSON object, not "
                    + describe(parsed));
        }
        JsonBody body = new JsonBody((ObjectNode) parsed, path);
        List<String> allowed = List.of(known);
        for (Iterator<String> names = parsed.fieldNames(); names.hasNext(); ) {
            String name = names.next();
            if (!allowed.contains(name)) {
                throw ApiException.invalid(body.name(name), "unknown field " + body.name(name)
                        + "; the fields are " + String.join(", ", known));
            }
        }
        return body;
    }

    private String name(String field) {
        return path.equals("body") ? field : path + "." + field;
    }

    private static String describe(JsonNode value) {
        return value == null || value.isMissingNode() ? "nothing"
                : value.getNodeType().name().toLowerCase(java.util.Locale.ROOT) + " "
                        + ApiException.abbreviate(value.toString());
    }

    private JsonNode present(String field, boolean required) {
        JsonNode value = node.get(field);
        if ((value == null || value.isNull()) && required) {
            throw ApiException.invalid(name(field), name(field) + " is required");
        }
        return value == null || value.isNull() ? null : value;
    }

    /** A string field, or {@code fallback} if absent. */
    String text(String field, String fallback) {
        JsonNode value = present(field, false);
        if (value == null) {
            return fallback;
        }
        if (!value.isTextual()) {
            throw ApiException.invalid(name(field), name(field) + " must be a string, not "
                    + describe(value));
        }
        return value.textValue();
    }

    /** An integer field that fits 32 bits, or null if absent (and not required). */
    Integer integer(String field, boolean required) {
        JsonNode value = present(field, required);
        if (value == null) {
            return null;
        }
        if (!value.isIntegralNumber() || !value.canConvertToInt()) {
            throw ApiException.invalid(name(field), name(field)
                    + " must be a whole number that fits 32 bits, not " + describe(value));
        }
        return value.intValue();
    }

    boolean bool(String field, boolean fallback) {
        JsonNode value = present(field, false);
        if (value == null) {
            return fallback;
        }
        if (!value.isBoolean()) {
            throw ApiException.invalid(name(field), name(field) + " must be true or false, not "
                    + describe(value));
        }
        return value.booleanValue();
    }

    /** A base64 field (standard alphabet, padding optional) decoded, or empty if absent. */
    byte[] base64(String field, boolean required) {
        String text = required ? text(field, null) : text(field, "");
        if (text == null) {
            throw ApiException.invalid(name(field), name(field) + " is required (base64)");
        }
        try {
            return Base64.getDecoder().decode(text);
        } catch (IllegalArgumentException e) {
            throw ApiException.invalid(name(field), name(field) + " is not base64: "
                    + e.getMessage());
        }
    }

    /** The objects of an array field, each limited to {@code known} fields. */
    List<JsonBody> objects(String field, String... known) {
        JsonNode value = present(field, true);
        if (!value.isArray()) {
            throw ApiException.invalid(name(field), name(field) + " must be an array, not "
                    + describe(value));
        }
        List<JsonBody> items = new ArrayList<>(value.size());
        for (int i = 0; i < value.size(); i++) {
            items.add(object(value.get(i), name(field) + "[" + i + "]", known));
        }
        return items;
    }
}
