#!/usr/bin/env bash
# Starts the SAP S/4HANA fake and Steward on this workspace, wired together: the fake pushes its
# business events to Steward, Steward reads and writes the fake's OData API. Ctrl-C stops both.
# Usage: examples/sap-crm/run.sh   (STEWARD_PORT, default 8091)
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
port="${STEWARD_PORT:-8091}"
export SAP_EVENT_KEY="${SAP_EVENT_KEY:-example-mesh-key}"
export STEWARD_ADMIN_TOKEN="${STEWARD_ADMIN_TOKEN:-sap-example-admin-token-change-me-0123456789}"

# the fake lives in the testing module: build it (and the host, through ./steward) if needed
if [ ! -d "$root/testing/target/classes/dev/steward/testing/vendors/sap" ] || [ ! -f "$root/testing/target/classpath.txt" ]; then
  echo "run.sh: building the SAP fake (mvn package -pl testing)..." >&2
  (cd "$root" && mvn -B -q -DskipTests -pl testing -am package \
    && mvn -B -q -pl testing dependency:build-classpath -Dmdep.outputFile=target/classpath.txt) >&2
fi
java="${JAVA_HOME:+$JAVA_HOME/bin/}java"
log="$(mktemp -t sap-fake.XXXXXX)"
"$java" -cp "$root/testing/target/classes:$(cat "$root/testing/target/classpath.txt")" \
  dev.steward.testing.vendors.sap.SapFake 0 "http://127.0.0.1:$port/hooks/sap/partner" "$SAP_EVENT_KEY" >"$log" 2>&1 &
fake=$!
trap 'kill "$fake" 2>/dev/null || true' EXIT
for _ in $(seq 1 100); do
  grep -q 'SAP fake on' "$log" && break
  kill -0 "$fake" 2>/dev/null || { cat "$log" >&2; exit 1; }
  sleep 0.1
done
SAP_BASE_URL="$(sed -nE 's/^SAP fake on (http[^ ]+).*/\1/p' "$log")"
export SAP_BASE_URL
cat <<MSG
SAP fake on $SAP_BASE_URL (events go to http://127.0.0.1:$port/hooks/sap/partner)
Try, once Steward is up:
  # a user changes business partner 1000001 in SAP -> event -> Steward reads it -> CRM account
  curl -s -X POST $SAP_BASE_URL/fake/changes -H 'Content-Type: application/json' \\
    -d '{"entitySet":"A_BusinessPartner","key":"1000001","fields":{"OrganizationBPName1":"ACME AG","BusinessPartnerCategory":"2"}}'
  # the CRM changes the account's search term -> Steward writes it to SAP (CSRF token, If-Match)
  curl -s -X POST http://127.0.0.1:$port/hooks/crm/account -H 'Content-Type: application/json' \\
    -H "webhook-id: crm-\$RANDOM" -d '{"sap_id":"1000001","search_term":"ACME"}'
  # the partner as SAP holds it, and Steward's events
  curl -s -u STEWARD_COMM:comm-secret "$SAP_BASE_URL/sap/opu/odata/sap/API_BUSINESS_PARTNER/A_BusinessPartner('1000001')?\\\$format=json"
  curl -s -H "Authorization: Bearer $STEWARD_ADMIN_TOKEN" http://127.0.0.1:$port/api/events
MSG
"$root/steward" serve --home "$here" --port "$port"
