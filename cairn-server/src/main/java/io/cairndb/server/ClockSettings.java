package io.cairndb.server;

/**
 * How far apart the nodes' clocks may be.
 *
 * @param maxOffsetMillis the most a node's clock may differ from a majority of the cluster's
 *     before it stops coordinating writes; also the most a hybrid-clock reading from elsewhere
 *     may be ahead of this node's clock and still be adopted
 */
public record ClockSettings(long maxOffsetMillis) {

    public static final ClockSettings DEFAULTS = new ClockSettings(500);
}
