package dev.steward.model;

/**
 * One DRL file's text, by its workspace-relative path ({@code rules/customer-validation.drl}).
 *
 * @param trusted whether it compiles without the DRL policy: only a file read from the
 *                workspace's disk while {@code rules.trustedDrl} is on, never text from the API
 */
public record DrlSource(String file, String text, boolean trusted) {

    /** A file the DRL policy applies to. */
    public DrlSource(String file, String text) {
        this(file, text, false);
    }
}
