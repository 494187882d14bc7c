package io.cairndb.storage;

import static org.assertj.core.api.Assertions.assertThat;

import io.cairndb.core.Version;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RecentVersionsTest {

    private static ByteBuffer key(String name) {
        return ByteBuffer.wrap(name.getBytes(StandardCharsets.UTF_8));
    }

    private static Version version(int valueBytes, long hlc) {
        return Version.write(new byte[valueBytes], "n1", hlc);
    }

    private static Map<ByteBuffer, Version> batch(Object... keysAndVersions) {
        Map<ByteBuffer, Version> batch = new LinkedHashMap<>();
        for (int i = 0; i < keysAndVersions.length; i += 2) {
            batch.put(key((String) keysAndVersions[i]), (Version) keysAndVersions[i + 1]);
        }
        return batch;
    }

    @Test
    void remembersCommittedVersionsAndForgetsUnknownKeys() {
        RecentVersions recent = new RecentVersions(1 << 20);
        Version a = version(10, 1);
        recent.committed(batch("a", a));
        assertThat(recent.get(key("a"))).isEqualTo(a);
        assertThat(recent.get(key("b"))).isNull();
    }

    @Test
    void aNewerVersionReplacesTheOldOneAndItsBytes() {
        RecentVersions recent = new RecentVersions(1 << 20);
        recent.committed(batch("a", version(1000, 1)));
        long oneEntry = recent.bytes();
        Version second = version(1000, 2);
        recent.committed(batch("a", second));
        assertThat(recent.get(key("a"))).isEqualTo(second);
        assertThat(recent.size()).isEqualTo(1);
        assertThat(recent.bytes()).isEqualTo(oneEntry);
    }

    @Test
    void dropsTheLeastRecentlyUsedPastItsBudget() {
        RecentVersions probe = new RecentVersions(Long.MAX_VALUE);
        probe.committed(batch("a", version(1000, 1)));
        long oneEntry = probe.bytes();

        RecentVersions recent = new RecentVersions(2 * oneEntry);
        recent.committed(batch("a", version(1000, 1), "b", version(1000, 2)));
        recent.get(key("a"));  // "b" is now the least recently used
        recent.committed(batch("c", version(1000, 3)));

        assertThat(recent.get(key("b"))).isNull();
        assertThat(recent.get(key("a"))).isNotNull();
        assertThat(recent.get(key("c"))).isNotNull();
        assertThat(recent.bytes()).isLessThanOrEqualTo(2 * oneEntry);
    }

    @Test
    void aVersionLargerThanTheBudgetIsNotKept() {
        RecentVersions recent = new RecentVersions(500);
        recent.committed(batch("big", version(4096, 1)));
        assertThat(recent.get(key("big"))).isNull();
        assertThat(recent.bytes()).isZero();
    }
}
