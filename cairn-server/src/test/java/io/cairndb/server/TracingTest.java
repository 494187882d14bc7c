package io.cairndb.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.google.protobuf.ByteString;
import com.sun.net.httpserver.HttpServer;
import io.cairndb.api.CoordinatorServiceGrpc;
import io.cairndb.api.CreateTenantRequest;
import io.cairndb.api.ListStorageNodesRequest;
import io.cairndb.api.StorageNodeInfo;
import io.cairndb.api.WriteKeyValueRequest;
import io.cairndb.api.WriteKeyValueResponse;
import io.cairndb.server.common.ConfigException;
import io.cairndb.server.tracing.Tracing;
import io.cairndb.server.tracing.TracingSettings;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.data.SpanData;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

// Proves a request's spans link from its entry through the coordinator to the replica on another
// node, that spans leave over OTLP/HTTP when an endpoint is set, that tracing is off by default,
// and that bad tracing settings are refused naming the setting.
class TracingTest {

    private static final String PEER_APPLY = "cairn.peer.v1.PeerService/Apply";

    @TempDir
    Path dir;

    private final List<AutoCloseable> opened = new ArrayList<>();

    @AfterEach
    void closeAll() throws Exception {
        for (int i = opened.size() - 1; i >= 0; i--) {
            opened.get(i).close();
        }
    }

    private CairnServer start(String name, Map<String, String> extra,
                              Function<String, Tracing> tracing) {
        Map<String, String> settings = new HashMap<>(Map.of("port", "0", "peerPort", "0",
                "raftPort", "0", "httpPort", "0", "dataDir", dir.resolve(name).toString(),
                "membership.heartbeatIntervalMillis", "200",
                "requests.requestTimeoutMillis", "5000"));
        settings.putAll(extra);
        ServerConfig config = ConfigLoader.load(null, Map.of(), settings);
        CairnServer server = tracing == null ? CairnServer.start(config)
                : CairnServer.start(config, System::currentTimeMillis, tracing);
        opened.add(server);
        return server;
    }

    private CoordinatorServiceGrpc.CoordinatorServiceBlockingStub client(CairnServer server) {
        ManagedChannel channel = ManagedChannelBuilder.forAddress("127.0.0.1", server.port())
                .usePlaintext().build();
        opened.add(channel::shutdownNow);
        return CoordinatorServiceGrpc.newBlockingStub(channel)
                .withDeadlineAfter(30, TimeUnit.SECONDS);
    }

    private static void createTenant(CoordinatorServiceGrpc.CoordinatorServiceBlockingStub client,
                                     String tenant, int replicationFactor) {
        var created = client.createTenant(CreateTenantRequest.newBuilder().setTenantId(tenant)
                .setReplicationFactor(replicationFactor).build());
        assertThat(created.getSuccess()).as(created.getErrorMessage()).isTrue();
    }

    private static WriteKeyValueResponse write(
            CoordinatorServiceGrpc.CoordinatorServiceBlockingStub client, String tenant,
            String key) {
        WriteKeyValueResponse written = client.writeKeyValue(WriteKeyValueRequest.newBuilder()
                .setTenantId(tenant).setKey(key).setValue(ByteString.copyFromUtf8("v"))
                .setConsistency("quorum").build());
        assertThat(written.getSuccess()).as(written.getErrorMessage()).isTrue();
        return written;
    }

    /** Two nodes, each keeping its spans in its own exporter, with a tenant at RF 2. */
    private record TwoNodes(CairnServer first, CairnServer second, InMemorySpanExporter firstSpans,
                            InMemorySpanExporter secondSpans,
                            CoordinatorServiceGrpc.CoordinatorServiceBlockingStub client) {
    }

    private TwoNodes twoTracedNodes() {
        InMemorySpanExporter firstSpans = InMemorySpanExporter.create();
        InMemorySpanExporter secondSpans = InMemorySpanExporter.create();
        CairnServer first = start("first", Map.of(),
                node -> Tracing.exportingTo(firstSpans, 1.0, node));
        CairnServer second = start("second", Map.of("roles", "coordinator,storage",
                "join", "127.0.0.1:" + first.port()),
                node -> Tracing.exportingTo(secondSpans, 1.0, node));
        var client = client(first);
        await().atMost(Duration.ofSeconds(30)).until(() -> client.listStorageNodes(
                        ListStorageNodesRequest.getDefaultInstance()).getNodesList().stream()
                .filter(StorageNodeInfo::getAlive).count() == 2);
        createTenant(client, "traced", 2);
        await().atMost(Duration.ofSeconds(30)).until(() ->
                second.metadata().current().tenant("traced") != null);
        return new TwoNodes(first, second, firstSpans, secondSpans, client);
    }

    private static SpanData awaitSpan(InMemorySpanExporter exporter, Predicate<SpanData> match) {
        return await().atMost(Duration.ofSeconds(30)).until(() -> exporter.getFinishedSpanItems()
                .stream().filter(match).findFirst(), Optional::isPresent).orElseThrow();
    }

    private static Predicate<SpanData> named(String name, SpanKind kind) {
        return span -> span.getName().equals(name) && span.getKind() == kind;
    }

    private static Predicate<SpanData> childOf(SpanData parent) {
        return span -> span.getTraceId().equals(parent.getTraceId())
                && span.getParentSpanId().equals(parent.getSpanId());
    }

    @Test
    void aQuorumWriteIsOneTraceFromTheClientCallToTheReplicaOnTheOtherNode() {
        TwoNodes nodes = twoTracedNodes();
        write(nodes.client(), "traced", "k1");

        SpanData entry = awaitSpan(nodes.firstSpans(),
                named("CoordinatorService/WriteKeyValue", SpanKind.SERVER));
        SpanData coordinator = awaitSpan(nodes.firstSpans(),
                named("coordinator write", SpanKind.INTERNAL).and(childOf(entry)));
        assertThat(coordinator.getAttributes().asMap().toString())
                .contains("cairn.tenant=traced", "cairn.consistency=quorum",
                        "cairn.operation=write");
        SpanData peerCall = awaitSpan(nodes.firstSpans(),
                named(PEER_APPLY, SpanKind.CLIENT).and(childOf(coordinator)));
        awaitSpan(nodes.firstSpans(), named("storage.apply", SpanKind.INTERNAL)
                .and(childOf(coordinator)));

        SpanData served = awaitSpan(nodes.secondSpans(),
                named(PEER_APPLY, SpanKind.SERVER).and(childOf(peerCall)));
        assertThat(served.getParentSpanContext().isRemote()).isTrue();
        assertThat(served.getResource().getAttributes().asMap().toString())
                .contains(nodes.second().nodeId());
        awaitSpan(nodes.secondSpans(), named("storage.apply", SpanKind.INTERNAL)
                .and(childOf(served)));
    }

    @Test
    void aRestWriteIsOneTraceFromTheRouteToTheReplicaOnTheOtherNode() throws Exception {
        TwoNodes nodes = twoTracedNodes();
        RestClient.Answer answer = new RestClient(nodes.first().httpPort()).send("PUT",
                "/api/v1/tenants/traced/keys/k2", "application/octet-stream",
                "v".getBytes(StandardCharsets.UTF_8));
        assertThat(answer.status()).as(answer.text()).isEqualTo(200);

        SpanData entry = awaitSpan(nodes.firstSpans(),
                named("PUT /api/v1/tenants/{tenant}/keys/{key}", SpanKind.SERVER));
        assertThat(entry.getAttributes().asMap().toString())
                .contains("http.response.status_code=200");
        SpanData coordinator = awaitSpan(nodes.firstSpans(),
                named("coordinator write", SpanKind.INTERNAL).and(childOf(entry)));
        SpanData peerCall = awaitSpan(nodes.firstSpans(),
                named(PEER_APPLY, SpanKind.CLIENT).and(childOf(coordinator)));
        awaitSpan(nodes.secondSpans(), named(PEER_APPLY, SpanKind.SERVER).and(childOf(peerCall)));
    }

    @Test
    void spansLeaveOverOtlpHttpToTheConfiguredEndpoint() throws Exception {
        Queue<String> contentTypes = new ConcurrentLinkedQueue<>();
        Queue<Integer> bodyBytes = new ConcurrentLinkedQueue<>();
        HttpServer collector = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        collector.createContext("/v1/traces", exchange -> {
            contentTypes.add(String.valueOf(exchange.getRequestHeaders()
                    .getFirst("Content-Type")));
            bodyBytes.add(exchange.getRequestBody().readAllBytes().length);
            exchange.sendResponseHeaders(200, -1);
            exchange.close();
        });
        collector.start();
        opened.add(() -> collector.stop(0));
        CairnServer node = start("otlp", Map.of("tracing.otlpEndpoint", "http://127.0.0.1:"
                + collector.getAddress().getPort() + "/v1/traces"), null);
        assertThat(exporterThreads()).isNotEmpty();
        var client = client(node);
        createTenant(client, "exported", 1);
        write(client, "exported", "k");

        // Closing the node sends the spans still batched.
        opened.remove(node);
        node.close();
        assertThat(contentTypes).isNotEmpty().allMatch("application/x-protobuf"::equals);
        assertThat(bodyBytes).allMatch(bytes -> bytes > 0);
    }

    @Test
    void tracingIsOffByDefault() {
        assertThat(ServerConfig.DEFAULTS.tracing().enabled()).isFalse();
        Tracing tracing = Tracing.start(TracingSettings.DEFAULTS, "n1");
        assertThat(tracing).isSameAs(Tracing.disabled());
        assertThat(tracing.enabled()).isFalse();
        assertThat(tracing.current()).isNull();
        // An exporter of an earlier test's node stops shortly after that node has closed.
        await().atMost(Duration.ofSeconds(30)).until(() -> exporterThreads().isEmpty());

        CairnServer node = start("untraced", Map.of(), null);
        var client = client(node);
        createTenant(client, "plain", 1);
        write(client, "plain", "k");
        assertThat(exporterThreads()).isEmpty();
    }

    /** The threads of span exporters running in this JVM. */
    private static List<String> exporterThreads() {
        return Thread.getAllStackTraces().keySet().stream().map(Thread::getName)
                .filter(name -> name.startsWith("BatchSpanProcessor")).toList();
    }

    @Test
    void badTracingSettingsAreRefusedNamingTheSetting() {
        assertThatThrownBy(() -> ConfigLoader.load(null, Map.of(),
                Map.of("tracing.otlpEndpoint", "localhost:4318")))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("tracing.otlpEndpoint is 'localhost:4318'");
        assertThatThrownBy(() -> ConfigLoader.load(null, Map.of(),
                Map.of("tracing.otlpEndpoint", "http://")))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("tracing.otlpEndpoint");
        assertThatThrownBy(() -> ConfigLoader.load(null, Map.of(),
                Map.of("tracing.samplingRatio", "1.5")))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("tracing.samplingRatio is 1.5; it must be between 0 and 1");
        assertThatThrownBy(() -> ConfigLoader.load(null, Map.of(),
                Map.of("tracing.samplingRatio", "half")))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("tracing.samplingRatio")
                .hasMessageContaining("must be a number");
    }

    @Test
    void theStandardOtlpVariablesNameTheEndpointBelowCairnsOwn() {
        assertThat(ConfigLoader.load(null, Map.of("OTEL_EXPORTER_OTLP_ENDPOINT",
                "http://collector:4318/"), Map.of()).tracing().otlpEndpoint())
                .isEqualTo("http://collector:4318/v1/traces");
        assertThat(ConfigLoader.load(null, Map.of("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT",
                "http://collector:4318/traces", "CAIRN_TRACING_OTLP_ENDPOINT",
                "http://mine:4318/v1/traces"), Map.of()).tracing().otlpEndpoint())
                .isEqualTo("http://mine:4318/v1/traces");
    }
}
