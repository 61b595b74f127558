package dev.steward.run;

import dev.steward.model.DeliverySettings;
import dev.steward.model.SystemLimits;
import dev.steward.plugin.ConnectorException;
import dev.steward.plugin.SystemRateLimitedException;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * What stands between the runs and each system, shared by every flow that calls it: the system's
 * rate limit, its circuit breaker (resilience4j), and the pause a {@code Retry-After} asked for.
 * A call that may not go now is not waited for: the caller gets a {@link Deferral} and the event is
 * run again later, so the worker is free for other systems' events. Thread-safe; one instance
 * per engine; time comes from the injected clock.
 */
public final class SystemGuards {

    private static final Logger LOG = LoggerFactory.getLogger(SystemGuards.class);
    /** How long to defer an event while a half-open breaker's trial calls are all out. */
    private static final Duration HALF_OPEN_WAIT = Duration.ofMillis(500);

    /** Why a system's guards kept a call from going out. */
    public enum DeferralKind {
        /** The system asked to wait ({@code Retry-After}). */
        PAUSED("paused"),
        /** Its circuit breaker is open. */
        BREAKER_OPEN("breaker-open"),
        /** Its breaker is half-open and its trial calls are all out. */
        BREAKER_HALF_OPEN("breaker-half-open"),
        /** Steward's own rate limit for it has no token now. */
        RATE_LIMITED("rate-limited");

        private final String label;

        DeferralKind(String label) {
            this.label = label;
        }

        /** The name in metrics and traces. */
        public String label() {
            return label;
        }
    }

    /** Why a call did not go out now, and how long to wait before trying again. */
    public record Deferral(String system, DeferralKind kind, String reason, Duration delay) {
        public String describe() {
            return system + " " + reason + "; deferred for " + RetryPolicy.text(delay) + " without using an attempt";
        }
    }

    /** The state of one system's breaker, for health and the API. */
    public record BreakerState(String system, String state, Instant since, float failureRate, String lastFailure) {}

    private final Clock clock;
    private final MeterRegistry metrics;
    private final DeliverySettings settings;
    private final Map<String, Guard> guards = new ConcurrentHashMap<>();
    /** The store whose {@code rate_buckets} every host shares, or none: each host's own bucket. */
    private final Optional<dev.steward.store.Store> sharedRates;

    public SystemGuards(DeliverySettings settings, Iterable<String> systems, Clock clock, MeterRegistry metrics) {
        this(settings, systems, clock, metrics, Optional.empty());
    }

    /**
     * @param sharedRates a store several hosts share: the systems' rate limits are then taken from
     *     it, one bucket per system for all hosts ({@link SharedTokenBucket}); breakers and pauses
     *     stay per host
     */
    public SystemGuards(DeliverySettings settings, Iterable<String> systems, Clock clock, MeterRegistry metrics,
                        Optional<dev.steward.store.Store> sharedRates) {
        this.sharedRates = sharedRates;
        this.settings = settings;
        this.clock = clock;
        this.metrics = metrics;
        for (String system : systems) {
            guard(system);
        }
    }

    /**
     * Calls a system through its guards: first its pause and breaker, then its rate limit. Answers
     * the call's result, or the deferral that kept it from being made. A transient failure counts
     * against the breaker (a 429 does not: the system is up, and its {@code Retry-After} pauses
     * every call to it instead); a permanent refusal counts as a success, since the system works.
     *
     * @throws ConnectorException the call's own failure, after it was counted
     */
    public <T> Result<T> call(String system, Supplier<T> call) {
        Guard guard = guard(system);
        Optional<Deferral> deferral = guard.admit();
        if (deferral.isPresent()) {
            metrics.counter("steward.deferrals", "system", system, "reason", deferral.get().kind().label()).increment();
            metrics.timer("steward.deferral.wait", "system", system).record(deferral.get().delay());
            return new Result<>(null, deferral);
        }
        long started = clock.millis();
        try {
            T value = call.get();
            guard.succeeded(clock.millis() - started);
            return new Result<>(value, Optional.empty());
        } catch (RuntimeException e) {
            guard.failed(clock.millis() - started, e);
            throw e;
        }
    }

    /** A call's value, or why it was not made. */
    public record Result<T>(T value, Optional<Deferral> deferral) {}

    /** Every breaker that is not closed. */
    public List<BreakerState> openBreakers() {
        List<BreakerState> open = new ArrayList<>();
        for (Guard guard : guards.values()) {
            BreakerState state = guard.state();
            if (!state.state().equals("closed") && !state.state().equals("disabled")) {
                open.add(state);
            }
        }
        open.sort(java.util.Comparator.comparing(BreakerState::system));
        return open;
    }

    public List<BreakerState> breakers() {
        return guards.values().stream().map(Guard::state).sorted(java.util.Comparator.comparing(BreakerState::system)).toList();
    }

    private Guard guard(String system) {
        return guards.computeIfAbsent(system, name -> new Guard(name, settings.limits(name)));
    }

    /** One system's rate limit, breaker and pause. */
    private final class Guard {
        final String system;
        final Optional<RateBucket> bucket;
        final CircuitBreaker breaker;
        final Duration openFor;
        volatile Instant pausedUntil = Instant.EPOCH;
        volatile Instant stateSince;
        volatile String lastFailure;

        Guard(String system, SystemLimits limits) {
            this.system = system;
            this.bucket = limits.rateLimit().map(rate -> sharedRates.<RateBucket>map(store -> new SharedTokenBucket(system,
                    rate.perSecond(), rate.burst(), store, clock)).orElseGet(() -> new TokenBucket(rate.perSecond(), rate.burst(), clock)));
            SystemLimits.Breaker b = limits.breaker();
            this.openFor = b.openFor();
            this.stateSince = clock.instant();
            if (b.enabled()) {
                breaker = CircuitBreaker.of(system, CircuitBreakerConfig.custom()
                        .clock(clock)
                        .slidingWindowType(CircuitBreakerConfig.SlidingWindowType.COUNT_BASED)
                        .slidingWindowSize(b.window())
                        .minimumNumberOfCalls(Math.min(b.minimumCalls(), b.window()))
                        .failureRateThreshold(b.failureRate())
                        .slowCallDurationThreshold(b.slowCall())
                        .slowCallRateThreshold(b.failureRate())
                        .waitDurationInOpenState(b.openFor())
                        .permittedNumberOfCallsInHalfOpenState(b.halfOpenCalls())
                        .recordException(e -> !(e instanceof ConnectorException c) || c.retryable())
                        .ignoreException(e -> e instanceof SystemRateLimitedException)
                        .build());
                breaker.getEventPublisher().onStateTransition(event -> {
                    stateSince = clock.instant();
                    LOG.warn("circuit breaker for {}: {}{}", system, event.getStateTransition(),
                            lastFailure == null ? "" : " (last failure: " + LogText.of(lastFailure) + ")");
                });
                for (CircuitBreaker.State state : List.of(CircuitBreaker.State.CLOSED, CircuitBreaker.State.OPEN,
                        CircuitBreaker.State.HALF_OPEN)) {
                    Gauge.builder("steward.circuit.breaker.state", breaker, cb -> cb.getState() == state ? 1 : 0)
                            .tag("system", system).tag("state", state.name().toLowerCase(Locale.ROOT))
                            .description("1 for the state each system's circuit breaker is in").register(metrics);
                }
            } else {
                breaker = null;
            }
        }

        Optional<Deferral> admit() {
            Instant now = clock.instant();
            if (now.isBefore(pausedUntil)) {
                return Optional.of(new Deferral(system, DeferralKind.PAUSED, "paused: it asked to wait (Retry-After)", Duration.between(now, pausedUntil)));
            }
            if (breaker != null && !breaker.tryAcquirePermission()) {
                if (breaker.getState() == CircuitBreaker.State.OPEN) {
                    Duration left = Duration.between(now, stateSince.plus(openFor));
                    return Optional.of(new Deferral(system, DeferralKind.BREAKER_OPEN, "circuit breaker open" + (lastFailure == null ? "" : " (last failure: "
                            + lastFailure + ")"), left.isNegative() || left.isZero() ? Duration.ofMillis(1) : left));
                }
                return Optional.of(new Deferral(system, DeferralKind.BREAKER_HALF_OPEN, "circuit breaker half-open, trial calls under way", HALF_OPEN_WAIT));
            }
            if (bucket.isPresent()) {
                Optional<Duration> wait = bucket.get().tryTake();
                if (wait.isPresent()) {
                    if (breaker != null) {
                        breaker.releasePermission();
                    }
                    return Optional.of(new Deferral(system, DeferralKind.RATE_LIMITED, sharedRates.isPresent() ? "rate limited (shared by the hosts)" : "rate limited locally", wait.get()));
                }
            }
            return Optional.empty();
        }

        void succeeded(long millis) {
            if (breaker != null) {
                breaker.onSuccess(millis, TimeUnit.MILLISECONDS);
            }
        }

        void failed(long millis, RuntimeException e) {
            if (e instanceof SystemRateLimitedException limited && limited.retryAfter().isPresent()) {
                Instant until = clock.instant().plus(limited.retryAfter().get());
                if (until.isAfter(pausedUntil)) {
                    pausedUntil = until;
                }
            }
            if (!(e instanceof ConnectorException c) || c.retryable()) {
                lastFailure = e.getMessage();
            }
            if (breaker != null) {
                breaker.onError(millis, TimeUnit.MILLISECONDS, e);
            }
        }

        BreakerState state() {
            if (breaker == null) {
                return new BreakerState(system, "disabled", null, -1, lastFailure);
            }
            String state = breaker.getState().name().toLowerCase(Locale.ROOT).replace('_', '-');
            return new BreakerState(system, state, stateSince, breaker.getMetrics().getFailureRate(), lastFailure);
        }
    }
}
