package io.cairndb.cli;

import io.cairndb.server.CairnServer;
import io.cairndb.server.common.ConfigException;
import io.cairndb.server.ConfigLoader;
import io.cairndb.server.ServerConfig;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code cairn server}: runs a node in the foreground until it is interrupted or terminated. */
@Command(name = "server", mixinStandardHelpOptions = true,
        description = {"Run a CairnDB node (control, coordinator and storage in one process).",
            "",
            "Settings come from defaults, then --config FILE (YAML), then CAIRN_* environment "
                + "variables (CAIRN_PORT, CAIRN_DATA_DIR, CAIRN_STORAGE_DURABILITY, ...), then "
                + "these flags. A port of 0 picks a free one; the ready line says which."})
public final class ServerCommand implements Callable<Integer> {

    /** Printed on standard output once the node serves; scripts and tests wait for it. */
    public static final String READY_PREFIX = "CairnDB ready:";

    @Spec
    private CommandSpec spec;

    @Option(names = "--config", paramLabel = "FILE", description = "YAML configuration file.")
    private Path configFile;

    @Option(names = "--data-dir", paramLabel = "DIR",
            description = "Where the node keeps its data (default: ./cairn-data).")
    private String dataDir;

    @Option(names = "--port", paramLabel = "N", description = "Client gRPC port (default: 7070).")
    private Integer port;

    @Option(names = "--peer-port", paramLabel = "N",
            description = "Node-to-node gRPC port (default: 7071; used by multi-node clusters).")
    private Integer peerPort;

    @Option(names = "--raft-port", paramLabel = "N",
            description = "Control-group Raft port (default: 7072).")
    private Integer raftPort;

    @Option(names = "--http-port", paramLabel = "N",
            description = "HTTP port: /health and /health/ready (default: 8080).")
    private Integer httpPort;

    @Option(names = "--host", paramLabel = "ADDR",
            description = "Address to bind and advertise (default: 127.0.0.1).")
    private String host;

    @Option(names = "--node-id", paramLabel = "ID",
            description = "This node's id (default: generated once, kept in the data dir).")
    private String nodeId;

    @Option(names = "--roles", paramLabel = "LIST",
            description = "Comma-separated roles (default: control,coordinator,storage).")
    private String roles;

    @Option(names = "--join", paramLabel = "HOST:PORT",
            description = "The client address of a node of the cluster to join; with the control "
                    + "role the node also joins the Raft control group.")
    private String join;

    @Option(names = "--join-timeout-millis", paramLabel = "N",
            description = "How long --join keeps trying to reach the cluster before the process "
                    + "exits (default 0: without limit, logging every few seconds what it waits "
                    + "for).")
    private Long joinTimeoutMillis;

    @Option(names = "--wait-for-operator",
            description = "With --join to a cluster that holds data: register, then wait for an "
                    + "operator to add this node (cairn node add) instead of being added and "
                    + "streamed its ranges at once.")
    private boolean waitForOperator;

    @Option(names = "--durability", paramLabel = "MODE",
            description = "sync: fsync before acknowledging a write; periodic (default): fsync "
                    + "every second.")
    private String durability;

    @Option(names = "--otlp-endpoint", paramLabel = "URL",
            description = "Send trace spans over OTLP/HTTP to this collector URL, e.g. "
                    + "http://localhost:4318/v1/traces (default: tracing off).")
    private String otlpEndpoint;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        Map<String, String> flags = new LinkedHashMap<>();
        flags.put("dataDir", dataDir);
        flags.put("port", port == null ? null : port.toString());
        flags.put("peerPort", peerPort == null ? null : peerPort.toString());
        flags.put("raftPort", raftPort == null ? null : raftPort.toString());
        flags.put("httpPort", httpPort == null ? null : httpPort.toString());
        flags.put("host", host);
        flags.put("nodeId", nodeId);
        flags.put("roles", roles);
        flags.put("join", join);
        flags.put("membership.waitForOperator", waitForOperator ? "true" : null);
        flags.put("membership.joinTimeoutMillis",
                joinTimeoutMillis == null ? null : joinTimeoutMillis.toString());
        flags.put("storage.durability", durability);
        flags.put("tracing.otlpEndpoint", otlpEndpoint);
        CairnServer server;
        try {
            ServerConfig config = ConfigLoader.load(configFile, System.getenv(), flags);
            server = CairnServer.start(config);
        } catch (ConfigException e) {
            err.println("error: " + e.getMessage());
            err.flush();
            return 2;
        }
        Thread stopper = new Thread(server::close, "shutdown");
        Runtime.getRuntime().addShutdownHook(stopper);
        out.println(READY_PREFIX + " node " + server.nodeId() + " serving clients on "
                + server.host() + ":" + server.port() + " (peers on port " + server.peerPort()
                + ", HTTP on port " + server.httpPort() + ", data in " + server.dataDir()
                + ", durability " + server.config().storage().durability() + ")");
        out.flush();
        server.awaitTermination();
        return 0;
    }
}
