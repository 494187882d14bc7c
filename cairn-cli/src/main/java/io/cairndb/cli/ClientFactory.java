package io.cairndb.cli;

import io.cairndb.client.CairnClient;
import java.time.Duration;

/** Opens the client a command talks to; tests substitute one bound to an in-process server. */
@FunctionalInterface
interface ClientFactory {

    /** A plaintext gRPC connection to {@code host:port}. */
    ClientFactory NETWORK = (target, deadline) ->
            CairnClient.builder().target(target).deadline(deadline).build();

    /**
     * @throws IllegalArgumentException when the target cannot name a server
     */
    CairnClient open(String target, Duration deadline);
}
