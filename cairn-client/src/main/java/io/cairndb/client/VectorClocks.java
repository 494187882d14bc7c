package io.cairndb.client;

import io.cairndb.api.VectorClock;
import io.cairndb.api.VectorClockEntry;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/** Vector clocks as the client shows them: node id to counter, in the order the server sent. */
final class VectorClocks {

    private VectorClocks() {
    }

    static Map<String, Long> fromWire(VectorClock clock) {
        Map<String, Long> entries = new LinkedHashMap<>();
        for (VectorClockEntry entry : clock.getEntriesList()) {
            entries.merge(entry.getCoordinatorNodeId(), entry.getLogicalTimestamp(), Math::max);
        }
        return Collections.unmodifiableMap(entries);
    }

    /** An unmodifiable copy that keeps the given order. */
    static Map<String, Long> copy(Map<String, Long> clock) {
        Objects.requireNonNull(clock, "vectorClock");
        return Collections.unmodifiableMap(new LinkedHashMap<>(clock));
    }
}
