package io.cairndb.client;

import io.cairndb.api.CoordinatorServiceGrpc.CoordinatorServiceStub;
import io.cairndb.api.ErrorCode;
import io.cairndb.api.PipelineCall;
import io.cairndb.api.PipelineRequest;
import io.cairndb.api.PipelineResponse;
import io.cairndb.api.PipelineResult;
import io.grpc.Status;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientResponseObserver;
import java.time.Duration;
import java.util.Iterator;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * Carries a client's single-key reads, writes and deletes on one {@code Pipeline} stream instead
 * of one RPC each: calls issued while others are in flight leave together in one message, and
 * answers come back the same way. This is what lets one connection carry tens of thousands of
 * calls a second; the answers are those of the unary RPCs.
 *
 * <p>Each call keeps the client's deadline, checked by a timer that ticks at a tenth of it. If
 * the stream breaks, the calls sent on it fail as a unary call would (unavailable, or the
 * server's status) and the next call opens a new stream. A server without the stream (it answers
 * {@code UNIMPLEMENTED}) gets every call, including those already sent, as a unary RPC from then
 * on.
 */
final class Pipeline {

    private static final int CALLS_PER_MESSAGE_MAX = 256;
    private static final int MESSAGE_BYTES_TARGET = 4 * 1024 * 1024;
    private static final long TICK_NANOS_MIN = TimeUnit.MILLISECONDS.toNanos(5);
    private static final long TICK_NANOS_MAX = TimeUnit.MILLISECONDS.toNanos(250);

    private final CoordinatorServiceStub stub;
    private final String target;
    private final Duration deadline;
    private final Map<Long, Call<?>> inFlight = new ConcurrentHashMap<>();
    private final ConcurrentLinkedQueue<Call<?>> outbox = new ConcurrentLinkedQueue<>();
    private final AtomicInteger drainRequests = new AtomicInteger();
    private final AtomicLong ids = new AtomicLong();
    private final ScheduledFuture<?> deadlineChecks;
    private volatile boolean unsupported;
    /**
     * The thread completing the futures of one answer message, while it does: calls their
     * callbacks make then wait, and leave in one message when it is done, not one each.
     */
    private volatile Thread delivering;
    private volatile boolean closing;
    private Stream stream; // only the drainer touches it

    Pipeline(CoordinatorServiceStub stub, String target, Duration deadline) {
        this.stub = stub;
        this.target = target;
        this.deadline = deadline;
        long tick = Math.min(TICK_NANOS_MAX, Math.max(TICK_NANOS_MIN, deadline.toNanos() / 10));
        this.deadlineChecks = Deadlines.TIMER.scheduleWithFixedDelay(this::expire, tick, tick,
                TimeUnit.NANOSECONDS);
    }

    /**
     * Sends one call.
     *
     * @param fill sets the call's operation on the builder
     * @param convert turns the answer into the client's result, throwing a refusal
     * @param unary the same call as a unary RPC, for a server without the stream
     */
    <T> CompletableFuture<T> call(Consumer<PipelineCall.Builder> fill,
            Function<PipelineResult, T> convert, Supplier<CompletableFuture<T>> unary) {
        if (unsupported) {
            return unary.get();
        }
        if (closing) {
            return CompletableFuture.failedFuture(closedError());
        }
        PipelineCall.Builder builder = PipelineCall.newBuilder().setId(ids.incrementAndGet());
        fill.accept(builder);
        Call<T> call = new Call<>(builder.build(), convert, unary,
                System.nanoTime() + deadline.toNanos());
        inFlight.put(call.request.getId(), call);
        outbox.add(call);
        drain();
        return call.future;
    }

    private CairnException closedError() {
        return new CairnException(ErrorCode.UNKNOWN, "the client of CairnDB at " + target
                + " is closed");
    }

    /** Sends what is queued; one thread at a time does, the others leave it their work. */
    private void drain() {
        if (Thread.currentThread() == delivering) {
            return; // the calls its answers' callbacks make leave together once it is done
        }
        if (drainRequests.getAndIncrement() != 0) {
            return;
        }
        int pending = 1;
        do {
            send();
            pending = drainRequests.addAndGet(-pending);
        } while (pending != 0);
    }

    private void send() {
        Call<?> call;
        while ((call = outbox.poll()) != null) {
            if (unsupported) {
                if (inFlight.remove(call.request.getId()) != null) {
                    call.retryUnary();
                }
                continue;
            }
            if (stream != null && stream.halfClosed) {
                // Queued by a caller racing close(): the stream takes no more calls.
                if (inFlight.remove(call.request.getId()) != null) {
                    call.future.completeExceptionally(closedError());
                }
                continue;
            }
            if (stream == null || stream.broken) {
                stream = new Stream();
                stub.pipeline(stream);
            }
            PipelineRequest.Builder message = PipelineRequest.newBuilder();
            int bytes = 0;
            do {
                if (call.future.isDone()) {
                    inFlight.remove(call.request.getId());
                    continue; // cancelled, or expired while queued
                }
                call.stream = stream;
                message.addCalls(call.request);
                bytes += call.request.getSerializedSize();
            } while (message.getCallsCount() < CALLS_PER_MESSAGE_MAX
                    && bytes < MESSAGE_BYTES_TARGET && (call = outbox.poll()) != null);
            if (message.getCallsCount() > 0) {
                stream.requests.onNext(message.build());
            }
            if (stream.broken) {
                stream.failCalls();
            }
        }
        if (closing && stream != null && !stream.broken && !stream.halfClosed) {
            stream.halfClosed = true;
            stream.requests.onCompleted();
        }
    }

    /** Fails the calls whose deadline has passed, and forgets those the caller cancelled. */
    private void expire() {
        long now = System.nanoTime();
        for (Iterator<Call<?>> it = inFlight.values().iterator(); it.hasNext(); ) {
            Call<?> call = it.next();
            if (call.future.isDone()) {
                it.remove();
            } else if (now - call.deadlineNanos >= 0) {
                it.remove();
                call.future.completeExceptionally(Errors.fromTransport(
                        Status.DEADLINE_EXCEEDED.asRuntimeException(), target, deadline));
            }
        }
        settled();
    }

    /**
     * Half-closes the stream, so that the server answers what it has and ends it, and waits up to
     * {@code wait} for those answers; calls still unanswered then fail.
     */
    void close(Duration wait) {
        closing = true;
        drain();
        long end = System.nanoTime() + wait.toNanos();
        synchronized (this) {
            long left;
            while (!inFlight.isEmpty() && (left = end - System.nanoTime()) > 0) {
                try {
                    TimeUnit.NANOSECONDS.timedWait(this, left);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    break;
                }
            }
        }
        deadlineChecks.cancel(false);
        for (Iterator<Call<?>> it = inFlight.values().iterator(); it.hasNext(); ) {
            Call<?> call = it.next();
            it.remove();
            call.future.completeExceptionally(new CairnException(ErrorCode.UNKNOWN,
                    "the client of CairnDB at " + target + " was closed before call "
                            + call.request.getId() + " was answered"));
        }
    }

    /** Wakes {@link #close} when the last call in flight has ended. */
    private void settled() {
        if (closing && inFlight.isEmpty()) {
            synchronized (this) {
                notifyAll();
            }
        }
    }

    /** One daemon thread checks the deadlines of every client's calls in the process. */
    private static final class Deadlines {

        static final ScheduledThreadPoolExecutor TIMER = new ScheduledThreadPoolExecutor(1,
                runnable -> {
                    Thread thread = new Thread(runnable, "cairn-client-deadlines");
                    thread.setDaemon(true);
                    return thread;
                });

        static {
            TIMER.setRemoveOnCancelPolicy(true);
        }
    }

    /** One call: its request, how to read its answer, and its future. */
    private static final class Call<T> {

        final PipelineCall request;
        final Function<PipelineResult, T> convert;
        final Supplier<CompletableFuture<T>> unary;
        final long deadlineNanos;
        final CompletableFuture<T> future = new CompletableFuture<>();
        volatile Stream stream;

        Call(PipelineCall request, Function<PipelineResult, T> convert,
                Supplier<CompletableFuture<T>> unary, long deadlineNanos) {
            this.request = request;
            this.convert = convert;
            this.unary = unary;
            this.deadlineNanos = deadlineNanos;
        }

        void answer(PipelineResult result) {
            try {
                if (result.getResultCase() == PipelineResult.ResultCase.ERROR) {
                    throw Errors.fromResponse(result.getError().getErrorCode(),
                            result.getError().getErrorMessage());
                }
                future.complete(convert.apply(result));
            } catch (RuntimeException e) {
                future.completeExceptionally(e);
            }
        }

        void retryUnary() {
            unary.get().whenComplete((value, failure) -> {
                if (failure == null) {
                    future.complete(value);
                } else {
                    future.completeExceptionally(failure);
                }
            });
        }
    }

    /** One opening of the stream. */
    private final class Stream implements ClientResponseObserver<PipelineRequest, PipelineResponse> {

        ClientCallStreamObserver<PipelineRequest> requests;
        volatile Throwable failure;
        volatile boolean broken;
        boolean halfClosed;

        @Override
        public void beforeStart(ClientCallStreamObserver<PipelineRequest> requests) {
            this.requests = requests;
        }

        @Override
        public void onNext(PipelineResponse response) {
            delivering = Thread.currentThread();
            try {
                for (PipelineResult result : response.getResultsList()) {
                    Call<?> call = inFlight.remove(result.getId());
                    if (call != null) {
                        call.answer(result);
                    }
                }
            } finally {
                delivering = null;
            }
            settled();
            drain();
        }

        @Override
        public void onError(Throwable failure) {
            end(failure);
        }

        @Override
        public void onCompleted() {
            end(new CairnException(ErrorCode.UNKNOWN, "CairnDB at " + target
                    + " ended the pipeline stream before answering every call"));
        }

        private void end(Throwable failure) {
            this.failure = failure;
            if (Status.fromThrowable(failure).getCode() == Status.Code.UNIMPLEMENTED) {
                unsupported = true;
            }
            broken = true;
            failCalls();
            drain();
        }

        /**
         * Ends the calls sent on this stream once it has broken: again by unary RPC if the server
         * has no stream, else with the failure. Idempotent, so both the stream's thread and the
         * sender (which may have added calls as it broke) can run it.
         */
        void failCalls() {
            for (Iterator<Call<?>> it = inFlight.values().iterator(); it.hasNext(); ) {
                Call<?> call = it.next();
                if (call.stream != this || inFlight.remove(call.request.getId()) == null) {
                    continue;
                }
                if (unsupported) {
                    call.retryUnary();
                } else {
                    call.future.completeExceptionally(
                            Errors.fromTransport(failure, target, deadline));
                }
            }
            settled();
        }
    }
}
