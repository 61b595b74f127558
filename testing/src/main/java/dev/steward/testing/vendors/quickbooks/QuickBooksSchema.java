package dev.steward.testing.vendors.quickbooks;

import com.fasterxml.jackson.databind.JsonNode;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.Node;
import org.w3c.dom.NodeList;

import javax.xml.XMLConstants;
import javax.xml.parsers.DocumentBuilderFactory;
import java.io.InputStream;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The field names of QuickBooks Online's V3 entities, read from Intuit's own XSDs (copied into this
 * module's resources with their license): every element and attribute of a complex type and of the
 * types it extends, with the type of each element, so that a JSON body can be checked field by
 * field, nested objects included ({@code BillAddr.City}, {@code CustomerRef.value}).
 *
 * <p>Immutable once loaded; thread-safe.
 */
public final class QuickBooksSchema {

    private static final String XS = XMLConstants.W3C_XML_SCHEMA_NS_URI;
    private static final String[] FILES = {"IntuitBaseTypes.xsd", "IntuitNamesTypes.xsd", "Finance.xsd"};

    /** A complex type: its base type (or null) and its own members, element name to type name (null for attributes and simple content). */
    private record Type(String base, Map<String, String> members) {
    }

    private final Map<String, Type> types;

    private QuickBooksSchema(Map<String, Type> types) {
        this.types = types;
    }

    /** Reads the XSDs from this module's resources. */
    public static QuickBooksSchema load() {
        Map<String, Type> types = new HashMap<>();
        try {
            DocumentBuilderFactory factory = DocumentBuilderFactory.newInstance();
            factory.setNamespaceAware(true);
            factory.setFeature(XMLConstants.FEATURE_SECURE_PROCESSING, true);
            factory.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
            for (String file : FILES) {
                try (InputStream in = QuickBooksSchema.class.getResourceAsStream("xsd/" + file)) {
                    if (in == null) {
                        throw new IllegalStateException("missing resource xsd/" + file);
                    }
                    read(factory.newDocumentBuilder().parse(in), types);
                }
            }
        } catch (Exception e) {
            throw new IllegalStateException("cannot read the QuickBooks XSDs: " + e.getMessage(), e);
        }
        return new QuickBooksSchema(Map.copyOf(types));
    }

    private static void read(Document doc, Map<String, Type> types) {
        NodeList complexTypes = doc.getElementsByTagNameNS(XS, "complexType");
        for (int i = 0; i < complexTypes.getLength(); i++) {
            Element type = (Element) complexTypes.item(i);
            if (!type.hasAttribute("name")) {
                continue;
            }
            String base = null;
            Map<String, String> members = new LinkedHashMap<>();
            NodeList extensions = type.getElementsByTagNameNS(XS, "extension");
            for (int j = 0; j < extensions.getLength(); j++) {
                Element ext = (Element) extensions.item(j);
                String b = ext.getAttribute("base");
                if (!b.startsWith("xs:")) {
                    base = b;
                } else {
                    members.put("value", null); // simple content: JSON's "value"
                }
            }
            NodeList elements = type.getElementsByTagNameNS(XS, "element");
            for (int j = 0; j < elements.getLength(); j++) {
                Element e = (Element) elements.item(j);
                if (e.hasAttribute("name")) {
                    String t = e.getAttribute("type");
                    members.put(e.getAttribute("name"), t.isEmpty() || t.startsWith("xs:") ? null : t);
                } else if (e.hasAttribute("ref")) {
                    members.put(e.getAttribute("ref"), null);
                }
            }
            NodeList attributes = type.getElementsByTagNameNS(XS, "attribute");
            for (int j = 0; j < attributes.getLength(); j++) {
                Node a = attributes.item(j);
                String name = ((Element) a).getAttribute("name");
                if (!name.isEmpty()) {
                    members.put(name, null);
                }
            }
            types.put(type.getAttribute("name"), new Type(base, members));
        }
    }

    /** Whether the schema has this complex type ({@code Customer}). */
    public boolean hasType(String type) {
        return types.containsKey(type);
    }

    /** Whether {@code field} is a member of {@code type} or of a type it extends. */
    public boolean hasField(String type, String field) {
        return member(type, field).isPresent();
    }

    private Optional<Optional<String>> member(String type, String field) {
        for (String t = type; t != null && types.containsKey(t); t = types.get(t).base()) {
            Map<String, String> members = types.get(t).members();
            if (members.containsKey(field)) {
                return Optional.of(Optional.ofNullable(members.get(field)));
            }
        }
        return Optional.empty();
    }

    /**
     * The first field of {@code body} that {@code type} does not have, as a dotted path
     * ({@code BillAddr.Town}), looking into nested objects and arrays of objects; empty when every
     * field is the schema's.
     */
    public Optional<String> unknownField(String type, JsonNode body) {
        return unknownField(type, body, "");
    }

    private Optional<String> unknownField(String type, JsonNode body, String prefix) {
        if (body.isArray()) {
            for (JsonNode item : body) {
                Optional<String> bad = unknownField(type, item, prefix);
                if (bad.isPresent()) {
                    return bad;
                }
            }
            return Optional.empty();
        }
        if (!body.isObject() || !types.containsKey(type)) {
            return Optional.empty();
        }
        for (Iterator<Map.Entry<String, JsonNode>> it = body.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> field = it.next();
            Optional<Optional<String>> member = member(type, field.getKey());
            if (member.isEmpty()) {
                return Optional.of(prefix + field.getKey());
            }
            if (member.get().isPresent()) {
                Optional<String> bad = unknownField(member.get().get(), field.getValue(), prefix + field.getKey() + ".");
                if (bad.isPresent()) {
                    return bad;
                }
            }
        }
        return Optional.empty();
    }
}
