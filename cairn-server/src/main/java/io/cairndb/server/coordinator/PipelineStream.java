package io.cairndb.server.coordinator;

import static io.cairndb.server.common.ServerLimits.PIPELINE_CALLS_IN_FLIGHT_MAX;
import static io.cairndb.server.common.ServerLimits.PIPELINE_MESSAGE_BYTES_TARGET;
import static io.cairndb.server.common.ServerLimits.PIPELINE_RESULTS_PER_MESSAGE_MAX;

import com.google.protobuf.Message;
import io.cairndb.api.DeleteKeyValueResponse;
import io.cairndb.api.ErrorCode;
import io.cairndb.api.PipelineCall;
import io.cairndb.api.PipelineError;
import io.cairndb.api.PipelineRequest;
import io.cairndb.api.PipelineResponse;
import io.cairndb.api.PipelineResult;
import io.cairndb.api.ReadKeyValueResponse;
import io.cairndb.api.WriteKeyValueResponse;
import io.cairndb.server.common.ServerLimits;
import io.cairndb.server.common.TransportThread;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.Scope;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BiConsumer;
import java.util.function.Function;

/**
 * One client's {@code Pipeline} stream. Every call it receives runs on the coordinator exactly as
 * the unary RPC of the same name would, and its answer goes back as soon as it completes; answers
 * that complete together leave in one message. At most
 * {@link ServerLimits#PIPELINE_CALLS_IN_FLIGHT_MAX} calls run at once: past that the stream stops
 * reading until half of them have been answered, so a client that sends faster than the node can
 * work is slowed by gRPC flow control, not buffered.
 *
 * <p>Answers are sent from the stream's transport thread ({@link TransportThread}): the thread
 * that completes a call (often the storage writer, completing a whole group commit) only queues
 * its answer and, if no send is pending, hands one to the transport thread, so the answers of one
 * group commit leave in one message. A long message's calls start {@link #CALLS_PER_TURN} at a
 * time, each turn's answers leaving before the next turn starts.
 *
 * <p>Traced, the stream is one entry span and each call a coordinator span under it, the later
 * turns' calls included: they start under the stream's trace context, kept from its opening.
 */
public final class PipelineStream implements StreamObserver<PipelineRequest> {

    /**
     * Calls of one message started in one turn of the transport thread before their answers are
     * sent. A closed-loop client waits for its answers before it sends again, so working through
     * a whole message before answering any of it leaves the client idle while the node works,
     * then the node idle while the client does; answering a turn at a time lets them overlap.
     */
    public static final int CALLS_PER_TURN = 8;

    private final Coordinator coordinator;
    private final ServerCallStreamObserver<PipelineResponse> out;
    /** The transport thread the stream was opened on, or null. */
    private final Executor transport;
    /** The stream's entry span context, or null when untraced. */
    private final Context trace;
    private final ConcurrentLinkedQueue<PipelineResult> answered = new ConcurrentLinkedQueue<>();
    /** Drain requests not yet served; whoever raises it from zero sends, alone. */
    private final AtomicInteger drainRequests = new AtomicInteger();
    private final Object lock = new Object();
    private int inFlight; // guarded by lock
    private boolean reading = true; // guarded by lock: a message has been requested
    private boolean inputEnded; // guarded by lock
    private boolean finished; // only the drainer touches it
    private volatile boolean cancelled;

    PipelineStream(Coordinator coordinator, StreamObserver<PipelineResponse> out) {
        this.coordinator = coordinator;
        this.out = (ServerCallStreamObserver<PipelineResponse>) out;
        this.transport = TransportThread.current();
        this.trace = coordinator.tracing().current();
        this.out.disableAutoRequest();
        this.out.setOnCancelHandler(() -> cancelled = true);
        this.out.request(1);
    }

    @Override
    public void onNext(PipelineRequest request) {
        synchronized (lock) {
            inFlight += request.getCallsCount();
        }
        startFrom(request, 0);
    }

    /** Starts the calls of {@code request} from index {@code from}, a turn at a time. */
    private void startFrom(PipelineRequest request, int from) {
        if (cancelled) {
            return;
        }
        // Without a transport thread (in-process calls) there is no flush to wait for: one turn.
        int to = transport == null ? request.getCallsCount()
                : Math.min(request.getCallsCount(), from + CALLS_PER_TURN);
        for (int i = from; i < to; i++) {
            start(request.getCalls(i));
        }
        if (to < request.getCallsCount()) {
            // The rest a turn later, after this turn's answers have left: drain() queued their
            // send, which has gRPC queue its flush behind it, so the second hop lands after both.
            later(() -> later(() -> resume(request, to)));
            return;
        }
        boolean more;
        synchronized (lock) {
            more = inFlight < PIPELINE_CALLS_IN_FLIGHT_MAX;
            reading = more;
        }
        if (more) {
            out.request(1);
        }
    }

    /** {@link #startFrom} in a later turn, under the stream's trace context if traced. */
    private void resume(PipelineRequest request, int from) {
        if (trace == null) {
            startFrom(request, from);
            return;
        }
        try (Scope ignored = trace.makeCurrent()) {
            startFrom(request, from);
        }
    }

    /** Runs {@code task} on the transport thread after what it has queued already. */
    private void later(Runnable task) {
        if (!TransportThread.later(transport, task)) {
            cancelled = true;
        }
    }

    private void start(PipelineCall call) {
        long id = call.getId();
        switch (call.getCallCase()) {
            case WRITE -> run(id, call.getWrite(), WriteKeyValueResponse.getDefaultInstance(),
                    coordinator::write, PipelineResult.Builder::setWrite);
            case READ -> run(id, call.getRead(), ReadKeyValueResponse.getDefaultInstance(),
                    coordinator::read, PipelineResult.Builder::setRead);
            case DELETE -> run(id, call.getDelete(), DeleteKeyValueResponse.getDefaultInstance(),
                    coordinator::delete, PipelineResult.Builder::setDelete);
            default -> answer(PipelineResult.newBuilder().setId(id)
                    .setError(PipelineError.newBuilder()
                            .setErrorCode(ErrorCode.INVALID_REQUEST)
                            .setErrorMessage("pipeline call " + id + " names no operation:"
                                    + " set one of write, read or delete"))
                    .build());
        }
    }

    /** Runs one call as its unary RPC would, and answers it under its id. */
    private <Q extends Message, R extends Message> void run(long id, Q request, R prototype,
            Function<Q, CompletableFuture<R>> operation,
            BiConsumer<PipelineResult.Builder, R> setResponse) {
        Answers.answer(request, prototype, operation).thenAccept(response -> {
            PipelineResult.Builder result = PipelineResult.newBuilder().setId(id);
            setResponse.accept(result, response);
            answer(result.build());
        });
    }

    private void answer(PipelineResult result) {
        answered.add(result);
        boolean resume;
        synchronized (lock) {
            inFlight--;
            resume = !reading && !inputEnded && inFlight <= PIPELINE_CALLS_IN_FLIGHT_MAX / 2;
            if (resume) {
                reading = true;
            }
        }
        drain();
        if (resume) {
            out.request(1);
        }
    }

    @Override
    public void onCompleted() {
        synchronized (lock) {
            inputEnded = true;
        }
        drain();
    }

    @Override
    public void onError(Throwable failure) {
        // The client cancelled or the connection broke: calls running finish, unanswered.
        cancelled = true;
    }

    /** Sends what has been answered, then ends the stream once the client has and all is sent. */
    private void drain() {
        if (drainRequests.getAndIncrement() != 0) {
            return;
        }
        // Later even on the transport thread itself: answers that complete while it reads a
        // message then leave together once it has.
        if (!TransportThread.later(transport, this::sendAll)) {
            cancelled = true;
        }
    }

    private void sendAll() {
        int pending = 1;
        do {
            send();
            pending = drainRequests.addAndGet(-pending);
        } while (pending != 0);
    }

    private void send() {
        PipelineResult result;
        while ((result = answered.poll()) != null) {
            PipelineResponse.Builder message = PipelineResponse.newBuilder().addResults(result);
            int bytes = result.getSerializedSize();
            while (message.getResultsCount() < PIPELINE_RESULTS_PER_MESSAGE_MAX
                    && bytes < PIPELINE_MESSAGE_BYTES_TARGET
                    && (result = answered.poll()) != null) {
                message.addResults(result);
                bytes += result.getSerializedSize();
            }
            if (!cancelled && !finished) {
                out.onNext(message.build());
            }
        }
        boolean done;
        synchronized (lock) {
            done = inputEnded && inFlight == 0;
        }
        if (done && !finished && answered.isEmpty()) {
            finished = true;
            if (!cancelled) {
                out.onCompleted();
            }
        }
    }
}
