package io.cairndb.server;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * One node for a whole test class, on ephemeral ports in a temporary directory, with a REST
 * client for its HTTP port: {@code @RegisterExtension static final RunningNode NODE = ...}.
 */
final class RunningNode implements BeforeAllCallback, AfterAllCallback {

    private final Map<String, String> settings;
    private Path dir;
    private TestNode node;
    private RestClient rest;

    RunningNode() {
        this(Map.of());
    }

    /** A node with these settings besides its ports and directory. */
    RunningNode(Map<String, String> settings) {
        this.settings = Map.copyOf(settings);
    }

    @Override
    public void beforeAll(ExtensionContext context) throws IOException {
        dir = Files.createTempDirectory("cairn-node");
        node = new TestNode(dir, settings);
        rest = new RestClient(node.server.httpPort());
    }

    @Override
    public void afterAll(ExtensionContext context) throws IOException {
        node.close();
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path file : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(file);
            }
        }
    }

    TestNode node() {
        return node;
    }

    CairnServer server() {
        return node.server;
    }

    RestClient rest() {
        return rest;
    }
}
