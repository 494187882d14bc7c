package io.cairndb.core;

import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;

/** Helpers for failures that arrive through futures. */
public final class Failures {

    private Failures() {
    }

    /**
     * The failure behind the wrappers futures add: {@code error} without its {@link
     * CompletionException} and {@link ExecutionException} layers.
     */
    public static Throwable cause(Throwable error) {
        Throwable cause = error;
        while ((cause instanceof CompletionException || cause instanceof ExecutionException)
                && cause.getCause() != null) {
            cause = cause.getCause();
        }
        return cause;
    }
}
