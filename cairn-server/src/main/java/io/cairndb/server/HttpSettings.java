package io.cairndb.server;

/**
 * The HTTP port's socket settings.
 *
 * @param socketSendBufferBytes the kernel send buffer of each accepted HTTP connection; 0 leaves
 *     it to the operating system, which grows it to megabytes on a fast link. A smaller one makes
 *     a live-stream client that stops reading reach its bound (and be dropped) sooner, at the cost
 *     of throughput on large responses.
 */
public record HttpSettings(int socketSendBufferBytes) {

    public static final HttpSettings DEFAULTS = new HttpSettings(0);
}
