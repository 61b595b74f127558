package dev.steward.testing;

import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * Gives tests a {@link PostgresDatabase}: a fresh schema in the {@link PostgresCluster#shared()
 * shared cluster}, dropped when its scope ends.
 *
 * <p>The scope is where the parameter is asked for: in a constructor or a {@code @BeforeAll}
 * method, one database for the whole class; in a {@code @Test} or {@code @BeforeEach} method, one
 * per test (the same one for the test and its {@code @BeforeEach}). The whole class is skipped, or
 * fails under {@code CI=true}, when PostgreSQL is not available:
 *
 * <pre>{@code
 * @ExtendWith(PostgresExtension.class)
 * class RunnerIT {
 *     RunnerIT(PostgresDatabase db) { this.settings = db.storeSettings(); }
 * }
 * }</pre>
 */
public final class PostgresExtension implements BeforeAllCallback, ParameterResolver {

    private static final ExtensionContext.Namespace NAMESPACE = ExtensionContext.Namespace.create(PostgresExtension.class);

    @Override
    public void beforeAll(ExtensionContext context) {
        PostgresCluster.shared(); // aborts or fails the class here, where JUnit reports it as such
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
