package io.cairndb.ycsb;

import io.cairndb.client.CairnClient;
import io.cairndb.client.CairnException;
import io.cairndb.client.CairnTimeoutException;
import io.cairndb.client.CairnUnavailableException;
import io.cairndb.client.Consistency;
import io.cairndb.client.KeyNotFoundException;
import io.cairndb.client.KeyValue;
import io.cairndb.client.RangePage;
import io.cairndb.client.TenantExistsException;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.Vector;
import site.ycsb.ByteArrayByteIterator;
import site.ycsb.ByteIterator;
import site.ycsb.DB;
import site.ycsb.DBException;
import site.ycsb.Status;

/**
 * The YCSB binding of CairnDB: {@code -db io.cairndb.ycsb.CairnDbClient}.
 *
 * <p>A YCSB table is a tenant (override with {@code cairn.tenant}); a YCSB record is one key whose
 * value holds all its fields in {@link RecordCodec}'s encoding. So:
 *
 * <ul>
 *   <li>insert writes the whole record;</li>
 *   <li>read reads it and returns the fields asked for (all when YCSB passes none);</li>
 *   <li>update reads the record, replaces the given fields and writes it back: a read-modify-write
 *       that, like every concurrent write in CairnDB, is last-writer-wins, so two updates of one
 *       record at the same moment can lose one update's fields;</li>
 *   <li>delete writes a tombstone;</li>
 *   <li>scan is a range query from the start key, paging until it has the count asked for.</li>
 * </ul>
 *
 * <p>YCSB makes one instance per client thread. All instances of a process share one {@link
 * CairnClient} (one channel): it is thread-safe, and a channel per thread would only add
 * connections.
 *
 * <p>Properties ({@code -p name=value}):
 * <ul>
 *   <li>{@code cairn.target}: host:port of a node, default {@value #TARGET_DEFAULT}</li>
 *   <li>{@code cairn.tenant}: the tenant for every table; default: the table's name</li>
 *   <li>{@code cairn.rf}: RF of a tenant the binding creates; default 0 (the server's)</li>
 *   <li>{@code cairn.readConsistency}, {@code cairn.writeConsistency}: one, quorum or all;
 *       default quorum</li>
 *   <li>{@code cairn.deadlineMillis}: each call's deadline, default 10000</li>
 * </ul>
 */
public class CairnDbClient extends DB {

    public static final String TARGET_DEFAULT = "127.0.0.1:7070";

    private static final Object SHARED_LOCK = new Object();
    private static CairnClient shared;
    private static int sharedUsers;

    private CairnClient client;
    private String tenantOverride;
    private Consistency readConsistency;
    private Consistency writeConsistency;

    @Override
    public void init() throws DBException {
        Properties properties = getProperties();
        String target = properties.getProperty("cairn.target", TARGET_DEFAULT);
        tenantOverride = properties.getProperty("cairn.tenant");
        int replicationFactor;
        Duration deadline;
        try {
            readConsistency = Consistency.parse(properties.getProperty("cairn.readConsistency",
                    "quorum"));
            writeConsistency = Consistency.parse(properties.getProperty(
                    "cairn.writeConsistency", "quorum"));
            replicationFactor = Integer.parseInt(properties.getProperty("cairn.rf", "0"));
            deadline = Duration.ofMillis(Long.parseLong(properties.getProperty(
                    "cairn.deadlineMillis", "10000")));
        } catch (IllegalArgumentException e) {
            throw new DBException("cairn binding: " + e.getMessage(), e);
        }
        synchronized (SHARED_LOCK) {
            if (shared == null) {
                try {
                    shared = CairnClient.builder().target(target).deadline(deadline).build();
                } catch (RuntimeException e) {
                    throw new DBException("cairn binding: cannot reach " + target + ": "
                            + e.getMessage(), e);
                }
            }
            sharedUsers++;
            client = shared;
        }
        String tenant = tenantOverride != null ? tenantOverride
                : properties.getProperty("table", "usertable");
        try {
            client.createTenant(tenant, replicationFactor);
        } catch (TenantExistsException e) {
            // Another thread, or an earlier load phase, created it.
        } catch (CairnException e) {
            throw new DBException("cairn binding: cannot create tenant '" + tenant + "': "
                    + e.getMessage(), e);
        }
    }

    @Override
    public void cleanup() {
        synchronized (SHARED_LOCK) {
            if (client == null) {
                return;
            }
            client = null;
            if (--sharedUsers == 0) {
                shared.close();
                shared = null;
            }
        }
    }

    private String tenant(String table) {
        return tenantOverride != null ? tenantOverride : table;
    }

    @Override
    public Status read(String table, String key, Set<String> fields,
            Map<String, ByteIterator> result) {
        try {
            byte[] value = client.read(tenant(table), key, readConsistency).value();
            putFields(RecordCodec.decode(value), fields, result);
            return Status.OK;
        } catch (RuntimeException e) {
            return status(e);
        }
    }

    @Override
    public Status scan(String table, String startKey, int recordCount, Set<String> fields,
            Vector<HashMap<String, ByteIterator>> result) {
        try {
            String pageToken = "";
            while (result.size() < recordCount) {
                RangePage page = client.rangeQuery(tenant(table), startKey, null,
                        Math.min(recordCount - result.size(), 1000), pageToken,
                        readConsistency);
                for (KeyValue item : page.items()) {
                    if (result.size() == recordCount) {
                        break;
                    }
                    HashMap<String, ByteIterator> record = new HashMap<>();
                    putFields(RecordCodec.decode(item.value()), fields, record);
                    result.add(record);
                }
                if (!page.hasMore()) {
                    break;
                }
                pageToken = page.nextPageToken();
            }
            return Status.OK;
        } catch (RuntimeException e) {
            return status(e);
        }
    }

    @Override
    public Status update(String table, String key, Map<String, ByteIterator> values) {
        try {
            Map<String, byte[]> record;
            try {
                record = RecordCodec.decode(client.read(tenant(table), key, readConsistency)
                        .value());
            } catch (KeyNotFoundException e) {
                return Status.NOT_FOUND;
            }
            for (Map.Entry<String, ByteIterator> field : values.entrySet()) {
                record.put(field.getKey(), field.getValue().toArray());
            }
            client.write(tenant(table), key, RecordCodec.encode(record), writeConsistency);
            return Status.OK;
        } catch (RuntimeException e) {
            return status(e);
        }
    }

    @Override
    public Status insert(String table, String key, Map<String, ByteIterator> values) {
        try {
            Map<String, byte[]> record = new HashMap<>();
            for (Map.Entry<String, ByteIterator> field : values.entrySet()) {
                record.put(field.getKey(), field.getValue().toArray());
            }
            client.write(tenant(table), key, RecordCodec.encode(record), writeConsistency);
            return Status.OK;
        } catch (RuntimeException e) {
            return status(e);
        }
    }

    @Override
    public Status delete(String table, String key) {
        try {
            client.delete(tenant(table), key, writeConsistency);
            return Status.OK;
        } catch (RuntimeException e) {
            return status(e);
        }
    }

    private static void putFields(Map<String, byte[]> record, Set<String> fields,
            Map<String, ByteIterator> result) {
        for (Map.Entry<String, byte[]> field : record.entrySet()) {
            if (fields == null || fields.contains(field.getKey())) {
                result.put(field.getKey(), new ByteArrayByteIterator(field.getValue()));
            }
        }
    }

    /** YCSB's status for a failed call; the measurement counts each status separately. */
    static Status status(RuntimeException failure) {
        if (failure instanceof KeyNotFoundException) {
            return Status.NOT_FOUND;
        }
        if (failure instanceof CairnUnavailableException
                || failure instanceof CairnTimeoutException) {
            return Status.SERVICE_UNAVAILABLE;
        }
        if (failure instanceof CairnException cairn) {
            return new Status(cairn.code().name(), failure.getMessage());
        }
        return new Status("ERROR", failure.toString());
    }
}
