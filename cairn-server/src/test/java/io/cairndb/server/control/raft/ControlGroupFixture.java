package io.cairndb.server.control.raft;

import static org.awaitility.Awaitility.await;

import io.cairndb.server.control.MetadataCodec;
import io.cairndb.server.control.MetadataStore.ControlStatus;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;

/** A control group of in-process members on loopback ports, each with its own storage dir. */
final class ControlGroupFixture implements AutoCloseable {

    static final Duration WAIT = Duration.ofSeconds(30);

    private final Path root;
    private final Map<String, String> addresses = new LinkedHashMap<>();
    private final Map<String, RaftMetadataStore> running = new LinkedHashMap<>();
    private final UnaryOperator<RaftSettings> tweak;

    private ControlGroupFixture(Path root, List<String> memberIds,
                                UnaryOperator<RaftSettings> tweak) {
        this.root = root;
        this.tweak = tweak;
        for (String memberId : memberIds) {
            addresses.put(memberId, "127.0.0.1:" + freePort());
        }
    }

    /** Starts {@code size} members m1..mN in one group. */
    static ControlGroupFixture start(Path root, int size, UnaryOperator<RaftSettings> tweak) {
        List<String> ids = new ArrayList<>();
        for (int i = 1; i <= size; i++) {
            ids.add("m" + i);
        }
        ControlGroupFixture group = new ControlGroupFixture(root, ids, tweak);
        try {
            ids.forEach(group::startMember);
        } catch (RuntimeException e) {
            group.close();
            throw e;
        }
        return group;
    }

    RaftSettings settings(String memberId) {
        int port = Integer.parseInt(addresses.get(memberId).split(":")[1]);
        return tweak.apply(RaftSettings.of(memberId, "127.0.0.1", port, storageDir(memberId),
                addresses));
    }

    Path storageDir(String memberId) {
        return root.resolve(memberId);
    }

    RaftMetadataStore startMember(String memberId) {
        if (running.containsKey(memberId)) {
            throw new IllegalStateException(memberId + " already runs");
        }
        try {
            RaftMetadataStore store = RaftMetadataStore.start(settings(memberId));
            running.put(memberId, store);
            return store;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    void stopMember(String memberId) {
        RaftMetadataStore store = running.remove(memberId);
        if (store == null) {
            throw new IllegalStateException(memberId + " does not run");
        }
        store.close();
    }

    RaftMetadataStore member(String memberId) {
        return running.get(memberId);
    }

    List<RaftMetadataStore> members() {
        return List.copyOf(running.values());
    }

    /** Waits until a running member leads and every running member knows it. */
    RaftMetadataStore awaitLeader() {
        String[] leader = new String[1];
        await().atMost(WAIT).until(() -> {
            String agreed = null;
            for (RaftMetadataStore store : running.values()) {
                ControlStatus status = store.status();
                if (status.leaderId() == null || !running.containsKey(status.leaderId())
                        || (agreed != null && !agreed.equals(status.leaderId()))) {
                    return false;
                }
                agreed = status.leaderId();
            }
            if (agreed == null || !running.get(agreed).status().isLeader()) {
                return false;
            }
            leader[0] = agreed;
            return true;
        });
        return running.get(leader[0]);
    }

    List<RaftMetadataStore> followers(RaftMetadataStore leader) {
        return running.values().stream().filter(store -> store != leader).toList();
    }

    /** Waits until every running member holds the same state, byte for byte, at {@code version}. */
    void awaitConverged(long version) {
        await().atMost(WAIT).until(() -> {
            byte[] first = null;
            for (RaftMetadataStore store : running.values()) {
                if (store.current().version() != version) {
                    return false;
                }
                byte[] state = MetadataCodec.encodeState(store.current());
                if (first != null && !Arrays.equals(first, state)) {
                    return false;
                }
                first = state;
            }
            return true;
        });
    }

    @Override
    public void close() {
        for (RaftMetadataStore store : List.copyOf(running.values())) {
            store.close();
        }
        running.clear();
    }

    static int freePort() {
        try (ServerSocket socket = new ServerSocket()) {
            socket.setReuseAddress(true);
            socket.bind(new InetSocketAddress("127.0.0.1", 0));
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
