package dev.steward.testing.vendors.dynamics;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The tables the Dataverse fake serves, with their attributes' logical names and types as the
 * Common Data Model defines Account and Contact (microsoft/CDM, {@code schemaDocuments/core/
 * applicationCommon}, the Account and Contact definitions and their crmCommon additions; the
 * names and types were extracted, no file is copied), plus the lookups a write may bind
 * ({@code parentcustomerid_account@odata.bind}). Immutable.
 *
 * @param logicalName  {@code account}
 * @param entitySet    {@code accounts}
 * @param idAttribute  {@code accountid}
 * @param alternateKey the attribute of the table's alternate key ({@code accountnumber})
 * @param attributes   logical name to type
 * @param lookups      single-valued navigation property to the entity set it points into
 */
public record DataverseTable(String logicalName, String entitySet, String idAttribute, String alternateKey,
                             Map<String, Kind> attributes, Map<String, String> lookups) {

    /** An attribute's type, as far as the fake checks values. */
    public enum Kind {
        STRING, INTEGER, DECIMAL, MONEY, BOOLEAN, OPTION, DATETIME, GUID
    }

    /** Account: alternate key {@code accountnumber}. */
    public static final DataverseTable ACCOUNT = new DataverseTable("account", "accounts", "accountid",
            "accountnumber", parse(""
            + "accountcategorycode:OPTION accountclassificationcode:OPTION accountid:GUID accountnumber:STRING "
            + "accountratingcode:OPTION aging30:MONEY aging30_base:MONEY aging60:MONEY aging60_base:MONEY "
            + "aging90:MONEY aging90_base:MONEY businesstypecode:OPTION createdbyexternalparty:GUID "
            + "creditlimit:MONEY creditlimit_base:MONEY creditonhold:BOOLEAN customersizecode:OPTION "
            + "customertypecode:OPTION description:STRING donotbulkemail:BOOLEAN donotbulkpostalmail:BOOLEAN "
            + "donotemail:BOOLEAN donotfax:BOOLEAN donotphone:BOOLEAN donotpostalmail:BOOLEAN donotsendmm:BOOLEAN "
            + "emailaddress1:STRING emailaddress2:STRING emailaddress3:STRING entityimageid:STRING "
            + "exchangerate:DECIMAL fax:STRING followemail:BOOLEAN ftpsiteurl:STRING industrycode:OPTION "
            + "lastonholdtime:DATETIME lastusedincampaign:DATETIME marketcap:MONEY marketcap_base:MONEY "
            + "marketingonly:BOOLEAN merged:BOOLEAN modifiedbyexternalparty:GUID name:STRING "
            + "numberofemployees:INTEGER onholdtime:INTEGER opendeals:INTEGER opendeals_date:DATETIME "
            + "opendeals_state:INTEGER openrevenue:MONEY openrevenue_base:MONEY openrevenue_date:DATETIME "
            + "openrevenue_state:INTEGER ownershipcode:OPTION participatesinworkflow:BOOLEAN "
            + "paymenttermscode:OPTION preferredappointmentdaycode:OPTION preferredappointmenttimecode:OPTION "
            + "preferredcontactmethodcode:OPTION primarysatoriid:STRING primarytwitterid:STRING processid:STRING "
            + "revenue:MONEY revenue_base:MONEY sharesoutstanding:INTEGER shippingmethodcode:OPTION sic:STRING "
            + "stageid:STRING statecode:OPTION statuscode:OPTION stockexchange:STRING telephone1:STRING "
            + "telephone2:STRING telephone3:STRING territorycode:OPTION tickersymbol:STRING "
            + "timespentbymeonemailandmeetings:STRING traversedpath:STRING websiteurl:STRING yominame:STRING "), Map.of("parentaccountid", "accounts", "primarycontactid", "contacts"));

    /** Contact: alternate key {@code emailaddress1}. */
    public static final DataverseTable CONTACT = new DataverseTable("contact", "contacts", "contactid",
            "emailaddress1", parse(""
            + "accountid:GUID accountrolecode:OPTION aging30:MONEY aging30_base:MONEY aging60:MONEY "
            + "aging60_base:MONEY aging90:MONEY aging90_base:MONEY anniversary:DATETIME annualincome:MONEY "
            + "annualincome_base:MONEY assistantname:STRING assistantphone:STRING birthdate:DATETIME "
            + "business2:STRING callback:STRING childrensnames:STRING company:STRING contactid:GUID "
            + "createdbyexternalparty:GUID creditlimit:MONEY creditlimit_base:MONEY creditonhold:BOOLEAN "
            + "customersizecode:OPTION customertypecode:OPTION department:STRING description:STRING "
            + "donotbulkemail:BOOLEAN donotbulkpostalmail:BOOLEAN donotemail:BOOLEAN donotfax:BOOLEAN "
            + "donotphone:BOOLEAN donotpostalmail:BOOLEAN donotsendmm:BOOLEAN educationcode:OPTION "
            + "emailaddress1:STRING emailaddress2:STRING emailaddress3:STRING employeeid:STRING "
            + "entityimageid:STRING exchangerate:DECIMAL externaluseridentifier:STRING familystatuscode:OPTION "
            + "fax:STRING firstname:STRING followemail:BOOLEAN ftpsiteurl:STRING fullname:STRING gendercode:OPTION "
            + "governmentid:STRING haschildrencode:OPTION home2:STRING isbackofficecustomer:BOOLEAN "
            + "jobtitle:STRING lastname:STRING lastonholdtime:DATETIME lastusedincampaign:DATETIME "
            + "leadsourcecode:OPTION managername:STRING managerphone:STRING marketingonly:BOOLEAN merged:BOOLEAN "
            + "middlename:STRING mobilephone:STRING modifiedbyexternalparty:GUID nickname:STRING "
            + "numberofchildren:INTEGER onholdtime:INTEGER pager:STRING parentcontactid:GUID "
            + "participatesinworkflow:BOOLEAN paymenttermscode:OPTION preferredappointmentdaycode:OPTION "
            + "preferredappointmenttimecode:OPTION preferredcontactmethodcode:OPTION processid:STRING "
            + "salutation:STRING shippingmethodcode:OPTION spousesname:STRING stageid:STRING statecode:OPTION "
            + "statuscode:OPTION suffix:STRING telephone1:STRING telephone2:STRING telephone3:STRING "
            + "territorycode:OPTION timespentbymeonemailandmeetings:STRING traversedpath:STRING websiteurl:STRING "
            + "yomifirstname:STRING yomifullname:STRING yomilastname:STRING yomimiddlename:STRING "), Map.of("parentcustomerid_account", "accounts", "parentcustomerid_contact", "contacts"));

    /** The table of an entity set, if the fake serves it. */
    public static Optional<DataverseTable> bySet(String entitySet) {
        return Arrays.stream(new DataverseTable[] {ACCOUNT, CONTACT})
                .filter(table -> table.entitySet.equals(entitySet)).findFirst();
    }

    private static Map<String, Kind> parse(String table) {
        Map<String, Kind> attributes = new LinkedHashMap<>();
        for (String pair : table.trim().split("\\s+")) {
            int colon = pair.indexOf(':');
            attributes.put(pair.substring(0, colon), Kind.valueOf(pair.substring(colon + 1)));
        }
        return Map.copyOf(attributes);
    }
}
