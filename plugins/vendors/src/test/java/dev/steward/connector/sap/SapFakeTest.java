package dev.steward.connector.sap;

import dev.steward.testing.vendors.sap.SapFake;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The fake holds clients to SAP's contract: what breaks it is answered SAP's way and recorded,
 * so the connector tests' "no violation" assertions mean something.
 */
class SapFakeTest {

    private static final String BASIC = "Basic " + Base64.getEncoder()
            .encodeToString("STEWARD_COMM:comm-secret".getBytes(StandardCharsets.UTF_8));
    private final HttpClient client = HttpClient.newHttpClient();
    private SapFake fake;
    private String root;

    @BeforeEach
    void start() throws Exception {
        fake = new SapFake();
        root = fake.baseUrl() + "/sap/opu/odata/sap/API_BUSINESS_PARTNER/";
        fake.change("A_BusinessPartner", "1000001", Map.of("OrganizationBPName1", "ACME"));
    }

    @AfterEach
    void stop() {
        fake.close();
    }

    private HttpResponse<String> send(String method, String path, String body, String... headers) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(root + path))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body))
                .header("Authorization", BASIC);
        for (int i = 0; i < headers.length; i += 2) {
            request.setHeader(headers[i], headers[i + 1]);
        }
        return client.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void writesWithoutACsrfTokenOrIfMatchAreRefusedAndRecorded() throws Exception {
        HttpResponse<String> noToken = send("POST", "A_BusinessPartner", "{\"BusinessPartner\":\"1000002\"}",
                "Content-Type", "application/json");
        assertThat(noToken.statusCode()).isEqualTo(403);
        assertThat(noToken.headers().firstValue("X-CSRF-Token")).contains("Required");

        HttpResponse<String> fetch = send("GET", "", null, "X-CSRF-Token", "Fetch");
        String token = fetch.headers().firstValue("X-CSRF-Token").orElseThrow();
        String cookies = String.join("; ", fetch.headers().allValues("Set-Cookie").stream()
                .map(c -> c.substring(0, c.indexOf(';'))).toList());
        assertThat(cookies).contains("SAP_SESSIONID_FAK_100=").contains("sap-XSRF_FAK_100=");

        HttpResponse<String> withoutCookies = send("PATCH", "A_BusinessPartner('1000001')", "{\"SearchTerm1\":\"X\"}",
                "Content-Type", "application/json", "X-CSRF-Token", token, "If-Match", "*");
        assertThat(withoutCookies.statusCode()).isEqualTo(403);

        HttpResponse<String> noIfMatch = send("PATCH", "A_BusinessPartner('1000001')", "{\"SearchTerm1\":\"X\"}",
                "Content-Type", "application/json", "X-CSRF-Token", token, "Cookie", cookies);
        assertThat(noIfMatch.statusCode()).isEqualTo(428);

        HttpResponse<String> unknown = send("PATCH", "A_BusinessPartner('1000001')", "{\"Colour\":\"red\"}",
                "Content-Type", "application/json", "X-CSRF-Token", token, "Cookie", cookies, "If-Match", "*");
        assertThat(unknown.statusCode()).isEqualTo(400);
        assertThat(SapErrors.reason(unknown.body())).contains("property Colour: Property 'Colour' is invalid");

        HttpResponse<String> ok = send("PATCH", "A_BusinessPartner('1000001')", "{\"SearchTerm1\":\"X\"}",
                "Content-Type", "application/json", "X-CSRF-Token", token, "Cookie", cookies, "If-Match", "*");
        assertThat(ok.statusCode()).isEqualTo(204);

        assertThat(fake.violations()).hasSize(3)
                .anySatisfy(v -> assertThat(v).contains("without X-CSRF-Token"))
                .anySatisfy(v -> assertThat(v).contains("without If-Match"))
                .anySatisfy(v -> assertThat(v).contains("Colour"));
    }

    @Test
    void readsNeedJsonAndKnownQueryOptions() throws Exception {
        assertThat(send("GET", "A_BusinessPartner('1000001')", null).statusCode()).isEqualTo(406);
        assertThat(send("GET", "A_BusinessPartner?$format=json&$expand=to_Customer", null).statusCode()).isEqualTo(400);
        HttpResponse<String> read = send("GET", "A_BusinessPartner('1000001')?$format=json", null);
        assertThat(read.statusCode()).isEqualTo(200);
        assertThat(read.headers().firstValue("ETag")).hasValueSatisfying(e -> assertThat(read.body()).contains("\"etag\":\""
                + e.replace("\"", "\\\"") + "\""));
        assertThat(read.body()).startsWith("{\"d\":{\"__metadata\"").contains("\"OrganizationBPName1\":\"ACME\"");
        assertThat(fake.violations()).hasSize(2);
        assertThat(send("GET", "A_BusinessPartner('1000001')?$format=json", null, "Authorization", "Basic eDp5")
                .statusCode()).isEqualTo(401);
    }
}
