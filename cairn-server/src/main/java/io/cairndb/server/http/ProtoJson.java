package io.cairndb.server.http;

import com.fasterxml.jackson.core.JsonGenerator;
import com.google.protobuf.ByteString;
import com.google.protobuf.Descriptors.EnumValueDescriptor;
import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.Message;
import java.io.IOException;
import java.util.Set;

/**
 * Writes a response message of the gRPC contract as the {@code data} of a REST envelope, so that
 * both fronts say the same thing: fields by their JSON names ({@code tenant_id} is
 * {@code tenantId}), every scalar field present (a zero is written, not left out), 64-bit numbers
 * as JSON numbers, bytes as standard base64, enums by name. A message field that is not set is
 * left out. The response's own {@code success}, {@code error_message} and {@code error_code} are
 * the envelope's business and are left out at the top level (nested results keep theirs).
 */
final class ProtoJson {

    /**
     * 64-bit fields written as strings: hybrid-clock readings pass 2^53, past which JavaScript
     * numbers lose digits (the proto3 JSON mapping writes every int64 as a string for this).
     */
    static final Set<String> LONG_AS_STRING = Set.of("logical_timestamp", "hlc");

    /** Top-level fields the envelope carries instead. */
    static final Set<String> ENVELOPE_FIELDS = Set.of("success", "error_message", "error_code");

    private ProtoJson() {
    }

    static void write(JsonGenerator out, Message message) throws IOException {
        write(out, message, true);
    }

    /** The message's fields, into an object the caller has started. */
    static void writeMembers(JsonGenerator out, Message message) throws IOException {
        members(out, message, true);
    }

    private static void write(JsonGenerator out, Message message, boolean top)
            throws IOException {
        out.writeStartObject();
        members(out, message, top);
        out.writeEndObject();
    }

    private static void members(JsonGenerator out, Message message, boolean top)
            throws IOException {
        for (FieldDescriptor field : message.getDescriptorForType().getFields()) {
            if (top && ENVELOPE_FIELDS.contains(field.getName())) {
                continue;
            }
            if (field.isRepeated()) {
                out.writeArrayFieldStart(field.getJsonName());
                int count = message.getRepeatedFieldCount(field);
                for (int i = 0; i < count; i++) {
                    value(out, field, message.getRepeatedField(field, i));
                }
                out.writeEndArray();
            } else if (!field.hasPresence() || message.hasField(field)) {
                out.writeFieldName(field.getJsonName());
                value(out, field, message.getField(field));
            }
        }
    }

    private static void value(JsonGenerator out, FieldDescriptor field, Object value)
            throws IOException {
        switch (field.getJavaType()) {
            case INT -> out.writeNumber((Integer) value);
            case LONG -> {
                if (LONG_AS_STRING.contains(field.getName())) {
                    out.writeString(Long.toString((Long) value));
                } else {
                    out.writeNumber((Long) value);
                }
            }
            case FLOAT -> out.writeNumber((Float) value);
            case DOUBLE -> out.writeNumber((Double) value);
            case BOOLEAN -> out.writeBoolean((Boolean) value);
            case STRING -> out.writeString((String) value);
            case BYTE_STRING -> out.writeBinary(((ByteString) value).toByteArray());
            case ENUM -> out.writeString(((EnumValueDescriptor) value).getName());
            case MESSAGE -> write(out, (Message) value, false);
            default -> throw new IllegalStateException("field " + field.getFullName()
                    + " has a type JSON cannot carry: " + field.getJavaType());
        }
    }
}
