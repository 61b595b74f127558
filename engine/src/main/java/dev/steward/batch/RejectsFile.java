package dev.steward.batch;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.steward.run.Values;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * The rejected records of a batch, one JSON object a line: where the record was, its key, why it
 * was rejected, and the record itself. Opened at the length the checkpoint recorded, so that the
 * rejects of a chunk that was not committed before a crash are not kept twice; forced to disk
 * before each checkpoint. Not thread-safe.
 */
final class RejectsFile implements AutoCloseable {

    private final Path path;
    private FileChannel channel;
    private long length;
    private long forced;

    RejectsFile(Path path, long checkpointLength) throws IOException {
        this.path = path;
        this.length = checkpointLength;
        this.forced = checkpointLength;
        if (checkpointLength > 0) {
            open();
            if (channel.size() < checkpointLength) {
                throw new IOException(path + " is shorter (" + channel.size() + " bytes) than the checkpoint says ("
                        + checkpointLength + "); it was changed since the batch stopped");
            }
            channel.truncate(checkpointLength);
        } else {
            Files.deleteIfExists(path);
        }
    }

    private void open() throws IOException {
        if (channel == null) {
            if (path.getParent() != null) {
                Files.createDirectories(path.getParent());
            }
            channel = FileChannel.open(path, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
            channel.position(Math.min(length, channel.size()));
        }
    }

    void add(long position, String at, String key, String reason, JsonNode record) throws IOException {
        open();
        ObjectNode line = Values.JSON.createObjectNode();
        line.put("record", position);
        line.put("at", at);
        if (key != null) {
            line.put("key", key);
        }
        line.put("reason", reason);
        if (record != null) {
            line.set("payload", record);
        }
        byte[] bytes = (Values.JSON.writeValueAsString(line) + "\n").getBytes(StandardCharsets.UTF_8);
        ByteBuffer buffer = ByteBuffer.wrap(bytes);
        while (buffer.hasRemaining()) {
            channel.write(buffer);
        }
        length += bytes.length;
    }

    /** On disk now: the checkpoint about to be committed counts this length. */
    long sync() throws IOException {
        if (channel != null && forced < length) {
            channel.force(false);
            forced = length;
        }
        return length;
    }

    Path path() {
        return path;
    }

    boolean any() {
        return length > 0;
    }

    @Override
    public void close() throws IOException {
        if (channel != null) {
            channel.close();
        }
    }
}
