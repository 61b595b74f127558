package dev.steward;

import dev.steward.api.ConflictStats;
import dev.steward.store.ConflictCount;

import java.time.LocalDate;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** The conflict counts of a period, summed the three ways {@code GET /api/stats} shows them. Stateless. */
final class Stats {

    private Stats() {
    }

    static ConflictStats of(String period, LocalDate from, LocalDate to, List<ConflictCount> rows) {
        ConflictStats.Counts totals = ConflictStats.Counts.NONE;
        Map<String, ConflictStats.Counts> byField = new TreeMap<>();
        Map<String, String[]> names = new LinkedHashMap<>();
        Map<LocalDate, ConflictStats.Counts> byDay = new TreeMap<>();
        for (LocalDate day = from; !day.isAfter(to); day = day.plusDays(1)) {
            byDay.put(day, ConflictStats.Counts.NONE);
        }
        for (ConflictCount row : rows) {
            String kind = row.kind().label();
            totals = totals.plus(kind, row.n());
            String name = row.entity() + "\u0000" + row.field();
            names.putIfAbsent(name, new String[] {row.entity(), row.field()});
            byField.merge(name, ConflictStats.Counts.NONE.plus(kind, row.n()), Stats::sum);
            byDay.merge(row.day(), ConflictStats.Counts.NONE.plus(kind, row.n()), Stats::sum);
        }
        List<ConflictStats.FieldCounts> fields = new ArrayList<>();
        byField.forEach((name, counts) -> fields.add(new ConflictStats.FieldCounts(names.get(name)[0], names.get(name)[1], counts)));
        List<ConflictStats.DayCounts> days = new ArrayList<>();
        byDay.forEach((day, counts) -> days.add(new ConflictStats.DayCounts(day, counts)));
        return new ConflictStats(period, from, to, totals, List.copyOf(fields), List.copyOf(days));
    }

    private static ConflictStats.Counts sum(ConflictStats.Counts a, ConflictStats.Counts b) {
        return new ConflictStats.Counts(a.rejected() + b.rejected(), a.quarantined() + b.quarantined(),
                a.heals() + b.heals(), a.echoes() + b.echoes(), a.holds() + b.holds());
    }
}
