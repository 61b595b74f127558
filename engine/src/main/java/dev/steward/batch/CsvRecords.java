package dev.steward.batch;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.csv.CsvMapper;
import com.fasterxml.jackson.dataformat.csv.CsvParser;
import dev.steward.api.BatchRefusedException;
import dev.steward.run.Values;

import java.io.IOException;
import java.io.InputStreamReader;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The rows of a CSV file with a header row, streamed with Jackson's CSV parser, each row as a JSON
 * object under the header's names. A name with dots ({@code item.sku}) makes nested objects, as a
 * flow's paths expect. An empty cell is left out (JSONL can say null); a cell that is a plain
 * decimal number ({@code 5000}, {@code -12.5}, not {@code 007}) is a number, anything else text.
 * A row with another number of cells than the header is a rejected record; a file the parser
 * cannot read on (an unclosed quote) stops the batch with its line.
 *
 * <p>Given the names a flow reads at the top of its payload, a row's payload holds only the
 * columns under those names (a 25-column export read by a flow of 4 fields makes 4 nodes, not 25);
 * the record's whole payload is then made only when asked for (a rejected record's line).
 */
final class CsvRecords implements InputRecords {

    private static final CsvMapper CSV = CsvMapper.builder().enable(CsvParser.Feature.WRAP_AS_ARRAY)
            .enable(CsvParser.Feature.SKIP_EMPTY_LINES).build();

    private final String name;
    private final long size;
    private final CountingStream bytes;
    private final MappingIterator<String[]> rows;
    private final String[][] header;
    private final String[] names;
    /** Per column, whether the payload holds it; null: every column. */
    private final boolean[] read;
    private long position;

    CsvRecords(Path file, String name) throws IOException {
        this(file, name, null);
    }

    /**
     * @param tops the first names of the payload paths the flow reads ({@code item} of
     *             {@code item.sku}): the payload holds only the columns under them; null for all
     */
    CsvRecords(Path file, String name, java.util.Set<String> tops) throws IOException {
        this.name = name;
        this.size = Files.size(file);
        this.bytes = new CountingStream(Files.newInputStream(file));
        try {
            this.rows = CSV.readerFor(String[].class).readValues(new InputStreamReader(bytes, StandardCharsets.UTF_8));
            if (!rows.hasNextValue()) {
                throw new BatchRefusedException(name + ":1: the file is empty; a CSV input needs a header row");
            }
            this.names = rows.nextValue();
        } catch (JsonProcessingException | RuntimeException e) {
            bytes.close();
            if (e instanceof BatchRefusedException refused) {
                throw refused;
            }
            throw new BatchRefusedException(name + ":1: cannot read the header row: " + e.getMessage(), e);
        }
        this.header = new String[names.length][];
        for (int i = 0; i < names.length; i++) {
            String column = names[i].strip();
            if (column.isEmpty()) {
                bytes.close();
                throw new BatchRefusedException(name + ":1: column " + (i + 1) + " of the header row has no name");
            }
            header[i] = column.split("\\.");
        }
        if (tops == null) {
            this.read = null;
        } else {
            this.read = new boolean[names.length];
            for (int i = 0; i < names.length; i++) {
                read[i] = tops.contains(header[i][0]);
            }
        }
    }

    @Override
    public InputRecord next() throws IOException {
        String[] row;
        long line;
        try {
            if (!rows.hasNextValue()) {
                return null;
            }
            line = rows.getCurrentLocation().getLineNr();
            row = rows.nextValue();
        } catch (JsonProcessingException | RuntimeException e) {
            throw new BatchRefusedException(name + ":" + rows.getCurrentLocation().getLineNr()
                    + ": the CSV cannot be read on: " + e.getMessage().lines().findFirst().orElse(""), e);
        }
        position++;
        String at = name + ":" + line;
        if (row.length != names.length) {
            return new InputRecord(position, at, null, "the row has " + row.length + " cells, the header "
                    + names.length);
        }
        if (read == null) {
            return new InputRecord(position, at, payload(row, null), null);
        }
        String[] cells = row;
        return new InputRecord(position, at, payload(row, read), null, () -> payload(cells, null));
    }

    /** The row as a JSON object: the columns {@code read} marks, or all when it is null. */
    private ObjectNode payload(String[] row, boolean[] read) {
        ObjectNode payload = JsonNodeFactory.instance.objectNode();
        for (int i = 0; i < row.length; i++) {
            String cell = row[i];
            if (cell == null || cell.isEmpty() || (read != null && !read[i])) {
                continue;
            }
            Values.put(payload, header[i], number(cell)
                    ? JsonNodeFactory.instance.numberNode(new BigDecimal(cell)) : JsonNodeFactory.instance.textNode(cell));
        }
        return payload;
    }

    /**
     * Whether a cell is a plain decimal number: {@code -?(0|[1-9][0-9]{0,17})(\.[0-9]{1,18})?},
     * read character by character (a matcher per cell was a batch's hot spot).
     */
    static boolean number(String cell) {
        int n = cell.length();
        int i = 0;
        if (i < n && cell.charAt(i) == '-') {
            i++;
        }
        int start = i;
        while (i < n && digit(cell.charAt(i))) {
            i++;
        }
        int whole = i - start;
        if (whole == 0 || whole > 18 || (whole > 1 && cell.charAt(start) == '0')) {
            return false;
        }
        if (i == n) {
            return true;
        }
        if (cell.charAt(i) != '.') {
            return false;
        }
        int fraction = n - i - 1;
        if (fraction < 1 || fraction > 18) {
            return false;
        }
        for (i++; i < n; i++) {
            if (!digit(cell.charAt(i))) {
                return false;
            }
        }
        return true;
    }

    private static boolean digit(char c) {
        return c >= '0' && c <= '9';
    }

    @Override
    public double fraction() {
        return size == 0 ? 1 : Math.min(1, (double) bytes.count() / size);
    }

    @Override
    public void close() throws IOException {
        rows.close();
        bytes.close();
    }
}
