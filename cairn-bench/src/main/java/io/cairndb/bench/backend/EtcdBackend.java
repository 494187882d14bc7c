package io.cairndb.bench.backend;

import io.cairndb.core.Failures;
import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import io.etcd.jetcd.KV;
import io.etcd.jetcd.common.exception.EtcdException;
import io.etcd.jetcd.kv.GetResponse;
import io.etcd.jetcd.options.GetOption;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * etcd through jetcd's async KV client. Keys are {@code tenant/key}. Gets are linearizable unless
 * {@code --consistency serializable} is given (then any member answers from its own state); puts
 * always go through Raft, and etcd always fsyncs its log before acknowledging.
 *
 * <p>jetcd retries failed calls on its own; the per-operation timeout bounds each call as a whole.
 */
final class EtcdBackend implements Backend {

    static final String TARGET_DEFAULT = "http://127.0.0.1:2379";

    private final Backends.Settings settings;
    private final List<String> endpoints;
    private final boolean serializable;
    private final List<Client> clients = new ArrayList<>();
    private final List<KV> kvs = new ArrayList<>();
    private final GetOption getOption;
    private final AtomicInteger next = new AtomicInteger();

    EtcdBackend(Backends.Settings settings) {
        this.settings = settings;
        String target = settings.target() != null ? settings.target() : TARGET_DEFAULT;
        this.endpoints = Arrays.stream(target.split(","))
                .map(String::trim)
                .filter(endpoint -> !endpoint.isEmpty())
                .map(endpoint -> endpoint.contains("://") ? endpoint : "http://" + endpoint)
                .toList();
        String level = settings.consistency() == null ? "linearizable"
                : settings.consistency().toLowerCase(Locale.ROOT);
        switch (level) {
            case "linearizable":
                serializable = false;
                break;
            case "serializable":
                serializable = true;
                break;
            default:
                throw new IllegalArgumentException("for etcd, --consistency must be linearizable"
                        + " or serializable, was '" + settings.consistency() + "'");
        }
        this.getOption = GetOption.builder().withSerializable(serializable).build();
        for (int i = 0; i < settings.connections(); i++) {
            Client client = Client.builder().endpoints(endpoints.toArray(String[]::new)).build();
            clients.add(client);
            kvs.add(client.getKVClient());
        }
    }

    @Override
    public String name() {
        return "etcd";
    }

    @Override
    public void prepare() {
        // A get of a key no run writes: proves the cluster answers before the clock starts.
        try {
            kvs.get(0).get(bytes(settings.tenant() + "/.bench-probe"), getOption)
                    .get(settings.timeout().toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            throw new IllegalStateException("etcd at " + endpoints + " did not answer within "
                    + settings.timeout().toMillis() + " ms");
        } catch (Exception e) {
            throw new IllegalStateException("etcd at " + endpoints + " cannot be used: "
                    + Failures.cause(e).getMessage());
        }
    }

    @Override
    public Map<String, Object> describe() {
        Map<String, Object> description = new LinkedHashMap<>();
        description.put("target", String.join(",", endpoints));
        description.put("keyPrefix", settings.tenant() + "/");
        description.put("consistency", serializable ? "serializable" : "linearizable");
        description.put("connections", clients.size());
        return description;
    }

    private KV kv() {
        if (kvs.size() == 1) {
            return kvs.get(0);
        }
        return kvs.get(Math.floorMod(next.getAndIncrement(), kvs.size()));
    }

    private ByteSequence bytes(String text) {
        return ByteSequence.from(text, StandardCharsets.UTF_8);
    }

    @Override
    public CompletableFuture<?> write(String key, byte[] value) {
        return kv().put(bytes(settings.tenant() + "/" + key), ByteSequence.from(value))
                .orTimeout(settings.timeout().toMillis(), TimeUnit.MILLISECONDS);
    }

    @Override
    public CompletableFuture<?> read(String key) {
        return kv().get(bytes(settings.tenant() + "/" + key), getOption)
                .orTimeout(settings.timeout().toMillis(), TimeUnit.MILLISECONDS)
                .thenApply(response -> found(response, key));
    }

    private static GetResponse found(GetResponse response, String key) {
        if (response.getKvs().isEmpty()) {
            throw new KeyNotFound(key);
        }
        return response;
    }

    @Override
    public String errorCode(Throwable failure) {
        Throwable cause = Failures.cause(failure);
        if (cause instanceof KeyNotFound) {
            return KeyNotFound.CODE;
        }
        if (cause instanceof TimeoutException) {
            return "TIMEOUT";
        }
        if (cause instanceof EtcdException etcd) {
            return etcd.getErrorCode().name();
        }
        if (cause instanceof StatusRuntimeException grpc) {
            Status.Code code = grpc.getStatus().getCode();
            return code == Status.Code.DEADLINE_EXCEEDED ? "TIMEOUT" : code.name();
        }
        return cause.getClass().getSimpleName();
    }

    @Override
    public void close() {
        for (Client client : clients) {
            client.close();
        }
    }
}
