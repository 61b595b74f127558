package dev.steward.run;

import dev.steward.StewardException;

/** A request named a system, or an entity of a system, that the workspace does not declare. */
public class NoSuchRecordTypeException extends StewardException {

    public NoSuchRecordTypeException(String message) {
        super(message);
    }
}
