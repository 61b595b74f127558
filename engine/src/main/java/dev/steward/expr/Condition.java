package dev.steward.expr;

import java.util.List;
import java.util.stream.Collectors;

/**
 * A yes/no question over named values, for a flow's {@code filter} or {@code branch}:
 * {@code region "EMEA", "APAC" and creditLimit > 1000}, {@code not (email is empty)}. Each
 * comparison is a name followed by a table cell's tests ({@link UnaryTests}). Immutable;
 * thread-safe.
 */
public sealed interface Condition {

    boolean evaluate(Lookup values);

    /** {@code name tests}: the named value passes the tests. */
    record Test(String name, UnaryTests tests) implements Condition {
        @Override
        public boolean evaluate(Lookup values) {
            return tests.test(values.value(name), tests.usesChanged() && values.changed(name));
        }

        @Override
        public String toString() {
            return name + " " + tests;
        }
    }

    record And(List<Condition> all) implements Condition {
        public And {
            all = List.copyOf(all);
        }

        @Override
        public boolean evaluate(Lookup values) {
            for (Condition condition : all) {
                if (!condition.evaluate(values)) {
                    return false;
                }
            }
            return true;
        }

        @Override
        public String toString() {
            return all.stream().map(c -> c instanceof Or ? "(" + c + ")" : c.toString()).collect(Collectors.joining(" and "));
        }
    }

    record Or(List<Condition> any) implements Condition {
        public Or {
            any = List.copyOf(any);
        }

        @Override
        public boolean evaluate(Lookup values) {
            for (Condition condition : any) {
                if (condition.evaluate(values)) {
                    return true;
                }
            }
            return false;
        }

        @Override
        public String toString() {
            return any.stream().map(Object::toString).collect(Collectors.joining(" or "));
        }
    }

    record Not(Condition negated) implements Condition {
        @Override
        public boolean evaluate(Lookup values) {
            return !negated.evaluate(values);
        }

        @Override
        public String toString() {
            return "not (" + negated + ")";
        }
    }
}
