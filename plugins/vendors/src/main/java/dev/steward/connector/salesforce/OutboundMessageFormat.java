package dev.steward.connector.salesforce;

import dev.steward.plugin.ConfigProblem;
import dev.steward.plugin.WebhookDelivery;
import dev.steward.plugin.WebhookFormat;
import dev.steward.plugin.WebhookRefusedException;
import dev.steward.plugin.WebhookRequest;
import dev.steward.plugin.WebhookSettings;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.Node;
import org.xml.sax.SAXException;

import javax.xml.XMLConstants;
import javax.xml.parsers.DocumentBuilder;
import javax.xml.parsers.DocumentBuilderFactory;
import javax.xml.parsers.ParserConfigurationException;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * {@code format: salesforce-outbound}: Salesforce Outbound Messages, a SOAP {@code notifications}
 * call carrying up to 100 {@code Notification}s, each with its own {@code Id} and an sObject with
 * the fields chosen when the message was set up. Outbound Messages carry no signature, so the
 * delivery's {@code OrganizationId} must be the flow's {@code options.organizationId} (403
 * otherwise); each notification becomes one Steward notification with the notification's
 * {@code Id} (a redelivery repeats it) and the sObject's fields as payload, plus
 * {@code sObjectType}. Steward answers Salesforce's {@code <Ack>true</Ack>}, without which
 * Salesforce redelivers.
 *
 * <p>The body is parsed with the JDK's DOM parser with DTDs and external entities disabled (a
 * {@code <!DOCTYPE>} is refused), so a delivery cannot read files or reach the network (XXE).
 * Stateless and thread-safe.
 */
public final class OutboundMessageFormat implements WebhookFormat {

    static final String SOAP = "http://schemas.xmlsoap.org/soap/envelope/";
    static final String OUTBOUND = "http://soap.sforce.com/2005/09/outbound";
    static final String XSI = "http://www.w3.org/2001/XMLSchema-instance";
    /** The most notifications Salesforce puts in one message. */
    static final int MAX_NOTIFICATIONS = 100;
    /** The acknowledgement Salesforce waits for (its {@code notificationsResponse}). */
    static final String ACK = """
            <?xml version="1.0" encoding="UTF-8"?>
            <soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/">
             <soapenv:Body>
              <notificationsResponse xmlns="http://soap.sforce.com/2005/09/outbound">
               <Ack>true</Ack>
              </notificationsResponse>
             </soapenv:Body>
            </soapenv:Envelope>
            """;
    private static final Pattern ORG_ID = Pattern.compile("00D[A-Za-z0-9]{12}([A-Za-z0-9]{3})?");

    @Override
    public String name() {
        return "salesforce-outbound";
    }

    @Override
    public List<ConfigProblem> validate(WebhookSettings settings) {
        List<ConfigProblem> problems = new ArrayList<>();
        Optional<String> org = settings.option("organizationId");
        if (org.isEmpty()) {
            problems.add(new ConfigProblem("options.organizationId", "options.organizationId is required: the "
                    + "org's id (Setup > Company Information, 00D...), which every Outbound Message carries; "
                    + "Outbound Messages are not signed, so it is what tells Steward the message is from your org"));
        } else if (!ORG_ID.matcher(org.get()).matches()) {
            problems.add(new ConfigProblem("options.organizationId", "'" + org.get() + "' is not an org id "
                    + "(15 or 18 characters starting with 00D)"));
        }
        for (String key : settings.options().keySet()) {
            if (!key.equals("organizationId")) {
                problems.add(new ConfigProblem("options." + key, "unknown option of salesforce-outbound; known: "
                        + "organizationId"));
            }
        }
        if (settings.secret().isPresent()) {
            problems.add(new ConfigProblem("secret", "Outbound Messages are not signed: leave secret out, "
                    + "and check the org with options.organizationId"));
        }
        return problems;
    }

    @Override
    public boolean accepts(String mediaType) {
        return mediaType.equals("text/xml") || mediaType.equals("application/soap+xml");
    }

    @Override
    public WebhookDelivery read(WebhookRequest request, WebhookSettings settings) {
        Element notifications = notifications(parse(request.body()));
        String organization = child(notifications, "OrganizationId").map(Node::getTextContent).map(String::strip)
                .orElseThrow(() -> new WebhookRefusedException(400, "the Outbound Message has no OrganizationId"));
        String expected = settings.option("organizationId").orElse("");
        if (!sameOrg(organization, expected)) {
            throw new WebhookRefusedException(403, "the Outbound Message is from org " + organization
                    + ", not the flow's options.organizationId");
        }
        List<WebhookDelivery.Notification> out = new ArrayList<>();
        for (Node n = notifications.getFirstChild(); n != null; n = n.getNextSibling()) {
            if (n instanceof Element e && OUTBOUND.equals(e.getNamespaceURI()) && "Notification".equals(e.getLocalName())) {
                out.add(notification(e));
            }
        }
        if (out.size() > MAX_NOTIFICATIONS) {
            throw new WebhookRefusedException(400, "the Outbound Message has " + out.size()
                    + " notifications; Salesforce sends at most " + MAX_NOTIFICATIONS);
        }
        return new WebhookDelivery(out, Optional.of(new WebhookDelivery.Reply(200, "text/xml; charset=utf-8", ACK)));
    }

    private static WebhookDelivery.Notification notification(Element notification) {
        String id = child(notification, "Id").map(Node::getTextContent).map(String::strip).filter(s -> !s.isEmpty())
                .orElseThrow(() -> new WebhookRefusedException(400, "a Notification has no Id"));
        Element sobject = child(notification, "sObject")
                .orElseThrow(() -> new WebhookRefusedException(400, "Notification " + id + " has no sObject"));
        Map<String, Object> payload = new LinkedHashMap<>();
        String type = sobject.getAttributeNS(XSI, "type");
        payload.put("sObjectType", type.substring(type.indexOf(':') + 1));
        for (Node f = sobject.getFirstChild(); f != null; f = f.getNextSibling()) {
            if (f instanceof Element field) {
                boolean nil = "true".equals(field.getAttributeNS(XSI, "nil"));
                payload.put(field.getLocalName(), nil ? null : value(field));
            }
        }
        if (!(payload.get("Id") instanceof String)) {
            throw new WebhookRefusedException(400, "the sObject of Notification " + id + " has no Id");
        }
        if (id.length() > 200) {
            throw new WebhookRefusedException(400, "a Notification Id is longer than 200 characters");
        }
        return new WebhookDelivery.Notification(id, payload);
    }

    /** A field's text, or for a compound field (an address) its parts as an object. */
    private static Object value(Element field) {
        Map<String, Object> parts = new LinkedHashMap<>();
        for (Node p = field.getFirstChild(); p != null; p = p.getNextSibling()) {
            if (p instanceof Element part) {
                parts.put(part.getLocalName(), value(part));
            }
        }
        return parts.isEmpty() ? field.getTextContent() : parts;
    }

    private static Element notifications(Document document) {
        Element envelope = document.getDocumentElement();
        if (!SOAP.equals(envelope.getNamespaceURI()) || !"Envelope".equals(envelope.getLocalName())) {
            throw new WebhookRefusedException(400, "not a SOAP envelope");
        }
        Element body = child(envelope, SOAP, "Body")
                .orElseThrow(() -> new WebhookRefusedException(400, "the SOAP envelope has no Body"));
        return child(body, OUTBOUND, "notifications").orElseThrow(() -> new WebhookRefusedException(400,
                "the SOAP Body holds no notifications element of " + OUTBOUND));
    }

    /** Salesforce ids are 15 characters, case-sensitive, plus a 3-character case checksum. */
    static boolean sameOrg(String given, String expected) {
        if (given.isEmpty() || expected.isEmpty()) {
            return false;
        }
        if (given.length() >= 15 && expected.length() >= 15) {
            return given.substring(0, 15).equals(expected.substring(0, 15));
        }
        return given.equals(expected);
    }

    private static Document parse(byte[] body) {
        try {
            return builder().parse(new ByteArrayInputStream(body));
        } catch (SAXException | IOException e) {
            throw new WebhookRefusedException(400, "the body is not a well-formed XML document without a DOCTYPE: "
                    + firstLine(e.getMessage()));
        }
    }

    /** A namespace-aware parser that refuses DOCTYPEs and never loads anything from outside. */
    static DocumentBuilder builder() {
        try {
            DocumentBuilderFactory factory = DocumentBuilderFactory.newInstance();
            factory.setNamespaceAware(true);
            factory.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
            factory.setFeature("http://xml.org/sax/features/external-general-entities", false);
            factory.setFeature("http://xml.org/sax/features/external-parameter-entities", false);
            factory.setFeature("http://apache.org/xml/features/nonvalidating/load-external-dtd", false);
            factory.setFeature(XMLConstants.FEATURE_SECURE_PROCESSING, true);
            factory.setAttribute(XMLConstants.ACCESS_EXTERNAL_DTD, "");
            factory.setAttribute(XMLConstants.ACCESS_EXTERNAL_SCHEMA, "");
            factory.setXIncludeAware(false);
            factory.setExpandEntityReferences(false);
            DocumentBuilder builder = factory.newDocumentBuilder();
            builder.setErrorHandler(null);
            builder.setEntityResolver((publicId, systemId) -> {
                throw new SAXException("external entities are not read");
            });
            return builder;
        } catch (ParserConfigurationException e) {
            throw new IllegalStateException("the JDK's XML parser cannot be made safe: " + e.getMessage(), e);
        }
    }

    private static Optional<Element> child(Element parent, String localName) {
        return child(parent, OUTBOUND, localName);
    }

    private static Optional<Element> child(Element parent, String namespace, String localName) {
        for (Node n = parent.getFirstChild(); n != null; n = n.getNextSibling()) {
            if (n instanceof Element e && namespace.equals(e.getNamespaceURI()) && localName.equals(e.getLocalName())) {
                return Optional.of(e);
            }
        }
        return Optional.empty();
    }

    private static String firstLine(String message) {
        if (message == null) {
            return "unreadable";
        }
        int nl = message.indexOf('\n');
        String line = nl < 0 ? message : message.substring(0, nl);
        return line.length() > 200 ? line.substring(0, 200) : line;
    }
}
