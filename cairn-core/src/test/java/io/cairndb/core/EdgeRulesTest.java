package io.cairndb.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.cairndb.testkit.Property;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

// Proves input validation, consistency arithmetic, quorum tracking and token encoding rules.
class EdgeRulesTest {

    private final Validation validation = new Validation(Limits.DEFAULTS);

    @Test
    void tenantIdsFollowThePattern() {
        assertThat(Validation.tenantId("acme-prod_1")).isEqualTo("acme-prod_1");
        for (String bad : new String[] {"", "Acme", "-acme", "a b", "a".repeat(64), "ä"}) {
            assertThatThrownBy(() -> Validation.tenantId(bad))
                    .isInstanceOfSatisfying(CairnException.class,
                            e -> assertThat(e.code()).isEqualTo(ErrorCode.INVALID_REQUEST))
                    .hasMessageContaining("tenant_id");
        }
        assertThat(Validation.tenantId("a".repeat(63))).hasSize(63);
    }

    @Test
    void nodeIdsFollowThePattern() {
        for (String good : new String[] {"n1", "node-4daed8c2", "A.b_c-d", "7",
                "a".repeat(Validation.NODE_ID_LENGTH_MAX)}) {
            assertThat(Validation.NODE_ID.matcher(good).matches()).as(good).isTrue();
        }
        for (String bad : new String[] {"", "-n1", ".n1", "_n1", "n 1", "n/1", "ä",
                "a".repeat(Validation.NODE_ID_LENGTH_MAX + 1)}) {
            assertThat(Validation.NODE_ID.matcher(bad).matches()).as(bad).isFalse();
        }
    }

    @Test
    void keysAreOneTo1024BytesOfUtf8() {
        assertThat(validation.key("k")).hasSize(1);
        assertThat(validation.key("é".repeat(512))).hasSize(1024);
        assertThatThrownBy(() -> validation.key("")).hasMessageContaining("key is empty");
        assertThatThrownBy(() -> validation.key("é".repeat(513)))
                .hasMessageContaining("key is 1026 bytes; the limit is 1024");
    }

    @Test
    void valuesAreBounded() {
        validation.value(new byte[Limits.VALUE_SIZE_BYTES_MAX]);
        assertThatThrownBy(() -> validation.value(new byte[Limits.VALUE_SIZE_BYTES_MAX + 1]))
                .hasMessageContaining("value is 1048577 bytes; the limit is 1048576");
    }

    @Test
    void scanLimitsAreBounded() {
        assertThat(validation.scanLimit(0)).isEqualTo(Limits.SCAN_PAGE_ITEMS_DEFAULT);
        assertThat(validation.scanLimit(7)).isEqualTo(7);
        assertThatThrownBy(() -> validation.scanLimit(-1)).hasMessageContaining("limit is -1");
        assertThatThrownBy(() -> validation.scanLimit(1001)).hasMessageContaining("limit is 1001");
    }

    @Test
    void limitsCheckTheirRelationships() {
        assertThatThrownBy(() -> new Limits(1024, 1024, 10, 1L << 20, 10, 20, 1L << 20, 256))
                .hasMessageContaining("scanPageItemsDefault");
        assertThatThrownBy(() -> new Limits(0, 1024, 10, 1L << 20, 10, 5, 1L << 20, 256))
                .hasMessageContaining("keySizeBytesMax");
    }

    @Test
    void consistencyLevelsParseAndCount() {
        assertThat(ConsistencyLevel.parse("QUORUM", ConsistencyLevel.ONE))
                .isEqualTo(ConsistencyLevel.QUORUM);
        assertThat(ConsistencyLevel.parse("", ConsistencyLevel.ONE)).isEqualTo(ConsistencyLevel.ONE);
        assertThatThrownBy(() -> ConsistencyLevel.parse("most", ConsistencyLevel.ONE))
                .hasMessageContaining("consistency 'most'");
        int[][] expected = {{1, 1, 1, 1}, {2, 1, 2, 2}, {3, 1, 2, 3}, {4, 1, 3, 4}, {5, 1, 3, 5}};
        for (int[] row : expected) {
            assertThat(ConsistencyLevel.ONE.required(row[0])).isEqualTo(row[1]);
            assertThat(ConsistencyLevel.QUORUM.required(row[0])).isEqualTo(row[2]);
            assertThat(ConsistencyLevel.ALL.required(row[0])).isEqualTo(row[3]);
        }
    }

    @Test
    void quorumTrackerDecidesAsSoonAsItCan() {
        QuorumTracker tracker = new QuorumTracker(2, 3);
        assertThat(tracker.acknowledge()).isEqualTo(QuorumTracker.Outcome.PENDING);
        assertThat(tracker.fail()).isEqualTo(QuorumTracker.Outcome.PENDING);
        assertThat(tracker.acknowledge()).isEqualTo(QuorumTracker.Outcome.SUCCEEDED);
        QuorumTracker failing = new QuorumTracker(3, 3);
        assertThat(failing.fail()).isEqualTo(QuorumTracker.Outcome.FAILED);
        assertThatThrownBy(() -> new QuorumTracker(4, 3)).isInstanceOf(
                IllegalArgumentException.class);
    }

    @Test
    void sortableTokenBytesOrderLikeSignedTokens() {
        Property.forAll("sortable token encoding", random -> {
            long a = random.nextLong();
            long b = random.nextInt(4) == 0 ? a + random.nextInt(3) - 1 : random.nextLong();
            byte[] ea = new byte[8];
            byte[] eb = new byte[8];
            Tokens.writeSortable(a, ea, 0);
            Tokens.writeSortable(b, eb, 0);
            assertThat(Integer.signum(Arrays.compareUnsigned(ea, eb)))
                    .isEqualTo(Integer.signum(Long.compare(a, b)));
            assertThat(Tokens.readSortable(ea, 0)).isEqualTo(a);
        });
    }

    @Test
    void tokensSeparateTenantFromKey() {
        assertThat(Tokens.token("ab", "c")).isNotEqualTo(Tokens.token("a", "bc"));
        assertThat(Tokens.token("t", "k")).isEqualTo(Tokens.token("t", "k"));
    }
}
