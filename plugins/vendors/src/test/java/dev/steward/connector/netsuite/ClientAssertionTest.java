package dev.steward.connector.netsuite;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.Signature;
import java.security.spec.ECGenParameterSpec;
import java.security.spec.MGF1ParameterSpec;
import java.security.spec.PSSParameterSpec;
import java.time.Instant;
import java.util.Base64;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class ClientAssertionTest {

    @ParameterizedTest
    @EnumSource(ClientAssertion.Algorithm.class)
    void signsTheClaimsNetSuiteAsksForWithTheCertificatesKey(ClientAssertion.Algorithm algorithm) throws Exception {
        KeyPair pair = keyPair(algorithm);
        URI tokenUrl = URI.create("https://1234567.suitetalk.api.netsuite.com/services/rest/auth/oauth2/v1/token");
        NetSuiteSettings.M2m m2m = new NetSuiteSettings.M2m("client-1", "cert-1", pair.getPrivate(), algorithm,
                tokenUrl, "restlets,rest_webservices");
        Instant now = Instant.parse("2026-11-28T12:00:00Z");

        String[] jwt = ClientAssertion.sign(m2m, now).split("\\.");

        ObjectMapper json = new ObjectMapper();
        JsonNode header = json.readTree(Base64.getUrlDecoder().decode(jwt[0]));
        JsonNode claims = json.readTree(Base64.getUrlDecoder().decode(jwt[1]));
        assertThat(header.get("alg").asText()).isEqualTo(algorithm.name());
        assertThat(header.get("kid").asText()).isEqualTo("cert-1");
        assertThat(claims.get("iss").asText()).isEqualTo("client-1");
        assertThat(claims.get("aud").asText()).isEqualTo(tokenUrl.toString());
        assertThat(claims.get("scope").toString()).isEqualTo("[\"restlets\",\"rest_webservices\"]");
        assertThat(claims.get("iat").asLong()).isEqualTo(now.getEpochSecond());
        assertThat(claims.get("exp").asLong() - claims.get("iat").asLong()).isPositive().isLessThanOrEqualTo(3600);

        Signature verifier = switch (algorithm) {
            case PS256 -> {
                Signature s = Signature.getInstance("RSASSA-PSS");
                s.setParameter(new PSSParameterSpec("SHA-256", "MGF1", MGF1ParameterSpec.SHA256, 32, 1));
                yield s;
            }
            case RS256 -> Signature.getInstance("SHA256withRSA");
            case ES256 -> Signature.getInstance("SHA256withECDSAinP1363Format");
        };
        verifier.initVerify(pair.getPublic());
        verifier.update((jwt[0] + "." + jwt[1]).getBytes(StandardCharsets.US_ASCII));
        assertThat(verifier.verify(Base64.getUrlDecoder().decode(jwt[2]))).isTrue();
        if (algorithm == ClientAssertion.Algorithm.ES256) {
            assertThat(Base64.getUrlDecoder().decode(jwt[2])).hasSize(64); // R || S, as JWS wants
        }
    }

    static KeyPair keyPair(ClientAssertion.Algorithm algorithm) throws Exception {
        if (algorithm == ClientAssertion.Algorithm.ES256) {
            KeyPairGenerator ec = KeyPairGenerator.getInstance("EC");
            ec.initialize(new ECGenParameterSpec("secp256r1"));
            return ec.generateKeyPair();
        }
        KeyPairGenerator rsa = KeyPairGenerator.getInstance("RSA");
        rsa.initialize(2048);
        return rsa.generateKeyPair();
    }
}
