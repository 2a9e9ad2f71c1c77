#!/usr/bin/env bash
# Where a proxy spends per connection and per MiB: CPU time, syscalls, and (ha4j) async-profiler cpu/alloc profiles.
#
#   benchmarks/profile.sh                         # PROFILES="cpu alloc strace" LOADS="close bulk"
#   AP=/tmp/ap/linux-x64/libasyncProfiler.so PROFILES=cpu LOADS=close benchmarks/profile.sh
#   PROFILES=none LOADS=keepalive benchmarks/profile.sh  # only the counters below, no profiler or strace
#
# Starts nginx (1 KiB file) and an iperf3 server on 127.0.0.1, HAProxy (nbthread $THREADS) and
# io.ha4j.benchmarks.BalancerMain ($THREADS event loops) in front of them, configured as side-by-side.sh does.
# For each load (close = wrk 'Connection: close' 1 KiB, $CONNS connections; keepalive = wrk keep-alive 1 KiB,
# $KEEPALIVE_CONNS connections; bulk = one iperf3 stream) and each proxy it prints the proxy's CPU time
# (utime+stime from /proc) per connection, request or MiB, the whole machine's busy time per unit, context switches
# per unit (the proxy's event-loop threads woken from a wait or preempted, and the machine's), TCP segments sent
# per unit on the whole machine (nstat: every hop, client, proxy and backend), and with
#   cpu / alloc   an async-profiler profile of the ha4j JVM during the load, summarised by area (collapsed stacks
#                 kept in $OUT), attached with jcmd JVMTI.agent_load after the warm-up;
#   strace        `strace -c -f` of each proxy during the load, syscalls per connection or per MiB;
#   residence     (keepalive) a 3 s tcpdump of each proxy's two hops, summarised by residence.py: the latency the
#                 client sees, and how long each request and response stayed in the proxy (p50, p90, p99);
#   sched         2 s of `perf sched record` during the load, summarised by schedwait.py: per thread of the proxy,
#                 wrk and nginx, how long it was runnable but waiting for a CPU, and how many waits were long
#                 (perf: Debian package linux-perf).
# async-profiler: mvn dependency:copy -Dartifact=tools.profiler:async-profiler:4.2 -DoutputDirectory=/tmp/ap,
# then unzip it there (it holds linux-x64/libasyncProfiler.so). Everything it starts is killed on exit.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
JAR="${JAR:-$HERE/target/benchmarks.jar}"
AP="${AP:-/tmp/ap/linux-x64/libasyncProfiler.so}"
THREADS="${THREADS:-1}"
CONNS="${CONNS:-32}"
KEEPALIVE_CONNS="${KEEPALIVE_CONNS:-64}"   # the keepalive load, as side-by-side.sh's wrk-small
DURATION="${DURATION:-10}"
WARMUP="${WARMUP:-5}"
PROFILES="${PROFILES:-cpu alloc strace}"
LOADS="${LOADS:-close bulk}"
PROXIES="${PROXIES:-haproxy ha4j}"
BASE_PORT="${BASE_PORT:-22000}"   # below the ephemeral range (32768+), which wrk close runs fill
JAVA="${JAVA:-java}"
JAVA_OPTS="${JAVA_OPTS:--Xms256m -Xmx256m -XX:+UseG1GC -Dio.netty.leakDetection.level=disabled -XX:+UnlockDiagnosticVMOptions -XX:+DebugNonSafepoints}"
OUT="${OUT:-$(mktemp -d /tmp/ha4j-profile.XXXXXX)}"
RESPONSE_BYTES=1273   # nginx's answer to GET /1k: 249 bytes of header and the 1 KiB body
mkdir -p "$OUT"

HTTP=$((BASE_PORT + 80)); IPERF=$((BASE_PORT + 201))
port() { case "$1" in haproxy) echo $(($2 + 1000)) ;; ha4j) echo $(($2 + 2000)) ;; esac; }

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
wait_port() { local i; for ((i = 0; i < 150; i++)); do (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null && return 0; sleep 0.1; done; return 1; }

mkdir -p "$OUT/www" "$OUT/nginx"; head -c 1024 /dev/urandom > "$OUT/www/1k"; chmod -R a+rX "$OUT"
cat > "$OUT/nginx/nginx.conf" <<EOF
worker_processes $THREADS; pid $OUT/nginx/nginx.pid; error_log $OUT/nginx/error.log warn;
events { worker_connections 4096; }
http { access_log off; default_type application/octet-stream; sendfile on; keepalive_requests 100000000;
  client_body_temp_path $OUT/nginx/b; proxy_temp_path $OUT/nginx/p; fastcgi_temp_path $OUT/nginx/f;
  uwsgi_temp_path $OUT/nginx/u; scgi_temp_path $OUT/nginx/s;
  server { listen 127.0.0.1:$HTTP backlog=4096; root $OUT/www; } }
EOF
nginx -e "$OUT/nginx/error.log" -p "$OUT/nginx" -c "$OUT/nginx/nginx.conf" -g 'daemon off;' & PIDS+=($!)
iperf3 -s -B 127.0.0.1 -p "$IPERF" > "$OUT/iperf3-server.log" 2>&1 & PIDS+=($!)
wait_port "$HTTP"; wait_port "$IPERF"

declare -A PID_OF
cat > "$OUT/haproxy.cfg" <<EOF
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
listen http
  bind 127.0.0.1:$(port haproxy $HTTP)
  server s1 127.0.0.1:$HTTP
listen iperf
  bind 127.0.0.1:$(port haproxy $IPERF)
  server s1 127.0.0.1:$IPERF
EOF
haproxy -db -f "$OUT/haproxy.cfg" > "$OUT/haproxy.log" 2>&1 & PIDS+=($!); PID_OF[haproxy]=$!
start_ha4j() { # start_ha4j [EXTRA JVM OPTION]: (re)starts the ha4j balancer
  if [[ -n "${PID_OF[ha4j]:-}" ]]; then kill "${PID_OF[ha4j]}"; wait "${PID_OF[ha4j]}" 2>/dev/null || true; fi
  # shellcheck disable=SC2086
  "$JAVA" $JAVA_OPTS "$@" -cp "$JAR" io.ha4j.benchmarks.BalancerMain --threads "$THREADS" \
    --route "127.0.0.1:$(port ha4j $HTTP)=127.0.0.1:$HTTP" --route "127.0.0.1:$(port ha4j $IPERF)=127.0.0.1:$IPERF" \
    >> "$OUT/ha4j.log" 2>&1 & PIDS+=($!); PID_OF[ha4j]=$!
  wait_port "$(port ha4j $HTTP)"; wait_port "$(port ha4j $IPERF)"
}
start_ha4j
wait_port "$(port haproxy $HTTP)"; wait_port "$(port haproxy $IPERF)"

cpu_ticks() { awk '{print $14, $15}' "/proc/$1/stat"; } # user, system
TICK=$(getconf CLK_TCK)
# busy ticks of the whole machine (load generator, backends, proxy, softirq): what the proxy makes the others spend
machine_busy() { awk '/^cpu / {print $2 + $3 + $4 + $7 + $8 + $9}' /proc/stat; }
# context switches: the proxy's event-loop threads (voluntary = it slept in epoll_wait and was woken) and the whole
# machine's. ha4j's loops are its bench-io threads; the JVM's other threads (GC, JIT, the periodic task) wake on
# their own schedule and would blur the loop's count. Every HAProxy thread is a loop.
proxy_switches() {
  local t loops=()
  for t in /proc/"$1"/task/*; do [[ "$(cat "$t/comm" 2>/dev/null)" == bench-io* ]] && loops+=("$t/status"); done
  [[ ${#loops[@]} -gt 0 ]] || loops=(/proc/"$1"/task/*/status)
  cat "${loops[@]}" | awk '/^voluntary_ctxt_switches/ {v += $2} /^nonvoluntary_ctxt_switches/ {n += $2} END {print v, n}'
}
machine_switches() { awk '/^ctxt/ {print $2}' /proc/stat; }
# TCP segments sent on the whole machine (all hops: client, proxy, backend), and how many of them carried no data
tcp_segments() { nstat -az TcpOutSegs TcpExtTCPPureAcks TcpExtDelayedACKs | awk '$1 == "TcpOutSegs" {o = $2} $1 == "TcpExtTCPPureAcks" {a = $2} $1 == "TcpExtDelayedACKs" {d = $2} END {print o, a, d}'; }

# load LOAD PROXY SECONDS -> prints "units" done (connections or MiB)
load() {
  local out
  case "$1" in
    close)
      out="$(wrk -t "$THREADS" -c "$CONNS" -d "${3}s" --timeout 5s -H 'Connection: close' "http://127.0.0.1:$(port "$2" $HTTP)/1k")"
      awk '/requests in/ {print $1}' <<< "$out" ;;
    keepalive)
      out="$(wrk -t "$THREADS" -c "$KEEPALIVE_CONNS" -d "${3}s" --timeout 5s "http://127.0.0.1:$(port "$2" $HTTP)/1k")"
      awk '/requests in/ {print $1}' <<< "$out" ;;
    bulk)
      out="$(iperf3 -c 127.0.0.1 -p "$(port "$2" $IPERF)" -t "$3" -J)"
      python3 -c "import json,sys; e=json.load(sys.stdin)[\"end\"]; print(round(e.get(\"sum_received\", e.get(\"sum\", {})).get(\"bytes\", 0)/1048576, 1))" <<< "$out" ;;
  esac
}
unit() { case "$1" in close) echo connection ;; keepalive) echo request ;; *) echo MiB ;; esac; }

summarise_collapsed() { # FILE: share of samples by thread, and by area on the event loop threads
  python3 - "$1" <<'PY'
import sys, collections, re
areas = [  # a stack counts for the area of its innermost frame that matches (leaf first)
  ("socket close", ["closeSocket", "doClose", "Unsafe.close", "FileDescriptor.close"]),
  ("session end (accounting, log)", ["DirectSession.close", "RelaySession.close", "Admission.ended", "socketClosed"]),
  ("half-close passed on", ["inputShutdown", "shutdownOutput", "shutdownInput"]),
  ("relay write", ["DirectSession.write", "DirectSession.flush", "doWrite", "flush0", "writeBytes"]),
  ("relay read", ["DirectSession.relay", "epollInReady", "doReadBytes"]),
  ("backend connect (socket, options, connect, register)", ["DirectSession.connect", "Side.register", "newSocketStream",
      "Socket.connect", "setIntOpt", "setTcpNoDelay", "setKeepAlive", "Bootstrap", "doConnect", "finishConnect", "fulfillConnectPromise"]),
  ("accept (accept4, session setup)", ["DirectAcceptor", "DirectSession.accepted", "ServerBootstrapAcceptor", "AbstractEpollServerChannel"]),
  ("balancer bookkeeping", ["io/ha4j/proxy/Admission", "io/ha4j/proxy/ServerPool", "io/ha4j/proxy/Server.", "FrontendCounters", "LongAdder"]),
  ("timers", ["ScheduledFutureTask", "DeferredTimers", "DefaultPriorityQueue", "AbstractScheduledEventExecutor"]),
  ("epoll wait", ["epollWait", "epoll_wait", "epoll_pwait"]),
]
threads = collections.Counter(); by = collections.Counter(); leaf = collections.Counter(); total = 0; loop = 0
for line in open(sys.argv[1]):
    stack, _, n = line.rstrip().rpartition(" ")
    n = int(n); total += n
    frames = stack.split(";")
    t = re.sub(r"[-_ ]?\d+.*", "", frames[0].strip("[]").split(" tid=")[0])
    threads[t] += n
    if not frames[0].startswith("[bench-io"):
        continue
    loop += n
    leaf[frames[-1]] += n
    by[next((name for f in reversed(frames) for name, keys in areas if any(k in f for k in keys)), "other")] += n
print(f"  samples {total}; by thread: " + ", ".join(f"{k} {100.0*v/total:.1f}%" for k, v in threads.most_common(6)))
print(f"  event loop samples by area ({loop}):")
for k, v in by.most_common():
    print(f"  {100.0*v/max(loop,1):5.1f}%  {k}")
print("  event loop top leaf frames:")
for k, v in leaf.most_common(15):
    print(f"  {100.0*v/max(loop,1):5.1f}%  {k[:160]}")
PY
}

echo "profile: threads=$THREADS conns=$CONNS duration=${DURATION}s warmup=${WARMUP}s loadavg $(cut -d' ' -f1-3 /proc/loadavg) out=$OUT"
for l in $LOADS; do
  for p in $PROXIES; do
    load "$l" "$p" "$WARMUP" > /dev/null
    m0="$(machine_busy)"; c0="$(machine_switches)"; read -r v0 i0 <<< "$(proxy_switches "${PID_OF[$p]}")"
    read -r o0 a0 d0 <<< "$(tcp_segments)"
    read -r u0 s0 <<< "$(cpu_ticks "${PID_OF[$p]}")"; n=$(load "$l" "$p" "$DURATION")
    read -r u1 s1 <<< "$(cpu_ticks "${PID_OF[$p]}")"; m1="$(machine_busy)"; c1="$(machine_switches)"
    read -r v1 i1 <<< "$(proxy_switches "${PID_OF[$p]}")"; read -r o1 a1 d1 <<< "$(tcp_segments)"
    awk -v n="$n" -v us=$((u1 - u0)) -v sy=$((s1 - s0)) -v all=$((m1 - m0)) -v hz="$TICK" -v p="$p" -v l="$l" -v u="$(unit "$l")" -v la="$(cut -d' ' -f1 /proc/loadavg)" \
      'BEGIN { t = us + sy; printf "%-6s %-8s %10s %-10s in %ds: proxy CPU %.2f s = %.1f us per %s (user %.1f + kernel %.1f); whole machine %.1f us per %s (loadavg %s)\n", l, p, n, u "s", '"$DURATION"', t/hz, t/hz*1e6/n, u, us/hz*1e6/n, sy/hz*1e6/n, all/hz*1e6/n, u, la }'
    awk -v n="$n" -v v=$((v1 - v0)) -v i=$((i1 - i0)) -v c=$((c1 - c0)) -v u="$(unit "$l")" \
      'BEGIN { printf "  context switches per %s: proxy event loops %.2f woken + %.2f preempted; whole machine %.2f\n", u, v/n, i/n, c/n }'
    awk -v n="$n" -v o=$((o1 - o0)) -v a=$((a1 - a0)) -v d=$((d1 - d0)) -v u="$(unit "$l")" \
      'BEGIN { printf "  TCP segments sent per %s (whole machine): %.2f, of which pure ACKs %.2f; delayed ACKs %.3f\n", u, o/n, a/n, d/n }'
    for prof in $PROFILES; do
      case "$prof" in
        cpu|alloc)
          [[ "$p" == ha4j ]] || continue
          f="$OUT/$l-$prof.collapsed"
          # a JVM of its own with the profiler from the start (attach is not available here); the warm-up load runs
          # first, so JIT compilation shows up under the compiler threads, not the event loop ([bench-io...] frames)
          start_ha4j "-agentpath:$AP=start,event=$prof,interval=$([[ $prof == cpu ]] && echo 1ms || echo 64k),threads,collapsed$([[ $prof == alloc ]] && echo ,total),file=$f"
          load "$l" ha4j "$WARMUP" > /dev/null
          n=$(load "$l" ha4j "$DURATION")
          start_ha4j
          echo "  async-profiler $prof, $n $(unit "$l")s ($f):"
          if [[ "$prof" == alloc ]]; then
            awk -v n="$n" -v u="$(unit "$l")" '{ s += $NF } END { printf "  allocated %.0f bytes per %s (sampled, whole JVM)\n", s / n, u }' "$f"
          fi
          summarise_collapsed "$f" ;;
        strace)
          f="$OUT/$l-$p.strace"
          strace -c -f -o "$f" -p "${PID_OF[$p]}" & sp=$!
          sleep 1
          n=$(load "$l" "$p" "$DURATION")
          kill -INT "$sp"; wait "$sp" 2>/dev/null || true
          awk -v n="$n" -v u="$(unit "$l")" -v p="$p" '
            $1 ~ /^[0-9.]+$/ && NF >= 5 { calls = $4; name = $NF; if (name != "total") { c[name] = calls; tot += calls } }
            END { printf "  strace %s: %d %ss under strace, %.1f syscalls per %s:", p, n, u, tot / n, u
                  for (k in c) if (c[k] / n >= 0.05) printf " %s %.2f", k, c[k] / n; print "" }' "$f" ;;
        residence)
          f="$OUT/$l-$p.pcap"
          tcpdump -i lo -nn -s 100 -B 262144 -w "$f" "tcp port $(port "$p" $HTTP) or tcp port $HTTP" 2>/dev/null & tp=$!
          sleep 2
          n=$(load "$l" "$p" 3)   # 3 s: the capture holds about 10 segments per request
          sleep 0.5; kill "$tp"; wait "$tp" 2>/dev/null || true
          echo "  residence $p: $n $(unit "$l")s in 3 s under tcpdump ($f):"
          tcpdump -nn -tt -r "$f" 2>/dev/null | python3 "$HERE/residence.py" "$(port "$p" $HTTP)" "$HTTP" "$RESPONSE_BYTES" | sed 's/^/  /' ;;
        sched)
          f="$OUT/$l-$p.sched"
          load "$l" "$p" 4 > /dev/null & lp=$!
          sleep 1
          if ! perf sched record -o "$f.data" -- sleep 2 > /dev/null 2> "$f.log"; then
            echo "profile.sh: perf sched record failed (Debian package linux-perf, run as root): $(tail -n 2 "$f.log")" >&2
            exit 1
          fi
          wait "$lp"
          perf sched timehist -w -i "$f.data" > "$f" 2>/dev/null
          echo "  sched $p: 2 s of perf sched during the load ($f); per thread, how long it was runnable but waiting for a CPU:"
          python3 "$HERE/schedwait.py" "$f" "${PID_OF[$p]}" | sed 's/^/  /' ;;
      esac
    done
  done
done
