package dev.steward.expr;

import dev.steward.StewardException;

/** A {@code matches} test gave up: the regex read the value more often than the bound allows. */
public final class RegexTooCostlyException extends StewardException {

    RegexTooCostlyException(long reads) {
        super("a 'matches' regex gave up after " + reads + " steps on this value (it backtracks too much; simplify it)");
    }
}
