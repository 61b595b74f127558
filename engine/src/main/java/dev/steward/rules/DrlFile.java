package dev.steward.rules;

import dev.steward.model.DrlSource;

/** A DRL file as the user wrote it and as the compiler saw it, imports added. */
record DrlFile(DrlSource source, DrlPreamble preamble) {
}
