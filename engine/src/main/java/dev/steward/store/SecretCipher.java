package dev.steward.store;

import javax.crypto.Cipher;
import javax.crypto.SecretKey;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.Optional;
import java.util.function.Function;

/**
 * Encrypts connector secrets for the store: AES-256-GCM with a 96-bit nonce drawn for every
 * value and a 128-bit tag, the system's name as associated data (a value moved to another
 * system's row does not decrypt). The key is {@value #KEY_VARIABLE} from the environment, 32
 * bytes in base64 ({@code openssl rand -base64 32}). Thread-safe; never holds a plaintext.
 */
public final class SecretCipher {

    /** The environment variable that holds the key. */
    public static final String KEY_VARIABLE = "STEWARD_SECRET_KEY";

    private static final int NONCE_BYTES = 12;
    private static final int TAG_BITS = 128;

    /** A value as stored: ciphertext (with its tag) and nonce, each in base64. */
    public record Sealed(String ciphertext, String nonce) {
    }

    private final SecretKey key;
    private final SecureRandom random;

    SecretCipher(byte[] key, SecureRandom random) {
        if (key.length != 32) {
            throw new IllegalArgumentException(KEY_VARIABLE + " must be 32 bytes in base64 (an AES-256 key), not "
                    + key.length + " bytes; make one with: openssl rand -base64 32");
        }
        this.key = new SecretKeySpec(key, "AES");
        this.random = random;
    }

    /**
     * The cipher of the key in {@value #KEY_VARIABLE}; empty when it is unset or empty.
     *
     * @throws IllegalArgumentException when it is set but not 32 bytes in base64 (the message
     *                                  names the variable, never its value)
     */
    public static Optional<SecretCipher> fromEnvironment(Function<String, String> env) {
        String text = env.apply(KEY_VARIABLE);
        if (text == null || text.isBlank()) {
            return Optional.empty();
        }
        byte[] key;
        try {
            key = Base64.getDecoder().decode(text.trim());
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(KEY_VARIABLE + " is not base64: it must be 32 random bytes in base64;"
                    + " make one with: openssl rand -base64 32");
        }
        return Optional.of(new SecretCipher(key, new SecureRandom()));
    }

    Sealed seal(String system, String plaintext) {
        byte[] nonce = new byte[NONCE_BYTES];
        random.nextBytes(nonce);
        try {
            Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
            cipher.init(Cipher.ENCRYPT_MODE, key, new GCMParameterSpec(TAG_BITS, nonce));
            cipher.updateAAD(system.getBytes(StandardCharsets.UTF_8));
            byte[] sealed = cipher.doFinal(plaintext.getBytes(StandardCharsets.UTF_8));
            return new Sealed(Base64.getEncoder().encodeToString(sealed), Base64.getEncoder().encodeToString(nonce));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES-GCM is part of every JDK", e);
        }
    }

    /**
     * The plaintext of a stored value.
     *
     * @throws GeneralSecurityException when it does not decrypt: another key, another system's
     *                                  row, or a changed ciphertext
     */
    String open(String system, Sealed sealed) throws GeneralSecurityException {
        byte[] nonce;
        byte[] data;
        try {
            nonce = Base64.getDecoder().decode(sealed.nonce());
            data = Base64.getDecoder().decode(sealed.ciphertext());
        } catch (IllegalArgumentException e) {
            throw new GeneralSecurityException("the stored value is not base64");
        }
        Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
        cipher.init(Cipher.DECRYPT_MODE, key, new GCMParameterSpec(TAG_BITS, nonce));
        cipher.updateAAD(system.getBytes(StandardCharsets.UTF_8));
        return new String(cipher.doFinal(data), StandardCharsets.UTF_8);
    }

    @Override
    public String toString() {
        return "SecretCipher[AES-256-GCM]";
    }
}
