package io.cairndb.bench.backend;

import io.cairndb.core.Failures;
import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisCommandExecutionException;
import io.lettuce.core.RedisCommandTimeoutException;
import io.lettuce.core.RedisConnectionException;
import io.lettuce.core.RedisURI;
import io.lettuce.core.TimeoutOptions;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.async.RedisAsyncCommands;
import io.lettuce.core.codec.ByteArrayCodec;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Redis through Lettuce's async API: {@code SET} and {@code GET} of {@code tenant/key}. Each
 * connection pipelines the commands in flight on it, as Lettuce always does. Redis has no
 * consistency levels; durability is whatever the server was started with.
 */
final class RedisBackend implements Backend {

    static final String TARGET_DEFAULT = "redis://127.0.0.1:6379";

    private final Backends.Settings settings;
    private final RedisURI uri;
    private final RedisClient client;
    private final List<StatefulRedisConnection<byte[], byte[]>> connections = new ArrayList<>();
    private final List<RedisAsyncCommands<byte[], byte[]>> commands = new ArrayList<>();
    private final AtomicInteger next = new AtomicInteger();

    RedisBackend(Backends.Settings settings) {
        this.settings = settings;
        if (settings.consistency() != null) {
            throw new IllegalArgumentException("redis has no consistency levels; leave"
                    + " --consistency out");
        }
        String target = settings.target() != null ? settings.target() : TARGET_DEFAULT;
        this.uri = RedisURI.create(target.contains("://") ? target : "redis://" + target);
        uri.setTimeout(settings.timeout());
        this.client = RedisClient.create(uri);
        client.setOptions(ClientOptions.builder()
                .timeoutOptions(TimeoutOptions.enabled(settings.timeout()))
                .build());
    }

    @Override
    public String name() {
        return "redis";
    }

    @Override
    public void prepare() {
        try {
            for (int i = 0; i < settings.connections(); i++) {
                StatefulRedisConnection<byte[], byte[]> connection =
                        client.connect(ByteArrayCodec.INSTANCE);
                connections.add(connection);
                commands.add(connection.async());
            }
            commands.get(0).ping().get(settings.timeout().toMillis(), TimeUnit.MILLISECONDS);
        } catch (Exception e) {
            throw new IllegalStateException("redis at " + uri.getHost() + ":" + uri.getPort()
                    + " cannot be used: " + Failures.cause(e).getMessage());
        }
    }

    @Override
    public Map<String, Object> describe() {
        Map<String, Object> description = new LinkedHashMap<>();
        description.put("target", uri.getHost() + ":" + uri.getPort());
        description.put("keyPrefix", settings.tenant() + "/");
        description.put("connections", settings.connections());
        return description;
    }

    private RedisAsyncCommands<byte[], byte[]> commands() {
        if (commands.size() == 1) {
            return commands.get(0);
        }
        return commands.get(Math.floorMod(next.getAndIncrement(), commands.size()));
    }

    private byte[] redisKey(String key) {
        return (settings.tenant() + "/" + key).getBytes(StandardCharsets.UTF_8);
    }

    @Override
    public CompletableFuture<?> write(String key, byte[] value) {
        return commands().set(redisKey(key), value).toCompletableFuture();
    }

    @Override
    public CompletableFuture<?> read(String key) {
        return commands().get(redisKey(key)).toCompletableFuture().thenApply(value -> {
            if (value == null) {
                throw new KeyNotFound(key);
            }
            return value;
        });
    }

    @Override
    public String errorCode(Throwable failure) {
        Throwable cause = Failures.cause(failure);
        if (cause instanceof KeyNotFound) {
            return KeyNotFound.CODE;
        }
        if (cause instanceof RedisCommandTimeoutException) {
            return "TIMEOUT";
        }
        if (cause instanceof RedisConnectionException) {
            return "UNAVAILABLE";
        }
        if (cause instanceof RedisCommandExecutionException && cause.getMessage() != null) {
            // Redis errors start with their code: "ERR ...", "OOM ...", "READONLY ...".
            String message = cause.getMessage().trim();
            int space = message.indexOf(' ');
            return space > 0 ? message.substring(0, space) : message;
        }
        return cause.getClass().getSimpleName();
    }

    @Override
    public void close() {
        for (StatefulRedisConnection<byte[], byte[]> connection : connections) {
            connection.close();
        }
        client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
    }
}
