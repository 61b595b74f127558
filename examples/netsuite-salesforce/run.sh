#!/usr/bin/env bash
# Runs this example against the fakes: the fake NetSuite (it posts what the SuiteScript posts)
# and the fake Salesforce (Outbound Messages), both from the testing module, then Steward on this
# workspace; seeds two customers and two items in NetSuite and the two Accounts in Salesforce,
# and prints what to try. Ctrl-C stops all three.
# Ports: STEWARD_PORT (8093), FAKE_NETSUITE_PORT (8094), FAKE_SALESFORCE_PORT (8095).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
steward_port="${STEWARD_PORT:-8093}"
ns_port="${FAKE_NETSUITE_PORT:-8094}"
sf_port="${FAKE_SALESFORCE_PORT:-8095}"
export STEWARD_PORT="$steward_port"
export NETSUITE_ACCOUNT_ID="1234567_SB1"
export NETSUITE_BASE_URL="http://127.0.0.1:$ns_port"
export NETSUITE_CLIENT_ID="steward-example-client"
export NETSUITE_CERTIFICATE_ID="steward-example-cert"
export NETSUITE_WEBHOOK_SECRET="whsec_c3Rld2FyZC1uZXRzdWl0ZS1leGFtcGxlLXNlY3JldA=="
export SF_MY_DOMAIN="http://127.0.0.1:$sf_port"
export SF_CLIENT_ID="3MVG9ExampleConsumerKey"
export SF_CLIENT_SECRET="example-consumer-secret"
export SF_ORG_ID="00D5g00000Exmp1EAA"

# shared: the JDK, the fakes' class path, background processes, waiting for Steward
source "$root/examples/lib/run-common.sh"

# the fakes live in the testing module: its classes and Jackson
cp="$(fake_classpath "$root/testing/target/fake-vendors.classpath" "the fakes")"

mkdir -p "$here/data"
# a fresh key pair: the fake registers the public key as the certificate's, Steward signs with the private one
in_background "$java" -cp "$cp" dev.steward.testing.vendors.netsuite.FakeNetSuiteMain \
  --port "$ns_port" --account "$NETSUITE_ACCOUNT_ID" --concurrency 5 --seed \
  --m2m-client "$NETSUITE_CLIENT_ID" --m2m-cert "$NETSUITE_CERTIFICATE_ID" --m2m-key-out "$here/data/netsuite-key.pem" \
  --webhook "http://127.0.0.1:$steward_port/hooks/netsuite/{type}" --secret "$NETSUITE_WEBHOOK_SECRET"
in_background "$java" -cp "$cp" dev.steward.testing.vendors.salesforce.FakeSalesforce \
  --port "$sf_port" --org-id "$SF_ORG_ID" --client-id "$SF_CLIENT_ID" --client-secret "$SF_CLIENT_SECRET" \
  --external-id Account.Customer_Number__c --field Account.Credit_Limit__c \
  --external-id Product2.SKU__c --field Product2.Quantity_On_Hand__c \
  --outbound "Account=http://127.0.0.1:$steward_port/hooks/salesforce/account"

for _ in $(seq 1 60); do
  [ -f "$here/data/netsuite-key.pem" ] && curl -fs "$NETSUITE_BASE_URL/_fake/violations" >/dev/null 2>&1 && break
  sleep 1
done

cd "$here"
in_background "$root/steward" serve --home "$here" --port "$steward_port"

await_steward "$steward_port" 120

ns="$NETSUITE_BASE_URL"
sf="$SF_MY_DOMAIN"
sf_change() { curl -fs -X POST "$sf/fake/change" -H 'Content-Type: application/json' -d "$1" >/dev/null; }
sf_change '{"type":"Account","fields":{"Name":"Acme Corp","Phone":"+1 415 555 0100","Customer_Number__c":"C-1001"}}'
sf_change '{"type":"Account","fields":{"Name":"Globex","Phone":"+1 212 555 0199","Customer_Number__c":"C-1002"}}'

cat <<TRY

Steward: http://127.0.0.1:$steward_port   fake NetSuite: $ns   fake Salesforce: $sf
NetSuite holds customers C-1001 and C-1002 and items SKU-1 and SKU-2; Salesforce got the two
Accounts, whose Outbound Messages brought their names and phones to NetSuite. Try:

  # a NetSuite user raises a credit limit: the SuiteScript's delivery reaches Salesforce
  curl -X POST $ns/_fake/customer/eid:C-1001 -H 'Content-Type: application/json' -d '{"creditLimit":25000}'
  curl $sf/fake/records/Account

  # inventory is counted in NetSuite: the quantity reaches the Salesforce Product
  curl -X POST $ns/_fake/inventoryItem/eid:SKU-1 -H 'Content-Type: application/json' -d '{"totalQuantityOnHand":33}'
  curl $sf/fake/records/Product2

  # a Salesforce user changes a phone: it reaches NetSuite (and NetSuite's delivery about it is an echo)
  curl -X POST $sf/fake/change -H 'Content-Type: application/json' \\
       -d '{"type":"Account","match":{"Customer_Number__c":"C-1001"},"fields":{"Phone":"+1 415 555 0123"}}'
  curl $ns/_fake/customer

  curl $ns/_fake/violations $sf/fake/violations   # requests that broke either contract (none expected)

Ctrl-C stops Steward and the fakes.
TRY
wait
