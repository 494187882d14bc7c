package io.cairndb.core;


/**
 * What applying a {@link Mutation} did.
 *
 * @param outcome applied, or refused as a duplicate or a conflict
 * @param stored for APPLIED, the version now stored (the merge of the old and the incoming)
 * @param previous for APPLIED, the version stored before, or null
 * @param record for DUPLICATE and CONFLICT, the idempotency record that decided it
 */
public record ApplyResult(Outcome outcome, Version stored, Version previous,
                          IdempotencyRecord record) {

    /** What happened to the mutation. */
    public enum Outcome {
        APPLIED,
        /** Same idempotency key and same request as before: nothing new was written. */
        DUPLICATE,
        /** Same idempotency key, different request: nothing was written. */
        CONFLICT
    }

    /** The clock to answer the client with: the stored clock, or the first answer's clock. */
    public VectorClock clock() {
        return outcome == Outcome.APPLIED ? stored.clock() : record.clock();
    }
}
