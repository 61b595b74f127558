package dev.steward.plugin;

/**
 * A {@link WebhookFormat} refuses a delivery; Steward answers {@link #status()} with the
 * message as the reason and stores nothing.
 */
public class WebhookRefusedException extends RuntimeException {

    private final int status;

    /**
     * @param status  a 4xx status: 401 (signature, replay window), 403 (wrong organization or
     *                key), 400 (not the vendor's format)
     * @param message the reason, shown to the sender; never a secret
     */
    public WebhookRefusedException(int status, String message) {
        super(message);
        if (status < 400 || status > 499) {
            throw new IllegalArgumentException("a refusal is a 4xx status, not " + status);
        }
        this.status = status;
    }

    public int status() {
        return status;
    }
}
