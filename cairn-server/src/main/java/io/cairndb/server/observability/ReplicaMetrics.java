package io.cairndb.server.observability;

import io.cairndb.server.replica.ReplicaCallTimes;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.util.concurrent.TimeUnit;
import java.util.function.LongConsumer;

/**
 * {@code cairn_replica_request_seconds} by {@code peer} (its node id) and {@code op} (write, read,
 * scan): how long this node's calls to each replica take, so a slow peer shows by name. A timer is
 * looked up once per peer and op, when that peer's replica is made, never per call; a peer that
 * leaves keeps its series, which grow with the nodes ever seen, not with requests.
 */
final class ReplicaMetrics implements ReplicaCallTimes {

    private final MeterRegistry registry;

    ReplicaMetrics(MeterRegistry registry) {
        this.registry = registry;
    }

    @Override
    public LongConsumer recorder(String peer, String op) {
        // The registry hands back the timer already made for this peer and op.
        Timer timer = Timer.builder("cairn.replica.request")
                .description("Calls to another node's replica, by peer and kind, to their "
                        + "answer or failure")
                .tags("peer", peer, "op", op)
                .serviceLevelObjectives(RequestMetrics.BUCKETS)
                .register(registry);
        return elapsedNanos -> timer.record(elapsedNanos, TimeUnit.NANOSECONDS);
    }
}
