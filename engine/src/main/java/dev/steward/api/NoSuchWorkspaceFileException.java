package dev.steward.api;

import dev.steward.StewardException;

/** An editable path where there is no file yet. */
public final class NoSuchWorkspaceFileException extends StewardException {

    public NoSuchWorkspaceFileException(String message) {
        super(message);
    }
}
