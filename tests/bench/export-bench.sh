#!/bin/sh
# A whole export, as a user runs it, against curl fetching the same files, in the same run:
# a static nginx Bulk Data server on 127.0.0.1 (kick-off 202, a manifest, the NDJSON files, gzip
# when offered), both sides writing to a folder on a real disk (not tmpfs), plain and gzip.
# Ours (bench_export) goes from kick-off to export.json Completed: every file checked, fsynced
# and renamed; curl only writes. Prints best-of-N times with their spread, the ratio, peak RSS and
# the longest stall of the thread that runs the job (the GUI thread in the app), and as its baseline
# the longest stall of an idle process's thread beside curl and beside ours (what any thread waits
# for a core while the machine is that busy). Asserts nothing.
#   tests/bench/export-bench.sh [TOTAL_MB (default 1024)] [PARALLEL (default 4)]
# BENCH_REPS (default 5) runs per side, alternating; BENCH_OUT: the disk folder (default
# build/bench-export-out, which must not be tmpfs).
set -eu
root=$(cd "$(dirname "$0")/../.." && pwd)
size=${1:-1024}
parallel=${2:-4}
reps=${BENCH_REPS:-5}
build=${BENCH_BUILD:-$root/build/bench}
work=${BENCH_DIR:-/tmp/cohort-bench}
out=${BENCH_OUT:-$root/build/bench-export-out}

"$root/packaging/deps/install-deps.sh" --bench >&2
cmake -S "$root" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release -DCOHORT_BUILD_TESTS=ON >/dev/null
cmake --build "$build" --target bench_generate_ndjson bench_export >/dev/null

mkdir -p "$out"
fstype=$(stat -f -c %T "$out")
case $fstype in tmpfs|ramfs) echo "export-bench: $out is on $fstype; set BENCH_OUT to a disk folder" >&2; exit 1 ;; esac

mkdir -p "$work/www"
if [ ! -f "$work/www/.done-$size" ]; then
    rm -rf "$work/www" && mkdir -p "$work/www"
    "$build/bench_generate_ndjson" "$work/www" "$size" --max-file-mb 128 > "$work/files.txt"
    for f in "$work/www"/*.ndjson; do gzip -k -6 "$f"; done # for nginx gzip_static
    touch "$work/www/.done-$size"
fi
total=$(cat "$work/www"/*.ndjson | wc -c)
nfiles=$(wc -l < "$work/files.txt")

# The Bulk Data server: Group/bench/$export answers 202 with the status URL, which answers the
# manifest; the files are static, gzip_static when the client offers gzip.
base=http://127.0.0.1:18081/fhir
site="$work/export-site"
rm -rf "$site" && mkdir -p "$site/fhir/status"
ln -s "$work/www" "$site/fhir/files"
{
    printf '{"transactionTime":"2026-01-01T00:00:00Z","request":"%s/Group/bench/$export",' "$base"
    printf '"requiresAccessToken":false,"output":['
    sep=""
    while read -r type file; do
        printf '%s{"type":"%s","url":"%s/files/%s"}' "$sep" "$type" "$base" "$file"
        sep=","
    done < "$work/files.txt"
    printf '],"error":[]}\n'
} > "$site/fhir/status/bench"
mkdir -p "$work/nginx-export/logs"
cat > "$work/nginx-export/nginx.conf" <<CONF
worker_processes 1;
pid $work/nginx-export/nginx.pid;
error_log $work/nginx-export/logs/error.log;
events { worker_connections 256; }
http {
    access_log off;
    sendfile on;
    tcp_nopush on;
    types { application/fhir+ndjson ndjson; }
    gzip_static on;
    server {
        listen 127.0.0.1:18081;
        root $site;
        location ~ "^/fhir/Group/bench/\\\$export\$" {
            add_header Content-Location "$base/status/bench" always;
            return 202;
        }
        location = /fhir/status/bench { default_type application/json; }
    }
}
CONF
nginx -p "$work/nginx-export" -c "$work/nginx-export/nginx.conf"
trap 'nginx -p "$work/nginx-export" -c "$work/nginx-export/nginx.conf" -s stop 2>/dev/null || true' EXIT INT TERM
sleep 1

args=""
n=0
while read -r type file; do n=$((n + 1)); args="$args -o $out/curl/$n.ndjson $base/files/$file"; done < "$work/files.txt"

# An idle probe process beside a command: its longest stall goes to the file $1.
beside() {
    probe_out=$1; shift
    rm -f "$work/probe.stop"
    "$build/bench_export" --idle-probe "$work/probe.stop" >> "$probe_out" &
    probe_pid=$!
    "$@"
    touch "$work/probe.stop"
    wait "$probe_pid"
}

export QT_LOGGING_RULES="cohort.*.info=false"
printf '%-6s %-22s %-22s %7s %7s %9s %9s %9s\n' mode "curl s (best, range)" "ours s (best, range)" ratio "RSS MB" "stall ms" "idle c/o" "ours CPU"
for mode in plain gzip; do
    gz=""; curlgz=""
    case $mode in gzip) curlgz="--compressed" ;; *) gz="--no-gzip" ;; esac
    : > "$work/curl.times"; : > "$work/ours.lines"; : > "$work/idle.curl"; : > "$work/idle.ours"
    rep=0
    while [ $rep -lt "$reps" ]; do
        rep=$((rep + 1))
        rm -rf "$out/curl" "$out/ours" && mkdir -p "$out/curl" && sync
        # shellcheck disable=SC2086
        beside "$work/idle.curl" /usr/bin/time -f "%e" -a -o "$work/curl.times" curl -sS --no-progress-meter --parallel --parallel-max "$parallel" $curlgz $args
        rm -rf "$out/curl" && sync
        # shellcheck disable=SC2086
        beside "$work/idle.ours" "$build/bench_export" "$base" bench "$out/ours" --parallel "$parallel" $gz >> "$work/ours.lines"
    done
    rm -rf "$out/ours"
    awk -v mode="$mode" -v tf="$work/curl.times" -v ic="$work/idle.curl" -v io="$work/idle.ours" '
        BEGIN { cmin = 1e9; cmax = 0; while ((getline t < tf) > 0) { if (t < cmin) cmin = t; if (t > cmax) cmax = t }
                while ((getline l < ic) > 0) { split(l, f, " "); if (f[2] > idlec) idlec = f[2] }
                while ((getline l < io) > 0) { split(l, f, " "); if (f[2] > idleo) idleo = f[2] } }
        { for (i = 1; i < NF; i += 2) v[$i] = $(i + 1)
          if (v["state"] != "completed") bad++
          s = v["seconds"]; if (n == 0 || s < omin) { omin = s; cpu = v["cpu_s"] } if (s > omax) omax = s
          if (v["peak_rss_mb"] > rss) rss = v["peak_rss_mb"]; if (v["stall_ms"] > stall) stall = v["stall_ms"]; n++ }
        END { printf "%-6s %6.2f (%5.2f-%5.2f)    %6.2f (%5.2f-%5.2f)    %6.2fx %7.1f %9.1f %4.0f/%-4.0f %8.2fs%s\n", mode, cmin, cmin, cmax,
                     omin, omin, omax, omin / cmin, rss, stall, idlec, idleo, cpu, bad ? "  (" bad " runs FAILED)" : "" }' "$work/ours.lines"
done
rm -rf "$out"
echo "total $((total / 1048576)) MiB in $nfiles files to $out ($fstype), parallel $parallel, best of $reps;"
echo "ratio = our best time / curl's best time (lower is better); RSS and stall: the worst run;"
echo "idle c/o: the longest stall of an idle process beside curl / beside ours, worst run (ms)"
