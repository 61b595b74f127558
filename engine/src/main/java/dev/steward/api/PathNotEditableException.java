package dev.steward.api;

import dev.steward.StewardException;

/** A path that names no file the files API may read or save: outside its folders, or of another kind. */
public final class PathNotEditableException extends StewardException {

    public PathNotEditableException(String message) {
        super(message);
    }
}
