package dev.steward.api;

import dev.steward.StewardException;

/** A draft longer than a workspace file may be; nothing was checked or saved. */
public final class FileTooLargeException extends StewardException {

    public FileTooLargeException(String message) {
        super(message);
    }
}
