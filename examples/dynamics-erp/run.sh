#!/usr/bin/env bash
# Starts a local Dataverse fake (Entra ID tokens, the Web API, webhooks) and Steward on this
# workspace against it. Ctrl-C stops both. Ports: DATAVERSE_PORT (18471), STEWARD_PORT (18080).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
fake_port="${DATAVERSE_PORT:-18471}"
port="${STEWARD_PORT:-18080}"
export DYNAMICS_WEBHOOK_KEY="${DYNAMICS_WEBHOOK_KEY:-example-webhook-key}"
export STEWARD_ADMIN_TOKEN="${STEWARD_ADMIN_TOKEN:-example-admin-token-0123456789abcdef}"

# a JDK 21 or newer for Maven and the fake (./steward finds its own the same way)
for home in "${JAVA_HOME:-}" /usr/lib/jvm/temurin-25* /usr/lib/jvm/*25* /usr/lib/jvm/*21* /usr/lib/jvm/*; do
  if [ -n "$home" ] && [ -x "$home/bin/javac" ]; then
    major="$("$home/bin/java" -XshowSettings:properties -version 2>&1 \
      | awk -F'= ' '/java.specification.version/ {print $2; exit}' | cut -d. -f1)"
    if [ -n "$major" ] && [ "$major" -ge 21 ]; then export JAVA_HOME="$home"; break; fi
  fi
done

cd "$repo"
# the host jar (./steward builds it when missing), then the fake's classes and classpath
./steward validate --home "$here" >/dev/null 2>&1 || true
mvn -B -q -DskipTests -pl testing -am package >/dev/null
mvn -B -q -pl testing dependency:build-classpath -Dmdep.outputFile=target/classpath.txt >/dev/null
"$JAVA_HOME/bin/java" -cp "testing/target/classes:$(cat testing/target/classpath.txt)" \
  dev.steward.testing.vendors.dynamics.DataverseFake "$fake_port" \
  "http://127.0.0.1:$port/hooks/dynamics/account" "$DYNAMICS_WEBHOOK_KEY" &
fake=$!
trap 'kill $fake 2>/dev/null' EXIT

export DYNAMICS_URL="http://127.0.0.1:$fake_port"
export DYNAMICS_AUTHORITY="http://127.0.0.1:$fake_port"
export DYNAMICS_TENANT_ID=0d1a6f42-5b7e-4c2d-9e1f-3a2b4c5d6e7f
export DYNAMICS_CLIENT_ID=51f81489-12ee-4a9e-aaae-a2591f45987d
export DYNAMICS_CLIENT_SECRET=fake-client-secret

cat <<TRY

Try, in another terminal:
  # a user changes an account in Dynamics: the fake sends the webhook, Steward writes the ERP
  curl -s -X POST $DYNAMICS_URL/_fake/accounts/A-1001 -d '{"name":"Contoso","emailaddress1":"ap@contoso.example"}'
  ./steward read erp customer A-1001 --home $here
  # the ERP changes a credit limit: Steward writes Dynamics (with If-Match), whose webhook is an echo
  curl -s -X POST localhost:$port/hooks/erp/customer -H 'Content-Type: application/json' \\
    -H 'webhook-id: erp-1' -d '{"account_no":"A-1001","credit_limit":25000}'
  ./steward read crm customer A-1001 --home $here
  curl -s -H "Authorization: Bearer $STEWARD_ADMIN_TOKEN" localhost:$port/api/events; echo

TRY
cd "$here"
"$repo/steward" serve --home "$here" --port "$port"
