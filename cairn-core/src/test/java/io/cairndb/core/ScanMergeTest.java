package io.cairndb.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ScanMergeTest {

    private static final List<List<String>> SETS = List.of(List.of("a", "b", "c"));

    private static byte[] key(String key) {
        return key.getBytes(StandardCharsets.UTF_8);
    }

    private static KeyEntry write(String key, String value, String node, long hlc) {
        return new KeyEntry(key(key), 0, Version.write(key(value), node, hlc));
    }

    private static KeyEntry deleted(String key, String node, long hlc) {
        return new KeyEntry(key(key), 0, Version.tombstone(node, hlc));
    }

    private static KeyScan page(String resumeAfter, KeyEntry... entries) {
        return new KeyScan(List.of(entries), resumeAfter == null ? null : key(resumeAfter));
    }

    private static ScanMerge.Result merge(Map<String, KeyScan> answered, ConsistencyLevel level,
                                          int limit, long bytesMax) {
        return ScanMerge.merge(answered, SETS, level, limit, bytesMax, VersionResolver.DEFAULT);
    }

    private static List<String> items(ScanMerge.Result result) {
        assertThat(result).isInstanceOf(ScanMerge.Page.class);
        return ((ScanMerge.Page) result).items().stream().map(entry -> new String(entry.key(),
                StandardCharsets.UTF_8) + "=" + new String(entry.version().value(),
                StandardCharsets.UTF_8)).toList();
    }

    private static String resumeAfter(ScanMerge.Result result) {
        byte[] resume = ((ScanMerge.Page) result).resumeAfter();
        return resume == null ? null : new String(resume, StandardCharsets.UTF_8);
    }

    @Test
    void copiesOfAKeyResolveAsAReadWouldAndDeletedKeysAreLeftOut() {
        Map<String, KeyScan> answered = new LinkedHashMap<>();
        answered.put("a", page(null, write("k1", "old", "a", 10), write("k2", "v2", "a", 10)));
        answered.put("b", page(null, write("k1", "new", "b", 20), deleted("k2", "b", 30)));

        ScanMerge.Result result = merge(answered, ConsistencyLevel.QUORUM, 10, Long.MAX_VALUE);

        assertThat(items(result)).containsExactly("k1=new");
        assertThat(resumeAfter(result)).isNull();
    }

    @Test
    void keysPastTheShortestUnfinishedPageWaitForTheNextPage() {
        Map<String, KeyScan> answered = new LinkedHashMap<>();
        answered.put("a", page("k2", write("k1", "v", "a", 1), write("k2", "v", "a", 1)));
        answered.put("b", page(null, write("k1", "v", "b", 1), write("k3", "v", "b", 1)));

        ScanMerge.Result result = merge(answered, ConsistencyLevel.QUORUM, 10, Long.MAX_VALUE);

        // k3 may have a newer copy on a, which a has not reached yet.
        assertThat(items(result)).containsExactly("k1=v", "k2=v");
        assertThat(resumeAfter(result)).isEqualTo("k2");
    }

    @Test
    void aPageEndsAtItsLimitOrItsBytesAndResumesAfterTheLastKeyItCovered() {
        Map<String, KeyScan> answered = new LinkedHashMap<>();
        answered.put("a", page(null, write("k1", "v1", "a", 1), deleted("k2", "a", 2),
                write("k3", "v3", "a", 1), write("k4", "v4", "a", 1)));
        answered.put("b", page(null));

        ScanMerge.Result byLimit = merge(answered, ConsistencyLevel.QUORUM, 1, Long.MAX_VALUE);
        assertThat(items(byLimit)).containsExactly("k1=v1");
        // The tombstone at k2 is covered too: the next page starts after it.
        assertThat(resumeAfter(byLimit)).isEqualTo("k2");

        ScanMerge.Result byBytes = merge(answered, ConsistencyLevel.QUORUM, 10, 8);
        assertThat(items(byBytes)).containsExactly("k1=v1", "k3=v3");
        assertThat(resumeAfter(byBytes)).isEqualTo("k3");

        ScanMerge.Result oneAtLeast = merge(answered, ConsistencyLevel.QUORUM, 10, 1);
        assertThat(items(oneAtLeast)).containsExactly("k1=v1");
    }

    @Test
    void aReplicaSetWithTooFewAnswersIsRefusedNamingIt() {
        Map<String, KeyScan> answered = Map.of("a", page(null, write("k1", "v", "a", 1)));

        ScanMerge.Result result = merge(answered, ConsistencyLevel.QUORUM, 10, Long.MAX_VALUE);

        assertThat(result).isInstanceOf(ScanMerge.TooFewAnswered.class);
        ScanMerge.TooFewAnswered refused = (ScanMerge.TooFewAnswered) result;
        assertThat(refused.present()).isEqualTo(1);
        assertThat(refused.message()).isEqualTo("range query needs 2 of replicas [a, b, c] at "
                + "consistency quorum, but only 1 answered");
        assertThat(items(merge(answered, ConsistencyLevel.ONE, 10, Long.MAX_VALUE)))
                .containsExactly("k1=v");
    }

    @Test
    void theMergeDoesNotDependOnTheOrderAnswersArrived() {
        KeyScan first = page(null, write("k1", "x", "a", 5), write("k2", "y", "a", 9));
        KeyScan second = page(null, write("k1", "z", "b", 7), write("k2", "w", "b", 3));
        Map<String, KeyScan> one = new LinkedHashMap<>();
        one.put("a", first);
        one.put("b", second);
        Map<String, KeyScan> other = new LinkedHashMap<>();
        other.put("b", second);
        other.put("a", first);

        assertThat(items(merge(one, ConsistencyLevel.QUORUM, 10, Long.MAX_VALUE)))
                .isEqualTo(items(merge(other, ConsistencyLevel.QUORUM, 10, Long.MAX_VALUE)))
                .containsExactly("k1=z", "k2=y");
    }
}
