package io.cairndb.server.observability;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * Client requests, from both fronts: {@code cairn_requests_seconds} (a histogram, with
 * {@code _count} the request count) by front ({@code api}: rest or grpc), operation,
 * consistency level and outcome ({@code ok} or the envelope's error code), and
 * {@code cairn_tenant_requests_total} by tenant. Every label's values are bounded: consistency
 * is one of four words, an outcome one of the error codes, and at most
 * {@link #TENANTS_MAX} tenants get their own series (the rest count as {@code _other}), so a
 * client sending made-up names cannot grow the scrape without bound.
 */
public final class RequestMetrics {

    public static final int TENANTS_MAX = 100;
    public static final String OTHER_TENANTS = "_other";
    private static final Set<String> LEVELS = Set.of("one", "quorum", "all");
    /**
     * Histogram buckets, from a local read to a request timeout. Fixed and few (Micrometer's
     * percentile histogram has some 70 per series): series multiply by operations, levels and
     * outcomes, and every bucket is a line in each scrape.
     */
    static final Duration[] BUCKETS = {Duration.ofNanos(250_000),
            Duration.ofNanos(500_000), Duration.ofMillis(1), Duration.ofMillis(2),
            Duration.ofMillis(5), Duration.ofMillis(10), Duration.ofMillis(25),
            Duration.ofMillis(50), Duration.ofMillis(100), Duration.ofMillis(250),
            Duration.ofMillis(500), Duration.ofSeconds(1), Duration.ofSeconds(2),
            Duration.ofSeconds(5), Duration.ofSeconds(10)};

    private final MeterRegistry registry;
    private final Set<String> tenants = ConcurrentHashMap.newKeySet();
    private final Map<Key, Timer> timers = new ConcurrentHashMap<>();

    private record Key(String api, String operation, String consistency, String outcome) {
    }

    RequestMetrics(MeterRegistry registry) {
        this.registry = registry;
    }

    /** Records one answered request; {@code tenant} may be null. */
    public void record(String api, String operation, String consistency, String outcome,
                       String tenant, long elapsedNanos) {
        Key key = new Key(api, operation, level(consistency), outcome);
        timers.computeIfAbsent(key, k -> Timer.builder("cairn.requests")
                .description("Client requests by front, operation, consistency and outcome")
                .tags("api", k.api(), "operation", k.operation(), "consistency",
                        k.consistency(), "outcome", k.outcome())
                .serviceLevelObjectives(BUCKETS)
                .register(registry)).record(elapsedNanos, TimeUnit.NANOSECONDS);
        if (tenant != null && !tenant.isEmpty()) {
            Counter.builder("cairn.tenant.requests")
                    .description("Client requests by tenant (the first " + TENANTS_MAX
                            + " tenants seen; the rest as " + OTHER_TENANTS + ")")
                    .tag("tenant", capped(tenant))
                    .register(registry).increment();
        }
    }

    private String capped(String tenant) {
        if (tenants.contains(tenant)) {
            return tenant;
        }
        // Racing threads may admit a few past the cap; the bound stays close to it.
        if (tenants.size() < TENANTS_MAX) {
            tenants.add(tenant);
            return tenant;
        }
        return OTHER_TENANTS;
    }

    /** The level a request asked for, as a bounded label: empty is "default". */
    private static String level(String consistency) {
        if (consistency == null || consistency.isEmpty()) {
            return "default";
        }
        String word = consistency.trim().toLowerCase(Locale.ROOT);
        return LEVELS.contains(word) ? word : "invalid";
    }
}
