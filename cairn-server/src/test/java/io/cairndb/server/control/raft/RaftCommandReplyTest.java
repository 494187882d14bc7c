package io.cairndb.server.control.raft;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.cairndb.core.CairnException;
import io.cairndb.core.ErrorCode;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

// Proves a command's reply survives its byte form, rule errors included, and bad bytes are refused.
class RaftCommandReplyTest {

    @Test
    void appliedCommandRoundTrips() {
        byte[] state = "{\"version\":7}".getBytes(StandardCharsets.UTF_8);
        CommandReply reply = CommandReply.of(7, null, state);

        CommandReply decoded = CommandReply.decode(reply.encode());

        assertThat(decoded).isEqualTo(reply);
        assertThat(decoded.error()).isNull();
        assertThat(decoded.hasState()).isTrue();
    }

    @Test
    void ruleErrorRoundTripsWithCodeAndMessage() {
        CommandReply reply = CommandReply.of(12, new CairnException(ErrorCode.TENANT_EXISTS,
                "tenant 'acme' already exists — ünïcode"), null);

        CommandReply decoded = CommandReply.decode(reply.encode());

        assertThat(decoded.error().code()).isEqualTo(ErrorCode.TENANT_EXISTS);
        assertThat(decoded.error().getMessage())
                .isEqualTo("tenant 'acme' already exists — ünïcode");
        assertThat(decoded.logIndex()).isEqualTo(12);
        assertThat(decoded.hasState()).isFalse();
    }

    @Test
    void truncatedOrForeignBytesAreRefused() {
        byte[] encoded = CommandReply.of(3, null, new byte[] {1, 2, 3}).encode();

        assertThatThrownBy(() -> CommandReply.decode(Arrays.copyOf(encoded, encoded.length - 1)))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> CommandReply.decode(new byte[] {9, 0, 0}))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
