package dev.steward.connector.netsuite;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.Test;

class TbaSignatureTest {

    /**
     * RFC 5849, section 3.4.1.1: the request and the signature base string it publishes (query
     * parameters with encoded characters, a repeated name, a form body, the oauth parameters).
     */
    @Test
    void buildsTheBaseStringOfRfc5849sExample() {
        URI uri = URI.create("http://example.com/request?b5=%3D%253D&a3=a&c%40=&a2=r%20b");
        List<TbaSignature.Param> params = new java.util.ArrayList<>(TbaSignature.query("c2&a3=2+q"));
        params.add(new TbaSignature.Param("oauth_consumer_key", "9djdj82h48djs9d2"));
        params.add(new TbaSignature.Param("oauth_token", "kkk9d7dh3k39sjv7"));
        params.add(new TbaSignature.Param("oauth_signature_method", "HMAC-SHA1"));
        params.add(new TbaSignature.Param("oauth_timestamp", "137131201"));
        params.add(new TbaSignature.Param("oauth_nonce", "7d8f3e4a"));

        String base = TbaSignature.baseString("POST", uri, params);

        assertThat(base).isEqualTo("POST&http%3A%2F%2Fexample.com%2Frequest&a2%3Dr%2520b%26a3%3D2%2520q"
                + "%26a3%3Da%26b5%3D%253D%25253D%26c%2540%3D%26c2%3D%26oauth_consumer_key%3D9dj"
                + "dj82h48djs9d2%26oauth_nonce%3D7d8f3e4a%26oauth_signature_method%3DHMAC-SHA1"
                + "%26oauth_timestamp%3D137131201%26oauth_token%3Dkkk9d7dh3k39sjv7");
    }

    @Test
    void signsANetSuiteRequestWithHmacSha256OfTheBaseStringAndTheAccountAsRealm() throws Exception {
        NetSuiteSettings.Tba tba = new NetSuiteSettings.Tba("ck", "cs&1", "tid", "ts 2");
        URI uri = URI.create("https://1234567-sb1.suitetalk.api.netsuite.com:443/services/rest/record/v1/customer?limit=2&offset=0");

        String header = TbaSignature.header("1234567_SB1", tba, "GET", uri, List.of(), "n0nce", 1_700_000_000L);

        // the base string and key written out by hand, the HMAC computed here with the JDK
        String base = "GET&https%3A%2F%2F1234567-sb1.suitetalk.api.netsuite.com%2Fservices%2Frest%2Frecord%2Fv1%2Fcustomer"
                + "&limit%3D2%26oauth_consumer_key%3Dck%26oauth_nonce%3Dn0nce%26oauth_signature_method%3DHMAC-SHA256"
                + "%26oauth_timestamp%3D1700000000%26oauth_token%3Dtid%26oauth_version%3D1.0%26offset%3D0";
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec("cs%261&ts%202".getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
        String signature = Base64.getEncoder().encodeToString(mac.doFinal(base.getBytes(StandardCharsets.UTF_8)));
        assertThat(header).isEqualTo("OAuth realm=\"1234567_SB1\", oauth_consumer_key=\"ck\", oauth_token=\"tid\","
                + " oauth_signature_method=\"HMAC-SHA256\", oauth_timestamp=\"1700000000\", oauth_nonce=\"n0nce\","
                + " oauth_version=\"1.0\", oauth_signature=\"" + TbaSignature.encode(signature) + "\"");
    }

    @Test
    void encodesAsRfc3986UnreservedOnly() {
        assertThat(TbaSignature.encode("a b+c*~é")).isEqualTo("a%20b%2Bc%2A~%C3%A9");
    }
}
