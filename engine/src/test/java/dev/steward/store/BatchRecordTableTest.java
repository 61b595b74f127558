package dev.steward.store;

import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The text of a batch row's effects, read back as written, and what cannot be read. */
class BatchRecordTableTest {

    @Test
    void effectsReadBackAsWrittenWhateverTheirCharactersAndWithOrWithoutAVersion() {
        RunEffects run = new RunEffects(new RecordState(new RecordKey("customer", "K-1")), "batch:b1:1");
        Map<String, String> crm = new LinkedHashMap<>();
        crm.put("email", "\"a:b;c~F2;@d.e\"");
        crm.put("name", "\"Zoë \\\"the\\\" 5:x\"");
        Map<String, String> erp = new LinkedHashMap<>();
        erp.put("email", "\"a:b;c~F2;@d.e\"");
        run.remember("crm", crm, "7:v;1");
        run.remember("erp", Map.of("creditLimit", "5000"), null);
        run.written("erp", erp, null, Instant.ofEpochMilli(1_700_000_000_123L));
        run.written("crm", new LinkedHashMap<>(crm), "v2", Instant.ofEpochMilli(5));

        String text = BatchRecordTable.effects(run);
        BatchRecordTable.Effects read = BatchRecordTable.parse(text);

        assertThat(text).startsWith("~K3:crm5:7:v;1F2;").endsWith("W3:crm2:v25;S0;");
        assertThat(read.known()).containsExactly(
                new BatchRecordTable.Entry("crm", "7:v;1", null, crm),
                new BatchRecordTable.Entry("erp", null, null, Map.of("creditLimit", "5000")));
        assertThat(read.written()).containsExactly(
                new BatchRecordTable.Entry("erp", null, 1_700_000_000_123L, erp),
                new BatchRecordTable.Entry("crm", "v2", 5L, crm));
        assertThat(List.copyOf(read.known().getFirst().fields().keySet())).containsExactly("email", "name");
    }

    @Test
    void aWriteOfTheKnownFieldsInAnotherOrderKeepsItsOwnOrder() {
        RunEffects run = new RunEffects(new RecordState(new RecordKey("customer", "K-1")), "batch:b1:1");
        Map<String, String> known = new LinkedHashMap<>();
        known.put("email", "\"a@b.c\"");
        known.put("phone", "\"+1\"");
        Map<String, String> written = new LinkedHashMap<>();
        written.put("phone", "\"+1\"");
        written.put("email", "\"a@b.c\"");
        run.remember("crm", known, null);
        run.written("erp", written, null, Instant.ofEpochMilli(9));

        String text = BatchRecordTable.effects(run);

        assertThat(text).endsWith("W3:erp-9;F2;5:phone4:\"+1\"5:email7:\"a@b.c\"");
        assertThat(List.copyOf(BatchRecordTable.parse(text).written().getFirst().fields().keySet()))
                .containsExactly("phone", "email");
    }

    @Test
    void textThatIsNeitherFormIsRefusedWithWhatIsWrong() {
        assertThatThrownBy(() -> BatchRecordTable.parse("~K3:crm-F1;5:email")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> BatchRecordTable.parse("~X3:crm-")).hasMessage("'X' where K or W was expected");
        assertThatThrownBy(() -> BatchRecordTable.parse("~W3:erp-5;S0;")).hasMessage("a write names known entry 0 of 0");
        assertThatThrownBy(() -> BatchRecordTable.parse("{oops")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void textsOfEveryLengthCarryTheirLengthInDecimal() {
        RunEffects run = new RunEffects(new RecordState(new RecordKey("customer", "K-1")), "batch:b1:1");
        Map<String, String> fields = new LinkedHashMap<>();
        for (int length : new int[] {0, 9, 10, 99, 100, 1234}) {
            fields.put("f" + length, "x".repeat(length));
        }
        run.remember("crm", fields, null);

        String text = BatchRecordTable.effects(run);

        assertThat(text).startsWith("~K3:crm-F6;2:f00:2:f99:xxxxxxxxx3:f1010:" + "x".repeat(10) + "3:f9999:"
                + "x".repeat(99) + "4:f100100:" + "x".repeat(100) + "5:f12341234:");
        assertThat(BatchRecordTable.parse(text).known().getFirst().fields()).isEqualTo(fields);
    }
}
