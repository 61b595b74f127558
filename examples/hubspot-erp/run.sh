#!/usr/bin/env bash
# Runs this example against the fake HubSpot: starts the fake (testing module), then Steward on
# this workspace, creates two contacts in the fake (their webhooks reach Steward, which writes
# them to the ERP) and prints what to try next. Ctrl-C stops both.
# Ports: STEWARD_PORT (default 8091) and FAKE_HUBSPOT_PORT (default 8092).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
steward_port="${STEWARD_PORT:-8091}"
fake_port="${FAKE_HUBSPOT_PORT:-8092}"
export STEWARD_PORT="$steward_port"
export HUBSPOT_BASE_URL="http://127.0.0.1:$fake_port"
export HUBSPOT_TOKEN="pat-example-token"
export HUBSPOT_CLIENT_SECRET="example-client-secret"
export HUBSPOT_PORTAL_ID="62515"
export STEWARD_ADMIN_TOKEN="${STEWARD_ADMIN_TOKEN:-example-admin-token-of-the-hubspot-erp-example}"   # for the /api calls below

# shared: the JDK, the fakes' class path, background processes, waiting for Steward
source "$root/examples/lib/run-common.sh"

# the fake lives in the testing module: its classes and Jackson
cp="$(fake_classpath "$root/testing/target/fake-hubspot.classpath" "the fake HubSpot")"

# the fake keeps its records in memory and numbers its events from 1 again: start the ERP and
# Steward's store afresh too (Steward would take the new events for redeliveries of the old ones)
rm -rf "$here/data"

# builds the host jar when it is missing or stale, and checks this workspace
"$root/steward" validate --home "$here" >&2

in_background "$java" -cp "$cp" dev.steward.testing.vendors.hubspot.HubSpotFake \
  --port "$fake_port" --portal-id "$HUBSPOT_PORTAL_ID" --client-secret "$HUBSPOT_CLIENT_SECRET" \
  --token "$HUBSPOT_TOKEN" --webhook "contact=http://127.0.0.1:$steward_port/hooks/hubspot/contact"

cd "$here"
in_background "$root/steward" serve --home "$here" --port "$steward_port"

await_steward "$steward_port" 180

fake="http://127.0.0.1:$fake_port"
new_contact() {
  curl -fs -X POST "$fake/_fake/change/contacts" -H 'Content-Type: application/json' -d "$1" >/dev/null
}
new_contact '{"properties":{"email":"ada@example.com","firstname":"Ada","phone":"+44 20 7946 0001","lifecyclestage":"customer"}}'
new_contact '{"properties":{"email":"grace@example.com","firstname":"Grace","phone":"+1 202 555 0102","lifecyclestage":"lead"}}'

cat <<TRY

Steward: http://127.0.0.1:$steward_port    fake HubSpot: $fake (portal $HUBSPOT_PORTAL_ID)
Two contacts were created in the fake HubSpot (ids 1001, 1002); their webhooks went to Steward,
which read them from HubSpot and wrote them to the ERP. Try:

  # a HubSpot user changes a phone number: it reaches the ERP
  curl -X POST $fake/_fake/change/contacts -H 'Content-Type: application/json' \\
       -d '{"id":"1001","properties":{"phone":"+44 20 7946 0999"}}'
  curl -H 'Authorization: Bearer $STEWARD_ADMIN_TOKEN' http://127.0.0.1:$steward_port/api/systems/erp/customer/1001

  # the ERP sets a credit limit and an account number: they reach HubSpot
  curl -X POST http://127.0.0.1:$steward_port/hooks/erp/customer -H 'Content-Type: application/json' \\
       -d '{"hubspot_id":"1001","credit_limit":25000,"account_no":"ACC-1001"}'
  curl $fake/_fake/records/contacts

  # a HubSpot user overwrites the ERP-owned credit limit: Steward puts the ERP's value back
  curl -X POST $fake/_fake/change/contacts -H 'Content-Type: application/json' \\
       -d '{"id":"1001","properties":{"credit_limit":"1"}}'

  curl $fake/_fake/violations        # requests that broke HubSpot's contract (none expected)

Ctrl-C stops Steward and the fake.
TRY
wait
