#!/usr/bin/env bash
# Side-by-side: ha4j TcpBalancer vs HAProxy (mode tcp) vs direct, on 127.0.0.1 only, same machine, one run.
#
#   benchmarks/side-by-side.sh                 # defaults below
#   DURATION=10 REPEATS=3 THREADS=1 benchmarks/side-by-side.sh
#   TESTS="wrk-small sockperf" benchmarks/side-by-side.sh
#
# Backends: nginx (Debian nginx-light) serving /1k (1 KiB) and /1m (1 MiB), iperf3 server, sockperf server.
# Proxies: HAProxy with nbthread=$THREADS and ha4j TcpBalancer (io.ha4j.benchmarks.BalancerMain) with
# $THREADS event-loop threads, each with three TCP frontends (http, iperf3, sockperf) to the same backends.
# Tests, each run $REPEATS times against direct / haproxy / ha4j interleaved, $DURATION s each:
#   wrk-small  wrk keep-alive, 1 KiB responses, $WRK_SMALL_CONNS connections        -> requests/s, p99
#   wrk-large  wrk keep-alive, 1 MiB responses, $WRK_LARGE_CONNS connections        -> MiB/s, p99
#   wrk-close  wrk 'Connection: close' (new client + backend connection per request) -> requests/s, p99
#   iperf3     one bulk TCP stream, client -> server                                -> Gbit/s
#   sockperf   ping-pong 64 B, one-way latency (sockperf's default: RTT/2)           -> p50, p99 in us
# Prints every run, then the median and spread (min..max) per line and the ratio ha4j / HAProxy of medians
# (throughput: higher is better; latency: lower is better, plus the latency added over direct), and in how many
# repetitions ha4j beat the HAProxy run beside it (a paired count: with REPEATS=11 it says whether a few per cent
# is a difference or the VM's run-to-run spread, which a ratio of medians cannot). After each run it
# prints the CPU steal during it (time the hypervisor gave other guests; the summary's steal_% row): on a shared VM
# a pair of runs with unequal steal is not a comparison of the proxies.
#
# Installs nothing. Needs: haproxy nginx wrk iperf3 sockperf (Debian packages), java 17, and
# benchmarks/target/benchmarks.jar (mvn -q -o install -pl benchmarks). Everything it starts is killed on exit.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
JAR="${JAR:-$HERE/target/benchmarks.jar}"
DURATION="${DURATION:-10}"          # seconds per measured run
WARMUP="${WARMUP:-3}"               # seconds of discarded load per proxy per test (JIT, pools)
REPEATS="${REPEATS:-3}"
THREADS="${THREADS:-1}"             # HAProxy nbthread = ha4j event loops = nginx workers = wrk threads
TESTS="${TESTS:-wrk-small wrk-large wrk-close iperf3 sockperf}"
TARGETS="${TARGETS:-direct haproxy ha4j}"
WRK_SMALL_CONNS="${WRK_SMALL_CONNS:-64}"
WRK_LARGE_CONNS="${WRK_LARGE_CONNS:-16}"
WRK_CLOSE_CONNS="${WRK_CLOSE_CONNS:-32}"
SOCKPERF_MSG="${SOCKPERF_MSG:-64}"
BASE_PORT="${BASE_PORT:-47000}"     # direct = BASE+x, haproxy = BASE+1000+x, ha4j = BASE+2000+x
PIN="${PIN:-0}"                     # 1: proxies on CPU 1, backends and load generators on CPU 0
JAVA="${JAVA:-java}"
JAVA_OPTS="${JAVA_OPTS:--Xms256m -Xmx256m -XX:+UseG1GC -Dio.netty.leakDetection.level=disabled}"
HAPROXY_EXTRA="${HAPROXY_EXTRA:-}"  # e.g. "option splice-auto" for the defaults section
CHECK="${CHECK:-0}"                 # 1: health checks on both sides (HAProxy 'check' = TCP connect every 2 s; ha4j --check, the same)

HTTP_PORT=$((BASE_PORT + 80)); IPERF_PORT=$((BASE_PORT + 201)); SOCKPERF_PORT=$((BASE_PORT + 111))

missing=()
for tool in haproxy nginx wrk iperf3 sockperf "$JAVA" awk sort; do
  command -v "$tool" >/dev/null 2>&1 || missing+=("$tool")
done
if ((${#missing[@]})); then
  echo "missing tools: ${missing[*]}" >&2
  echo "install with: apt-get install -y haproxy nginx-light wrk iperf3 sockperf openjdk-17-jre-headless" >&2
  exit 2
fi
if [[ " $TARGETS " == *" ha4j "* && ! -f "$JAR" ]]; then
  echo "missing $JAR; build it with: (cd $(dirname "$HERE") && mvn -q -o install -pl benchmarks)" >&2
  exit 2
fi

WORK="$(mktemp -d /tmp/ha4j-sbs.XXXXXX)"
chmod 755 "$WORK"
PIDS=()
cleanup() {
  local pid
  for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
  sleep 0.5
  for pid in "${PIDS[@]}"; do kill -9 "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  if [[ "${KEEP_WORK:-0}" == 1 ]]; then echo "work dir kept: $WORK" >&2; else rm -rf "$WORK"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

cpu() { # cpu <proxy|load> command...: replaces the current (sub)shell, so only ever call it inside $(...) or with &
  local role="$1"; shift
  if [[ "$PIN" == 1 ]]; then
    if [[ "$role" == proxy ]]; then exec taskset -c 1 "$@"; else exec taskset -c 0 "$@"; fi
  else
    exec "$@"
  fi
}

wait_port() { # wait_port PORT: up to 15 s for a listener on 127.0.0.1:PORT
  local port="$1" i
  for ((i = 0; i < 150; i++)); do
    if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then return 0; fi
    sleep 0.1
  done
  echo "nothing listens on 127.0.0.1:$port after 15 s" >&2
  return 1
}

port_of() { # port_of TARGET SERVICE
  local offset
  case "$1" in direct) offset=0 ;; haproxy) offset=1000 ;; ha4j) offset=2000 ;; esac
  case "$2" in http) echo $((HTTP_PORT + offset)) ;; iperf) echo $((IPERF_PORT + offset)) ;; sockperf) echo $((SOCKPERF_PORT + offset)) ;; esac
}

# ---------------------------------------------------------------- backends
mkdir -p "$WORK/www" "$WORK/nginx"
head -c 1024 /dev/urandom > "$WORK/www/1k"
head -c 1048576 /dev/urandom > "$WORK/www/1m"
chmod -R a+rX "$WORK/www"
cat > "$WORK/nginx/nginx.conf" <<EOF
worker_processes $THREADS;
pid $WORK/nginx/nginx.pid;
error_log $WORK/nginx/error.log warn;
events { worker_connections 4096; }
http {
  access_log off;
  default_type application/octet-stream;
  sendfile on;
  tcp_nopush on;
  keepalive_requests 100000000;
  keepalive_timeout 120s;
  client_body_temp_path $WORK/nginx/body;
  proxy_temp_path $WORK/nginx/proxy;
  fastcgi_temp_path $WORK/nginx/fastcgi;
  uwsgi_temp_path $WORK/nginx/uwsgi;
  scgi_temp_path $WORK/nginx/scgi;
  server {
    listen 127.0.0.1:$HTTP_PORT backlog=4096;
    root $WORK/www;
  }
}
EOF
cpu load nginx -e "$WORK/nginx/error.log" -p "$WORK/nginx" -c "$WORK/nginx/nginx.conf" -g 'daemon off;' &
PIDS+=($!)
cpu load iperf3 -s -B 127.0.0.1 -p "$IPERF_PORT" > "$WORK/iperf3-server.log" 2>&1 &
PIDS+=($!)
cpu load sockperf server --tcp -i 127.0.0.1 -p "$SOCKPERF_PORT" > "$WORK/sockperf-server.log" 2>&1 &
PIDS+=($!)
wait_port "$HTTP_PORT"; wait_port "$IPERF_PORT"; wait_port "$SOCKPERF_PORT"

# ---------------------------------------------------------------- proxies
if [[ " $TARGETS " == *" haproxy "* ]]; then
  cat > "$WORK/haproxy.cfg" <<EOF
global
  nbthread $THREADS
  maxconn 8192
defaults
  mode tcp
  timeout connect 5s
  timeout client 60s
  timeout server 60s
  timeout tunnel 1h
  # ha4j always sets TCP keepalive (60 s idle, 10 s interval, 6 probes) on both sockets: the same here
  option clitcpka
  option srvtcpka
  clitcpka-idle 60s
  clitcpka-intvl 10s
  clitcpka-cnt 6
  srvtcpka-idle 60s
  srvtcpka-intvl 10s
  srvtcpka-cnt 6
  $HAPROXY_EXTRA
listen http
  bind 127.0.0.1:$(port_of haproxy http)
  server s1 127.0.0.1:$HTTP_PORT$([[ "$CHECK" == 1 ]] && echo " check")
listen iperf
  bind 127.0.0.1:$(port_of haproxy iperf)
  server s1 127.0.0.1:$IPERF_PORT$([[ "$CHECK" == 1 ]] && echo " check")
listen sockperf
  bind 127.0.0.1:$(port_of haproxy sockperf)
  server s1 127.0.0.1:$SOCKPERF_PORT$([[ "$CHECK" == 1 ]] && echo " check")
EOF
  cpu proxy haproxy -db -f "$WORK/haproxy.cfg" > "$WORK/haproxy.log" 2>&1 &
  PIDS+=($!)
  for s in http iperf sockperf; do wait_port "$(port_of haproxy $s)"; done
fi
if [[ " $TARGETS " == *" ha4j "* ]]; then
  # shellcheck disable=SC2086
  cpu proxy "$JAVA" $JAVA_OPTS -cp "$JAR" io.ha4j.benchmarks.BalancerMain --threads "$THREADS" $([[ "$CHECK" == 1 ]] && echo --check) \
    --route "127.0.0.1:$(port_of ha4j http)=127.0.0.1:$HTTP_PORT" \
    --route "127.0.0.1:$(port_of ha4j iperf)=127.0.0.1:$IPERF_PORT" \
    --route "127.0.0.1:$(port_of ha4j sockperf)=127.0.0.1:$SOCKPERF_PORT" > "$WORK/ha4j.log" 2>&1 &
  PIDS+=($!)
  for s in http iperf sockperf; do
    wait_port "$(port_of ha4j $s)" || { cat "$WORK/ha4j.log" >&2; exit 1; }
  done
fi

# ---------------------------------------------------------------- measuring
# Each run appends "TEST METRIC TARGET VALUE" lines to $RESULTS.
RESULTS="$WORK/results.txt"
: > "$RESULTS"

to_ms() { # wrk latency "1.23ms" / "845.00us" / "1.02s" -> ms
  awk -v v="$1" 'BEGIN {
    if (v ~ /us$/) { sub(/us$/, "", v); printf "%.3f", v / 1000 }
    else if (v ~ /ms$/) { sub(/ms$/, "", v); printf "%.3f", v }
    else if (v ~ /m$/) { sub(/m$/, "", v); printf "%.3f", v * 60000 }
    else if (v ~ /s$/) { sub(/s$/, "", v); printf "%.3f", v * 1000 }
    else printf "nan" }'
}
to_mib() { # wrk transfer "2.18GB" -> MiB (wrk prints binary units)
  awk -v v="$1" 'BEGIN {
    if (v ~ /GB$/) { sub(/GB$/, "", v); printf "%.1f", v * 1024 }
    else if (v ~ /MB$/) { sub(/MB$/, "", v); printf "%.1f", v }
    else if (v ~ /KB$/) { sub(/KB$/, "", v); printf "%.3f", v / 1024 }
    else if (v ~ /B$/) { sub(/B$/, "", v); printf "%.6f", v / 1048576 }
    else printf "nan" }'
}

run_wrk() { # run_wrk TEST TARGET DURATION RECORD(0|1)
  local test="$1" target="$2" dur="$3" record="$4" path conns extra=() out
  case "$test" in
    wrk-small) path=/1k; conns=$WRK_SMALL_CONNS ;;
    wrk-large) path=/1m; conns=$WRK_LARGE_CONNS ;;
    wrk-close) path=/1k; conns=$WRK_CLOSE_CONNS; extra=(-H 'Connection: close') ;;
  esac
  out="$(cpu load wrk -t "$THREADS" -c "$conns" -d "${dur}s" --timeout 5s --latency "${extra[@]}" \
    "http://127.0.0.1:$(port_of "$target" http)$path" 2>&1)" || { echo "$out" >&2; return 1; }
  [[ "$record" == 1 ]] || return 0
  echo "$out" > "$WORK/$test-$target-$(date +%s%N).log"
  local rps tr p50 p99 errors
  rps="$(awk '/^Requests\/sec:/ {print $2}' <<< "$out")"
  tr="$(awk '/^Transfer\/sec:/ {print $2}' <<< "$out")"
  p50="$(awk '$1 == "50%" {print $2}' <<< "$out")"
  p99="$(awk '$1 == "99%" {print $2}' <<< "$out")"
  errors="$(awk '/Socket errors|Non-2xx/ {print}' <<< "$out" | tr '\n' ' ')"
  if [[ "$test" == wrk-large ]]; then
    echo "$test MiB/s $target $(to_mib "$tr")" >> "$RESULTS"
  else
    echo "$test req/s $target $rps" >> "$RESULTS"
  fi
  echo "$test p50_ms $target $(to_ms "$p50")" >> "$RESULTS"
  echo "$test p99_ms $target $(to_ms "$p99")" >> "$RESULTS"
  printf '  %-9s %-8s req/s %-10s transfer %-9s p50 %-9s p99 %-9s %s\n' "$test" "$target" "$rps" "$tr/s" "$p50" "$p99" "$errors"
}

run_iperf3() { # run_iperf3 TARGET DURATION RECORD
  local target="$1" dur="$2" record="$3" out gbps
  out="$(cpu load iperf3 -c 127.0.0.1 -p "$(port_of "$target" iperf)" -t "$dur" -f m 2>&1)" || { echo "$out" >&2; return 1; }
  [[ "$record" == 1 ]] || return 0
  echo "$out" > "$WORK/iperf3-$target-$(date +%s%N).log"
  gbps="$(awk '/receiver/ { for (i = 1; i <= NF; i++) if ($i == "Mbits/sec") printf "%.2f", $(i - 1) / 1000 }' <<< "$out")"
  echo "iperf3 Gbit/s $target $gbps" >> "$RESULTS"
  printf '  %-9s %-8s %s Gbit/s\n' iperf3 "$target" "$gbps"
}

run_sockperf() { # run_sockperf TARGET DURATION RECORD
  local target="$1" dur="$2" record="$3" out p50 p99
  out="$(cpu load sockperf ping-pong --tcp -i 127.0.0.1 -p "$(port_of "$target" sockperf)" -t "$dur" -m "$SOCKPERF_MSG" 2>&1)" \
    || { echo "$out" >&2; return 1; }
  [[ "$record" == 1 ]] || return 0
  echo "$out" > "$WORK/sockperf-$target-$(date +%s%N).log"
  p50="$(awk '/percentile 50.000 =/ {print $NF}' <<< "$out")"
  p99="$(awk '/percentile 99.000 =/ {print $NF}' <<< "$out")"
  echo "sockperf p50_us $target $p50" >> "$RESULTS"
  echo "sockperf p99_us $target $p99" >> "$RESULTS"
  printf '  %-9s %-8s one-way latency p50 %s us  p99 %s us\n' sockperf "$target" "$p50" "$p99"
}

# CPU time the hypervisor gave to other guests (steal), in % of this machine's CPU time, between two readings: on a
# shared VM a run with more steal than its pair is not comparable to it
cpu_ticks() { awk '/^cpu / { t = 0; for (i = 2; i <= 9; i++) t += $i; print $9, t }' /proc/stat; }
steal_percent() { awk -v s="$1" -v t="$2" 'BEGIN { printf "%.1f", (t > 0 ? 100 * s / t : 0) }'; }

run_one() { # run_one TEST TARGET DURATION RECORD
  case "$1" in
    wrk-*) run_wrk "$@" ;;
    iperf3) run_iperf3 "${@:2}" ;;
    sockperf) run_sockperf "${@:2}" ;;
    *) echo "unknown test $1 (known: wrk-small wrk-large wrk-close iperf3 sockperf)" >&2; return 2 ;;
  esac
}

echo "ha4j side-by-side: threads=$THREADS duration=${DURATION}s warmup=${WARMUP}s repeats=$REPEATS pin=$PIN check=$CHECK targets=[$TARGETS] loadavg $(cut -d' ' -f1-3 /proc/loadavg)"
echo "machine: $(nproc) cpus, $(awk -F': ' '/model name/ {print $2; exit}' /proc/cpuinfo), kernel $(uname -r)"
echo "versions: $(haproxy -v 2>&1 | head -1 | awk '{print $1, $2, $3}'), $(nginx -v 2>&1 | cut -d' ' -f3), $(wrk -v 2>&1 | head -1 | awk '{print $1, $2}'), $(iperf3 -v 2>&1 | head -1 | awk '{print $1, $2}'), sockperf $(sockperf --version 2>&1 | awk '/version/ {print $NF; exit}'), $("$JAVA" -version 2>&1 | head -1)"
for test in $TESTS; do
  echo "== $test"
  if ((WARMUP > 0)); then
    for target in $TARGETS; do
      [[ "$target" == direct ]] || run_one "$test" "$target" "$WARMUP" 0
    done
  fi
  for ((rep = 1; rep <= REPEATS; rep++)); do
    for target in $TARGETS; do
      read -r steal0 ticks0 <<< "$(cpu_ticks)"
      run_one "$test" "$target" "$DURATION" 1
      read -r steal1 ticks1 <<< "$(cpu_ticks)"
      steal="$(steal_percent $((steal1 - steal0)) $((ticks1 - ticks0)))"
      echo "$test steal_% $target $steal" >> "$RESULTS"
      printf '  %-9s %-8s cpu steal %s %%\n' "$test" "$target" "$steal"
    done
  done
done

# ---------------------------------------------------------------- summary
echo
echo "== summary: median [min..max] over $REPEATS runs; ratio = ha4j / haproxy of medians;"
echo "   pairs = in how many repetitions ha4j beat the HAProxy run next to it (one 10 s run moves by +-15 % on this"
echo "   VM; with no real difference, 9 of 11 or more happens by chance 3 % of the time, 5 of 5 also 3 %)"
printf '%-10s %-8s %-32s %-32s %-32s %-6s %s\n' test metric direct haproxy ha4j "ratio" "pairs"
summarise() { # reads "TEST METRIC TARGET VALUE" lines
  awk '
    function median(arr, n,   i, j, t, s) {
      for (i = 1; i <= n; i++) s[i] = arr[i]
      for (i = 1; i <= n; i++) for (j = i + 1; j <= n; j++) if (s[j] < s[i]) { t = s[i]; s[i] = s[j]; s[j] = t }
      lo = s[1]; hi = s[n]
      return (n % 2) ? s[(n + 1) / 2] : (s[n / 2] + s[n / 2 + 1]) / 2
    }
    { key = $1 SUBSEP $2; if (!(key in seen)) { seen[key] = 1; order[++nk] = key }
      n[key, $3]++; v[key, $3, n[key, $3]] = $4 }
    END {
      split("direct haproxy ha4j", tg, " ")
      for (k = 1; k <= nk; k++) {
        key = order[k]; split(key, parts, SUBSEP)
        line = sprintf("%-10s %-8s", parts[1], parts[2]); delete med
        for (t = 1; t <= 3; t++) {
          cnt = n[key, tg[t]]
          if (cnt == 0) { line = line sprintf(" %-32s", "-"); continue }
          delete a; for (i = 1; i <= cnt; i++) a[i] = v[key, tg[t], i]
          m = median(a, cnt); med[tg[t]] = m
          line = line sprintf(" %-32s", sprintf("%.2f [%.2f..%.2f]", m, lo, hi))
        }
        ratio = ("haproxy" in med && "ha4j" in med && med["haproxy"] > 0 && parts[2] != "steal_%") ? sprintf("%.2f", med["ha4j"] / med["haproxy"]) : "-"
        pairs = "-"; np = n[key, "haproxy"] < n[key, "ha4j"] ? n[key, "haproxy"] : n[key, "ha4j"]
        if (np > 0 && parts[2] != "steal_%") { # run i of each target is repetition i: the two ran one after the other
          better = 0; lower = parts[2] ~ /^p[0-9]+_/
          for (i = 1; i <= np; i++) {
            h = v[key, "haproxy", i]; j = v[key, "ha4j", i]
            if ((lower && j < h) || (!lower && j > h)) better++
          }
          pairs = better "/" np
        }
        ratio = sprintf("%-6s %s", ratio, pairs)
        added = ""
        if (parts[2] ~ /^p[0-9]+_/ && ("direct" in med)) {
          added = "  added over direct:"
          if ("haproxy" in med) added = added sprintf(" haproxy %+.2f", med["haproxy"] - med["direct"])
          if ("ha4j" in med) added = added sprintf(" ha4j %+.2f", med["ha4j"] - med["direct"])
        }
        print line " " ratio added
      }
    }'
}
summarise < "$RESULTS"
if [[ -n "${SAVE_RESULTS:-}" ]]; then cp "$RESULTS" "$SAVE_RESULTS"; echo "raw results saved to $SAVE_RESULTS"; fi
