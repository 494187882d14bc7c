package io.cairndb.server.coordinator;

import com.google.protobuf.ByteString;
import io.cairndb.api.RangeQueryItem;
import io.cairndb.api.RangeQueryResponse;
import io.cairndb.core.ConsistencyLevel;
import io.cairndb.core.Ring;
import io.cairndb.core.Version;
import io.cairndb.core.VersionResolver;
import io.cairndb.server.control.TenantInfo;
import io.cairndb.storage.KeyEntry;
import io.cairndb.storage.KeyScan;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;

/**
 * Merges the key-ordered pages that storage nodes return for one RangeQuery page into a single
 * page. Each node returns at most a page, so the merge holds at most a page per node. A node's
 * page ends at its last key, and keys past the smallest such end are dropped (they are fetched
 * again with the next page). Copies of a key from several replicas are resolved as a read would
 * resolve them.
 */
final class RangeMerge {

    private final TenantInfo tenant;
    private final ConsistencyLevel level;
    private final int limit;
    private final long bytesMax;
    private final Ring ring;
    private final VersionResolver resolver;

    RangeMerge(TenantInfo tenant, ConsistencyLevel level, int limit, long bytesMax, Ring ring,
               VersionResolver resolver) {
        this.tenant = tenant;
        this.level = level;
        this.limit = limit;
        this.bytesMax = bytesMax;
        this.ring = ring;
        this.resolver = resolver;
    }

    /** The scans that succeeded within the timeout, by node; failures are left out. */
    static CompletableFuture<Map<String, KeyScan>> collect(
            Map<String, CompletableFuture<KeyScan>> scans, long timeoutMillis) {
        Map<String, KeyScan> answered = new LinkedHashMap<>();
        CompletableFuture<?>[] settled = scans.entrySet().stream()
                .map(entry -> entry.getValue()
                        .orTimeout(timeoutMillis, java.util.concurrent.TimeUnit.MILLISECONDS)
                        .handle((scan, error) -> {
                            if (error == null) {
                                synchronized (answered) {
                                    answered.put(entry.getKey(), scan);
                                }
                            }
                            return null;
                        }))
                .toArray(CompletableFuture<?>[]::new);
        return CompletableFuture.allOf(settled).thenApply(ignored -> answered);
    }

    RangeQueryResponse page(Map<String, KeyScan> answered) {
        checkConsistency(answered);
        byte[] bound = null;
        for (KeyScan scan : answered.values()) {
            if (!scan.exhausted() && (bound == null
                    || Arrays.compareUnsigned(scan.resumeAfter(), bound) < 0)) {
                bound = scan.resumeAfter();
            }
        }
        TreeMap<byte[], Version> merged = new TreeMap<>(Arrays::compareUnsigned);
        for (KeyScan scan : answered.values()) {
            for (KeyEntry entry : scan.entries()) {
                if (bound == null || Arrays.compareUnsigned(entry.key(), bound) <= 0) {
                    merged.merge(entry.key(), entry.version(), resolver::resolve);
                }
            }
        }
        RangeQueryResponse.Builder response = RangeQueryResponse.newBuilder().setSuccess(true);
        int items = 0;
        long bytes = 0;
        byte[] lastCovered = null;
        boolean truncated = false;
        for (Map.Entry<byte[], Version> entry : merged.entrySet()) {
            Version version = entry.getValue();
            if (!version.isTombstone()) {
                long size = entry.getKey().length + version.value().length;
                if (items == limit || (items > 0 && bytes + size > bytesMax)) {
                    truncated = true;
                    break;
                }
                response.addItems(RangeQueryItem.newBuilder()
                        .setKey(new String(entry.getKey(), StandardCharsets.UTF_8))
                        .setValue(ByteString.copyFrom(version.value()))
                        .setVectorClock(ClientClocks.toProto(version.clock())));
                items++;
                bytes += size;
            }
            lastCovered = entry.getKey();
        }
        byte[] resumeAfter = truncated ? lastCovered : bound;
        if (resumeAfter != null) {
            response.setNextPageToken(PageTokens.encode(tenant.tenantId(), resumeAfter));
        }
        return response.build();
    }

    /**
     * Every replica set of the ring must have enough members among the nodes that answered, or
     * keys held only by the silent ones could be missing from the page without anyone knowing.
     */
    private void checkConsistency(Map<String, KeyScan> answered) {
        for (List<String> replicas : ring.replicaSets(tenant.replicationFactor())) {
            int required = level.required(replicas.size());
            long present = replicas.stream().filter(answered::containsKey).count();
            if (present < required) {
                throw new QuorumNotReachedException("range query needs " + required + " of "
                        + "replicas " + replicas + " at consistency " + level.wireName()
                        + ", but only " + present + " answered", (int) present);
            }
        }
    }
}
