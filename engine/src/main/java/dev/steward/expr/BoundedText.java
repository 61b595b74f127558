package dev.steward.expr;

/**
 * Text for a regex to match that stops the match after a bounded number of character reads, so
 * that a regex that backtracks catastrophically ({@code (a+)+$}) fails one evaluation instead of
 * holding a worker. Java's regex engine has no timeout of its own; every step reads a character.
 */
final class BoundedText implements CharSequence {

    static final long MAX_READS = 1_000_000;

    private final String text;
    private final long[] reads;

    BoundedText(String text) {
        this(text, new long[1]);
    }

    private BoundedText(String text, long[] reads) {
        this.text = text;
        this.reads = reads;
    }

    @Override
    public char charAt(int index) {
        if (++reads[0] > MAX_READS) {
            throw new RegexTooCostlyException(MAX_READS);
        }
        return text.charAt(index);
    }

    @Override
    public int length() {
        return text.length();
    }

    @Override
    public CharSequence subSequence(int start, int end) {
        return new BoundedText(text.substring(start, end), reads);
    }

    @Override
    public String toString() {
        return text;
    }
}
