package io.cairndb.server.http;

import io.cairndb.api.admin.ConfigChange;
import io.grpc.Status;
import io.grpc.stub.ServerCallStreamObserver;
import java.util.function.Consumer;

/**
 * One config watch of {@code AdminService.WatchConfig}, run by the admin service's own code
 * (resumable from any version, each version sent once, in order) but delivered to a live stream
 * of the HTTP port instead of a gRPC call. The stream cancels it when its client goes away or
 * falls too far behind; the admin service then forgets it.
 */
final class ConfigWatch extends ServerCallStreamObserver<ConfigChange> {

    private final Consumer<ConfigChange> changes;
    private final Consumer<String> failure;
    private volatile boolean cancelled;
    private volatile Runnable onCancel = () -> { };

    ConfigWatch(Consumer<ConfigChange> changes, Consumer<String> failure) {
        this.changes = changes;
        this.failure = failure;
    }

    /** Ends the watch: no more changes are delivered, and the admin service drops it. */
    void cancel() {
        if (!cancelled) {
            cancelled = true;
            onCancel.run();
        }
    }

    @Override
    public boolean isCancelled() {
        return cancelled;
    }

    @Override
    public void setOnCancelHandler(Runnable handler) {
        onCancel = handler;
    }

    @Override
    public void onNext(ConfigChange change) {
        if (!cancelled) {
            changes.accept(change);
        }
    }

    @Override
    public void onError(Throwable error) {
        Status status = Status.fromThrowable(error);
        failure.accept(status.getDescription() != null ? status.getDescription()
                : status.getCode().name());
    }

    @Override
    public void onCompleted() {
        // A watch runs until cancelled.
    }

    // Flow control is the stream's own (a bound on what a client may have pending); the admin
    // service sends without asking, as it does over gRPC.

    @Override
    public void setCompression(String compression) {
    }

    @Override
    public boolean isReady() {
        return true;
    }

    @Override
    public void setOnReadyHandler(Runnable handler) {
    }

    @Override
    public void disableAutoInboundFlowControl() {
    }

    @Override
    public void request(int count) {
    }

    @Override
    public void setMessageCompression(boolean enable) {
    }
}
