package dev.steward.testing;

import java.lang.reflect.Executable;
import java.util.Arrays;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * Gives tests a {@link PostgresDatabase}: a fresh schema in the {@link PostgresCluster#shared()
 * shared cluster}, dropped when its scope ends.
 *
 * <p>The scope is where the parameter is asked for: in a constructor or a {@code @BeforeAll}
 * method, one database for the whole class; in a {@code @Test} or {@code @BeforeEach} method, one
 * per test (the same one for the test and its {@code @BeforeEach}; the class's one instead, if the
 * class already asked for one). When PostgreSQL is not available the tests are skipped, or fail
 * under {@code CI=true}:
 *
 * <pre>{@code
 * @ExtendWith(PostgresExtension.class)
 * class RunnerIT {
 *     RunnerIT(PostgresDatabase db) { this.settings = db.storeSettings(); }
 * }
 * }</pre>
 */
public final class PostgresExtension implements BeforeAllCallback, BeforeEachCallback, ParameterResolver {

    private static final ExtensionContext.Namespace NAMESPACE = ExtensionContext.Namespace.create(PostgresExtension.class);

    /**
     * Checks for PostgreSQL before each test, so that when it is missing every test shows as skipped
     * with the reason (a class-level skip shows as "Tests run: 0" in Maven and is easy to miss).
     */
    @Override
    public void beforeEach(ExtensionContext context) {
        PostgresCluster.shared();
    }

    /** A class that needs its database before any test (constructor, {@code @BeforeAll}) is skipped whole. */
    @Override
    public void beforeAll(ExtensionContext context) {
        Class<?> type = context.getRequiredTestClass();
        Stream<Executable> classScoped = Stream.concat(Arrays.stream(type.getDeclaredConstructors()),
                Arrays.stream(type.getDeclaredMethods()).filter(m -> m.isAnnotationPresent(BeforeAll.class)));
        if (classScoped.anyMatch(e -> Arrays.asList(e.getParameterTypes()).contains(PostgresDatabase.class))) {
            PostgresCluster.shared();
        }
    }

    @Override
    public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
        return parameter.getParameter().getType() == PostgresDatabase.class;
    }

    @Override
    public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
        return context.getStore(NAMESPACE)
                .getOrComputeIfAbsent("database", k -> new Scoped(PostgresCluster.shared()), Scoped.class)
                .database;
    }

    /** Drops the schema when JUnit closes the store of the scope that created it. */
    private static final class Scoped implements AutoCloseable {
        private final PostgresCluster cluster;
        private final PostgresDatabase database;

        Scoped(PostgresCluster cluster) {
            this.cluster = cluster;
            this.database = cluster.createDatabase();
        }

        @Override
        public void close() {
            cluster.drop(database);
        }
    }
}
