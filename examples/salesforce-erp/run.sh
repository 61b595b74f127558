#!/usr/bin/env bash
# Runs this example against the fake Salesforce: starts the fake org (testing module), then
# Steward on this workspace, creates two Accounts in the fake (their Outbound Messages reach
# Steward, which reads them through the REST API and writes them to the ERP) and prints what to
# try next. Ctrl-C stops both.
# Ports: STEWARD_PORT (default 8097) and FAKE_SALESFORCE_PORT (default 8098).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
steward_port="${STEWARD_PORT:-8097}"
fake_port="${FAKE_SALESFORCE_PORT:-8098}"
export STEWARD_PORT="$steward_port"
export SF_MY_DOMAIN="http://127.0.0.1:$fake_port"
export SF_CLIENT_ID="3MVG9ExampleConsumerKey"
export SF_CLIENT_SECRET="example-consumer-secret"
export SF_ORG_ID="00D5g00000Exam1EAA"
export STEWARD_ADMIN_TOKEN="${STEWARD_ADMIN_TOKEN:-example-admin-token-for-the-salesforce-demo}"   # for the curl commands below

# shared: the JDK, the fakes' class path, background processes, waiting for Steward
source "$root/examples/lib/run-common.sh"

# the fake lives in the testing module: its classes and Jackson
cp="$(fake_classpath "$root/testing/target/fake-salesforce.classpath" "the fake Salesforce")"

in_background "$java" -cp "$cp" dev.steward.testing.vendors.salesforce.FakeSalesforce \
  --port "$fake_port" --org-id "$SF_ORG_ID" --client-id "$SF_CLIENT_ID" --client-secret "$SF_CLIENT_SECRET" \
  --external-id Account.Customer_Number__c --field Account.Credit_Limit__c \
  --outbound "Account=http://127.0.0.1:$steward_port/hooks/salesforce/account"

cd "$here"
in_background "$root/steward" serve --home "$here" --port "$steward_port"

await_steward "$steward_port" 120

fake="http://127.0.0.1:$fake_port"
change() {
  curl -fs -X POST "$fake/fake/change" -H 'Content-Type: application/json' -d "$1" >/dev/null
}
change '{"type":"Account","fields":{"Name":"Acme Corp","Phone":"+1 415 555 0100","Customer_Number__c":"C-1001"}}'
change '{"type":"Account","fields":{"Name":"Globex","Phone":"+1 212 555 0199","Customer_Number__c":"C-1002"}}'

cat <<TRY

Steward: http://127.0.0.1:$steward_port    fake Salesforce: $fake (org $SF_ORG_ID)
Two Accounts were created in the fake Salesforce (C-1001, C-1002); their Outbound Messages went
to Steward, which read them through the REST API and wrote them to the ERP. Try:

  # a Salesforce user changes a phone number: it reaches the ERP
  curl -X POST $fake/fake/change -H 'Content-Type: application/json' \\
       -d '{"type":"Account","match":{"Customer_Number__c":"C-1001"},"fields":{"Phone":"+1 415 555 0123"}}'
  curl -H 'Authorization: Bearer $STEWARD_ADMIN_TOKEN' http://127.0.0.1:$steward_port/api/systems/erp/customer/C-1001

  # the ERP sets a credit limit: it reaches Salesforce (and Salesforce's message about it is an echo)
  curl -X POST http://127.0.0.1:$steward_port/hooks/erp/customer -H 'Content-Type: application/json' \\
       -H 'webhook-id: erp-1' -d '{"customer_no":"C-1001","credit_limit":25000}'
  curl $fake/fake/records/Account

  # a Salesforce user overwrites the ERP-owned credit limit: Steward puts the ERP's value back
  curl -X POST $fake/fake/change -H 'Content-Type: application/json' \\
       -d '{"type":"Account","match":{"Customer_Number__c":"C-1001"},"fields":{"Credit_Limit__c":1}}'

  curl $fake/fake/violations        # requests that broke Salesforce's REST contract (none expected)

Ctrl-C stops Steward and the fake.
TRY
wait
