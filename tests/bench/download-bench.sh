#!/bin/sh
# Download throughput and peak memory of the engine's download stage against curl, from the
# same nginx on 127.0.0.1, over HTTP and HTTPS (a private CA, trusted the way a user would),
# plain and gzip. Prints a table; asserts nothing.
#   tests/bench/download-bench.sh [TOTAL_MB (default 1100)] [PARALLEL (default 4)]
# Each side runs BENCH_REPS times (default 3); the best time and the largest peak RSS count.
# Ours runs once per transport of its file bodies, BENCH_TRANSPORTS (default "curl qt": libcurl,
# the default, and Qt's HTTP stack, COHORT_HTTP_TRANSPORT=qt).
# Ours also checks every line and fsyncs each file before its rename; curl does neither.
set -eu
root=$(cd "$(dirname "$0")/../.." && pwd)
size=${1:-1100}
parallel=${2:-4}
reps=${BENCH_REPS:-3}
transports=${BENCH_TRANSPORTS:-curl qt}
build=${BENCH_BUILD:-$root/build/bench}
work=${BENCH_DIR:-/tmp/cohort-bench}
# Downloads land in memory (tmpfs) when possible: disk writeback stalls otherwise add seconds of
# noise to whichever side happens to run when the kernel flushes.
out=${BENCH_OUT:-/dev/shm/cohort-bench-out}
[ -d "$(dirname "$out")" ] || out="$work/out"

"$root/packaging/deps/install-deps.sh" --bench >&2

cmake -S "$root" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release -DCOHORT_BUILD_TESTS=ON >/dev/null
cmake --build "$build" --target bench_generate_ndjson bench_download >/dev/null

mkdir -p "$work/www"
if [ ! -f "$work/www/.done-$size" ]; then
    rm -rf "$work/www" && mkdir -p "$work/www"
    "$build/bench_generate_ndjson" "$work/www" "$size" --max-file-mb 128 > "$work/files.txt"
    for f in "$work/www"/*.ndjson; do gzip -k -6 "$f"; done # for nginx gzip_static
    touch "$work/www/.done-$size"
fi
total=$(cat "$work/www"/*.ndjson | wc -c)

if [ ! -f "$work/tls/server.pem" ]; then
    mkdir -p "$work/tls" && cd "$work/tls"
    openssl req -x509 -newkey rsa:2048 -nodes -days 30 -subj "/CN=Cohort Export bench CA" \
        -keyout ca.key -out ca.pem 2>/dev/null
    openssl req -newkey rsa:2048 -nodes -subj "/CN=127.0.0.1" -keyout server.key -out server.csr 2>/dev/null
    printf 'subjectAltName=IP:127.0.0.1\nbasicConstraints=CA:FALSE\n' > ext.cnf
    openssl x509 -req -in server.csr -CA ca.pem -CAkey ca.key -CAcreateserial -days 30 \
        -extfile ext.cnf -out server.pem 2>/dev/null
    cd - >/dev/null
fi

mkdir -p "$work/nginx/logs"
cat > "$work/nginx/nginx.conf" <<CONF
worker_processes 1;
pid $work/nginx/nginx.pid;
error_log $work/nginx/logs/error.log;
events { worker_connections 256; }
http {
    access_log off;
    sendfile on;
    tcp_nopush on;
    types { application/fhir+ndjson ndjson; }
    gzip_static on;
    server {
        listen 127.0.0.1:18080;
        listen 127.0.0.1:18443 ssl;
        ssl_certificate $work/tls/server.pem;
        ssl_certificate_key $work/tls/server.key;
        root $work/www;
    }
}
CONF
nginx -p "$work/nginx" -c "$work/nginx/nginx.conf"
trap 'nginx -p "$work/nginx" -c "$work/nginx/nginx.conf" -s stop 2>/dev/null || true' EXIT INT TERM
sleep 1

list() { # scheme port
    while read -r type file; do echo "$type $1://127.0.0.1:$2/$file"; done < "$work/files.txt"
}

printf '%-14s %-9s %10s %10s %12s %12s %8s\n' mode transport "curl MB/s" "ours MB/s" "curl RSS MB" "ours RSS MB" ratio
# best SIDE SECONDS RSS_KB: keeps the shortest time and the largest peak RSS of SIDE.
best() {
    [ -f "$work/best.$1" ] || echo "999999 0" > "$work/best.$1"
    awk -v t="$2" -v m="$3" '{ print (t < $1 ? t : $1), (m > $2 ? m : $2) }' "$work/best.$1" > "$work/best.tmp"
    mv "$work/best.tmp" "$work/best.$1"
}
for mode in http-plain http-gzip https-plain https-gzip; do
    case $mode in http-*) scheme=http port=18080 ;; *) scheme=https port=18443 ;; esac
    list $scheme $port > "$work/list.txt"
    ca=""; [ "$scheme" = https ] && ca="--ca-cert $work/tls/ca.pem"
    gz=""; curlgz=""
    case $mode in *-gzip) curlgz="--compressed" ;; *) gz="--no-gzip" ;; esac

    args=""
    n=0
    while read -r type url; do n=$((n + 1)); args="$args -o $out/curl/$n.ndjson $url"; done < "$work/list.txt"
    cacert=""; [ "$scheme" = https ] && cacert="--cacert $work/tls/ca.pem"
    rm -f "$work"/best.*
    # Best of $reps runs each, alternating, so a noisy neighbour hurts every side alike.
    rep=0
    while [ $rep -lt "$reps" ]; do
        rep=$((rep + 1))
        rm -rf "$out/curl" && mkdir -p "$out/curl"
        # shellcheck disable=SC2086
        /usr/bin/time -f "%e %M" -o "$work/curl.time" curl -sS --no-progress-meter --parallel --parallel-max "$parallel" $cacert $curlgz $args
        best cli $(cat "$work/curl.time")

        for transport in $transports; do
            rm -rf "$out/ours"
            # shellcheck disable=SC2086
            COHORT_HTTP_TRANSPORT=$transport /usr/bin/time -f "%e %M" -o "$work/ours.time" \
                "$build/bench_download" "$work/list.txt" "$out/ours" --parallel "$parallel" $ca $gz > "$work/ours.txt"
            best "ours-$transport" $(cat "$work/ours.time")
            if [ $rep -eq 1 ] && ! cmp -s "$out/curl/1.ndjson" "$out/ours/$(head -n1 "$work/list.txt" | cut -d' ' -f1).001.ndjson"; then
                echo "warning: first file differs between curl and ours ($transport)" >&2
            fi
        done
    done
    read -r curl_s curl_rss < "$work/best.cli"
    for transport in $transports; do
        read -r ours_s ours_rss < "$work/best.ours-$transport"
        awk -v m="$mode" -v tr="$transport" -v t="$total" -v cs="$curl_s" -v os="$ours_s" -v cr="$curl_rss" -v orss="$ours_rss" 'BEGIN {
            printf "%-14s %-9s %10.0f %10.0f %12.1f %12.1f %8.2f\n", m, tr, t/cs/1e6, t/os/1e6, cr/1024, orss/1024, cs/os }'
    done
done
rm -rf "$out"
echo "total $((total / 1048576)) MiB in $(wc -l < "$work/files.txt") files, parallel $parallel, best of $reps; ratio = curl time / our time"
