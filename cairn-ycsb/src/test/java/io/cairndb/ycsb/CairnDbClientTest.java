package io.cairndb.ycsb;

import static org.assertj.core.api.Assertions.assertThat;

import io.cairndb.server.CairnServer;
import io.cairndb.server.ConfigLoader;
import io.cairndb.testkit.ChildProcess;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.Vector;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import site.ycsb.ByteIterator;
import site.ycsb.DBException;
import site.ycsb.Status;
import site.ycsb.StringByteIterator;

/** The YCSB binding does what YCSB's five operations promise, against a real node. */
class CairnDbClientTest {

    @TempDir
    static Path dataDir;

    private static CairnServer server;

    private CairnDbClient db;

    @BeforeAll
    static void startNode() {
        server = CairnServer.start(ConfigLoader.load(null, Map.of(), Map.of(
                "port", "0", "peerPort", "0", "raftPort", "0", "httpPort", "0",
                "dataDir", dataDir.toString())));
    }

    @AfterAll
    static void stopNode() {
        server.close();
    }

    @BeforeEach
    void connect() throws DBException {
        db = new CairnDbClient();
        Properties properties = new Properties();
        properties.setProperty("cairn.target", server.host() + ":" + server.port());
        properties.setProperty("table", "usertable");
        properties.setProperty("cairn.rf", "1");
        db.setProperties(properties);
        db.init();
    }

    @AfterEach
    void disconnect() {
        db.cleanup();
    }

    private static Map<String, ByteIterator> fields(String... namesAndValues) {
        Map<String, ByteIterator> values = new HashMap<>();
        for (int i = 0; i < namesAndValues.length; i += 2) {
            values.put(namesAndValues[i], new StringByteIterator(namesAndValues[i + 1]));
        }
        return values;
    }

    private static Map<String, String> strings(Map<String, ByteIterator> record) {
        Map<String, String> text = new HashMap<>();
        record.forEach((name, value) -> text.put(name, value.toString()));
        return text;
    }

    @Test
    void insertedRecordReadsBackWholeOrByField() {
        assertThat(db.insert("usertable", "user1", fields("field0", "a", "field1", "b")))
                .isEqualTo(Status.OK);

        Map<String, ByteIterator> whole = new HashMap<>();
        Map<String, ByteIterator> one = new HashMap<>();
        assertThat(db.read("usertable", "user1", null, whole)).isEqualTo(Status.OK);
        assertThat(db.read("usertable", "user1", Set.of("field1"), one)).isEqualTo(Status.OK);

        assertThat(strings(whole)).containsExactlyInAnyOrderEntriesOf(
                Map.of("field0", "a", "field1", "b"));
        assertThat(strings(one)).containsExactlyInAnyOrderEntriesOf(Map.of("field1", "b"));
    }

    @Test
    void updateReplacesOnlyTheGivenFields() {
        db.insert("usertable", "user2", fields("field0", "a", "field1", "b"));

        assertThat(db.update("usertable", "user2", fields("field1", "B", "field2", "c")))
                .isEqualTo(Status.OK);

        Map<String, ByteIterator> record = new HashMap<>();
        db.read("usertable", "user2", null, record);
        assertThat(strings(record)).containsExactlyInAnyOrderEntriesOf(
                Map.of("field0", "a", "field1", "B", "field2", "c"));
        assertThat(db.update("usertable", "nobody", fields("field0", "x")))
                .isEqualTo(Status.NOT_FOUND);
    }

    @Test
    void deletedRecordIsNotFound() {
        db.insert("usertable", "user3", fields("field0", "a"));

        assertThat(db.delete("usertable", "user3")).isEqualTo(Status.OK);

        assertThat(db.read("usertable", "user3", null, new HashMap<>()))
                .isEqualTo(Status.NOT_FOUND);
    }

    @Test
    void scanReturnsTheCountAskedForInKeyOrderFromTheStartKey() {
        for (int i = 0; i < 30; i++) {
            db.insert("usertable", String.format("scan%03d", i), fields("field0", "v" + i));
        }
        Vector<HashMap<String, ByteIterator>> result = new Vector<>();

        Status status = db.scan("usertable", "scan005", 20, Set.of("field0"), result);

        assertThat(status).isEqualTo(Status.OK);

        assertThat(result).hasSize(20);
        assertThat(result.get(0).get("field0").toString()).isEqualTo("v5");
        assertThat(result.get(19).get("field0").toString()).isEqualTo("v24");
    }

    @Test
    void recordCodecRoundTripsAnyBytes() {
        Map<String, byte[]> record = new HashMap<>();
        record.put("field0", new byte[] {0, -1, 127, -128});
        record.put("ünïcode", "x".getBytes(StandardCharsets.UTF_8));
        record.put("empty", new byte[0]);

        Map<String, byte[]> decoded = RecordCodec.decode(RecordCodec.encode(record));

        assertThat(decoded.keySet()).containsExactly("empty", "field0", "ünïcode");
        assertThat(decoded.get("field0")).containsExactly(0, -1, 127, -128);
        assertThat(decoded.get("empty")).isEmpty();
    }

    @Test
    void ycsbsOwnClientLoadsAndRunsAWorkloadThroughTheBinding() throws Exception {
        String target = server.host() + ":" + server.port();
        List<String> common = List.of("-db", CairnDbClient.class.getName(),
                "-p", "workload=site.ycsb.workloads.CoreWorkload",
                "-p", "recordcount=50", "-p", "operationcount=200",
                "-p", "readproportion=0.5", "-p", "updateproportion=0.3",
                "-p", "scanproportion=0.1", "-p", "insertproportion=0.1",
                "-p", "requestdistribution=zipfian", "-p", "cairn.target=" + target,
                "-p", "cairn.rf=1", "-p", "table=ycsbtable", "-threads", "2");

        String loaded = ycsb("-load", common);
        String ran = ycsb("-t", common);

        assertThat(loaded).contains("[INSERT], Operations, 50", "[INSERT], Return=OK, 50");
        assertThat(ran).contains("[READ], Return=OK", "[UPDATE], Return=OK", "[SCAN], Return=OK")
                .doesNotContain("Return=ERROR");
    }

    /** Runs YCSB's client in its own JVM (it ends with System.exit) and returns its output. */
    private static String ycsb(String phase, List<String> arguments) throws Exception {
        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), "site.ycsb.Client", phase));
        command.addAll(arguments);
        ChildProcess.Result ran = ChildProcess.run(command, Duration.ofSeconds(120));
        assertThat(ran.exitCode()).as(ran.output()).isZero();
        return ran.output();
    }
}
