package dev.steward.batch;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import dev.steward.run.Values;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The lines of a JSON Lines file, one JSON object each, read a line at a time; blank lines are
 * skipped. A line that is not a JSON object is a rejected record, not the end of the batch.
 */
final class JsonlRecords implements InputRecords {

    private final String name;
    private final long size;
    private final CountingStream bytes;
    private final BufferedReader lines;
    private long line;
    private long position;

    JsonlRecords(Path file, String name) throws IOException {
        this.name = name;
        this.size = Files.size(file);
        this.bytes = new CountingStream(Files.newInputStream(file));
        this.lines = new BufferedReader(new InputStreamReader(bytes, StandardCharsets.UTF_8), 1 << 16);
    }

    @Override
    public InputRecord next() throws IOException {
        String text;
        do {
            text = lines.readLine();
            line++;
        } while (text != null && text.isBlank());
        if (text == null) {
            return null;
        }
        position++;
        String at = name + ":" + line;
        try {
            JsonNode payload = Values.JSON.readTree(text);
            if (!payload.isObject()) {
                return new InputRecord(position, at, null, "the line is JSON but not an object");
            }
            return new InputRecord(position, at, payload, null);
        } catch (JsonProcessingException e) {
            return new InputRecord(position, at, null, "the line is not JSON: " + e.getOriginalMessage());
        }
    }

    @Override
    public double fraction() {
        return size == 0 ? 1 : Math.min(1, (double) bytes.count() / size);
    }

    @Override
    public void close() throws IOException {
        lines.close();
    }
}
