package io.cairndb.server.coordinator;

import com.google.protobuf.ByteString;
import io.cairndb.api.RangeQueryItem;
import io.cairndb.api.RangeQueryResponse;
import io.cairndb.core.ConsistencyLevel;
import io.cairndb.core.KeyEntry;
import io.cairndb.core.KeyScan;
import io.cairndb.core.Ring;
import io.cairndb.core.ScanMerge;
import io.cairndb.core.VersionResolver;
import io.cairndb.server.control.TenantInfo;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * Drives one RangeQuery page: collects the pages storage nodes answer within the timeout, lets
 * {@link ScanMerge} decide the page (or the refusal), and writes it as the seed's response.
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
        ScanMerge.Result result = ScanMerge.merge(answered,
                ring.replicaSets(tenant.replicationFactor()), level, limit, bytesMax, resolver);
        if (result instanceof ScanMerge.TooFewAnswered refused) {
            throw new QuorumNotReachedException(refused.message(), refused.present());
        }
        ScanMerge.Page page = (ScanMerge.Page) result;
        RangeQueryResponse.Builder response = RangeQueryResponse.newBuilder().setSuccess(true);
        for (KeyEntry entry : page.items()) {
            response.addItems(RangeQueryItem.newBuilder()
                    .setKey(new String(entry.key(), StandardCharsets.UTF_8))
                    .setValue(ByteString.copyFrom(entry.version().value()))
                    .setVectorClock(ClientClocks.toProto(entry.version().clock())));
        }
        if (page.resumeAfter() != null) {
            response.setNextPageToken(PageTokens.encode(tenant.tenantId(), page.resumeAfter()));
        }
        return response.build();
    }
}
