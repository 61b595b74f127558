package dev.steward.model;

/** One DRL file's text, by its workspace-relative path ({@code rules/customer-validation.drl}). */
public record DrlSource(String file, String text) {
}
