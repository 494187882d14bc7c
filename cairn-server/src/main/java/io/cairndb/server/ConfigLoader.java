package io.cairndb.server;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.cairndb.server.common.ConfigException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * Builds a {@link ServerConfig}: the defaults, overlaid by a YAML file, then by environment
 * variables, then by flags. An environment variable is {@code CAIRN_} and the setting's path in
 * upper snake case: {@code storage.durability} is {@code CAIRN_STORAGE_DURABILITY},
 * {@code dataDir} is {@code CAIRN_DATA_DIR}. Unknown settings and ill-typed values are errors that
 * name the setting.
 *
 * <p>The standard OpenTelemetry variables {@code OTEL_EXPORTER_OTLP_TRACES_ENDPOINT} (the traces
 * URL) and {@code OTEL_EXPORTER_OTLP_ENDPOINT} (a base URL, to which {@code /v1/traces} is added)
 * set {@code tracing.otlpEndpoint} too, below the file and {@code CAIRN_*} variables.
 */
public final class ConfigLoader {

    private static final ObjectMapper JSON = new ObjectMapper()
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES);
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

    private ConfigLoader() {
    }

    /**
     * @param file a YAML file, or null
     * @param env the environment (only {@code CAIRN_*} entries are read)
     * @param flags settings by path ({@code "port"}, {@code "storage.durability"}) from the
     *     command line
     */
    public static ServerConfig load(Path file, Map<String, String> env, Map<String, String> flags) {
        ObjectNode tree = JSON.valueToTree(ServerConfig.DEFAULTS);
        String otlp = otlpTracesEndpoint(env);
        if (otlp != null) {
            set(tree, "tracing.otlpEndpoint", otlp, "OTEL_EXPORTER_OTLP_* environment variables");
        }
        if (file != null) {
            JsonNode fromFile;
            try {
                fromFile = YAML.readTree(Files.readAllBytes(file));
            } catch (java.nio.file.NoSuchFileException e) {
                throw new ConfigException("config file " + file + " does not exist");
            } catch (IOException e) {
                throw new ConfigException("config file " + file + " is not valid YAML: "
                        + firstLine(e.getMessage()));
            }
            if (fromFile != null && !fromFile.isNull() && !fromFile.isMissingNode()) {
                if (!fromFile.isObject()) {
                    throw new ConfigException("config file " + file
                            + " must hold a mapping of settings");
                }
                overlay(tree, (ObjectNode) fromFile, "", "config file " + file);
            }
        }
        for (String path : leafPaths(tree, "")) {
            String value = env.get(envName(path));
            if (value != null) {
                set(tree, path, value, "environment variable " + envName(path));
            }
        }
        for (Map.Entry<String, String> flag : flags.entrySet()) {
            if (flag.getValue() != null) {
                set(tree, flag.getKey(), flag.getValue(), "flag for " + flag.getKey());
            }
        }
        ServerConfig config;
        try {
            config = JSON.treeToValue(tree, ServerConfig.class);
        } catch (UnrecognizedPropertyException e) {
            throw new ConfigException("unknown setting '" + e.getPropertyName() + "'");
        } catch (IOException e) {
            Throwable root = e;
            while (root.getCause() != null) {
                root = root.getCause();
            }
            throw new ConfigException("invalid configuration: " + firstLine(root.getMessage()));
        }
        config.validate();
        return config;
    }

    /** The traces URL the standard OpenTelemetry variables name, or null. */
    private static String otlpTracesEndpoint(Map<String, String> env) {
        String traces = env.get("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT");
        if (traces != null && !traces.isBlank()) {
            return traces.trim();
        }
        String base = env.get("OTEL_EXPORTER_OTLP_ENDPOINT");
        if (base != null && !base.isBlank()) {
            String trimmed = base.trim();
            return (trimmed.endsWith("/") ? trimmed.substring(0, trimmed.length() - 1) : trimmed)
                    + "/v1/traces";
        }
        return null;
    }

    /** The environment variable for a setting path. */
    public static String envName(String path) {
        StringBuilder name = new StringBuilder("CAIRN_");
        for (char c : path.toCharArray()) {
            if (c == '.') {
                name.append('_');
            } else if (Character.isUpperCase(c)) {
                name.append('_').append(c);
            } else {
                name.append(Character.toUpperCase(c));
            }
        }
        return name.toString();
    }

    private static void overlay(ObjectNode target, ObjectNode source, String prefix, String where) {
        Iterator<Map.Entry<String, JsonNode>> fields = source.fields();
        while (fields.hasNext()) {
            Map.Entry<String, JsonNode> field = fields.next();
            String path = prefix + field.getKey();
            JsonNode existing = target.get(field.getKey());
            if (existing == null) {
                throw new ConfigException("unknown setting '" + path + "' in " + where);
            }
            if (existing.isObject()) {
                if (!field.getValue().isObject()) {
                    throw new ConfigException("setting '" + path + "' in " + where
                            + " must be a mapping");
                }
                overlay((ObjectNode) existing, (ObjectNode) field.getValue(), path + ".", where);
            } else {
                target.set(field.getKey(), field.getValue());
            }
        }
    }

    private static List<String> leafPaths(JsonNode node, String prefix) {
        List<String> paths = new ArrayList<>();
        node.fields().forEachRemaining(field -> {
            if (field.getValue().isObject()) {
                paths.addAll(leafPaths(field.getValue(), prefix + field.getKey() + "."));
            } else {
                paths.add(prefix + field.getKey());
            }
        });
        return paths;
    }

    private static void set(ObjectNode tree, String path, String text, String where) {
        String[] parts = path.split("\\.");
        ObjectNode parent = tree;
        for (int i = 0; i < parts.length - 1; i++) {
            JsonNode child = parent.get(parts[i]);
            if (child == null || !child.isObject()) {
                throw new ConfigException("unknown setting '" + path + "' (" + where + ")");
            }
            parent = (ObjectNode) child;
        }
        String leaf = parts[parts.length - 1];
        JsonNode existing = parent.get(leaf);
        if (existing == null || existing.isObject()) {
            throw new ConfigException("unknown setting '" + path + "' (" + where + ")");
        }
        JsonNodeFactory nodes = JsonNodeFactory.instance;
        try {
            if (existing.isArray()) {
                ArrayNode array = nodes.arrayNode();
                for (String item : text.split(",")) {
                    if (!item.isBlank()) {
                        array.add(item.trim());
                    }
                }
                parent.set(leaf, array);
            } else if (existing.isInt()) {
                parent.set(leaf, nodes.numberNode(Integer.parseInt(text.trim())));
            } else if (existing.isIntegralNumber()) {
                parent.set(leaf, nodes.numberNode(Long.parseLong(text.trim())));
            } else if (existing.isFloatingPointNumber()) {
                parent.set(leaf, nodes.numberNode(Double.parseDouble(text.trim())));
            } else if (existing.isBoolean()) {
                parent.set(leaf, nodes.booleanNode(Boolean.parseBoolean(text.trim())));
            } else {
                parent.set(leaf, nodes.textNode(text));
            }
        } catch (NumberFormatException e) {
            throw new ConfigException("setting '" + path + "' (" + where + ") must be a "
                    + (existing.isFloatingPointNumber() ? "" : "whole ") + "number, was '" + text
                    + "'");
        }
    }

    private static String firstLine(String message) {
        if (message == null) {
            return "unknown error";
        }
        int newline = message.indexOf('\n');
        return newline < 0 ? message : message.substring(0, newline);
    }
}
