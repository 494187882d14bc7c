package io.cairndb.client;

import java.util.List;
import java.util.Objects;

/**
 * One page of a range query.
 *
 * @param items live keys in key order
 * @param nextPageToken the opaque token that asks for the next page; empty when the range is
 *     exhausted
 */
public record RangePage(List<KeyValue> items, String nextPageToken) {

    public RangePage {
        items = List.copyOf(items);
        Objects.requireNonNull(nextPageToken, "nextPageToken");
    }

    /** Whether the range holds more keys after this page. */
    public boolean hasMore() {
        return !nextPageToken.isEmpty();
    }
}
