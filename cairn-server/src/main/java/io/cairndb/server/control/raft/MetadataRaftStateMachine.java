package io.cairndb.server.control.raft;

import io.cairndb.core.CairnException;
import io.cairndb.core.ErrorCode;
import io.cairndb.server.control.ClusterConfig;
import io.cairndb.server.control.ClusterMetadata;
import io.cairndb.server.control.MetadataCodec;
import io.cairndb.server.control.MetadataEntry;
import io.cairndb.server.control.MetadataStateMachine;
import java.io.File;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.apache.ratis.io.MD5Hash;
import org.apache.ratis.proto.RaftProtos.LogEntryProto;
import org.apache.ratis.proto.RaftProtos.RaftPeerRole;
import org.apache.ratis.protocol.Message;
import org.apache.ratis.protocol.RaftGroupId;
import org.apache.ratis.protocol.RaftGroupMemberId;
import org.apache.ratis.protocol.RaftPeerId;
import org.apache.ratis.server.RaftServer;
import org.apache.ratis.server.protocol.TermIndex;
import org.apache.ratis.server.raftlog.RaftLog;
import org.apache.ratis.server.storage.FileInfo;
import org.apache.ratis.server.storage.RaftStorage;
import org.apache.ratis.statemachine.StateMachineStorage;
import org.apache.ratis.statemachine.TransactionContext;
import org.apache.ratis.statemachine.impl.BaseStateMachine;
import org.apache.ratis.statemachine.impl.SimpleStateMachineStorage;
import org.apache.ratis.statemachine.impl.SingleFileSnapshotInfo;
import org.apache.ratis.thirdparty.com.google.protobuf.UnsafeByteOperations;
import org.apache.ratis.util.LifeCycle;
import org.apache.ratis.util.MD5FileUtil;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Ratis side of the metadata: applies each committed log entry (a {@link MetadataEntry}, or a
 * bare command from a log written before entries had envelopes) through
 * {@link MetadataStateMachine#apply}, with the entry's log index as the new version, so that every
 * member holds the same state, audit log included, at the same index. Snapshots are the whole
 * state in {@link MetadataCodec#encodeState} form, one file per (term, index).
 *
 * <p>Ratis calls {@link #applyTransaction} and {@link #notifyTermIndexUpdated} from one thread in
 * log order; readers on other threads see {@link #current()} through a volatile field.
 */
final class MetadataRaftStateMachine extends BaseStateMachine {

    private static final Logger LOG = LoggerFactory.getLogger(MetadataRaftStateMachine.class);

    private final AtomicLong leaderChanges = new AtomicLong();

    /** States kept by log index so that a submitter gets the state its own command produced. */
    static final int RECENT_STATES_MAX = 1024;
    /** Readers waiting for an index at once; more is a caller bug or an overload. */
    static final int WAITERS_MAX = 10_000;

    private static final byte[] NO_STATE = new byte[0];

    private final SimpleStateMachineStorage storage = new SimpleStateMachineStorage();
    private final List<Consumer<ClusterMetadata>> listeners = new CopyOnWriteArrayList<>();

    // Guards the pairing of current with the last applied index (a snapshot must name the index
    // its state holds), recentStates and waiters.
    private final Object lock = new Object();
    private volatile ClusterMetadata current;
    private final LinkedHashMap<Long, ClusterMetadata> recentStates = new LinkedHashMap<>();
    private final TreeMap<Long, List<CompletableFuture<Void>>> waiters = new TreeMap<>();
    private int waiterCount;
    private boolean closed;

    MetadataRaftStateMachine(ClusterConfig initialConfig) {
        this.current = ClusterMetadata.empty(initialConfig);
    }

    ClusterMetadata current() {
        return current;
    }

    /** The highest log index applied here: commands and the entries Raft keeps for itself. */
    long appliedIndex() {
        TermIndex applied = getLastAppliedTermIndex();
        return applied == null ? RaftLog.INVALID_LOG_INDEX : applied.getIndex();
    }

    void addListener(Consumer<ClusterMetadata> listener) {
        listeners.add(listener);
    }

    /**
     * The state right after the command at {@code logIndex}, if this member applied it recently;
     * null when it has not or when the state has since been replaced by a snapshot.
     */
    ClusterMetadata stateAt(long logIndex) {
        synchronized (lock) {
            return recentStates.get(logIndex);
        }
    }

    /**
     * Completes once this member has applied {@code logIndex}. The future never times out by
     * itself; a caller that bounds its wait cancels or times out the returned future, which
     * removes it.
     */
    CompletableFuture<Void> awaitApplied(long logIndex) {
        CompletableFuture<Void> waiter = new CompletableFuture<>();
        synchronized (lock) {
            if (closed) {
                return CompletableFuture.failedFuture(new IllegalStateException(
                        "the metadata state machine is closed"));
            }
            if (appliedIndex() >= logIndex) {
                return CompletableFuture.completedFuture(null);
            }
            if (waiterCount >= WAITERS_MAX) {
                return CompletableFuture.failedFuture(new CairnException(
                        ErrorCode.QUORUM_NOT_REACHED, WAITERS_MAX + " reads already wait for "
                        + "this control member to catch up; try another member or later"));
            }
            waiters.computeIfAbsent(logIndex, index -> new ArrayList<>()).add(waiter);
            waiterCount++;
        }
        waiter.whenComplete((ignored, failure) -> {
            if (failure != null) {
                forget(logIndex, waiter);
            }
        });
        return waiter;
    }

    private void forget(long logIndex, CompletableFuture<Void> waiter) {
        synchronized (lock) {
            List<CompletableFuture<Void>> atIndex = waiters.get(logIndex);
            if (atIndex != null && atIndex.remove(waiter)) {
                waiterCount--;
                if (atIndex.isEmpty()) {
                    waiters.remove(logIndex);
                }
            }
        }
    }

    private void releaseWaiters(long appliedIndex) {
        List<CompletableFuture<Void>> ready = new ArrayList<>();
        synchronized (lock) {
            Map<Long, List<CompletableFuture<Void>>> done = waiters.headMap(appliedIndex, true);
            for (List<CompletableFuture<Void>> atIndex : done.values()) {
                ready.addAll(atIndex);
                waiterCount -= atIndex.size();
            }
            done.clear();
        }
        // Completed outside the lock: a waiter's continuation may read or wait again.
        ready.forEach(waiter -> waiter.complete(null));
    }

    @Override
    public void initialize(RaftServer server, RaftGroupId groupId, RaftStorage raftStorage)
            throws IOException {
        super.initialize(server, groupId, raftStorage);
        storage.init(raftStorage);
        load(storage.getLatestSnapshot());
        getLifeCycle().transition(LifeCycle.State.STARTING);
        getLifeCycle().transition(LifeCycle.State.RUNNING);
    }

    /**
     * Called before the leader's snapshot replaces this member's files. Ratis reloads only a
     * paused state machine, so the lifecycle must say so.
     */
    @Override
    public void pause() {
        if (getLifeCycleState() == LifeCycle.State.RUNNING) {
            getLifeCycle().transition(LifeCycle.State.PAUSING);
            getLifeCycle().transition(LifeCycle.State.PAUSED);
        }
    }

    /** Called after the leader installed a snapshot here: the state jumps to it. */
    @Override
    public void reinitialize() throws IOException {
        load(storage.loadLatestSnapshot());
        if (getLifeCycleState() == LifeCycle.State.PAUSED) {
            getLifeCycle().transition(LifeCycle.State.STARTING);
            getLifeCycle().transition(LifeCycle.State.RUNNING);
        }
    }

    @Override
    public StateMachineStorage getStateMachineStorage() {
        return storage;
    }

    @Override
    public CompletableFuture<Message> applyTransaction(TransactionContext trx) {
        LogEntryProto entry = trx.getLogEntry();
        long index = entry.getIndex();
        MetadataStateMachine.Applied applied;
        try {
            MetadataEntry logged = MetadataCodec.decodeEntry(
                    entry.getStateMachineLogEntry().getLogData().toByteArray());
            applied = MetadataStateMachine.apply(current, logged, index);
        } catch (IllegalArgumentException e) {
            // Every member runs the same code, so every member refuses the entry alike and the
            // states stay equal; the entry is answered as a broken rule.
            LOG.error("metadata log entry {} is not a metadata command; it changes nothing: {}",
                    index, e.getMessage());
            applied = new MetadataStateMachine.Applied(current, new CairnException(
                    ErrorCode.INTERNAL_ERROR, "metadata log entry " + index
                    + " is not a metadata command this member can read"));
        }
        if (applied.ok() && applied.state().version() != index) {
            throw new IllegalStateException("metadata command at log index " + index
                    + " produced version " + applied.state().version());
        }
        synchronized (lock) {
            current = applied.state();
            recentStates.put(index, applied.state());
            Iterator<Long> oldest = recentStates.keySet().iterator();
            while (recentStates.size() > RECENT_STATES_MAX) {
                oldest.next();
                oldest.remove();
            }
            updateLastAppliedTermIndex(entry.getTerm(), index);
        }
        if (applied.ok()) {
            notifyListeners(applied.state());
        }
        releaseWaiters(index);
        // Only the leader's reply reaches the submitter; the others skip encoding the state.
        byte[] state = trx.getServerRole() == RaftPeerRole.LEADER
                ? MetadataCodec.encodeState(applied.state()) : NO_STATE;
        byte[] reply = CommandReply.of(index, applied.error(), state).encode();
        return CompletableFuture.completedFuture(
                Message.valueOf(UnsafeByteOperations.unsafeWrap(reply)));
    }

    /** Counts the leaders this member has learned of: each election, and each leader found. */
    @Override
    public void notifyLeaderChanged(RaftGroupMemberId groupMemberId, RaftPeerId newLeaderId) {
        leaderChanges.incrementAndGet();
    }

    /** How many times this member learned of a new leader since it started. */
    long leaderChanges() {
        return leaderChanges.get();
    }

    /** Entries that are not commands (leader no-ops, membership changes) move the index only. */
    @Override
    public void notifyTermIndexUpdated(long term, long index) {
        synchronized (lock) {
            super.notifyTermIndexUpdated(term, index);
        }
        releaseWaiters(index);
    }

    /**
     * Answers a read that Ratis has confirmed (ReadIndex): the index applied here, which the
     * caller waits for on its own member before it reads {@link #current()}.
     */
    @Override
    public CompletableFuture<Message> query(Message request) {
        ByteBuffer applied = ByteBuffer.allocate(Long.BYTES).putLong(0, appliedIndex());
        return CompletableFuture.completedFuture(Message.valueOf(applied));
    }

    static long decodeQueryReply(Message reply) {
        byte[] bytes = reply.getContent().toByteArray();
        if (bytes.length != Long.BYTES) {
            throw new IllegalArgumentException("read reply has " + bytes.length + " bytes; "
                    + "expected a log index");
        }
        return ByteBuffer.wrap(bytes).getLong();
    }

    @Override
    public long takeSnapshot() throws IOException {
        ClusterMetadata state;
        TermIndex last;
        synchronized (lock) {
            state = current;
            last = getLastAppliedTermIndex();
        }
        if (last == null || last.getIndex() < 0) {
            return RaftLog.INVALID_LOG_INDEX;
        }
        File file = storage.getSnapshotFile(last.getTerm(), last.getIndex());
        writeAtomically(file.toPath(), MetadataCodec.encodeState(state));
        MD5Hash digest = MD5FileUtil.computeAndSaveMd5ForFile(file);
        storage.updateLatestSnapshot(new SingleFileSnapshotInfo(
                new FileInfo(file.toPath(), digest), last));
        LOG.info("{}: metadata snapshot at {} (version {}, {} bytes)", getId(), last,
                state.version(), Files.size(file.toPath()));
        return last.getIndex();
    }

    // A snapshot file under its final name is always whole: it is written aside, forced to disk,
    // then renamed over, and the rename is forced too.
    private static void writeAtomically(Path target, byte[] bytes) throws IOException {
        Path temporary = target.resolveSibling(target.getFileName() + ".writing");
        try (FileChannel channel = FileChannel.open(temporary, StandardOpenOption.CREATE,
                StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.WRITE)) {
            ByteBuffer buffer = ByteBuffer.wrap(bytes);
            while (buffer.hasRemaining()) {
                channel.write(buffer);
            }
            channel.force(true);
        }
        Files.move(temporary, target, StandardCopyOption.ATOMIC_MOVE,
                StandardCopyOption.REPLACE_EXISTING);
        try (FileChannel directory = FileChannel.open(target.getParent(),
                StandardOpenOption.READ)) {
            directory.force(true);
        } catch (IOException e) {
            // Some file systems cannot force a directory; the rename is then as durable as the
            // file system makes it.
            LOG.debug("cannot force directory {}: {}", target.getParent(), e.getMessage());
        }
    }

    private void load(SingleFileSnapshotInfo snapshot) throws IOException {
        if (snapshot == null) {
            return;
        }
        Path path = snapshot.getFile().getPath();
        MD5Hash digest = snapshot.getFile().getFileDigest();
        if (digest != null) {
            MD5FileUtil.verifySavedMD5(path.toFile(), digest);
        }
        TermIndex last = SimpleStateMachineStorage.getTermIndexFromSnapshotFile(path.toFile());
        ClusterMetadata state;
        try {
            state = MetadataCodec.decodeState(Files.readAllBytes(path));
        } catch (IllegalArgumentException e) {
            throw new IOException("metadata snapshot " + path + " is unreadable: "
                    + e.getMessage(), e);
        }
        if (state.version() > last.getIndex()) {
            throw new IllegalStateException("metadata snapshot " + path + " holds version "
                    + state.version() + ", beyond its log index " + last.getIndex());
        }
        synchronized (lock) {
            current = state;
            recentStates.clear();
            setLastAppliedTermIndex(last);
        }
        LOG.info("{}: metadata restored from snapshot {} (version {})", getId(), last,
                state.version());
        notifyListeners(state);
        releaseWaiters(last.getIndex());
    }

    private void notifyListeners(ClusterMetadata state) {
        for (Consumer<ClusterMetadata> listener : listeners) {
            try {
                listener.accept(state);
            } catch (RuntimeException e) {
                // A listener's bug must not stop the log: every later entry would wait on it.
                LOG.error("metadata listener {} failed on version {}", listener, state.version(),
                        e);
            }
        }
    }

    @Override
    public void close() throws IOException {
        List<CompletableFuture<Void>> pending = new ArrayList<>();
        synchronized (lock) {
            closed = true;
            waiters.values().forEach(pending::addAll);
            waiters.clear();
            waiterCount = 0;
        }
        IllegalStateException closedError =
                new IllegalStateException("the metadata state machine is closed");
        pending.forEach(waiter -> waiter.completeExceptionally(closedError));
        super.close();
    }
}
