package dev.steward.store;

import dev.steward.model.StoreSettings;
import dev.steward.plugin.SecretStore;

import java.time.Clock;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

/**
 * A {@link Store} being opened on its own thread, so that a start can do what does not need the
 * store meanwhile (the rules' KieBases, each system's pool and init script): opening the embedded
 * H2 store (its file, its tables) is a few hundred milliseconds of a start that nothing else waits
 * for until a connector reads a secret (bench/startup.md, Round 5).
 *
 * <p>Lifecycle: {@link #start} begins; then exactly one of {@link #join} (the caller owns the
 * store) or {@link #abandon} (the store is closed once it has opened). Thread-safe.
 */
public final class StoreOpening {

    private final CompletableFuture<Store> store;

    private StoreOpening(CompletableFuture<Store> store) {
        this.store = store;
    }

    /** Starts opening the store, as {@link Store#open(StoreSettings, Clock)}, on a daemon thread. */
    public static StoreOpening start(StoreSettings settings, Clock clock) {
        CompletableFuture<Store> store = new CompletableFuture<>();
        Thread opener = new Thread(() -> {
            try {
                store.complete(Store.open(settings, clock));
            } catch (Throwable e) {
                store.completeExceptionally(e);
            }
        }, "steward-store-open");
        opener.setDaemon(true);
        opener.start();
        return new StoreOpening(store);
    }

    /**
     * The open store, once it is.
     *
     * @throws StoreUnavailableException (or whatever else {@link Store#open} threw) when it could not be opened
     */
    public Store join() {
        try {
            return store.join();
        } catch (CompletionException e) {
            if (e.getCause() instanceof RuntimeException cause) {
                throw cause;
            }
            if (e.getCause() instanceof Error cause) {
                throw cause;
            }
            throw e;
        }
    }

    /** Whether the store could not be opened (false while it is still opening). */
    public boolean failed() {
        return store.isCompletedExceptionally();
    }

    /** Waits for the opening to end, without throwing. */
    public void await() {
        try {
            store.handle((s, e) -> null).join();
        } catch (CompletionException | java.util.concurrent.CancellationException e) {
            // handle() does not complete exceptionally
        }
    }

    /** The store is not wanted after all: closed as soon as it has opened (nothing if it could not be). */
    public void abandon() {
        store.thenAccept(Store::close);
    }

    /**
     * A system's secret store (see {@link Store#secrets}) that waits for the store only when a
     * connector first reads or writes a secret, not when it is handed to the connector.
     */
    public SecretStore secrets(String system, Optional<SecretCipher> cipher) {
        return new SecretStore() {
            private volatile SecretStore delegate;

            private SecretStore delegate() {
                SecretStore d = delegate;
                if (d == null) {
                    d = join().secrets(system, cipher);
                    delegate = d;
                }
                return d;
            }

            @Override
            public Optional<String> get(String name) {
                return delegate().get(name);
            }

            @Override
            public void put(String name, String value) {
                delegate().put(name, value);
            }

            @Override
            public boolean replace(String name, Optional<String> expected, String value) {
                return delegate().replace(name, expected, value);
            }
        };
    }
}
