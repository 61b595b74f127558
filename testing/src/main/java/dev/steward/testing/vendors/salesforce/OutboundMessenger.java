package dev.steward.testing.vendors.salesforce;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BiFunction;
import java.util.regex.Pattern;

/**
 * Sends the fake org's change notifications: Outbound Messages (SOAP, up to 100 notifications a
 * message, each with its own {@code 04l...} Id, the record's latest fields read at sending time,
 * redelivered with the same Ids and a growing delay until the listener answers
 * {@code <Ack>true</Ack>}), and, when a relay URL is set, Change Data Capture events as JSON
 * signed the Standard Webhooks way (as a relay of Pub/Sub events would), redelivered until
 * a 2xx. One sender thread; thread-safe.
 */
final class OutboundMessenger implements AutoCloseable {

    private record Pending(String notificationId, String type, String recordId, String cdcBody, int attempts,
                           Instant due) {
    }

    private static final Pattern ACK = Pattern.compile("<(?:[A-Za-z0-9_]+:)?Ack>\\s*true\\s*</(?:[A-Za-z0-9_]+:)?Ack>");
    private static final ObjectMapper JSON = new ObjectMapper();

    private final String organizationId;
    private final BiFunction<String, String, Optional<Map<String, Object>>> records;
    private final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private final Map<String, URI> outbound = new ConcurrentHashMap<>();
    private final Map<String, URI> cdc = new ConcurrentHashMap<>();
    private volatile String cdcSecret = "";
    private final List<Pending> pending = new ArrayList<>();
    private final List<FakeSalesforce.Delivery> deliveries = new CopyOnWriteArrayList<>();
    private final AtomicLong notificationCounter = new AtomicLong(100_000);
    private final AtomicLong acked = new AtomicLong();
    private volatile Duration retryDelay = Duration.ofMillis(200);
    private volatile Duration maxRetryDelay = Duration.ofSeconds(2);
    private final Thread sender;
    private volatile boolean running = true;
    private final SalesforceIds ids = new SalesforceIds();

    OutboundMessenger(String organizationId, BiFunction<String, String, Optional<Map<String, Object>>> records) {
        this.organizationId = organizationId;
        this.records = records;
        this.sender = Thread.ofPlatform().daemon().name("fake-salesforce-outbound").start(this::run);
    }

    void outbound(String type, URI url) {
        outbound.put(type, url);
    }

    void cdc(String type, URI url, String secret) {
        cdc.put(type, url);
        cdcSecret = secret;
    }

    void retry(Duration first, Duration max) {
        retryDelay = first;
        maxRetryDelay = max;
    }

    /** A record changed: queue its notifications. */
    void changed(FakeOrg.Change change, Instant now) {
        synchronized (pending) {
            if (outbound.containsKey(change.type())) {
                String id = ids.next("04l");
                pending.add(new Pending(id, change.type(), change.id(), null, 0, now));
            }
            if (cdc.containsKey(change.type())) {
                pending.add(new Pending(UUID.randomUUID().toString(), change.type(), change.id(), cdcEvent(change, now),
                        0, now));
            }
            pending.notifyAll();
        }
    }

    List<FakeSalesforce.Delivery> deliveries() {
        return List.copyOf(deliveries);
    }

    long acked() {
        return acked.get();
    }

    int pending() {
        synchronized (pending) {
            return pending.size();
        }
    }

    private void run() {
        while (running) {
            List<Pending> batch = new ArrayList<>();
            synchronized (pending) {
                Instant now = Instant.now();
                Pending first = pending.stream().filter(p -> !p.due().isAfter(now)).findFirst().orElse(null);
                if (first == null) {
                    try {
                        pending.wait(50);
                    } catch (InterruptedException e) {
                        return;
                    }
                    continue;
                }
                boolean soap = first.cdcBody() == null;
                for (Pending p : pending) {
                    if (batch.size() < (soap ? 100 : 1) && !p.due().isAfter(now) && (p.cdcBody() == null) == soap
                            && p.type().equals(first.type())) {
                        batch.add(p);
                    }
                }
                pending.removeAll(batch);
            }
            boolean delivered = batch.getFirst().cdcBody() == null ? sendSoap(batch) : sendCdc(batch.getFirst());
            if (!delivered) {
                synchronized (pending) {
                    for (Pending p : batch) {
                        long factor = 1L << Math.min(p.attempts(), 16);
                        Duration wait = retryDelay.multipliedBy(factor);
                        if (wait.compareTo(maxRetryDelay) > 0) {
                            wait = maxRetryDelay;
                        }
                        pending.add(new Pending(p.notificationId(), p.type(), p.recordId(), p.cdcBody(),
                                p.attempts() + 1, Instant.now().plus(wait)));
                    }
                }
            }
        }
    }

    private boolean sendSoap(List<Pending> batch) {
        StringBuilder xml = new StringBuilder("""
                <?xml version="1.0" encoding="UTF-8"?>
                <soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" \
                xmlns:xsd="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
                 <soapenv:Body>
                  <notifications xmlns="http://soap.sforce.com/2005/09/outbound">
                """);
        xml.append("   <OrganizationId>").append(organizationId).append("</OrganizationId>\n");
        xml.append("   <ActionId>04k5g00000Fake1AAA</ActionId>\n   <SessionId xsi:nil=\"true\"/>\n");
        xml.append("   <EnterpriseUrl>https://fake.my.salesforce.com/services/Soap/c/62.0/").append(organizationId)
                .append("</EnterpriseUrl>\n");
        xml.append("   <PartnerUrl>https://fake.my.salesforce.com/services/Soap/u/62.0/").append(organizationId)
                .append("</PartnerUrl>\n");
        List<String> sent = new ArrayList<>();
        for (Pending p : batch) {
            Optional<Map<String, Object>> record = records.apply(p.type(), p.recordId());
            if (record.isEmpty()) {
                continue; // deleted since: Salesforce drops it
            }
            sent.add(p.notificationId());
            xml.append("   <Notification>\n    <Id>").append(p.notificationId()).append("</Id>\n");
            xml.append("    <sObject xsi:type=\"sf:").append(p.type())
                    .append("\" xmlns:sf=\"urn:sobject.enterprise.soap.sforce.com\">\n");
            for (Map.Entry<String, Object> f : record.get().entrySet()) {
                if (f.getValue() != null) {
                    xml.append("     <sf:").append(f.getKey()).append('>').append(escape(String.valueOf(f.getValue())))
                            .append("</sf:").append(f.getKey()).append(">\n");
                }
            }
            xml.append("    </sObject>\n   </Notification>\n");
        }
        if (sent.isEmpty()) {
            return true;
        }
        xml.append("  </notifications>\n </soapenv:Body>\n</soapenv:Envelope>\n");
        HttpRequest request = HttpRequest.newBuilder(outbound.get(batch.getFirst().type()))
                .timeout(Duration.ofSeconds(10))
                .header("Content-Type", "text/xml; charset=utf-8").header("SOAPAction", "\"\"")
                .POST(HttpRequest.BodyPublishers.ofString(xml.toString(), StandardCharsets.UTF_8)).build();
        int status = 0;
        boolean ok = false;
        try {
            HttpResponse<String> answer = client.send(request, HttpResponse.BodyHandlers.ofString());
            status = answer.statusCode();
            ok = status == 200 && ACK.matcher(answer.body()).find();
        } catch (java.io.IOException e) {
            status = 0;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        deliveries.add(new FakeSalesforce.Delivery("outbound", batch.getFirst().type(), List.copyOf(sent), status));
        if (ok) {
            acked.addAndGet(sent.size());
        }
        return ok;
    }

    private boolean sendCdc(Pending p) {
        String timestamp = String.valueOf(Instant.now().getEpochSecond());
        byte[] body = p.cdcBody().getBytes(StandardCharsets.UTF_8);
        String signature;
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            byte[] key = cdcSecret.startsWith("whsec_") ? Base64.getDecoder().decode(cdcSecret.substring(6))
                    : cdcSecret.getBytes(StandardCharsets.UTF_8);
            mac.init(new SecretKeySpec(key, "HmacSHA256"));
            mac.update((p.notificationId() + "." + timestamp + ".").getBytes(StandardCharsets.UTF_8));
            signature = "v1," + Base64.getEncoder().encodeToString(mac.doFinal(body));
        } catch (java.security.GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
        HttpRequest request = HttpRequest.newBuilder(cdc.get(p.type())).timeout(Duration.ofSeconds(10))
                .header("Content-Type", "application/json").header("webhook-id", p.notificationId())
                .header("webhook-timestamp", timestamp).header("webhook-signature", signature)
                .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build();
        int status = 0;
        try {
            status = client.send(request, HttpResponse.BodyHandlers.discarding()).statusCode();
        } catch (java.io.IOException e) {
            status = 0;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        deliveries.add(new FakeSalesforce.Delivery("cdc", p.type(), List.of(p.notificationId()), status));
        boolean ok = status >= 200 && status < 300;
        if (ok) {
            acked.incrementAndGet();
        }
        return ok;
    }

    private String cdcEvent(FakeOrg.Change change, Instant now) {
        ObjectNode event = JSON.createObjectNode();
        ObjectNode header = event.putObject("ChangeEventHeader");
        header.put("entityName", change.type());
        header.putArray("recordIds").add(change.id());
        header.put("changeType", change.created() ? "CREATE" : "UPDATE");
        header.put("changeOrigin", change.byApi() ? "com/salesforce/api/rest/62.0" : "com/salesforce/ui");
        header.put("transactionKey", UUID.randomUUID().toString());
        header.put("sequenceNumber", 1);
        header.put("commitTimestamp", now.toEpochMilli());
        header.put("commitNumber", notificationCounter.incrementAndGet());
        header.put("commitUser", "0055g00000FakeUAAA");
        var changed = header.putArray("changedFields");
        change.fields().stream().sorted().forEach(changed::add);
        records.apply(change.type(), change.id()).ifPresent(r -> change.fields().forEach(f ->
                event.set(f, JSON.valueToTree(r.get(f)))));
        return event.toString();
    }

    private static String escape(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
    }

    @Override
    public void close() {
        running = false;
        sender.interrupt();
    }
}
