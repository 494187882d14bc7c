package io.cairndb.server.control;

import com.google.protobuf.ByteString;
import io.cairndb.api.control.ControlServiceGrpc;
import io.cairndb.api.control.JoinRequest;
import io.cairndb.api.control.JoinResponse;
import io.cairndb.api.control.MetadataUpdate;
import io.cairndb.api.control.SubmitRequest;
import io.cairndb.api.control.SubmitResponse;
import io.cairndb.api.control.WatchMetadataRequest;
import io.cairndb.core.CairnException;
import io.cairndb.core.ErrorCode;
import io.cairndb.server.common.ConfigException;
import io.cairndb.server.common.ServerLimits;
import io.cairndb.storage.NodeMetadata;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.StreamObserver;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The metadata of a cluster this node joined through another member. Commands are forwarded to
 * that member; every committed state arrives on a watch stream, which reconnects (resuming from
 * the last version seen) whenever it breaks. The last state is kept on disk, so a restarted node
 * serves with its last view even before it reaches the member again.
 */
public final class RemoteMetadataStore implements MetadataStore {

    private static final Logger LOG = LoggerFactory.getLogger(RemoteMetadataStore.class);
    private static final String CACHE_KEY = "view";
    /** How long a node that joined before waits for the member before serving its last view. */
    static final long CACHED_VIEW_WAIT_MILLIS = 30_000;

    private final String target;
    private final ManagedChannel channel;
    private final NodeMetadata storage;
    private final ScheduledExecutorService scheduler;
    private final long requestTimeoutMillis;
    private final List<Consumer<ClusterMetadata>> listeners = new CopyOnWriteArrayList<>();
    private volatile ClusterMetadata current;
    private volatile boolean watching;
    private volatile boolean closed;

    private RemoteMetadataStore(String target, NodeMetadata storage,
                                ScheduledExecutorService scheduler, long requestTimeoutMillis,
                                ClusterMetadata initial) {
        this.target = target;
        this.storage = storage;
        this.scheduler = scheduler;
        this.requestTimeoutMillis = requestTimeoutMillis;
        this.current = initial;
        this.channel = NettyChannelBuilder.forTarget(target).usePlaintext()
                .maxInboundMessageSize(ServerLimits.METADATA_MESSAGE_BYTES_MAX).build();
    }

    /**
     * Joins the cluster through {@code target} (a member's client address), registering this node,
     * and starts following the metadata. A node that joined before starts from its cached view if
     * the member cannot be reached within {@code joinTimeoutMillis} (0: within
     * {@link #CACHED_VIEW_WAIT_MILLIS}); a node joining anew waits as {@link JoinWait} says.
     *
     * @throws ConfigException if the member refuses the join, or cannot be reached and there is no
     *     cached view
     */
    public static RemoteMetadataStore join(String target, JoinRequest self, NodeMetadata storage,
                                           ScheduledExecutorService scheduler,
                                           long requestTimeoutMillis, long joinTimeoutMillis) {
        byte[] cached = storage.get(CACHE_KEY);
        ClusterMetadata cachedView = cached == null ? null : MetadataCodec.decodeState(cached);
        RemoteMetadataStore store = new RemoteMetadataStore(target, storage, scheduler,
                requestTimeoutMillis, cachedView);
        boolean cachedSelf = cachedView != null
                && cachedView.nodes().containsKey(self.getNodeId());
        // A node that joined before can serve with its last view while the member is away, so it
        // waits a bounded time even when joining anew would wait without limit.
        long limitMillis = cachedSelf && joinTimeoutMillis == 0 ? CACHED_VIEW_WAIT_MILLIS
                : joinTimeoutMillis;
        try {
            JoinResponse response = new JoinWait(target, limitMillis).until("join the cluster",
                    () -> {
                        try {
                            return ClusterJoin.answerOrRetry(target,
                                    ControlServiceGrpc.newBlockingStub(store.channel)
                                            .withDeadlineAfter(requestTimeoutMillis,
                                                    TimeUnit.MILLISECONDS)
                                            .join(self));
                        } catch (StatusRuntimeException e) {
                            return new JoinWait.Attempt.Retry<>(ClusterJoin.unreachable(e));
                        }
                    });
            store.accept(MetadataCodec.decodeState(response.getMetadata().toByteArray()));
        } catch (JoinWait.TimedOut e) {
            if (!cachedSelf) {
                store.close();
                throw e;
            }
            LOG.warn("{}; serving with the last known cluster view (version {})",
                    e.getMessage(), cachedView.version());
        } catch (RuntimeException e) {
            store.close();
            throw e;
        }
        store.watch();
        return store;
    }

    @Override
    public ClusterMetadata current() {
        return current;
    }

    @Override
    public CompletableFuture<MetadataStateMachine.Applied> submit(MetadataCommand command) {
        CompletableFuture<MetadataStateMachine.Applied> result = new CompletableFuture<>();
        ControlServiceGrpc.newStub(channel)
                .withDeadlineAfter(requestTimeoutMillis, TimeUnit.MILLISECONDS)
                .submit(SubmitRequest.newBuilder().setCommand(ByteString.copyFrom(
                        MetadataCodec.encodeCommand(command))).build(), new StreamObserver<>() {
                            @Override
                            public void onNext(SubmitResponse response) {
                                ClusterMetadata state = response.getMetadata().isEmpty()
                                        ? current : MetadataCodec.decodeState(
                                                response.getMetadata().toByteArray());
                                accept(state);
                                CairnException error = response.getSuccess() ? null
                                        : new CairnException(code(response.getErrorCodeValue()),
                                                response.getErrorMessage());
                                result.complete(new MetadataStateMachine.Applied(state, error));
                            }

                            @Override
                            public void onError(Throwable error) {
                                result.completeExceptionally(new CairnException(
                                        ErrorCode.QUORUM_NOT_REACHED, "metadata change could not "
                                        + "reach the control node at " + target + ": "
                                        + Status.fromThrowable(error).getCode()));
                            }

                            @Override
                            public void onCompleted() {
                            }
                        });
        return result;
    }

    /** A peer reported a newer metadata version: make sure the watch stream is running. */
    public void behind(long version) {
        if (!watching && !closed) {
            watch();
        }
    }

    @Override
    public void addListener(Consumer<ClusterMetadata> listener) {
        listeners.add(listener);
    }

    @Override
    public void close() {
        closed = true;
        listeners.clear();
        channel.shutdownNow();
    }

    private synchronized void accept(ClusterMetadata state) {
        if (state == null || (current != null && state.version() <= current.version())) {
            return;
        }
        current = state;
        try {
            storage.put(CACHE_KEY, MetadataCodec.encodeState(state));
        } catch (RuntimeException e) {
            LOG.warn("cannot cache the cluster view: {}", e.getMessage());
        }
        listeners.forEach(listener -> listener.accept(state));
    }

    private synchronized void watch() {
        if (watching || closed) {
            return;
        }
        watching = true;
        long from = current == null ? 0 : current.version();
        ControlServiceGrpc.newStub(channel).watchMetadata(
                WatchMetadataRequest.newBuilder().setFromVersion(from).build(),
                new StreamObserver<>() {
                    @Override
                    public void onNext(MetadataUpdate update) {
                        accept(MetadataCodec.decodeState(update.getMetadata().toByteArray()));
                    }

                    @Override
                    public void onError(Throwable error) {
                        rewatch();
                    }

                    @Override
                    public void onCompleted() {
                        rewatch();
                    }
                });
    }

    private void rewatch() {
        watching = false;
        if (!closed) {
            scheduler.schedule(this::watch, 1, TimeUnit.SECONDS);
        }
    }

    private static ErrorCode code(int number) {
        for (ErrorCode code : ErrorCode.values()) {
            if (code.number() == number) {
                return code;
            }
        }
        return ErrorCode.UNKNOWN;
    }
}
