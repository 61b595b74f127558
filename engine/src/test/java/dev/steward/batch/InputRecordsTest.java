package dev.steward.batch;

import dev.steward.api.BatchRefusedException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** How CSV and JSON Lines files become records, and what is refused where. */
class InputRecordsTest {

    @TempDir
    Path temp;

    private static List<InputRecords.InputRecord> all(InputRecords input) throws IOException {
        List<InputRecords.InputRecord> records = new ArrayList<>();
        for (InputRecords.InputRecord record; (record = input.next()) != null; ) {
            records.add(record);
        }
        input.close();
        return records;
    }

    @Test
    void aCsvCellIsANumberExactlyWhenItIsAPlainDecimal() {
        java.util.regex.Pattern plainDecimal = java.util.regex.Pattern.compile("-?(0|[1-9][0-9]{0,17})(\\.[0-9]{1,18})?");
        List<String> cells = new ArrayList<>(List.of("0", "-0", "7", "-7", "007", "0.5", "-0.50", "00.5", ".5", "5.", "-",
                "--1", "1-2", "+1", "1e3", "1E3", "1.2.3", "12a", "a12", " 1", "1 ", "+1 555 0000001", "K-0000001",
                "123456789012345678", "1234567890123456789", "1.123456789012345678", "1.1234567890123456789",
                "-123456789012345678.123456789012345678", "\u0661", "1\u0662"));
        java.util.Random random = new java.util.Random(13);
        String alphabet = "0123456789-.e+ a";
        for (int i = 0; i < 20_000; i++) {
            StringBuilder cell = new StringBuilder();
            for (int n = 1 + random.nextInt(8); n > 0; n--) {
                cell.append(alphabet.charAt(random.nextInt(random.nextBoolean() ? 10 : alphabet.length())));
            }
            cells.add(cell.toString());
        }
        for (String cell : cells) {
            assertThat(CsvRecords.number(cell)).as(cell).isEqualTo(plainDecimal.matcher(cell).matches());
        }
    }

    @Test
    void csvRowsBecomeObjectsWithNumbersNestedNamesAndNoEmptyCells() throws IOException {
        Path file = Files.writeString(temp.resolve("in.csv"), """
                id,item.sku,item.qty,phone,note
                1,SKU-1,17.50,007,"a, quoted ""note\"\"\"

                2,SKU-2,-3,,plain
                3,too,few
                """);

        List<InputRecords.InputRecord> records = all(new CsvRecords(file, "in.csv"));

        assertThat(records).extracting(InputRecords.InputRecord::position).containsExactly(1L, 2L, 3L);
        assertThat(records.get(0).at()).isEqualTo("in.csv:2");
        assertThat(records.get(0).payload().toString())
                .isEqualTo("{\"id\":1,\"item\":{\"sku\":\"SKU-1\",\"qty\":17.50},\"phone\":\"007\",\"note\":\"a, quoted \\\"note\\\"\"}");
        assertThat(records.get(1).at()).isEqualTo("in.csv:4");
        assertThat(records.get(1).payload().toString()).isEqualTo("{\"id\":2,\"item\":{\"sku\":\"SKU-2\",\"qty\":-3},\"note\":\"plain\"}");
        assertThat(records.get(2).payload()).isNull();
        assertThat(records.get(2).problem()).isEqualTo("the row has 3 cells, the header 5");
    }

    @Test
    void aCsvReadForAFlowHoldsOnlyTheColumnsUnderItsPathsAndMakesTheWholeRowWhenAsked() throws IOException {
        Path file = Files.writeString(temp.resolve("in.csv"), """
                id,item.sku,item.qty,phone,note
                1,SKU-1,17.50,007,left out
                """);

        InputRecords.InputRecord record = all(new CsvRecords(file, "in.csv", java.util.Set.of("id", "item"))).getFirst();

        assertThat(record.payload().toString()).isEqualTo("{\"id\":1,\"item\":{\"sku\":\"SKU-1\",\"qty\":17.50}}");
        assertThat(record.wholePayload().toString())
                .isEqualTo("{\"id\":1,\"item\":{\"sku\":\"SKU-1\",\"qty\":17.50},\"phone\":\"007\",\"note\":\"left out\"}");
    }

    @Test
    void aFlowThatReadsOnlyItsFieldsNamesTheirFirstNamesAndOneWithConditionsOrTemplatesNone() {
        dev.steward.model.SourceLocation at = new dev.steward.model.SourceLocation("flows/f.yaml", 1);
        java.util.function.Function<List<dev.steward.model.Step>, dev.steward.model.Flow> flow = steps ->
                new dev.steward.model.Flow("f", "", "flows/f.yaml", null, "crm", "customer", "id",
                        java.util.Map.of("email", "contact.email", "phone", "phone"), steps, java.util.Optional.of("meta.rev"));

        assertThat(BatchRunner.readTops(flow.apply(List.of(new dev.steward.model.Step.Rules(List.of("m.yaml"), at),
                new dev.steward.model.Step.Sync(List.of("erp"), true, at)))))
                .containsExactlyInAnyOrder("id", "contact", "phone", "meta");
        assertThat(BatchRunner.readTops(flow.apply(List.of(new dev.steward.model.Step.Sync(List.of("erp"), false, at,
                dev.steward.model.RetrySettings.NONE, java.util.Map.of("email", "${payload.other}")))))).isNull();
    }

    @Test
    void aCsvWithoutHeaderOrWithAnUnclosedQuoteIsRefusedWithItsLine() throws IOException {
        Path empty = Files.writeString(temp.resolve("empty.csv"), "");
        assertThatThrownBy(() -> new CsvRecords(empty, "empty.csv")).isInstanceOf(BatchRefusedException.class)
                .hasMessage("empty.csv:1: the file is empty; a CSV input needs a header row");

        Path broken = Files.writeString(temp.resolve("broken.csv"), "id,name\n1,ok\n2,\"never closed\n3,x\n");
        CsvRecords records = new CsvRecords(broken, "broken.csv");
        assertThat(records.next().payload().get("name").asText()).isEqualTo("ok");
        assertThatThrownBy(records::next).isInstanceOf(BatchRefusedException.class)
                .hasMessageStartingWith("broken.csv:").hasMessageContaining("the CSV cannot be read on");
        records.close();
    }

    @Test
    void jsonLinesSkipBlankLinesAndRejectWhatIsNotAnObject() throws IOException {
        Path file = Files.writeString(temp.resolve("in.jsonl"), "{\"id\":\"a\"}\n\n[1,2]\n{oops\n{\"id\":\"b\",\"n\":null}\n");

        List<InputRecords.InputRecord> records = all(new JsonlRecords(file, "in.jsonl"));

        assertThat(records).extracting(InputRecords.InputRecord::at)
                .containsExactly("in.jsonl:1", "in.jsonl:3", "in.jsonl:4", "in.jsonl:5");
        assertThat(records.get(1).problem()).isEqualTo("the line is JSON but not an object");
        assertThat(records.get(2).problem()).startsWith("the line is not JSON: ");
        assertThat(records.get(3).payload().toString()).isEqualTo("{\"id\":\"b\",\"n\":null}");
    }

    @Test
    void keyHashesTellRepeatedKeysAcrossGrowth() {
        KeyHashes keys = new KeyHashes();
        for (int i = 0; i < 200_000; i++) {
            assertThat(keys.add("K-" + i)).isTrue();
        }
        for (int i = 0; i < 200_000; i += 997) {
            assertThat(keys.add("K-" + i)).isFalse();
        }
        assertThat(keys.add("K-200000")).isTrue();
    }
}
