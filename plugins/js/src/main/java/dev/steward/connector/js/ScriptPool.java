package dev.steward.connector.js;

import dev.steward.plugin.ScriptFailedException;
import dev.steward.plugin.ScriptFailedException.Reason;
import dev.steward.plugin.ScriptLimits;
import dev.steward.plugin.ScriptRejectedException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.atomic.AtomicInteger;
import org.graalvm.polyglot.Context;
import org.graalvm.polyglot.PolyglotException;
import org.graalvm.polyglot.Source;
import org.graalvm.polyglot.Value;
import org.graalvm.polyglot.proxy.ProxyExecutable;

/**
 * One parsed script and a pool of sandboxed contexts that run it. A JavaScript context is used by
 * one thread at a time, so each call takes an idle context (or makes one: a cold context costs
 * milliseconds, the parse is shared through the engine), runs under the {@link Watchdog}, and
 * gives it back. A context that the watchdog cancelled, or that failed in a way that may have
 * left it broken, is thrown away.
 *
 * <p>Every call starts from a clean scope although contexts are reused: the script's text is run
 * as the body of a function, afresh at each call, so its top-level variables ({@code var seen =
 * []}) belong to that call alone; and the global object and every builtin are frozen before any
 * script runs ({@link JsEngine#newContext}), so nothing can be left on them for a later call.
 * Thread-safe.
 */
final class ScriptPool implements AutoCloseable {

    /**
     * One call in one crossing into the guest: run the script's top level, parse the arguments,
     * call the function. {@code JSON.parse} is taken before any user code runs (and is frozen).
     */
    private static final Source CALL = Source.newBuilder("js", """
            (function (script) {
              'use strict';
              const parse = JSON.parse;
              return function (index, name, log, context, ...args) {
                const callee = script()[index];
                if (typeof callee !== 'function') {
                  throw new TypeError('the top level of the script did not define function ' + name);
                }
                const values = [];
                for (let i = 0; i < args.length; i++) {
                  values.push(parse(args[i]));
                }
                const ctx = parse(context);
                ctx.log = log;
                values.push(ctx);
                return callee(...values);
              };
            })
            """, "steward-call.js").buildLiteral();

    private static final long FIRST_RUN_BUDGET_NANOS = 5_000_000_000L;

    /** Turns a script's result into what the caller returns, inside the guarded call. */
    @FunctionalInterface
    interface ResultReader<T> {
        T read(Value result, int maxChars);
    }

    /**
     * One context: {@code call} runs the script's top level and calls one of its functions (see
     * {@link #CALL}); {@code log} is the {@code ctx.log} function.
     */
    private record Slot(Context context, Value call, Value log, ScriptLog output) {
    }

    private final JsEngine engine;
    private final String name;
    private final Source source;
    private final Source body;
    private final List<String> functions;
    private final ScriptLimits limits;
    private final System.Logger logger;
    private final int maxIdle;
    private final ConcurrentLinkedDeque<Slot> idle = new ConcurrentLinkedDeque<>();
    private final AtomicInteger idleCount = new AtomicInteger();
    private volatile boolean closed;

    private ScriptPool(JsEngine engine, String name, Source source, List<String> functions, ScriptLimits limits,
                       System.Logger logger) {
        this.engine = engine;
        this.name = name;
        this.source = source;
        this.functions = List.copyOf(functions);
        this.body = Source.newBuilder("js", asFunction(source.getCharacters().toString(), this.functions), name)
                .buildLiteral();
        this.limits = limits;
        this.logger = logger;
        this.maxIdle = Math.max(4, 2 * Runtime.getRuntime().availableProcessors());
    }

    /**
     * Parses the script and runs it once in a first context, checking that it defines each of
     * {@code functions}.
     *
     * @throws ScriptRejectedException when it does not parse, its top-level code fails, or a
     *                                 function is missing
     */
    static ScriptPool compile(JsEngine engine, String name, String text, List<String> functions, ScriptLimits limits,
                              System.Logger logger) {
        Source source = Source.newBuilder("js", text, name).buildLiteral();
        ScriptPool pool = new ScriptPool(engine, name, source, functions, limits, logger);
        try {
            // the first run in a JVM loads the builtins the script uses; give it start-up time
            pool.release(pool.newSlot(Math.max(limits.timeout().toNanos(), FIRST_RUN_BUDGET_NANOS)));
        } catch (ScriptFailedException e) {
            throw new ScriptRejectedException(name, e.line().orElse(0), 0,
                    "its top-level code failed: " + e.getMessage().substring(name.length()).replaceFirst("^(:\\d+)?: ", ""), e);
        }
        return pool;
    }

    String name() {
        return name;
    }

    /**
     * Calls one of the script's functions with JSON-like arguments, then {@code context}, a plain
     * object to which a {@code log} function is added.
     *
     * @throws ScriptFailedException when the call fails for any reason; the pool stays usable
     */
    <T> T call(String function, List<Object> args, Map<String, Object> context, ResultReader<T> reader) {
        if (closed) {
            throw new IllegalStateException(name + " is closed");
        }
        Slot slot = idle.pollFirst();
        if (slot == null) {
            slot = newSlot(limits.timeout().toNanos());
        } else {
            idleCount.decrementAndGet();
        }
        slot.output.start();
        Watchdog.Guard guard = engine.watchdog().start(slot.context, limits.timeout().toNanos(), limits.maxAllocatedBytes());
        boolean keep = false;
        try {
            Object[] values = new Object[args.size() + 4];
            values[0] = functions.indexOf(function);
            values[1] = function;
            values[2] = slot.log;
            values[3] = JsonText.of(context);
            for (int i = 0; i < args.size(); i++) {
                values[4 + i] = JsonText.of(args.get(i));
            }
            Value result = slot.call.execute(values);
            T out = reader.read(result, limits.maxOutputChars());
            Reason tripped = guard.finish();
            if (tripped != null) {
                throw overBudget(function, tripped, null);
            }
            keep = true;
            return out;
        } catch (PolyglotException e) {
            Reason tripped = guard.finish();
            if (tripped != null) {
                throw overBudget(function, tripped, e);
            }
            // a guest error leaves the context sound; exhaustion or an internal error may not
            keep = e.isGuestException() && !e.isResourceExhausted() && !e.isInternalError();
            throw ScriptErrors.failed(name, function, e);
        } catch (GuestValues.Unacceptable e) {
            Reason tripped = guard.finish();
            if (tripped != null) {
                throw overBudget(function, tripped, null);
            }
            keep = true;
            throw new ScriptFailedException(name, 0, e.tooLarge ? Reason.OUTPUT_TOO_LARGE : Reason.BAD_RESULT,
                    function + ": " + e.getMessage(), null);
        } catch (IllegalArgumentException | IllegalStateException e) {
            Reason tripped = guard.finish();
            if (tripped != null) {
                throw overBudget(function, tripped, null);
            }
            throw new ScriptFailedException(name, 0, Reason.BAD_RESULT, function + ": " + e.getMessage(), e);
        } finally {
            engine.watchdog().end(guard);
            slot.output.end();
            if (keep && guard.finish() == null) {
                release(slot);
            } else if (guard.finish() == null) {
                slot.context.close(true);
            }
            // a tripped context is closed by the watchdog
        }
    }

    private ScriptFailedException overBudget(String function, Reason reason, Throwable cause) {
        String message = switch (reason) {
            case TIMEOUT -> function + " ran past its time budget" + (function.equals("the script") ? "" : " of "
                    + limits.timeout().toMillis() + " ms") + " and was cancelled";
            case MEMORY -> function + " allocated more than " + (limits.maxAllocatedBytes() >> 20) + " MiB and was cancelled";
            default -> function + " was cancelled (" + reason + ")";
        };
        return new ScriptFailedException(name, 0, reason, message, cause);
    }

    private Slot newSlot(long budgetNanos) {
        ScriptLog output = new ScriptLog(logger, name);
        // made and locked down outside the budget: that is Steward's work, not the script's
        Context context = engine.newContext(new LogOutput(output));
        output.start();
        Watchdog.Guard guard = engine.watchdog().start(context, budgetNanos, limits.maxAllocatedBytes());
        try {
            // checked as the script it is, so that a syntax error has the user's own line and column
            context.parse(source);
            Value script = context.eval(body);
            Value made = script.execute();
            List<String> missing = new ArrayList<>();
            for (int i = 0; i < functions.size(); i++) {
                if (!made.getArrayElement(i).canExecute()) {
                    missing.add(functions.get(i));
                }
            }
            if (!missing.isEmpty()) {
                guard.finish();
                context.close();
                throw new ScriptRejectedException(name, 0, 0, "defines no function " + String.join(", ", missing)
                        + " (write: function " + missing.getFirst() + "(...) { ... })", null);
            }
            Value log = context.asValue((ProxyExecutable) arguments -> log(output, arguments));
            Reason tripped = guard.finish();
            if (tripped != null) {
                throw overBudget("the script", tripped, null);
            }
            return new Slot(context, context.eval(CALL).execute(script), log, output);
        } catch (PolyglotException e) {
            Reason tripped = guard.finish();
            if (tripped != null) {
                throw overBudget("the script", tripped, e);
            }
            context.close(true);
            if (e.isSyntaxError()) {
                throw ScriptErrors.rejected(name, e);
            }
            throw ScriptErrors.failed(name, "the script", e);
        } finally {
            engine.watchdog().end(guard);
            output.end();
        }
    }

    /**
     * The script as a function that runs its top level and returns its functions. Only text that
     * parsed as a script on its own is wrapped, so it cannot close the function early; the first
     * line stays the first line, so lines in errors are the user's.
     */
    private static String asFunction(String text, List<String> functions) {
        StringBuilder wrapped = new StringBuilder("(function () {").append(text).append("\n;return [");
        for (int i = 0; i < functions.size(); i++) {
            String f = functions.get(i);
            wrapped.append(i == 0 ? "" : ", ").append("typeof ").append(f).append(" === 'function' ? ").append(f)
                    .append(" : null");
        }
        return wrapped.append("];\n})").toString();
    }

    private static Object log(ScriptLog output, Value... arguments) {
        StringBuilder text = new StringBuilder();
        for (Value each : arguments) {
            if (!text.isEmpty()) {
                text.append(' ');
            }
            text.append(each.isString() ? each.asString() : each.toString());
            if (text.length() > ScriptLog.MAX_LINE) {
                break;
            }
        }
        output.line(text.toString());
        return null;
    }

    private void release(Slot slot) {
        if (!closed && idleCount.incrementAndGet() <= maxIdle) {
            idle.addFirst(slot);
            if (closed && idle.remove(slot)) {
                slot.context.close();
            }
            return;
        }
        if (!closed) {
            idleCount.decrementAndGet();
        }
        slot.context.close();
    }

    /** Closes the idle contexts; contexts in use are closed when their calls end. */
    @Override
    public void close() {
        closed = true;
        for (Slot slot; (slot = idle.pollFirst()) != null; ) {
            slot.context.close();
        }
    }
}
