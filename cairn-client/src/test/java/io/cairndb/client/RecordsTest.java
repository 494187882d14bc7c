package io.cairndb.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

// Proves the result records are immutable values: copied arrays, ordered clocks, value equality.
class RecordsTest {

    @Test
    void readResultCopiesItsValueInAndOut() {
        byte[] value = "abc".getBytes(StandardCharsets.UTF_8);
        ReadResult read = new ReadResult("k", value, Map.of("n1", 1L), 1, "one");

        value[0] = 'X';
        read.value()[1] = 'Y';

        assertThat(read.valueAsString()).isEqualTo("abc");
        assertThat(read).isEqualTo(new ReadResult("k", "abc".getBytes(StandardCharsets.UTF_8),
                Map.of("n1", 1L), 1, "one"));
        assertThat(read.hashCode()).isEqualTo(new ReadResult("k",
                "abc".getBytes(StandardCharsets.UTF_8), Map.of("n1", 1L), 1, "one").hashCode());
        assertThat(read.toString()).contains("3 bytes");
    }

    @Test
    void vectorClockKeepsTheServersOrderAndCannotChange() {
        Map<String, Long> clock = new LinkedHashMap<>();
        clock.put("n2", 5L);
        clock.put("n1", 9L);
        WriteResult written = new WriteResult("k", "i", clock, 2, "quorum", false);
        clock.put("n3", 1L);

        assertThat(written.vectorClock().keySet()).containsExactly("n2", "n1");
        assertThatThrownBy(() -> written.vectorClock().put("n9", 1L))
                .isInstanceOf(UnsupportedOperationException.class);
    }

    @Test
    void keyValueComparesByContent() {
        KeyValue a = new KeyValue("k", new byte[] {1, 2}, Map.of());

        assertThat(a).isEqualTo(new KeyValue("k", new byte[] {1, 2}, Map.of()));
        assertThat(a).isNotEqualTo(new KeyValue("k", new byte[] {1, 3}, Map.of()));
    }

    @Test
    void batchDeleteCarriesNoValue() {
        assertThat(BatchItem.delete("k").value()).isEmpty();
        assertThat(BatchItem.delete("k").delete()).isTrue();
        assertThat(BatchItem.put("k", "v")).isEqualTo(BatchItem.put("k", new byte[] {'v'}));
        assertThatThrownBy(() -> new BatchItem("k", new byte[] {1}, true, null))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void rangePageHasMoreWhileItHasAToken() {
        assertThat(new RangePage(List.of(), "t").hasMore()).isTrue();
        assertThat(new RangePage(List.of(), "").hasMore()).isFalse();
    }

    @Test
    void consistencyParsesTheContractsStringsIgnoringCase() {
        assertThat(Consistency.parse("QUORUM")).isEqualTo(Consistency.QUORUM);
        assertThat(Consistency.parse("one").wireName()).isEqualTo("one");
        assertThat(Consistency.ALL).hasToString("all");
        assertThatThrownBy(() -> Consistency.parse("most"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("consistency must be one, quorum or all, was 'most'");
    }
}
