package dev.steward.connector.netsuite;

import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.interfaces.ECPrivateKey;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.Base64;

/** Reads a PKCS#8 private key from PEM text with the JDK alone. Stateless. */
final class PemKeys {

    private static final String BEGIN = "-----BEGIN PRIVATE KEY-----";
    private static final String END = "-----END PRIVATE KEY-----";

    private PemKeys() {
    }

    /**
     * The key, of the type the algorithm signs with (RSA for PS256 and RS256, EC P-256 for ES256).
     *
     * @throws IllegalArgumentException saying what is wrong with the text, never quoting it
     */
    static PrivateKey privateKey(String pem, ClientAssertion.Algorithm algorithm) {
        String text = pem.strip();
        if (text.startsWith("-----BEGIN RSA PRIVATE KEY-----") || text.startsWith("-----BEGIN EC PRIVATE KEY-----")) {
            throw new IllegalArgumentException("the private key is in the older PKCS#1/SEC1 form; convert it to PKCS#8"
                    + " with: openssl pkcs8 -topk8 -nocrypt -in key.pem -out key-pkcs8.pem");
        }
        if (text.startsWith("-----BEGIN ENCRYPTED PRIVATE KEY-----")) {
            throw new IllegalArgumentException("the private key is encrypted; give it unencrypted (openssl pkcs8 -topk8"
                    + " -nocrypt) and keep it in a secret, e.g. ${env:NETSUITE_PRIVATE_KEY}");
        }
        int begin = text.indexOf(BEGIN);
        int end = text.indexOf(END);
        if (begin < 0 || end < begin) {
            throw new IllegalArgumentException("the private key is not PEM text between " + BEGIN + " and " + END);
        }
        byte[] der;
        try {
            der = Base64.getMimeDecoder().decode(text.substring(begin + BEGIN.length(), end));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("the private key's PEM text is not base64");
        }
        String type = algorithm == ClientAssertion.Algorithm.ES256 ? "EC" : "RSA";
        try {
            PrivateKey key = KeyFactory.getInstance(type).generatePrivate(new PKCS8EncodedKeySpec(der));
            if (key instanceof ECPrivateKey ec && ec.getParams().getCurve().getField().getFieldSize() != 256) {
                throw new IllegalArgumentException("ES256 needs a P-256 key, not a "
                        + ec.getParams().getCurve().getField().getFieldSize() + "-bit curve");
            }
            return key;
        } catch (GeneralSecurityException e) {
            throw new IllegalArgumentException("the private key is not a PKCS#8 " + type + " key, which " + algorithm
                    + " signs with (" + e.getClass().getSimpleName() + ")");
        }
    }
}
