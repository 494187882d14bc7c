package io.cairndb.server.control.raft;

import io.cairndb.core.CairnException;
import io.cairndb.core.ErrorCode;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/**
 * What the leader tells the submitter of a command once it is applied: the log index it was
 * applied at, the rule it broke (if any), and the encoded state after it (empty when the replying
 * member did not encode one). Binary and versioned; it never reaches a log or a disk.
 *
 * @param logIndex the Raft log index of the command
 * @param errorCode the broken rule's code, or null when the command was applied
 * @param errorMessage the broken rule's message, or null when the command was applied
 * @param state {@code MetadataCodec.encodeState} of the state after the command, or empty
 */
record CommandReply(long logIndex, ErrorCode errorCode, String errorMessage, byte[] state) {

    private static final byte FORMAT = 1;
    private static final byte[] NO_STATE = new byte[0];

    CommandReply {
        if ((errorCode == null) != (errorMessage == null)) {
            throw new IllegalArgumentException("errorCode and errorMessage go together: "
                    + errorCode + ", " + errorMessage);
        }
        state = state == null ? NO_STATE : state;
    }

    static CommandReply of(long logIndex, CairnException error, byte[] state) {
        return error == null ? new CommandReply(logIndex, null, null, state)
                : new CommandReply(logIndex, error.code(), error.getMessage(), state);
    }

    /** The broken rule as the submitter sees it, or null. */
    CairnException error() {
        return errorCode == null ? null : new CairnException(errorCode, errorMessage);
    }

    boolean hasState() {
        return state.length > 0;
    }

    byte[] encode() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(32 + state.length);
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.writeByte(FORMAT);
            out.writeLong(logIndex);
            out.writeBoolean(errorCode != null);
            if (errorCode != null) {
                writeString(out, errorCode.name());
                writeString(out, errorMessage);
            }
            out.writeInt(state.length);
            out.write(state);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot encode a command reply", e);
        }
        return bytes.toByteArray();
    }

    /** @throws IllegalArgumentException if the bytes are not a command reply */
    static CommandReply decode(byte[] bytes) {
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(bytes))) {
            byte format = in.readByte();
            if (format != FORMAT) {
                throw new IllegalArgumentException("command reply has format " + format
                        + "; this member reads format " + FORMAT);
            }
            long logIndex = in.readLong();
            ErrorCode code = null;
            String message = null;
            if (in.readBoolean()) {
                code = ErrorCode.valueOf(readString(in));
                message = readString(in);
            }
            int length = in.readInt();
            if (length < 0 || length > bytes.length) {
                throw new IllegalArgumentException("command reply claims a state of " + length
                        + " bytes in a reply of " + bytes.length);
            }
            byte[] state = in.readNBytes(length);
            if (state.length != length || in.available() != 0) {
                throw new IllegalArgumentException("command reply is truncated or has trailing "
                        + "bytes");
            }
            return new CommandReply(logIndex, code, message, state);
        } catch (IOException e) {
            throw new IllegalArgumentException("not a command reply: " + e.getMessage(), e);
        }
    }

    // writeUTF stops at 64 KiB; a rule's message has no such bound.
    private static void writeString(DataOutputStream out, String value) throws IOException {
        byte[] utf8 = value.getBytes(StandardCharsets.UTF_8);
        out.writeInt(utf8.length);
        out.write(utf8);
    }

    private static String readString(DataInputStream in) throws IOException {
        int length = in.readInt();
        if (length < 0 || length > in.available()) {
            throw new IOException("string of " + length + " bytes does not fit the reply");
        }
        return new String(in.readNBytes(length), StandardCharsets.UTF_8);
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof CommandReply reply && logIndex == reply.logIndex
                && errorCode == reply.errorCode
                && java.util.Objects.equals(errorMessage, reply.errorMessage)
                && java.util.Arrays.equals(state, reply.state);
    }

    @Override
    public int hashCode() {
        return Long.hashCode(logIndex);
    }

    @Override
    public String toString() {
        return "CommandReply{index=" + logIndex + (errorCode == null ? ""
                : " error=" + errorCode + ": " + errorMessage) + " state=" + state.length + "B}";
    }
}
