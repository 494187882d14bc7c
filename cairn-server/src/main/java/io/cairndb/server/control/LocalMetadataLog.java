package io.cairndb.server.control;

import io.cairndb.core.HybridLogicalClock;
import io.cairndb.storage.NodeMetadata;
import io.cairndb.storage.StorageException;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import java.util.function.LongSupplier;

/**
 * A metadata log kept on this node alone, in the storage engine's node metadata
 * ({@code meta} family). Each accepted
 * command is stamped with this node's clocks ({@link MetadataEntry}) and fsynced under
 * {@code mlog/<index>} before it is applied; on start the log is replayed. Commands that break a
 * rule are answered without being logged.
 */
public final class LocalMetadataLog implements MetadataStore {

    private static final String LOG_PREFIX = "mlog/";

    private final NodeMetadata storage;
    private final LongSupplier wallMillis;
    private final HybridLogicalClock hlc;
    private final List<Consumer<ClusterMetadata>> listeners = new CopyOnWriteArrayList<>();
    private volatile ClusterMetadata current;

    public LocalMetadataLog(NodeMetadata storage, ClusterConfig config) {
        this(storage, config, System::currentTimeMillis);
    }

    /** @param wallMillis the wall clock that stamps new entries (Unix milliseconds) */
    public LocalMetadataLog(NodeMetadata storage, ClusterConfig config, LongSupplier wallMillis) {
        this.storage = storage;
        this.wallMillis = wallMillis;
        ClusterMetadata state = ClusterMetadata.empty(config);
        for (Map.Entry<String, byte[]> entry : storage.scan(LOG_PREFIX).entrySet()) {
            long index = Long.parseLong(entry.getKey().substring(LOG_PREFIX.length()));
            MetadataEntry logged;
            try {
                logged = MetadataCodec.decodeEntry(entry.getValue());
            } catch (IllegalArgumentException e) {
                throw new IllegalStateException("metadata log entry " + entry.getKey()
                        + " is unreadable: " + e.getMessage(), e);
            }
            MetadataStateMachine.Applied applied =
                    MetadataStateMachine.apply(state, logged, index);
            if (!applied.ok()) {
                throw new IllegalStateException("metadata log entry " + entry.getKey()
                        + " no longer applies: " + applied.error().getMessage());
            }
            state = applied.state();
        }
        this.current = state;
        // New entries are stamped after every entry logged before a restart, whatever the wall
        // clock says now.
        this.hlc = new HybridLogicalClock(lastHlc(state));
    }

    private static long lastHlc(ClusterMetadata state) {
        List<AuditEvent> events = state.auditEvents();
        return events.isEmpty() ? 0 : events.get(events.size() - 1).hlc();
    }

    @Override
    public ClusterMetadata current() {
        return current;
    }

    @Override
    public synchronized CompletableFuture<MetadataStateMachine.Applied> submit(
            MetadataCommand command) {
        long index = current.version() + 1;
        long atMillis = wallMillis.getAsLong();
        MetadataEntry entry = new MetadataEntry(command, hlc.now(atMillis), atMillis,
                ControlStatus.LOCAL_MEMBER_ID);
        MetadataStateMachine.Applied applied = MetadataStateMachine.apply(current, entry, index);
        if (applied.ok()) {
            try {
                storage.put(String.format("%s%020d", LOG_PREFIX, index),
                        MetadataCodec.encodeEntry(entry));
            } catch (java.io.UncheckedIOException | StorageException e) {
                return CompletableFuture.failedFuture(e);
            }
            current = applied.state();
            listeners.forEach(listener -> listener.accept(applied.state()));
        }
        return CompletableFuture.completedFuture(applied);
    }

    @Override
    public void addListener(Consumer<ClusterMetadata> listener) {
        listeners.add(listener);
    }

    @Override
    public void close() {
        listeners.clear();
    }
}
