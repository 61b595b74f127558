package dev.steward.testing.vendors.sap;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * One OData v2 entity set the {@link SapFake} serves: its service, name, entity type, single key
 * property, the business event type its changes raise, and the properties it accepts, each with
 * its EDM type, {@code MaxLength} and whether a client may set it. The property facts are those
 * of SAP's published {@code API_BUSINESS_PARTNER} metadata (a subset); {@code SapContractTest}
 * checks them against the EDMX when it is at hand. Immutable.
 */
public record SapEntitySet(String service, String name, String entityType, String keyProperty, String eventPrefix,
                           Map<String, Property> properties) {

    /**
     * One property.
     *
     * @param type      the EDM type ({@code Edm.String}, {@code Edm.Boolean}, {@code Edm.DateTime})
     * @param maxLength the most characters of a string, 0 for no limit
     * @param writable  whether a client may set it ({@code sap:creatable}/{@code sap:updatable})
     */
    public record Property(String name, String type, int maxLength, boolean writable) {
    }

    public SapEntitySet {
        properties = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(properties));
    }

    /**
     * Why SAP would refuse a write's body, if it would: the OData error's code and message, the
     * property it names, and whether the client broke the API's contract (an unknown or read-only
     * property, a wrong JSON type) rather than sent a value the business rules refuse.
     */
    public record Refusal(String code, String message, String propertyref, boolean violation) {
    }

    /** Checks a create's or update's body against the properties, as SAP Gateway and the BP checks do. */
    public Optional<Refusal> check(ObjectNode body, boolean create) {
        var names = body.fieldNames();
        while (names.hasNext()) {
            String name = names.next();
            JsonNode value = body.get(name);
            String ref = this.name + "/" + name;
            Property property = properties.get(name);
            if (property == null) {
                return Optional.of(new Refusal("/IWBEP/CM_MGW_RT/004", "Property '" + name + "' is invalid", ref, true));
            }
            if (!property.writable() && !(create && name.equals(keyProperty))) {
                return Optional.of(new Refusal("/IWBEP/CM_MGW_RT/004", "Property '" + name + "' is read-only", ref, true));
            }
            boolean typed = value.isNull() || (property.type().equals("Edm.Boolean") ? value.isBoolean() : value.isTextual());
            if (!typed) {
                return Optional.of(new Refusal("/IWBEP/CM_MGW_RT/004", "Invalid value for property '" + name
                        + "' of type " + property.type() + ": " + value.getNodeType(), ref, true));
            }
            if (property.maxLength() > 0 && value.isTextual() && value.asText().length() > property.maxLength()) {
                return Optional.of(new Refusal("BUPA_API/010", "Value of property '" + name + "' is longer than "
                        + property.maxLength() + " characters", ref, false));
            }
            if (name.equals("BusinessPartnerCategory") && !value.asText("").matches("[123]")) {
                return Optional.of(new Refusal("R11/401", "Business partner category " + value.asText()
                        + " is not defined (1 person, 2 organization, 3 group)", ref, false));
            }
        }
        return Optional.empty();
    }

    public Optional<Property> property(String name) {
        return Optional.ofNullable(properties.get(name));
    }

    /** {@code A_BusinessPartner} of {@code API_BUSINESS_PARTNER}. */
    public static final SapEntitySet BUSINESS_PARTNER = new SapEntitySet("API_BUSINESS_PARTNER", "A_BusinessPartner",
            "A_BusinessPartnerType", "BusinessPartner", "sap.s4.beh.businesspartner.v1.BusinessPartner", props(
            p("BusinessPartner", "Edm.String", 10, true),
            p("Customer", "Edm.String", 10, false),
            p("Supplier", "Edm.String", 10, false),
            p("BusinessPartnerCategory", "Edm.String", 1, true),
            p("BusinessPartnerFullName", "Edm.String", 81, false),
            p("BusinessPartnerGrouping", "Edm.String", 4, true),
            p("BusinessPartnerName", "Edm.String", 81, false),
            p("CorrespondenceLanguage", "Edm.String", 2, true),
            p("CreatedByUser", "Edm.String", 12, false),
            p("CreationDate", "Edm.DateTime", 0, false),
            p("FirstName", "Edm.String", 40, true),
            p("LastName", "Edm.String", 40, true),
            p("Industry", "Edm.String", 10, true),
            p("Language", "Edm.String", 2, true),
            p("LastChangeDate", "Edm.DateTime", 0, false),
            p("LastChangedByUser", "Edm.String", 12, false),
            p("LegalForm", "Edm.String", 2, true),
            p("OrganizationBPName1", "Edm.String", 40, true),
            p("OrganizationBPName2", "Edm.String", 40, true),
            p("SearchTerm1", "Edm.String", 20, true),
            p("SearchTerm2", "Edm.String", 20, true),
            p("BusinessPartnerIsBlocked", "Edm.Boolean", 0, true),
            p("IsMarkedForArchiving", "Edm.Boolean", 0, true),
            p("BusinessPartnerIDByExtSystem", "Edm.String", 20, true)));

    /** {@code A_Customer} of {@code API_BUSINESS_PARTNER}. */
    public static final SapEntitySet CUSTOMER = new SapEntitySet("API_BUSINESS_PARTNER", "A_Customer",
            "A_CustomerType", "Customer", "sap.s4.beh.customer.v1.Customer", props(
            p("Customer", "Edm.String", 10, true),
            p("AuthorizationGroup", "Edm.String", 4, true),
            p("CustomerAccountGroup", "Edm.String", 4, true),
            p("CustomerClassification", "Edm.String", 2, true),
            p("CustomerFullName", "Edm.String", 220, false),
            p("CustomerName", "Edm.String", 80, false),
            p("DeliveryIsBlocked", "Edm.String", 2, true),
            p("OrderIsBlockedForCustomer", "Edm.String", 2, true),
            p("BillingIsBlockedForCustomer", "Edm.String", 2, true),
            p("PostingIsBlocked", "Edm.Boolean", 0, true),
            p("VATRegistration", "Edm.String", 20, true),
            p("DeletionIndicator", "Edm.Boolean", 0, true)));

    /**
     * {@code A_SalesOrder} of {@code API_SALES_ORDER_SRV}, header fields only (SAP creates an order
     * with its items in one deep insert; the fake takes the header alone).
     */
    public static final SapEntitySet SALES_ORDER = new SapEntitySet("API_SALES_ORDER_SRV", "A_SalesOrder",
            "A_SalesOrderType", "SalesOrder", "sap.s4.beh.salesorder.v1.SalesOrder", props(
            p("SalesOrder", "Edm.String", 10, false),
            p("SalesOrderType", "Edm.String", 4, true),
            p("SalesOrganization", "Edm.String", 4, true),
            p("DistributionChannel", "Edm.String", 2, true),
            p("OrganizationDivision", "Edm.String", 2, true),
            p("SoldToParty", "Edm.String", 10, true),
            p("PurchaseOrderByCustomer", "Edm.String", 35, true),
            p("TransactionCurrency", "Edm.String", 5, true),
            p("RequestedDeliveryDate", "Edm.DateTime", 0, true),
            p("CompleteDeliveryIsDefined", "Edm.Boolean", 0, true),
            p("TotalNetAmount", "Edm.Decimal", 0, false),
            p("OverallDeliveryStatus", "Edm.String", 1, false),
            p("CreationDate", "Edm.DateTime", 0, false),
            p("CreatedByUser", "Edm.String", 12, false),
            p("LastChangeDate", "Edm.DateTime", 0, false)));

    /** The entity sets the fake serves. */
    public static final List<SapEntitySet> ALL = List.of(BUSINESS_PARTNER, CUSTOMER, SALES_ORDER);

    private static Property p(String name, String type, int maxLength, boolean writable) {
        return new Property(name, type, maxLength, writable);
    }

    private static Map<String, Property> props(Property... properties) {
        Map<String, Property> map = new LinkedHashMap<>();
        for (Property property : properties) {
            map.put(property.name(), property);
        }
        return map;
    }
}
