#!/bin/sh
# A complete Group export with nothing but curl against `cohort-export demo-server --port 0`:
# proof that the demo server speaks plain Bulk Data to any client, not just to ours.
# Usage: curl-group-export.sh PATH/TO/cohort-export
set -eu
exe=$1
work=$(mktemp -d)
server_pid=
cleanup() {
    [ -n "$server_pid" ] && kill "$server_pid" 2>/dev/null || true
    rm -rf "$work"
}
trap cleanup EXIT INT TERM

"$exe" demo-server --port 0 --patients 60 --export-seconds 2 --resources-per-file 500 \
    >"$work/server.out" 2>"$work/server.err" &
server_pid=$!
i=0
while [ ! -s "$work/server.out" ]; do
    i=$((i + 1))
    if [ $i -gt 300 ] || ! kill -0 "$server_pid" 2>/dev/null; then
        echo "demo server did not print its URL"; cat "$work/server.err"; exit 1
    fi
    sleep 0.1
done
base=$(head -n 1 "$work/server.out")
echo "base URL: $base"
case "$base" in http://127.0.0.1:*/fhir) ;; *) echo "unexpected base URL '$base'"; exit 1 ;; esac

curl -sSf -H 'Accept: application/fhir+json' "$base/metadata" -o "$work/metadata.json"
curl -sSf -H 'Accept: application/fhir+json' "$base/Group?_count=50" -o "$work/groups.json"
group=$(python3 -c 'import json,sys; b=json.load(open(sys.argv[1])); print(next(e["resource"]["id"] for e in b["entry"] if e["resource"]["quantity"] >= 5))' "$work/groups.json")
echo "group: $group"

curl -sS -D "$work/kickoff.headers" -o "$work/kickoff.body" \
    -H 'Accept: application/fhir+json' -H 'Prefer: respond-async' \
    "$base/Group/$group/\$export?_type=Patient,Observation,Condition,MedicationRequest"
grep -q '^HTTP/1.1 202' "$work/kickoff.headers" || { echo "kick-off not accepted"; cat "$work/kickoff.headers" "$work/kickoff.body"; exit 1; }
status_url=$(grep -i '^content-location:' "$work/kickoff.headers" | cut -d' ' -f2- | tr -d '\r')
echo "status URL: $status_url"

polls=0
while :; do
    code=$(curl -sS -D "$work/poll.headers" -o "$work/manifest.json" -w '%{http_code}' \
        -H 'Accept: application/json' "$status_url")
    polls=$((polls + 1))
    [ "$code" = 200 ] && break
    [ "$code" = 202 ] || { echo "poll answered $code"; cat "$work/manifest.json"; exit 1; }
    [ $polls -lt 60 ] || { echo "export never finished"; exit 1; }
    wait_s=$(grep -i '^retry-after:' "$work/poll.headers" | cut -d' ' -f2 | tr -d '\r')
    progress=$(grep -i '^x-progress:' "$work/poll.headers" | cut -d' ' -f2- | tr -d '\r')
    echo "in progress: $progress (retry after ${wait_s}s)"
    sleep "${wait_s:-1}"
done
echo "manifest after $polls polls"

python3 - "$work/manifest.json" "$work" <<'PY'
import json, subprocess, sys
manifest = json.load(open(sys.argv[1]))
work = sys.argv[2]
assert manifest["transactionTime"] and manifest["request"] and "requiresAccessToken" in manifest
assert manifest["output"], "no output files"
total = 0
for n, entry in enumerate(manifest["output"]):
    path = f"{work}/file{n}.ndjson"
    subprocess.run(["curl", "-sSf", "--compressed", "-H", "Accept: application/fhir+ndjson",
                    "-o", path, entry["url"]], check=True)
    lines = open(path, "rb").read().decode("utf-8").splitlines()
    assert len(lines) == entry["count"], (entry, len(lines))
    for line in lines:
        resource = json.loads(line)
        assert resource["resourceType"] == entry["type"], (entry["type"], resource["resourceType"])
    total += len(lines)
    print(f'{entry["type"]:<20} {len(lines):6} lines  OK')
print(f"{len(manifest['output'])} files, {total} resources: every line parses, counts match")
PY
