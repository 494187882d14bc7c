package io.cairndb.bench.backend;

import io.cairndb.client.CairnClient;
import io.cairndb.client.CairnException;
import io.cairndb.client.CairnTimeoutException;
import io.cairndb.client.CairnUnavailableException;
import io.cairndb.client.Consistency;
import io.cairndb.client.Tenant;
import io.cairndb.client.TenantExistsException;
import io.cairndb.core.Failures;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * CairnDB through the Java SDK's async calls, on its pipeline stream unless {@code --unary}. Reads and writes use one consistency level (quorum
 * unless told otherwise); every write leaves the idempotency key to the server, as a client that
 * names none does.
 */
final class CairnBackend implements Backend {

    static final String TARGET_DEFAULT = "127.0.0.1:7070";

    private final Backends.Settings settings;
    private final String target;
    private final Consistency consistency;
    private final List<CairnClient> clients = new ArrayList<>();
    private final AtomicInteger next = new AtomicInteger();
    private Tenant tenant;
    private boolean tenantCreated;

    CairnBackend(Backends.Settings settings) {
        this.settings = settings;
        this.target = settings.target() != null ? settings.target() : TARGET_DEFAULT;
        this.consistency = settings.consistency() != null
                ? Consistency.parse(settings.consistency()) : Consistency.QUORUM;
        // Several comma-separated targets: calls go round-robin over every coordinator, as a
        // client generated from the contract spreads its unary calls over a cluster's nodes.
        for (String one : target.split(",")) {
            for (int i = 0; i < settings.connections(); i++) {
                clients.add(CairnClient.builder().target(one.trim())
                        .deadline(settings.timeout()).pipelining(!settings.unary()).build());
            }
        }
    }

    @Override
    public String name() {
        return "cairn";
    }

    @Override
    public void prepare() {
        CairnClient client = clients.get(0);
        try {
            tenant = client.createTenant(settings.tenant(), settings.replicationFactor());
            tenantCreated = true;
        } catch (TenantExistsException e) {
            tenant = client.getTenant(settings.tenant());
            if (settings.replicationFactor() != 0
                    && tenant.replicationFactor() != settings.replicationFactor()) {
                System.err.println("cairn bench: tenant '" + settings.tenant()
                        + "' exists with RF " + tenant.replicationFactor() + "; --rf "
                        + settings.replicationFactor() + " applies only to a tenant the run"
                        + " creates");
            }
        }
    }

    @Override
    public Map<String, Object> describe() {
        Map<String, Object> description = new LinkedHashMap<>();
        description.put("target", target);
        description.put("tenant", settings.tenant());
        description.put("replicationFactor", tenant == null ? null : tenant.replicationFactor());
        description.put("tenantCreated", tenantCreated);
        description.put("consistency", consistency.wireName());
        description.put("connections", clients.size());
        description.put("transport", settings.unary() ? "unary" : "pipeline");
        return description;
    }

    private CairnClient client() {
        if (clients.size() == 1) {
            return clients.get(0);
        }
        return clients.get(Math.floorMod(next.getAndIncrement(), clients.size()));
    }

    @Override
    public CompletableFuture<?> write(String key, byte[] value) {
        return client().writeAsync(settings.tenant(), key, value, consistency, null);
    }

    @Override
    public CompletableFuture<?> read(String key) {
        return client().readAsync(settings.tenant(), key, consistency);
    }

    @Override
    public String errorCode(Throwable failure) {
        Throwable cause = Failures.cause(failure);
        if (cause instanceof CairnTimeoutException) {
            return "TIMEOUT";
        }
        if (cause instanceof CairnUnavailableException) {
            return "UNAVAILABLE";
        }
        if (cause instanceof CairnException cairn) {
            return cairn.code().name();
        }
        return cause.getClass().getSimpleName();
    }

    @Override
    public void close() {
        for (CairnClient client : clients) {
            client.close();
        }
    }
}
