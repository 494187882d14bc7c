package io.cairndb.server.migration;

import io.cairndb.core.Migration;
import io.cairndb.core.MigrationPlan.TokenRange;
import io.cairndb.core.MovedKeys;
import io.cairndb.core.Placement;
import io.cairndb.server.control.ClusterMetadata;
import io.cairndb.server.control.MetadataStore;
import io.cairndb.server.control.TenantInfo;
import io.cairndb.storage.DataStore;
import io.cairndb.storage.NodeMetadata;
import io.cairndb.storage.RangeReader;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Deletes the keys this node holds without right: it is neither their replica nor a pending
 * one. That is what a node keeps of ranges that moved away (node added, node removed, replication
 * factor lowered) and what a cancelled migration left on its target. Runs on demand
 * ({@code cairn node cleanup}) and by itself once a migration has ended and its grace period has
 * passed, while no migration runs.
 *
 * <p>Each key is checked against the latest metadata as it is reached, and deleted only if its
 * stored version is still the one read: a write that lands meanwhile is kept.
 */
final class Cleanup {

    private static final Logger LOG = LoggerFactory.getLogger(Cleanup.class);

    /** The end time of the newest migration whose leftovers were cleaned, in this node's metadata. */
    static final String CLEANED_THROUGH = "cleanup/through";
    private static final TokenRange EVERY_TOKEN = new TokenRange(Long.MAX_VALUE, Long.MAX_VALUE);
    private static final int PAGE_ITEMS = 1024;

    private final String self;
    private final MetadataStore metadata;
    private final DataStore data;
    private final NodeMetadata local;
    private final RangeReader reader;
    private final LongSupplier wallMillis;
    /** {@link #CLEANED_THROUGH} as stored; read once, then kept in step with what is written. */
    private volatile long cleanedThrough = -1;

    Cleanup(String self, MetadataStore metadata, DataStore data, NodeMetadata local,
            RangeReader reader, LongSupplier wallMillis) {
        this.self = self;
        this.metadata = metadata;
        this.data = data;
        this.local = local;
        this.reader = reader;
        this.wallMillis = wallMillis;
    }

    /**
     * Whether a migration ended more than {@code graceMillis} ago and was not cleaned up after,
     * and none is running or waiting now.
     */
    boolean due(ClusterMetadata view, long graceMillis) {
        long through = cleanedThrough();
        long now = wallMillis.getAsLong();
        boolean ended = false;
        for (Migration migration : view.migrations()) {
            if (!migration.finished()) {
                return false;
            }
            ended |= migration.finishedAtMillis() > through
                    && migration.finishedAtMillis() + graceMillis <= now;
        }
        return ended;
    }

    /** Deletes every key this node holds without right; the number deleted. */
    long run() {
        ClusterMetadata started = metadata.current();
        long through = started.migrations().stream().filter(Migration::finished)
                .mapToLong(Migration::finishedAtMillis).max().orElse(0);
        long deleted = 0;
        for (TenantInfo tenant : started.tenants().values()) {
            deleted += cleanTenant(tenant.tenantId());
        }
        if (through > cleanedThrough()) {
            local.put(CLEANED_THROUGH, ByteBuffer.allocate(8).putLong(through).array());
            cleanedThrough = through;
        }
        LOG.info("cleanup deleted {} keys this node no longer owns", deleted);
        return deleted;
    }

    private long cleanTenant(String tenantId) {
        long deleted = 0;
        long afterToken = 0;
        byte[] afterKey = null;
        while (true) {
            MovedKeys.Chunk chunk = reader.readVersions(tenantId, EVERY_TOKEN, afterToken,
                    afterKey, PAGE_ITEMS, Long.MAX_VALUE);
            ClusterMetadata view = metadata.current();
            TenantInfo tenant = view.tenant(tenantId);
            if (tenant == null) {
                return deleted;
            }
            Placement placement = view.placement();
            List<CompletableFuture<?>> purges = new ArrayList<>();
            for (MovedKeys.Entry entry : chunk.entries()) {
                if (!placement.holds(self, tenantId, tenant.replicationFactor(), entry.token())) {
                    purges.add(data.purge(tenantId, entry.key(), entry.token(), entry.version()));
                    deleted++;
                }
            }
            CompletableFuture.allOf(purges.toArray(new CompletableFuture<?>[0])).join();
            if (chunk.exhausted()) {
                return deleted;
            }
            afterToken = chunk.resumeToken();
            afterKey = chunk.resumeKey();
        }
    }

    private long cleanedThrough() {
        if (cleanedThrough < 0) {
            byte[] stored = local.get(CLEANED_THROUGH);
            cleanedThrough = stored == null ? 0 : ByteBuffer.wrap(stored).getLong();
        }
        return cleanedThrough;
    }
}
