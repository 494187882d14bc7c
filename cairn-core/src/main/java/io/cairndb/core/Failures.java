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

    /** A failure in one line for a message: its own message if ours, else its type and message. */
    public static String describe(Throwable error) {
        Throwable cause = cause(error);
        return cause instanceof CairnException ? cause.getMessage()
                : cause.getClass().getSimpleName() + ": " + cause.getMessage();
    }
}
