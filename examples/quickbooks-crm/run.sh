#!/usr/bin/env bash
# Starts the QuickBooks fake on 127.0.0.1:9301 (webhooks to Steward) and Steward on 127.0.0.1:8093
# over this workspace. Ctrl-C stops both.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
port=8093
cd "$root"
echo "building the fake (module testing)..." >&2
mvn -B -q -DskipTests -pl testing -am package >&2
mvn -B -q -pl testing dependency:build-classpath -Dmdep.outputFile=target/classpath.txt >&2
java -cp "testing/target/classes:$(cat testing/target/classpath.txt)" \
  dev.steward.testing.vendors.quickbooks.QuickBooksFake --port 9301 --webhook "http://127.0.0.1:$port/hooks/quickbooks" &
fake=$!
trap 'kill $fake 2>/dev/null || true' EXIT
cat <<TRY

Try (in another terminal):
  # a QuickBooks user changes customer 1: the fake signs a webhook, Steward reads the customer
  # and writes its name into the CRM (examples/quickbooks-crm/data/crm)
  curl -X POST http://127.0.0.1:9301/_fake/customer/1 -d '{"DisplayName":"Amy'"'"'s Bird Sanctuary Ltd"}'
  # the CRM changes the email: Steward writes it to QuickBooks with the customer's SyncToken;
  # the fake's webhook about that write is recognised as an echo
  curl -X POST http://127.0.0.1:$port/hooks/crm/customer -H 'Content-Type: application/json' \\
       -d '{"qbo_id":"1","email":"amy@birds.example"}'
  curl http://127.0.0.1:9301/_fake/customer/1
TRY
"$root/steward" serve --home "$here" --port "$port"
