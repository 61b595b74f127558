package dev.steward.host.access;

import at.favre.lib.crypto.bcrypt.BCrypt;
import at.favre.lib.crypto.bcrypt.LongPasswordStrategies;

import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.Optional;

/**
 * People's passwords, hashed with bcrypt (at.favre.lib:bcrypt: pure Java, maintained). bcrypt
 * reads at most 72 bytes, so longer passwords are refused rather than silently cut. Thread-safe.
 */
public final class Passwords {

    /** About a quarter of a second per check on a current CPU: slow for guessing, fine for signing in. */
    public static final int COST = 12;
    static final int MIN_LENGTH = 12;
    static final int MAX_BYTES = 72;

    private final BCrypt.Hasher hasher;
    private final int cost;
    /** Checked against when a user does not exist, so that an unknown name takes as long as a wrong password. */
    private volatile String decoy;

    public Passwords(SecureRandom random, int cost) {
        this.hasher = BCrypt.with(BCrypt.Version.VERSION_2B, random, LongPasswordStrategies.strict(BCrypt.Version.VERSION_2B));
        this.cost = cost;
    }

    private String decoy() {
        String d = decoy;
        if (d == null) {
            d = hash("no such user; decoy password");
            decoy = d;
        }
        return d;
    }

    /** Why this password is not acceptable, or empty when it is. */
    public static Optional<String> problem(String password) {
        if (password == null || password.length() < MIN_LENGTH) {
            return Optional.of("a password needs at least " + MIN_LENGTH + " characters");
        }
        if (password.getBytes(StandardCharsets.UTF_8).length > MAX_BYTES) {
            return Optional.of("a password may have at most " + MAX_BYTES + " bytes (bcrypt reads no more)");
        }
        return Optional.empty();
    }

    public String hash(String password) {
        return hasher.hashToString(cost, password.toCharArray());
    }

    public boolean matches(String password, Optional<String> hash) {
        if (password == null || password.getBytes(StandardCharsets.UTF_8).length > MAX_BYTES) {
            BCrypt.verifyer().verify("x".toCharArray(), decoy());
            return false;
        }
        boolean verified = BCrypt.verifyer().verify(password.toCharArray(), hash.orElseGet(this::decoy)).verified;
        return verified && hash.isPresent();
    }
}
