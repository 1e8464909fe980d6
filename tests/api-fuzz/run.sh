#!/usr/bin/env bash
# Property-based API test: schemathesis generates requests from the server's own OpenAPI
# document and checks every response (no 5xx, responses match the documented schemas
# and status codes).
#
#   BASE_URL=http://127.0.0.1:PORT DATA_DIR=/path/to/demo/data bash tests/api-fuzz/run.sh
#
# Environment:
#   BASE_URL            the running server (required), e.g. from `bridgehead demo`
#   DATA_DIR            its --data-dir, to issue an API token for the demo admin with
#                       `bridgehead user token` (or give API_TOKEN instead); the server
#                       must use the SQLite database of that directory
#   API_TOKEN           a read_write token of an administrator (skips DATA_DIR)
#   BRIDGEHEAD_BIN      the binary (default target/debug/bridgehead)
#   WORK_DIR            venv, reports and schemathesis' caches (default .ci/work/api-fuzz)
#   MAX_EXAMPLES        test cases per operation and phase (default 25)
#   SCHEMATHESIS_SEED   a seed to repeat a run (schemathesis prints the seed it used)
#   CHECKS              override the list of checks (comma-separated)
#
# It changes data on that server (it creates parks, enterprises, users, tokens...):
# point it at a throw-away demo server only.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"

: "${BASE_URL:?BASE_URL must name the running server, e.g. http://127.0.0.1:8080}"
BASE_URL="${BASE_URL%/}"
WORK_DIR="${WORK_DIR:-$root/.ci/work/api-fuzz}"
BRIDGEHEAD_BIN="${BRIDGEHEAD_BIN:-$root/target/debug/bridgehead}"
MAX_EXAMPLES="${MAX_EXAMPLES:-25}"
# Every response must be a documented status, with the documented media type and a body
# matching the documented schema, and never a server error.
CHECKS="${CHECKS:-not_a_server_error,response_schema_conformance,status_code_conformance,content_type_conformance}"

mkdir -p "$WORK_DIR"
WORK_DIR="$(cd "$WORK_DIR" && pwd)"

# --- schemathesis, pinned, in its own virtual environment -------------------------------
venv="$WORK_DIR/venv"
requirements="$here/requirements.txt"
stamp="$venv/.requirements.sha256"
want="$(sha256sum "$requirements" | cut -d' ' -f1)"
if [[ ! -x "$venv/bin/schemathesis" || "$(cat "$stamp" 2>/dev/null)" != "$want" ]]; then
    echo "api-fuzz: installing $(grep -i '^schemathesis==' "$requirements") (pinned with its dependencies in $requirements) into $venv"
    rm -rf "$venv"
    python3 -m venv "$venv"
    "$venv/bin/python" -m pip install --quiet --disable-pip-version-check -r "$requirements"
    echo "$want" >"$stamp"
fi
echo "api-fuzz: $("$venv/bin/schemathesis" --version)"

# --- a token for the demo administrator ---------------------------------------------------
if [[ -z "${API_TOKEN:-}" ]]; then
    : "${DATA_DIR:?DATA_DIR (the --data-dir of the server) or API_TOKEN is required}"
    API_TOKEN="$(env -u BRIDGEHEAD_DATABASE_URL -u BRIDGEHEAD_CONFIG "$BRIDGEHEAD_BIN" --data-dir "$DATA_DIR" \
        user token admin --scope read_write --name api-fuzz --valid-days 1 2>"$WORK_DIR/token.stderr" | tail -n 1)"
    if [[ -z "$API_TOKEN" ]]; then
        echo "api-fuzz: could not issue a token:" >&2
        cat "$WORK_DIR/token.stderr" >&2
        exit 1
    fi
fi
me_status="$(curl -sS -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $API_TOKEN" "$BASE_URL/api/v1/me")"
if [[ "$me_status" != 200 ]]; then
    echo "api-fuzz: the token is not accepted by $BASE_URL/api/v1/me (HTTP $me_status)" >&2
    exit 1
fi

# --- the run ----------------------------------------------------------------------------
report_dir="$WORK_DIR/report"
rm -rf "$report_dir"
schema="$BASE_URL/api/v1/openapi.json"
# Excluded: operations that would end the run's own authority or make it depend on order
# (signing out, revoking tokens, among them the run's own, and disabling users).
args=(
    run "$schema"
    --url "$BASE_URL"
    --header "Authorization: Bearer $API_TOKEN"
    --checks "$CHECKS"
    --max-examples "$MAX_EXAMPLES"
    --request-timeout 30
    --exclude-name "DELETE /api/v1/session"
    --exclude-name "DELETE /api/v1/tokens/{id}"
    --exclude-name "POST /api/v1/users/{username}/disable"
    --report junit
    --report-dir "$report_dir"
    --no-color
)
if [[ -n "${SCHEMATHESIS_SEED:-}" ]]; then
    args+=(--seed "$SCHEMATHESIS_SEED")
fi

echo "api-fuzz: schemathesis against $BASE_URL (checks: $CHECKS; up to $MAX_EXAMPLES examples per operation)"
# schemathesis keeps its example database (.hypothesis, .schemathesis) in the working directory.
cd "$WORK_DIR"
status=0
"$venv/bin/schemathesis" --config-file "$here/schemathesis.toml" "${args[@]}" || status=$?
echo "api-fuzz: JUnit report in $report_dir"
if ((status != 0)); then
    echo "api-fuzz: FAILED (schemathesis exit code $status); each failure above has a curl line to reproduce it" >&2
fi
exit "$status"
