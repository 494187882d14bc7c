package io.cairndb.server.replica;

import io.cairndb.core.Mutation;
import java.util.List;

/**
 * Where a hint goes once data has moved: to the node it was kept for while that node still holds
 * the key's range, else to the key's owners now, so a write a removed node missed, or one kept
 * for a range that moved away, reaches the nodes that serve the key.
 */
public interface HintRouting {

    /** Delivers every hint to the node it was kept for. */
    HintRouting UNCHANGED = new HintRouting() {
        @Override
        public List<String> targets(String node, Mutation mutation) {
            return List.of(node);
        }

        @Override
        public boolean gone(String node) {
            return false;
        }
    };

    /** The nodes a hint kept for {@code node} must now reach. */
    List<String> targets(String node, Mutation mutation);

    /** Whether {@code node} holds no data any more, so its hints go elsewhere even while it is down. */
    boolean gone(String node);
}
