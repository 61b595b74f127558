package dev.steward.api;

/**
 * A workspace file's text as saved.
 *
 * @param sha256 the hex SHA-256 of the text's UTF-8 bytes, for the audit log and for an editor to
 *               tell whether the file changed under it
 */
public record WorkspaceFile(String path, String text, String sha256) {
}
