package io.cairndb.server.common;

import io.grpc.stub.StreamObserver;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;

/** One-answer gRPC calls (a stub's, or a service method's called in-process) as futures. */
public final class UnaryCalls {

    private UnaryCalls() {
    }

    /**
     * Makes the call {@code send} starts with the observer it is given, and answers its one
     * response; the call's error, an end without a response, or a throw from {@code send} fails
     * the future instead.
     */
    public static <T> CompletableFuture<T> call(Consumer<StreamObserver<T>> send) {
        CompletableFuture<T> result = new CompletableFuture<>();
        try {
            send.accept(new StreamObserver<>() {
                @Override
                public void onNext(T value) {
                    result.complete(value);
                }

                @Override
                public void onError(Throwable error) {
                    result.completeExceptionally(error);
                }

                @Override
                public void onCompleted() {
                    if (!result.isDone()) {
                        result.completeExceptionally(new IllegalStateException("no answer"));
                    }
                }
            });
        } catch (RuntimeException e) {
            result.completeExceptionally(e);
        }
        return result;
    }
}
