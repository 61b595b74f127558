package dev.steward.connector.salesforce;

import dev.steward.testing.vendors.salesforce.FakeSalesforce;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;

import static org.assertj.core.api.Assertions.assertThat;

/** The fake org answers requests that break Salesforce's contract the vendor's way, and records them. */
class FakeSalesforceContractTest {

    private final HttpClient client = HttpClient.newHttpClient();
    private FakeSalesforce fake;
    private String token;

    @BeforeEach
    void start() throws Exception {
        fake = FakeSalesforce.start();
        HttpResponse<String> answer = send(HttpRequest.newBuilder(URI.create(fake.url() + "/services/oauth2/token"))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString("grant_type=client_credentials&client_id=" + fake.clientId()
                        + "&client_secret=" + fake.clientSecret())).build());
        token = answer.body().replaceAll(".*\"access_token\":\"([^\"]+)\".*", "$1");
    }

    @AfterEach
    void stop() {
        fake.close();
    }

    @Test
    void aPathTheApiDoesNotHaveIsA404AndAViolation() throws Exception {
        HttpResponse<String> answer = send(data("/services/data/v62.0/sobject/Account/001").GET().build());

        assertThat(answer.statusCode()).isEqualTo(404);
        assertThat(answer.body()).contains("\"errorCode\":\"NOT_FOUND\"");
        assertThat(fake.violations()).singleElement().asString().contains("GET /services/data/v62.0/sobject/Account/001");
    }

    @Test
    void aVerbThePathDoesNotTakeIsAViolation() throws Exception {
        send(data("/services/data/v62.0/query").POST(HttpRequest.BodyPublishers.ofString("{}"))
                .header("Content-Type", "application/json").build());
        assertThat(fake.violations()).hasSize(1);
    }

    @Test
    void aWriteThatIsNotJsonIsAViolation() throws Exception {
        HttpResponse<String> answer = send(data("/services/data/v62.0/sobjects/Account/Name/x")
                .method("PATCH", HttpRequest.BodyPublishers.ofString("Name=x"))
                .header("Content-Type", "application/x-www-form-urlencoded").build());

        assertThat(answer.statusCode()).isEqualTo(415);
        assertThat(fake.violations()).singleElement().asString().contains("not application/json");
    }

    @Test
    void aCollectionOfMoreThan200IsAViolation() throws Exception {
        StringBuilder records = new StringBuilder();
        for (int i = 0; i < 201; i++) {
            records.append(i == 0 ? "" : ",").append("{\"attributes\":{\"type\":\"Thing__c\"},\"Key__c\":\"").append(i)
                    .append("\"}");
        }
        HttpResponse<String> answer = send(data("/services/data/v62.0/composite/sobjects/Thing__c/Key__c")
                .method("PATCH", HttpRequest.BodyPublishers.ofString("{\"allOrNone\":false,\"records\":[" + records
                        + "]}")).header("Content-Type", "application/json").build());

        assertThat(answer.statusCode()).isEqualTo(400);
        assertThat(answer.body()).contains("EXCEEDED_ID_LIMIT");
        assertThat(fake.violations()).singleElement().asString().contains("201 records");
    }

    @Test
    void aCallWithoutATokenIsAViolationAndAnUnknownTokenIsNot() throws Exception {
        HttpResponse<String> unknown = send(HttpRequest.newBuilder(URI.create(fake.url()
                + "/services/data/v62.0/sobjects/Account/001")).header("Authorization", "Bearer nope").GET().build());
        assertThat(unknown.statusCode()).isEqualTo(401);
        assertThat(unknown.body()).contains("INVALID_SESSION_ID");
        assertThat(fake.violations()).isEmpty();

        send(HttpRequest.newBuilder(URI.create(fake.url() + "/services/data/v62.0/sobjects/Account/001")).GET().build());
        assertThat(fake.violations()).hasSize(1);
    }

    private HttpRequest.Builder data(String path) {
        return HttpRequest.newBuilder(URI.create(fake.url() + path)).header("Authorization", "Bearer " + token);
    }

    private HttpResponse<String> send(HttpRequest request) throws IOException, InterruptedException {
        return client.send(request, HttpResponse.BodyHandlers.ofString());
    }
}
