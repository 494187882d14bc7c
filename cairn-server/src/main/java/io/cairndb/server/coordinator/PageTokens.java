package io.cairndb.server.coordinator;

import io.cairndb.core.CairnException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.zip.CRC32C;

/**
 * RangeQuery page tokens. A token is opaque to clients; inside, it names the tenant and the last
 * key a page covered, so the next page resumes by key, not by position, and stays valid while the
 * data or the cluster change. A checksum rejects tokens that were altered or truncated.
 */
final class PageTokens {

    private static final byte FORMAT = 1;

    private PageTokens() {
    }

    static String encode(String tenantId, byte[] resumeAfter) {
        byte[] tenant = tenantId.getBytes(StandardCharsets.UTF_8);
        ByteBuffer out = ByteBuffer.allocate(1 + 2 + tenant.length + 2 + resumeAfter.length + 4);
        out.put(FORMAT).putShort((short) tenant.length).put(tenant);
        out.putShort((short) resumeAfter.length).put(resumeAfter);
        CRC32C crc = new CRC32C();
        crc.update(out.array(), 0, out.position());
        out.putInt((int) crc.getValue());
        return Base64.getUrlEncoder().withoutPadding().encodeToString(out.array());
    }

    /** The key to resume after, from a token issued for {@code tenantId}. */
    static byte[] decode(String token, String tenantId) {
        try {
            byte[] bytes = Base64.getUrlDecoder().decode(token);
            if (bytes.length < 9) {
                throw malformed();
            }
            CRC32C crc = new CRC32C();
            crc.update(bytes, 0, bytes.length - 4);
            ByteBuffer in = ByteBuffer.wrap(bytes);
            if ((int) crc.getValue() != in.getInt(bytes.length - 4) || in.get() != FORMAT) {
                throw malformed();
            }
            byte[] tenant = new byte[in.getShort()];
            in.get(tenant);
            byte[] key = new byte[in.getShort()];
            in.get(key);
            if (in.position() != bytes.length - 4) {
                throw malformed();
            }
            if (!tenantId.equals(new String(tenant, StandardCharsets.UTF_8))) {
                throw CairnException.invalid("page_token was issued for another tenant; "
                        + "start again without a page_token");
            }
            return key;
        } catch (IllegalArgumentException | java.nio.BufferUnderflowException
                 | NegativeArraySizeException e) {
            throw malformed();
        }
    }

    private static CairnException malformed() {
        return CairnException.invalid("page_token is malformed: pass back the next_page_token of "
                + "the previous response unchanged, or none for the first page");
    }
}
