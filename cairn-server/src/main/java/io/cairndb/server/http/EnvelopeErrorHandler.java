package io.cairndb.server.http;

import java.nio.ByteBuffer;
import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpStatus;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.handler.ErrorHandler;
import org.eclipse.jetty.util.Callback;

/**
 * Jetty's answer to requests it refuses before any route runs (a URI it cannot decode, a header
 * it cannot parse): the envelope instead of Jetty's HTML page, and never a stack trace.
 */
final class EnvelopeErrorHandler extends ErrorHandler {

    @Override
    protected void generateResponse(Request request, Response response, int code, String message,
                                    Throwable cause, Callback callback) {
        String requestId = Envelope.requestId(
                request.getHeaders().get(Envelope.REQUEST_ID_HEADER));
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, Envelope.JSON_TYPE);
        response.getHeaders().put(Envelope.REQUEST_ID_HEADER, requestId);
        response.write(true, ByteBuffer.wrap(Envelope.error(requestId,
                HttpErrors.codeOfStatus(code), describe(code, message))), callback);
    }

    @Override
    public ByteBuffer badMessageError(int status, String reason, HttpFields.Mutable fields) {
        fields.put(HttpHeader.CONTENT_TYPE, Envelope.JSON_TYPE);
        return ByteBuffer.wrap(Envelope.error(Envelope.requestId((String) null),
                HttpErrors.codeOfStatus(status), describe(status, reason)));
    }

    private static String describe(int code, String message) {
        String reason = message == null || message.isBlank() ? HttpStatus.getMessage(code)
                : message;
        return "the HTTP request could not be read: " + reason;
    }
}
