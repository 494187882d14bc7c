package io.cairndb.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.common.util.concurrent.FutureCallback;
import com.google.common.util.concurrent.Futures;
import com.google.common.util.concurrent.ListenableFuture;
import com.google.common.util.concurrent.MoreExecutors;
import com.google.protobuf.ByteString;
import io.cairndb.api.CoordinatorServiceGrpc;
import io.cairndb.api.CreateTenantRequest;
import io.cairndb.api.ReadKeyValueRequest;
import io.cairndb.api.ReadKeyValueResponse;
import io.cairndb.api.WriteKeyValueRequest;
import io.cairndb.api.WriteKeyValueResponse;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import java.nio.file.Path;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

// Proves every write acknowledged under durability sync survives kill -9 of the server process.
class KillNineDurabilityIT {

    private static final int WRITES = 10_000;
    private static final int IN_FLIGHT = 64;

    @TempDir
    Path dir;

    @Test
    void acknowledgedSyncWritesSurviveKillNine() throws Exception {
        Path data = dir.resolve("node");
        Set<String> acknowledged = ConcurrentHashMap.newKeySet();
        try (ServerProcess server = new ServerProcess(data, "--durability", "sync").start()) {
            ManagedChannel channel = ManagedChannelBuilder.forTarget(server.target())
                    .usePlaintext().build();
            try {
                CoordinatorServiceGrpc.newBlockingStub(channel).createTenant(
                        CreateTenantRequest.newBuilder().setTenantId("durable").build());
                var stub = CoordinatorServiceGrpc.newFutureStub(channel);
                Semaphore window = new Semaphore(IN_FLIGHT);
                CountDownLatch done = new CountDownLatch(WRITES);
                for (int i = 0; i < WRITES; i++) {
                    String key = "key-" + i;
                    window.acquire();
                    ListenableFuture<WriteKeyValueResponse> call = stub
                            .withDeadlineAfter(60, TimeUnit.SECONDS)
                            .writeKeyValue(WriteKeyValueRequest.newBuilder()
                                    .setTenantId("durable").setKey(key)
                                    .setValue(ByteString.copyFromUtf8("value-" + i))
                                    .setConsistency("all").build());
                    Futures.addCallback(call, new FutureCallback<>() {
                        @Override
                        public void onSuccess(WriteKeyValueResponse response) {
                            if (response.getSuccess()) {
                                acknowledged.add(key);
                            }
                            window.release();
                            done.countDown();
                        }

                        @Override
                        public void onFailure(Throwable error) {
                            window.release();
                            done.countDown();
                        }
                    }, MoreExecutors.directExecutor());
                }
                assertThat(done.await(5, TimeUnit.MINUTES)).isTrue();
                assertThat(acknowledged).hasSize(WRITES);
            } finally {
                channel.shutdownNow();
            }
            server.kill();
        }

        try (ServerProcess restarted = new ServerProcess(data, "--durability", "sync").start()) {
            ManagedChannel channel = ManagedChannelBuilder.forTarget(restarted.target())
                    .usePlaintext().build();
            try {
                var stub = CoordinatorServiceGrpc.newBlockingStub(channel);
                int found = 0;
                for (int i = 0; i < WRITES; i++) {
                    ReadKeyValueResponse read = stub.withDeadlineAfter(30, TimeUnit.SECONDS)
                            .readKeyValue(ReadKeyValueRequest.newBuilder().setTenantId("durable")
                                    .setKey("key-" + i).build());
                    assertThat(read.getSuccess()).as("key-%d: %s", i, read.getErrorMessage())
                            .isTrue();
                    assertThat(read.getValue().toStringUtf8()).isEqualTo("value-" + i);
                    found++;
                }
                assertThat(found).isEqualTo(WRITES);
            } finally {
                channel.shutdownNow();
            }
        }
    }
}
