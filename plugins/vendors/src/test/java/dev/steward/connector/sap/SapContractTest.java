package dev.steward.connector.sap;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.steward.testing.vendors.sap.SapEntitySet;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

import javax.xml.parsers.DocumentBuilderFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The fake's properties (every property the fake accepts and the connector's tests send) against
 * SAP's published {@code API_BUSINESS_PARTNER} metadata and {@code API_SALES_ORDER_SRV} OpenAPI:
 * name, type, maximum length and whether a client may set it. SAP's API notice keeps these files
 * out of this repository, so the test reads them
 * from {@code ../shared/vendor-specs/sap-s4hana/} (or {@code STEWARD_VENDOR_SPECS}) when it is
 * there and is skipped otherwise.
 */
class SapContractTest {

    private static final String EDMX = "sap-s4hana/API_BUSINESS_PARTNER.edmx";
    private static final String OPENAPI = "sap-s4hana/API_SALES_ORDER_SRV.openapi.json";
    private static final String SAP_DATA = "http://www.sap.com/Protocols/SAPData";

    @Test
    void theFakesSalesOrdersAreSapsSalesOrders() throws Exception {
        Optional<Path> spec = spec(OPENAPI);
        Assumptions.assumeTrue(spec.isPresent(), "SAP's API_SALES_ORDER_SRV.openapi.json is not at hand (../shared/"
                + "vendor-specs/sap-s4hana/ or $STEWARD_VENDOR_SPECS): the contract check is skipped");
        JsonNode schemas = new ObjectMapper().readTree(spec.get().toFile()).path("components").path("schemas");
        SapEntitySet set = SapEntitySet.SALES_ORDER;
        JsonNode published = schemas.path(set.service() + "." + set.entityType()).path("properties");
        JsonNode updatable = schemas.path(set.service() + "." + set.entityType() + "-update").path("properties");
        assertThat(published.isObject()).as("%s in the OpenAPI", set.entityType()).isTrue();
        for (SapEntitySet.Property property : set.properties().values()) {
            JsonNode schema = published.path(property.name());
            assertThat(schema.isObject()).as("%s.%s in the OpenAPI", set.name(), property.name()).isTrue();
            String expected = switch (property.type()) {
                case "Edm.Boolean" -> "boolean";
                case "Edm.Decimal" -> "string/decimal";
                default -> "string";
            };
            String actual = schema.path("type").asText() + (schema.has("format") ? "/" + schema.path("format").asText() : "");
            assertThat(actual).as("type of %s.%s", set.name(), property.name()).isEqualTo(expected);
            assertThat(schema.path("maxLength").asInt(0)).as("maxLength of %s.%s", set.name(), property.name())
                    .isEqualTo(property.maxLength());
            assertThat(updatable.has(property.name())).as("whether %s.%s may be updated", set.name(), property.name())
                    .isEqualTo(property.writable());
        }
        assertThat(SapSettings.KNOWN_KEYS).containsEntry(set.name(), set.keyProperty());
    }

    static Optional<Path> edmx() {
        return spec(EDMX);
    }

    private static Optional<Path> spec(String file) {
        String configured = System.getenv("STEWARD_VENDOR_SPECS");
        if (configured != null && Files.isRegularFile(Path.of(configured, file))) {
            return Optional.of(Path.of(configured, file));
        }
        for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            Path candidate = dir.resolve("shared/vendor-specs").resolve(file);
            if (Files.isRegularFile(candidate)) {
                return Optional.of(candidate);
            }
        }
        return Optional.empty();
    }

    @Test
    void theFakesPropertiesAreSapsProperties() throws Exception {
        Optional<Path> edmx = edmx();
        Assumptions.assumeTrue(edmx.isPresent(), "SAP's API_BUSINESS_PARTNER.edmx is not at hand (../shared/"
                + "vendor-specs/sap-s4hana/ or $STEWARD_VENDOR_SPECS): the contract check is skipped");
        DocumentBuilderFactory factory = DocumentBuilderFactory.newInstance();
        factory.setNamespaceAware(true);
        factory.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
        NodeList types = factory.newDocumentBuilder().parse(edmx.get().toFile()).getElementsByTagNameNS("*", "EntityType");
        Map<String, Map<String, Element>> byType = new HashMap<>();
        Map<String, String> keys = new HashMap<>();
        for (int i = 0; i < types.getLength(); i++) {
            Element type = (Element) types.item(i);
            Map<String, Element> properties = new HashMap<>();
            NodeList list = type.getElementsByTagNameNS("*", "Property");
            for (int j = 0; j < list.getLength(); j++) {
                Element property = (Element) list.item(j);
                properties.put(property.getAttribute("Name"), property);
            }
            byType.put(type.getAttribute("Name"), properties);
            NodeList refs = type.getElementsByTagNameNS("*", "PropertyRef");
            if (refs.getLength() == 1) {
                keys.put(type.getAttribute("Name"), ((Element) refs.item(0)).getAttribute("Name"));
            }
        }
        for (SapEntitySet set : SapEntitySet.ALL) {
            if (!set.service().equals("API_BUSINESS_PARTNER")) {
                continue;
            }
            Map<String, Element> published = byType.get(set.entityType());
            assertThat(published).as("entity type %s in the EDMX", set.entityType()).isNotNull();
            assertThat(keys.get(set.entityType())).as("key of %s", set.name()).isEqualTo(set.keyProperty());
            assertThat(SapSettings.KNOWN_KEYS).containsEntry(set.name(), set.keyProperty());
            for (SapEntitySet.Property property : set.properties().values()) {
                Element edm = published.get(property.name());
                assertThat(edm).as("%s.%s in the EDMX", set.entityType(), property.name()).isNotNull();
                assertThat(edm.getAttribute("Type")).as("type of %s.%s", set.name(), property.name())
                        .isEqualTo(property.type());
                String maxLength = edm.getAttribute("MaxLength");
                assertThat(maxLength.isEmpty() ? 0 : Integer.parseInt(maxLength))
                        .as("MaxLength of %s.%s", set.name(), property.name()).isEqualTo(property.maxLength());
                boolean writable = !"false".equals(edm.getAttributeNS(SAP_DATA, "creatable"));
                assertThat(writable).as("whether %s.%s may be set", set.name(), property.name())
                        .isEqualTo(property.writable());
            }
        }
        // what the connector's tests map and send
        for (String property : SapConnectorTest.partner().fields().values()) {
            assertThat(byType.get("A_BusinessPartnerType")).containsKey(property);
        }
    }
}
