package dev.steward.run;

import dev.steward.StewardException;

/**
 * A webhook payload that cannot become an event: not JSON (the host answers 400) or without the
 * record key the flow names (422). Nothing is stored.
 */
public class PayloadRejectedException extends StewardException {

    private final boolean malformed;

    public PayloadRejectedException(String message, boolean malformed) {
        super(message);
        this.malformed = malformed;
    }

    /** True when the body is not JSON at all; false when it is JSON the flow cannot use. */
    public boolean malformed() {
        return malformed;
    }
}
