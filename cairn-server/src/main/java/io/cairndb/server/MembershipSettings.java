package io.cairndb.server;

/**
 * How nodes watch each other.
 *
 * @param heartbeatIntervalMillis how often a node heartbeats every other node
 * @param joinTimeoutMillis how long a joining node keeps trying to reach the member it joins
 *     through before it exits; 0 (the default) keeps trying without limit, as a service started
 *     together with its peers must
 * @param hintDeliveryIntervalMillis how often hints are checked for delivery
 * @param waitForOperator a node joining a cluster that holds data registers and waits for an
 *     operator's AddStorageNode instead of being added (and streamed its ranges) at once
 */
public record MembershipSettings(long heartbeatIntervalMillis, long joinTimeoutMillis,
                                 long hintDeliveryIntervalMillis, boolean waitForOperator) {

    public static final MembershipSettings DEFAULTS = new MembershipSettings(500, 0, 1_000,
            false);
}
