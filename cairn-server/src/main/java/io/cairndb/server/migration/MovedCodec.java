package io.cairndb.server.migration;

import com.google.protobuf.ByteString;
import io.cairndb.api.peer.FetchRangeResponse;
import io.cairndb.api.peer.MovedEntry;
import io.cairndb.api.peer.MovedRecord;
import io.cairndb.core.IdempotencyRecord;
import io.cairndb.core.MovedKeys;
import io.cairndb.core.Version;
import io.cairndb.server.replica.PeerCodec;
import io.cairndb.storage.RangeReader;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.CRC32C;

/**
 * Chunks of moved keys on the peer protocol, and their checksum: CRC32C over each entry's key,
 * token, tombstone flag, value and hybrid-clock reading, in order. The source computes it from
 * what it read, the target from what it decoded; a chunk whose sums differ is not applied.
 */
final class MovedCodec {

    private MovedCodec() {
    }

    static FetchRangeResponse toProto(MovedKeys.Chunk chunk) {
        FetchRangeResponse.Builder response = FetchRangeResponse.newBuilder()
                .setExhausted(chunk.exhausted());
        for (MovedKeys.Entry entry : chunk.entries()) {
            MovedEntry.Builder moved = MovedEntry.newBuilder()
                    .setKey(ByteString.copyFrom(entry.key()))
                    .setToken(entry.token())
                    .setVersion(PeerCodec.toProto(entry.version()));
            for (MovedKeys.Record record : entry.records()) {
                IdempotencyRecord r = record.record();
                moved.addRecords(MovedRecord.newBuilder()
                        .setIdempotencyKey(record.idempotencyKey())
                        .setRequestHash(ByteString.copyFrom(r.requestHash()))
                        .setCreatedAtMillis(r.createdAtMillis())
                        .setExpiresAtMillis(r.expiresAtMillis())
                        .addAllClock(PeerCodec.toProto(r.clock()))
                        .setHlc(r.hlc())
                        .setCoordinatorNodeId(r.coordinatorNodeId()));
            }
            response.addEntries(moved);
        }
        if (!chunk.exhausted()) {
            response.setResumeRange(chunk.resumeRange()).setResumeToken(chunk.resumeToken())
                    .setResumeKey(ByteString.copyFrom(chunk.resumeKey()));
        }
        return response.setChecksum(checksum(chunk.entries())).build();
    }

    /**
     * The entries of a chunk as the source sent them.
     *
     * @throws IllegalStateException if the chunk's checksum does not match its entries
     */
    static List<MovedKeys.Entry> fromProto(FetchRangeResponse response) {
        List<MovedKeys.Entry> entries = new ArrayList<>(response.getEntriesCount());
        for (MovedEntry moved : response.getEntriesList()) {
            List<MovedKeys.Record> records = new ArrayList<>(moved.getRecordsCount());
            for (MovedRecord r : moved.getRecordsList()) {
                records.add(new MovedKeys.Record(r.getIdempotencyKey(),
                        new IdempotencyRecord(r.getRequestHash().toByteArray(),
                                r.getCreatedAtMillis(), r.getExpiresAtMillis(),
                                PeerCodec.fromProto(r.getClockList()), r.getHlc(),
                                r.getCoordinatorNodeId())));
            }
            entries.add(new MovedKeys.Entry(moved.getKey().toByteArray(),
                    moved.getToken(), PeerCodec.fromProto(moved.getVersion()), records));
        }
        int expected = checksum(entries);
        if (expected != response.getChecksum()) {
            throw new IllegalStateException("chunk checksum mismatch: the source sent "
                    + Integer.toHexString(response.getChecksum()) + ", its "
                    + entries.size() + " entries sum to " + Integer.toHexString(expected));
        }
        return entries;
    }

    static int checksum(List<MovedKeys.Entry> entries) {
        CRC32C crc = new CRC32C();
        ByteBuffer longs = ByteBuffer.allocate(8);
        for (MovedKeys.Entry entry : entries) {
            crc.update(entry.key());
            crc.update(longs.clear().putLong(entry.token()).flip());
            Version version = entry.version();
            crc.update(version.isTombstone() ? 1 : 0);
            if (!version.isTombstone()) {
                crc.update(version.value());
            }
            crc.update(longs.clear().putLong(version.hlc()).flip());
        }
        return (int) crc.getValue();
    }
}
