package io.cairndb.server.common;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

// Proves that the node's fixed limits keep the relations ServerLimits states between them.
class ServerLimitsTest {

    @Test
    void everyRelationBetweenTheLimitsHolds() {
        assertThat(ServerLimits.brokenRelations()).isEmpty();
    }
}
