package dev.steward.store;

/**
 * What a host got from a system's shared rate limit ({@link Store#takeRateTokens}).
 *
 * @param granted tokens taken, to spend on calls; 0 when fewer than one was left
 * @param available the tokens left in the bucket after the take (fractional while it refills)
 */
public record RateTake(int granted, double available) {}
