package dev.steward.plugin;

/**
 * The system refused the write for good (a 4xx other than 408 and 429, a constraint violation):
 * retrying the same write cannot help, so the event goes to the dead letters with
 * {@link #status()} and {@link #answer()}.
 */
public class WriteRefusedException extends ConnectorException {

    private final int status;
    private final String answer;

    /**
     * @param status the target's status code, or 0 when it has none (a database error)
     * @param answer the target's answer (response body, SQL error message), shortened
     */
    public WriteRefusedException(String message, int status, String answer, Throwable cause) {
        super(message, false, cause);
        this.status = status;
        this.answer = answer;
    }

    public WriteRefusedException(String message, int status, String answer) {
        this(message, status, answer, null);
    }

    public int status() {
        return status;
    }

    public String answer() {
        return answer;
    }
}
