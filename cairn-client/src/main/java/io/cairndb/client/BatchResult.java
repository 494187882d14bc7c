package io.cairndb.client;

import java.util.List;
import java.util.Objects;

/**
 * The outcome of a batch that the server accepted: one result per item, in request order.
 *
 * @param results one per item, in request order
 * @param consistency the level the batch was served at, as the server names it
 * @param succeededCount how many items succeeded
 * @param failedCount how many items failed
 */
public record BatchResult(
        List<BatchItemResult> results,
        String consistency,
        int succeededCount,
        int failedCount) {

    public BatchResult {
        results = List.copyOf(results);
        Objects.requireNonNull(consistency, "consistency");
    }

    /** Whether every item succeeded. */
    public boolean allSucceeded() {
        return failedCount == 0 && results.stream().allMatch(BatchItemResult::success);
    }

    /** The items that failed, in request order. */
    public List<BatchItemResult> failures() {
        return results.stream().filter(result -> !result.success()).toList();
    }
}
