#!/usr/bin/env bash
# Time to full speed: new connections per second in each of the first SECONDS seconds after a proxy is started,
# for HAProxy and for ha-agent.jar (the same plain haproxy.cfg), the latter with each JVM setup in VARIANTS.
#
#   benchmarks/time-to-full-speed.sh
#   VARIANTS="plain aot" SECONDS_MEASURED=10 benchmarks/time-to-full-speed.sh
#
# Variants of the agent's JVM (the training run for cds/aot is one warm-up of TRAIN seconds of the same load):
#   plain  java -jar ha-agent.jar                                  ($JAVA, default java 17)
#   c1     the same with -XX:TieredStopAtLevel=1 (C1 only: cheap compiles, lower peak)
#   cds    JDK 17 AppCDS: -XX:ArchiveClassesAtExit once, then -XX:SharedArchiveFile=...
#   aot    JDK 25 AOT cache (JEP 483/515: classes loaded and linked, method profiles): -XX:AOTCacheOutput once,
#          then -XX:AOTCache=... ($JAVA25)
# Each measured second is one `wrk -t1 -c$CONNS -d1s -H 'Connection: close'` run, the first started as soon as
# the proxy's port accepts; "start" is the time from launch until then. Loopback only; nginx backend (1 KiB).
# Needs ha-examples/target/ha-agent.jar: mvn -o -q -B -pl ha-examples -am package -DskipTests
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
AGENT_JAR="${AGENT_JAR:-$HERE/../ha-examples/target/ha-agent.jar}"
JAVA="${JAVA:-java}"
JAVA25="${JAVA25:-/usr/lib/jvm/temurin-25-jdk-amd64/bin/java}"
VARIANTS="${VARIANTS:-plain cds aot}"
SECONDS_MEASURED="${SECONDS_MEASURED:-10}"
TRAIN="${TRAIN:-15}"
THREADS="${THREADS:-1}"
CONNS="${CONNS:-32}"
BASE_PORT="${BASE_PORT:-26000}"
OUT="${OUT:-$(mktemp -d /tmp/ha4j-ttfs.XXXXXX)}"
HTTP=$((BASE_PORT + 80)); FRONT=$((BASE_PORT + 1080))

PIDS=()
cleanup() {
  local pid
  for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
  sleep 0.5
  for pid in "${PIDS[@]}"; do kill -9 "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
}
trap cleanup EXIT
trap 'exit 130' INT TERM
now_ms() { date +%s%3N; }
wait_port() { local i; for ((i = 0; i < 3000; i++)); do (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null && return 0; sleep 0.005; done; return 1; }

mkdir -p "$OUT/www" "$OUT/nginx"; head -c 1024 /dev/urandom > "$OUT/www/1k"; chmod -R a+rX "$OUT"
cat > "$OUT/nginx/nginx.conf" <<EOF
worker_processes 1; pid $OUT/nginx/nginx.pid; error_log $OUT/nginx/error.log warn;
events { worker_connections 4096; }
http { access_log off; default_type application/octet-stream; sendfile on;
  client_body_temp_path $OUT/nginx/b; proxy_temp_path $OUT/nginx/p; fastcgi_temp_path $OUT/nginx/f;
  uwsgi_temp_path $OUT/nginx/u; scgi_temp_path $OUT/nginx/s;
  server { listen 127.0.0.1:$HTTP backlog=4096; root $OUT/www; } }
EOF
nginx -e "$OUT/nginx/error.log" -p "$OUT/nginx" -c "$OUT/nginx/nginx.conf" -g 'daemon off;' & PIDS+=($!)
wait_port "$HTTP"

cat > "$OUT/haproxy.cfg" <<EOF
global
  nbthread $THREADS
  maxconn 8192
defaults
  mode tcp
  timeout connect 5s
  timeout client 60s
  timeout server 60s
listen web
  bind 127.0.0.1:$FRONT
  server s1 127.0.0.1:$HTTP
EOF

# run_proxy NAME COMMAND...: starts it, measures, stops it; prints one line
run_proxy() {
  local name="$1"; shift
  local t0 t1 line="" rps i pid
  t0=$(now_ms)
  "$@" > "$OUT/$name.log" 2>&1 & pid=$!
  wait_port "$FRONT" || { echo "$name: no listener"; cat "$OUT/$name.log"; return 1; }
  # the balancer probes its address with a plain listening socket before binding it for real: wait for its log line
  if [[ "$name" == agent* ]]; then
    for ((i = 0; i < 3000; i++)); do grep -q "listening on" "$OUT/$name.log" && break; sleep 0.005; done
  fi
  t1=$(now_ms)
  for ((i = 0; i < SECONDS_MEASURED; i++)); do
    rps=$(wrk -t1 -c"$CONNS" -d1s -H 'Connection: close' "http://127.0.0.1:$FRONT/1k" | awk '/^Requests\/sec:/ {printf "%.0f", $2}' || echo err)
    line="$line $rps"
  done
  kill "$pid"; wait "$pid" 2>/dev/null || true
  printf '%-14s start %5d ms  conn/s per second:%s  (loadavg %s)\n' "$name" $((t1 - t0)) "$line" "$(cut -d' ' -f1 /proc/loadavg)"
}

train() { # train COMMAND...: one run under load for TRAIN seconds, then a clean stop (archives are written at exit)
  local pid
  "$@" > "$OUT/train.log" 2>&1 & pid=$!
  wait_port "$FRONT"; sleep 1
  wrk -t1 -c"$CONNS" -d"${TRAIN}s" -H 'Connection: close' "http://127.0.0.1:$FRONT/1k" > /dev/null
  kill "$pid"; wait "$pid" 2>/dev/null || true
}

echo "time to full speed: threads=$THREADS conns=$CONNS, $(nproc) cpus, loadavg $(cut -d' ' -f1-3 /proc/loadavg), out=$OUT"
AGENT=(-jar "$AGENT_JAR" --haproxy-cfg "$OUT/haproxy.cfg")
run_proxy haproxy haproxy -db -f "$OUT/haproxy.cfg"
for v in $VARIANTS; do
  case "$v" in
    plain) run_proxy "agent-plain" "$JAVA" "${AGENT[@]}" ;;
    c1) run_proxy "agent-c1" "$JAVA" -XX:TieredStopAtLevel=1 "${AGENT[@]}" ;;
    cds)
      train "$JAVA" -XX:ArchiveClassesAtExit="$OUT/agent.jsa" "${AGENT[@]}"
      run_proxy "agent-cds" "$JAVA" -XX:SharedArchiveFile="$OUT/agent.jsa" "${AGENT[@]}" ;;
    aot)
      train "$JAVA25" -XX:AOTCacheOutput="$OUT/agent.aot" "${AGENT[@]}"
      run_proxy "agent-jdk25" "$JAVA25" "${AGENT[@]}"
      run_proxy "agent-jdk25-aot" "$JAVA25" -XX:AOTCache="$OUT/agent.aot" "${AGENT[@]}" ;;
  esac
done
run_proxy haproxy haproxy -db -f "$OUT/haproxy.cfg"
