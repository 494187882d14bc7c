package io.cairndb.server.migration;

import io.cairndb.api.peer.FetchRangeRequest;
import io.cairndb.api.peer.FetchRangeResponse;
import io.cairndb.core.MigrationPlan.TokenRange;
import io.cairndb.core.MovedKeys;
import io.cairndb.core.Validation;
import io.cairndb.server.common.ServerLimits;
import io.cairndb.server.replica.RangeSource;
import io.cairndb.storage.RangeReader;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.function.LongSupplier;

/**
 * The source side of a migration: reads the chunk a target asks for from this node's storage,
 * off the transport threads, bounded by the request's limits and by this node's own.
 */
public final class RangeService implements RangeSource {

    private final RangeReader reader;
    private final Executor executor;
    private final LongSupplier wallMillis;

    public RangeService(RangeReader reader, Executor executor, LongSupplier wallMillis) {
        this.reader = reader;
        this.executor = executor;
        this.wallMillis = wallMillis;
    }

    @Override
    public CompletableFuture<FetchRangeResponse> fetch(FetchRangeRequest request) {
        try {
            Validation.tenantId(request.getTenantId());
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(new IllegalArgumentException(e.getMessage()));
        }
        if (!request.getMeasureOnly() && (request.getItemsMax() < 1 || request.getBytesMax() < 1)) {
            return CompletableFuture.failedFuture(new IllegalArgumentException(
                    "items_max and bytes_max must be positive"));
        }
        if (request.getRangesCount() == 0 || request.getRangeIndex() < 0
                || request.getRangeIndex() > request.getRangesCount()) {
            return CompletableFuture.failedFuture(new IllegalArgumentException(
                    "ranges must not be empty and range_index must be within them"));
        }
        List<TokenRange> ranges = new ArrayList<>(request.getRangesCount());
        request.getRangesList().forEach(span -> ranges.add(new TokenRange(
                span.getFromExclusive(), span.getToInclusive())));
        return CompletableFuture.supplyAsync(() -> {
            if (request.getMeasureOnly()) {
                MovedKeys.Size size = reader.measure(request.getTenantId(), ranges);
                return FetchRangeResponse.newBuilder().setExhausted(true).setKeys(size.keys())
                        .setBytes(size.bytes()).build();
            }
            return MovedCodec.toProto(reader.read(request.getTenantId(), ranges,
                    request.getRangeIndex(), request.getAfterToken(),
                    request.getResume() ? request.getAfterKey().toByteArray() : null,
                    Math.min(request.getItemsMax(), ServerLimits.MIGRATION_CHUNK_ITEMS_MAX),
                    Math.min(request.getBytesMax(), ServerLimits.MIGRATION_CHUNK_BYTES_MAX), wallMillis.getAsLong()));
        }, executor);
    }
}
