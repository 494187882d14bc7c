package io.cairndb.server.coordinator;

import io.cairndb.api.VectorClockEntry;
import io.cairndb.core.VectorClock;

/** Vector clocks as the client contract carries them. */
final class ClientClocks {

    private ClientClocks() {
    }

    static io.cairndb.api.VectorClock toProto(VectorClock clock) {
        io.cairndb.api.VectorClock.Builder builder = io.cairndb.api.VectorClock.newBuilder();
        for (int i = 0; i < clock.size(); i++) {
            builder.addEntries(VectorClockEntry.newBuilder()
                    .setCoordinatorNodeId(clock.node(i))
                    .setLogicalTimestamp(clock.counter(i)));
        }
        return builder.build();
    }
}
