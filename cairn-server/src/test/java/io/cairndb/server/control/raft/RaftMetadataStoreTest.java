package io.cairndb.server.control.raft;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.cairndb.core.CairnException;
import io.cairndb.core.ControlGroup;
import io.cairndb.core.ErrorCode;
import io.cairndb.server.control.ClusterMetadata;
import io.cairndb.server.control.MetadataCodec;
import io.cairndb.server.control.MetadataCommand;
import io.cairndb.server.control.MetadataStateMachine.Applied;
import io.cairndb.server.control.MetadataStore.ControlStatus;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

// Proves the Raft metadata store applies commands identically on every control member, survives
// leader loss, restarts and snapshots, and fails fast (QUORUM_NOT_REACHED) without a majority.
class RaftMetadataStoreTest {

    private static final long WAIT_SECONDS = 20;

    @TempDir
    Path dir;

    private final List<AutoCloseable> toClose = new ArrayList<>();
    private long clock = 1_700_000_000L;

    @AfterEach
    void closeEverything() throws Exception {
        Collections.reverse(toClose);
        for (AutoCloseable closeable : toClose) {
            closeable.close();
        }
    }

    private ControlGroupFixture group(int size, UnaryOperator<RaftSettings> tweak) {
        ControlGroupFixture group = ControlGroupFixture.start(dir, size, tweak);
        toClose.add(group);
        return group;
    }

    private MetadataCommand createTenant(String tenantId) {
        return new MetadataCommand.CreateTenant(tenantId, 0, clock++);
    }

    // A tenant needs a storage node to place its replicas on.
    private static void registerNode(RaftMetadataStore store) throws Exception {
        Applied registered = submit(store,
                new MetadataCommand.RegisterNode("n1", "127.0.0.1", 7000, 7001, 8));
        assertThat(registered.ok()).as("%s", registered.error()).isTrue();
    }

    private static Applied submit(RaftMetadataStore store, MetadataCommand command)
            throws Exception {
        return store.submit(command).get(WAIT_SECONDS, TimeUnit.SECONDS);
    }

    @Test
    void commandSubmittedOnFollowerIsAppliedOnEveryMemberAtTheSameVersion() throws Exception {
        ControlGroupFixture group = group(3, settings -> settings);
        RaftMetadataStore leader = group.awaitLeader();
        List<RaftMetadataStore> followers = group.followers(leader);
        Map<String, List<Long>> seen = new LinkedHashMap<>();
        for (RaftMetadataStore store : group.members()) {
            List<Long> versions = Collections.synchronizedList(new ArrayList<>());
            seen.put(store.memberId(), versions);
            store.addListener(state -> versions.add(state.version()));
        }
        registerNode(leader);
        long registered = leader.current().version();
        group.awaitConverged(registered);

        Applied created = submit(followers.get(0), createTenant("acme"));

        assertThat(created.ok()).isTrue();
        long version = created.state().version();
        assertThat(version).isPositive();
        assertThat(created.state().tenant("acme").replicationFactor()).isEqualTo(1);
        // The submitter has applied its own command before its future completes.
        assertThat(followers.get(0).current().version()).isEqualTo(version);
        group.awaitConverged(version);
        assertThat(leader.status().appliedIndex()).isGreaterThanOrEqualTo(version);

        Applied again = submit(followers.get(1), createTenant("acme"));

        assertThat(again.ok()).isFalse();
        assertThat(again.error().code()).isEqualTo(ErrorCode.TENANT_EXISTS);
        assertThat(again.error().getMessage()).contains("acme");
        assertThat(again.state().version()).isEqualTo(version);
        // The refused command was committed (the log moved on) but changed nothing anywhere.
        await().atMost(Duration.ofSeconds(WAIT_SECONDS)).until(() -> group.members().stream()
                .allMatch(store -> store.status().appliedIndex() > version));
        group.awaitConverged(version);
        for (List<Long> versions : seen.values()) {
            assertThat(versions).containsExactly(registered, version);
        }
        // The audit log is part of the state: the same on every member, stamped by the proposer.
        for (RaftMetadataStore store : group.members()) {
            assertThat(store.current().auditEvents()).isEqualTo(leader.current().auditEvents());
        }
        assertThat(leader.current().auditEvents()).extracting(event -> event.version() + " "
                + event.action() + " " + event.actor()).containsExactly(
                registered + " register_node " + leader.memberId(),
                version + " create_tenant " + followers.get(0).memberId());

        ClusterMetadata read = followers.get(1).readLinearizable().get(WAIT_SECONDS,
                TimeUnit.SECONDS);
        assertThat(read.version()).isEqualTo(version);
        assertThat(read.tenants()).containsKey("acme");

        for (RaftMetadataStore store : group.members()) {
            ControlStatus status = store.status();
            assertThat(status.leaderId()).isEqualTo(leader.memberId());
            assertThat(status.members()).extracting(ControlStatus.Member::memberId)
                    .containsExactly("m1", "m2", "m3");
            assertThat(status.role()).isEqualTo(store == leader ? ControlStatus.Role.LEADER
                    : ControlStatus.Role.FOLLOWER);
        }
    }

    @Test
    void newLeaderTakesOverAndRestartedExLeaderCatchesUp() throws Exception {
        ControlGroupFixture group = group(3, settings -> settings);
        RaftMetadataStore leader = group.awaitLeader();
        RaftMetadataStore survivor = group.followers(leader).get(0);
        registerNode(survivor);
        submit(survivor, createTenant("before"));
        String exLeader = leader.memberId();

        long closedAt = System.nanoTime();
        group.stopMember(exLeader);
        RaftMetadataStore newLeader = group.awaitLeader();
        long electedMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - closedAt);
        Applied during = submit(survivor, createTenant("during"));
        long writableMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - closedAt);
        System.out.printf("control failover: new leader %s elected %d ms after the leader "
                + "closed; first write committed after %d ms%n", newLeader.memberId(),
                electedMillis, writableMillis);

        assertThat(newLeader.memberId()).isNotEqualTo(exLeader);
        assertThat(during.ok()).isTrue();
        Applied last = submit(newLeader, createTenant("after"));

        RaftMetadataStore restarted = group.startMember(exLeader);
        group.awaitConverged(last.state().version());
        assertThat(restarted.current().tenants()).containsOnlyKeys("before", "during", "after");
        // The restarted member takes part again: with the other follower gone, it completes the
        // majority.
        group.stopMember(group.followers(group.awaitLeader()).stream()
                .filter(store -> store != restarted).findFirst().orElseThrow().memberId());
        Applied withRestarted = submit(restarted, createTenant("with-restarted"));
        assertThat(withRestarted.ok()).isTrue();
    }

    @Test
    void snapshotsBoundTheLogAndRestoreEveryMemberAfterRestart() throws Exception {
        ControlGroupFixture group = group(3, settings -> settings.withSnapshots(25,
                RaftSettings.LOG_SEGMENT_SIZE_BYTES_MIN));
        RaftMetadataStore leader = group.awaitLeader();
        // One follower misses everything below and must be sent a snapshot: the leader's log no
        // longer reaches back to where it stopped.
        registerNode(leader);
        String lagging = group.followers(leader).get(0).memberId();
        group.stopMember(lagging);
        Applied last = null;
        for (int i = 0; i < 300; i++) {
            last = submit(leader, createTenant("tenant-" + i));
            assertThat(last.ok()).isTrue();
        }
        long version = last.state().version();
        long leaderLogStart = leader.logStartIndex();
        assertThat(leaderLogStart).as("leader log purged up to a snapshot").isPositive();
        for (RaftMetadataStore store : group.members()) {
            assertThat(snapshotFiles(group.storageDir(store.memberId()))).isNotEmpty();
        }

        group.startMember(lagging);
        group.awaitConverged(version);
        assertThat(snapshotFiles(group.storageDir(lagging)))
                .as("the lagging member was sent a snapshot").isNotEmpty();
        byte[] before = MetadataCodec.encodeState(leader.current());

        for (RaftMetadataStore store : group.members()) {
            group.stopMember(store.memberId());
        }
        for (String memberId : List.of("m1", "m2", "m3")) {
            group.startMember(memberId);
        }
        group.awaitConverged(version);
        for (RaftMetadataStore store : group.members()) {
            assertThat(MetadataCodec.encodeState(store.current())).isEqualTo(before);
            assertThat(store.current().tenants()).hasSize(300);
        }
        Applied next = submit(group.awaitLeader(), createTenant("after-restart"));
        assertThat(next.state().version()).isGreaterThan(version);
    }

    private static List<Path> snapshotFiles(Path storageDir) throws IOException {
        try (Stream<Path> files = Files.walk(storageDir)) {
            return files.filter(path -> path.getFileName().toString()
                    .matches("snapshot\\.\\d+_\\d+")).toList();
        }
    }

    @Test
    void awaitVersionOnFollowerNeverReturnsAnOlderState() throws Exception {
        ControlGroupFixture group = group(3, settings -> settings);
        RaftMetadataStore leader = group.awaitLeader();
        List<RaftMetadataStore> followers = group.followers(leader);
        registerNode(leader);
        for (int i = 0; i < 30; i++) {
            RaftMetadataStore writer = i % 2 == 0 ? leader : followers.get(0);
            long version = submit(writer, createTenant("t" + i)).state().version();
            for (RaftMetadataStore reader : followers) {
                ClusterMetadata state = reader.awaitVersion(version, Duration.ofSeconds(5))
                        .get(WAIT_SECONDS, TimeUnit.SECONDS);
                assertThat(state.version()).isGreaterThanOrEqualTo(version);
                assertThat(state.tenants()).containsKey("t" + i);
            }
        }

        long unwritten = leader.current().version() + 1_000;
        long startNanos = System.nanoTime();
        CompletableFuture<ClusterMetadata> never =
                followers.get(1).awaitVersion(unwritten, Duration.ofMillis(300));
        assertThatThrownBy(() -> never.get(WAIT_SECONDS, TimeUnit.SECONDS))
                .isInstanceOf(ExecutionException.class)
                .cause().isInstanceOf(CairnException.class)
                .hasMessageContaining("version " + unwritten)
                .satisfies(e -> assertThat(((CairnException) e).code())
                        .isEqualTo(ErrorCode.QUORUM_NOT_REACHED));
        assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNanos))
                .isLessThan(5_000);
    }

    @Test
    void submitWithoutMajorityFailsWithinTheTimeout() throws Exception {
        Duration timeout = Duration.ofMillis(1500);
        ControlGroupFixture group = group(3, settings -> settings.withRequestTimeout(timeout));
        RaftMetadataStore leader = group.awaitLeader();
        registerNode(leader);
        submit(leader, createTenant("before"));
        RaftMetadataStore survivor = group.followers(leader).get(0);
        for (RaftMetadataStore store : group.members()) {
            if (store != survivor) {
                group.stopMember(store.memberId());
            }
        }

        long startNanos = System.nanoTime();
        CompletableFuture<Applied> write = survivor.submit(createTenant("lost"));
        assertThatThrownBy(() -> write.get(WAIT_SECONDS, TimeUnit.SECONDS))
                .cause().isInstanceOf(CairnException.class)
                .hasMessage("metadata write could not reach a majority of the control group "
                        + "(3 members) within 1500 ms")
                .satisfies(e -> assertThat(((CairnException) e).code())
                        .isEqualTo(ErrorCode.QUORUM_NOT_REACHED));
        long writeMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNanos);
        assertThat(writeMillis).isBetween(timeout.toMillis() - 100, timeout.toMillis() + 5_000);

        CompletableFuture<ClusterMetadata> read = survivor.readLinearizable();
        assertThatThrownBy(() -> read.get(WAIT_SECONDS, TimeUnit.SECONDS))
                .cause().isInstanceOf(CairnException.class)
                .satisfies(e -> assertThat(((CairnException) e).code())
                        .isEqualTo(ErrorCode.QUORUM_NOT_REACHED));
        // The local view stays readable.
        assertThat(survivor.current().tenants()).containsOnlyKeys("before");
    }

    @Test
    void singleMemberGroupWorksAndSurvivesRestart() throws Exception {
        RaftSettings settings = RaftSettings.of("solo", "127.0.0.1", 0, dir.resolve("solo"),
                Map.of("solo", "127.0.0.1:0"));
        long version;
        byte[] before;
        int port;
        try (RaftMetadataStore solo = RaftMetadataStore.start(settings)) {
            port = solo.port();
            assertThat(solo.port()).isPositive();
            assertThat(solo.address()).isEqualTo("127.0.0.1:" + solo.port());
            registerNode(solo);
            submit(solo, createTenant("acme"));
            Applied refused = submit(solo, createTenant("acme"));
            assertThat(refused.error().code()).isEqualTo(ErrorCode.TENANT_EXISTS);
            version = solo.current().version();
            before = MetadataCodec.encodeState(solo.current());
            assertThat(solo.status().isLeader()).isTrue();
            assertThat(solo.readLinearizable().get(WAIT_SECONDS, TimeUnit.SECONDS).version())
                    .isEqualTo(version);
        }

        try (RaftMetadataStore solo = RaftMetadataStore.start(settings)) {
            // The group knows the member by its address, so the port picked first is kept.
            assertThat(solo.port()).isEqualTo(port);
            await().atMost(Duration.ofSeconds(WAIT_SECONDS))
                    .until(() -> solo.current().version() == version);
            assertThat(MetadataCodec.encodeState(solo.current())).isEqualTo(before);
            Applied next = submit(solo, createTenant("beta"));
            assertThat(next.ok()).isTrue();
            assertThat(next.state().version()).isGreaterThan(version);
            assertThat(next.state().tenants()).containsOnlyKeys("acme", "beta");
        }
    }

    @Test
    void aRestartWaitsForItsKeptPortAndNamesItIfStillTaken() throws Exception {
        RaftSettings settings = RaftSettings.of("solo", "127.0.0.1", 0, dir.resolve("solo"),
                Map.of("solo", "127.0.0.1:0"));
        int port;
        try (RaftMetadataStore solo = RaftMetadataStore.start(settings)) {
            port = solo.port();
        }
        // Held for the whole wait: a clear error, not Ratis ending the process.
        try (ServerSocket taken = listenOn(port)) {
            assertThatThrownBy(() -> RaftMetadataStore.start(settings))
                    .isInstanceOf(IOException.class)
                    .hasMessage("127.0.0.1:" + port + " is in use (is another process using the"
                            + " port?)");
        }
        // Held for a moment, as an outgoing connection's source port may be: waited for.
        ListAppender<ILoggingEvent> log = new ListAppender<>();
        Logger logger = (Logger) LoggerFactory.getLogger(RaftMetadataStore.class);
        log.start();
        logger.addAppender(log);
        try {
            ServerSocket taken = listenOn(port);
            CompletableFuture<RaftMetadataStore> restart = CompletableFuture.supplyAsync(() -> {
                try {
                    return RaftMetadataStore.start(settings);
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            });
            await().atMost(Duration.ofSeconds(WAIT_SECONDS)).until(() -> log.list.stream()
                    .anyMatch(event -> event.getFormattedMessage().contains("is in use")));
            taken.close();
            try (RaftMetadataStore solo = restart.get(WAIT_SECONDS, TimeUnit.SECONDS)) {
                assertThat(solo.port()).isEqualTo(port);
            }
        } finally {
            logger.detachAppender(log);
        }
    }

    private static ServerSocket listenOn(int port) throws IOException {
        ServerSocket socket = new ServerSocket();
        socket.bind(new InetSocketAddress("127.0.0.1", port));
        return socket;
    }

    @Test
    void membersAreAddedAndRemovedByControlGroupChanges() throws Exception {
        int[] ports = {ControlGroupFixture.freePort(), ControlGroupFixture.freePort(),
                ControlGroupFixture.freePort()};
        Map<String, String> all = new LinkedHashMap<>();
        for (int i = 0; i < 3; i++) {
            all.put("c" + (i + 1), "127.0.0.1:" + ports[i]);
        }
        Map<String, String> first = Map.of("c1", all.get("c1"));
        RaftMetadataStore c1 = start(RaftSettings.of("c1", "127.0.0.1", ports[0],
                dir.resolve("c1"), first));
        await().atMost(Duration.ofSeconds(WAIT_SECONDS)).until(() -> c1.status().isLeader());
        registerNode(c1);
        submit(c1, createTenant("early"));
        // Joiners name only the group they join, not themselves.
        RaftMetadataStore c2 = start(RaftSettings.of("c2", "127.0.0.1", ports[1],
                dir.resolve("c2"), first));
        RaftMetadataStore c3 = start(RaftSettings.of("c3", "127.0.0.1", ports[2],
                dir.resolve("c3"), first));

        CompletableFuture.allOf(
                c1.changeControlGroup(ControlGroup.addVoter("c2", all.get("c2"))),
                c1.changeControlGroup(ControlGroup.addVoter("c3", all.get("c3"))))
                .get(WAIT_SECONDS, TimeUnit.SECONDS);
        assertThat(c1.controlGroup().voters()).isEqualTo(all);

        long version = c1.current().version();
        for (RaftMetadataStore store : List.of(c2, c3)) {
            await().atMost(Duration.ofSeconds(WAIT_SECONDS))
                    .until(() -> store.current().version() == version);
            assertThat(store.current().tenants()).containsOnlyKeys("early");
        }
        Applied fromJoiner = submit(c3, createTenant("late"));
        assertThat(fromJoiner.ok()).isTrue();
        await().atMost(Duration.ofSeconds(WAIT_SECONDS)).until(() -> c2.status().members()
                .size() == 3 && c2.current().version() == fromJoiner.state().version());

        c1.changeControlGroup(ControlGroup.removeVoter("c3")).get(WAIT_SECONDS, TimeUnit.SECONDS);
        assertThat(c1.status().members()).extracting(ControlStatus.Member::memberId)
                .containsExactly("c1", "c2");
        Applied without = submit(c2, createTenant("without-c3"));
        assertThat(without.ok()).isTrue();
        // Out of the group, c3 votes on nothing but still follows the log: its view stays
        // current, and what it submits still reaches the leader.
        await().atMost(Duration.ofSeconds(WAIT_SECONDS)).until(() ->
                c3.current().version() >= without.state().version());
        assertThat(c3.current().tenants()).containsKey("without-c3");
        await().atMost(Duration.ofSeconds(WAIT_SECONDS)).until(() ->
                c3.status().role() == ControlStatus.Role.LISTENER);
        assertThat(submit(c3, createTenant("from-listener")).ok()).isTrue();

        // Named again, it is a member again.
        c1.changeControlGroup(ControlGroup.addVoter("c3", all.get("c3")))
                .get(WAIT_SECONDS, TimeUnit.SECONDS);
        assertThat(c1.status().members()).extracting(ControlStatus.Member::memberId)
                .containsExactly("c1", "c2", "c3");
        await().atMost(Duration.ofSeconds(WAIT_SECONDS)).until(() ->
                c3.status().role() == ControlStatus.Role.FOLLOWER);
        assertThat(submit(c3, createTenant("member-again")).ok()).isTrue();
    }

    @Test
    void changesMadeAtOnceThroughDifferentMembersAllTakeEffect() throws Exception {
        int[] ports = new int[5];
        Map<String, String> all = new LinkedHashMap<>();
        for (int i = 0; i < 5; i++) {
            ports[i] = ControlGroupFixture.freePort();
            all.put("c" + (i + 1), "127.0.0.1:" + ports[i]);
        }
        Map<String, String> first = Map.of("c1", all.get("c1"));
        List<RaftMetadataStore> stores = new ArrayList<>();
        // Changes that remove the leader wait out an election: give them room on a busy machine.
        Duration changeRoom = Duration.ofSeconds(10);
        stores.add(start(RaftSettings.of("c1", "127.0.0.1", ports[0], dir.resolve("c1"), first)
                .withRequestTimeout(changeRoom)));
        await().atMost(Duration.ofSeconds(WAIT_SECONDS)).until(() -> stores.get(0).status()
                .isLeader());
        registerNode(stores.get(0));
        for (int i = 1; i < 5; i++) {
            stores.add(start(RaftSettings.of("c" + (i + 1), "127.0.0.1", ports[i],
                    dir.resolve("c" + (i + 1)), first).withRequestTimeout(changeRoom)));
        }
        stores.get(0).changeControlGroup(ControlGroup.addVoter("c2", all.get("c2")))
                .get(WAIT_SECONDS, TimeUnit.SECONDS);
        await().atMost(Duration.ofSeconds(WAIT_SECONDS)).until(() ->
                stores.get(1).controlGroup().voters().size() == 2);

        // Three changes at once, through three members, each from the group it knows: c1 and
        // c2 add c3 and c4 while c2 also adds c5. Whatever commits first, the others are applied
        // again to the group it made.
        CompletableFuture.allOf(
                stores.get(0).changeControlGroup(ControlGroup.addVoter("c3", all.get("c3"))),
                stores.get(1).changeControlGroup(ControlGroup.addVoter("c4", all.get("c4"))),
                stores.get(1).changeControlGroup(ControlGroup.addVoter("c5", all.get("c5"))))
                .get(WAIT_SECONDS * 3, TimeUnit.SECONDS);

        for (RaftMetadataStore store : stores) {
            await().atMost(Duration.ofSeconds(WAIT_SECONDS)).untilAsserted(() ->
                    assertThat(store.controlGroup().voters()).isEqualTo(all));
        }
        Applied created = submit(stores.get(4), createTenant("after-growth"));
        assertThat(created.ok()).isTrue();

        // Two removals at once, through two other members: both hold. (The leader is left in:
        // removing it waits out an election, which this test is not about.)
        String leader = stores.get(0).status().leaderId();
        List<String> followers = new ArrayList<>(all.keySet());
        followers.remove(leader);
        String removedFirst = followers.get(0);
        String removedSecond = followers.get(1);
        List<RaftMetadataStore> others = stores.stream().filter(store ->
                !List.of(removedFirst, removedSecond).contains(store.memberId())).toList();
        CompletableFuture.allOf(
                others.get(0).changeControlGroup(ControlGroup.removeVoter(removedFirst)),
                others.get(1).changeControlGroup(ControlGroup.removeVoter(removedSecond)))
                .get(WAIT_SECONDS * 3, TimeUnit.SECONDS);
        await().atMost(Duration.ofSeconds(WAIT_SECONDS)).untilAsserted(() -> {
            ControlGroup group = others.get(2).controlGroup();
            assertThat(group.voters()).hasSize(3).doesNotContainKeys(removedFirst,
                    removedSecond);
            assertThat(group.listeners()).containsOnlyKeys(removedFirst, removedSecond);
        });
    }

    private RaftMetadataStore start(RaftSettings settings) throws IOException {
        RaftMetadataStore store = RaftMetadataStore.start(settings);
        toClose.add(store);
        return store;
    }
}
