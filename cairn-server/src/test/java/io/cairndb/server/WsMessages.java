package io.cairndb.server;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.http.WebSocket;
import java.util.List;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;

/** Collects every message of one WebSocket connection, parsed as JSON. */
final class WsMessages implements WebSocket.Listener {

    final List<JsonNode> messages = new CopyOnWriteArrayList<>();
    private final StringBuilder partial = new StringBuilder();

    @Override
    public CompletionStage<?> onText(WebSocket socket, CharSequence data, boolean last) {
        partial.append(data);
        if (last) {
            try {
                messages.add(RestClient.JSON.readTree(partial.toString()));
            } catch (java.io.IOException e) {
                throw new AssertionError("not JSON: " + partial, e);
            }
            partial.setLength(0);
        }
        socket.request(1);
        return null;
    }

    boolean saw(String type) {
        return messages.stream().anyMatch(m -> m.path("type").asText().equals(type));
    }
}
