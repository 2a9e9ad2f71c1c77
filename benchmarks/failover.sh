#!/usr/bin/env bash
# Failover side by side: three keepalived routers vs three ha4j routers (io.ha4j.benchmarks.VrrpRouterMain) in
# network namespaces on one bridge, and a client namespace pinging the VIP every 10 ms. Prints the longest gap
# between ping replies (the outage a client sees) and the replies lost, per scenario.
#
#   benchmarks/failover.sh                                   # everything below, 3 repeats
#   IMPLS=keepalived INTERVALS=0.05 SCENARIOS=crash REPEATS=1 benchmarks/failover.sh
#   SCENARIOS=gc benchmarks/failover.sh                      # only the JVM-pause scenario (ha4j)
#
# Topology (all in 198.18.0.0/24, inside namespaces this script creates; nothing touches the host's network):
#   <P>sw: bridge br0 with ports v1 v2 v3 vc
#   <P>r1 198.18.0.1 priority 200 (the master), <P>r2 198.18.0.2 priority 150, <P>r3 198.18.0.3 priority 100
#   <P>c  198.18.0.100 runs `ping -D -i $PING_INTERVAL 198.18.0.10` (about every 10 ms) (VIP 198.18.0.10/24, VRID 51)
# where <P> = h4jf<pid>. Every namespace and process is removed at exit, also on failure or Ctrl-C.
#
# Scenarios (each on a fresh topology; the master r1 is the victim once r1 holds the VIP and the routers settled):
#   crash     cut r1's link at the bridge, then SIGKILL its router: no priority-0 advert can get out; the
#             backups take over after Master_Down_Interval.
#   graceful  SIGTERM r1's router: it sends priority 0 and removes the VIP; r2 takes over after Skew_Time.
#   stepdown  ha4j on r1 only: SIGHUP r1's router, a runtime VrrpInstance.stepDown (priority 0, the VIP kept
#             until r2 is heard as master, then released; r1 stays backup for 60 s).
#   preempt   stop r1 gracefully, let r2 hold the VIP, start ping, then start r1 again: it preempts r2
#             (r1 adds the VIP and announces it, then advertises; r2 releases). Measured over r1's return only.
#   gc        ha4j only, advert interval 50 ms: r1's JVM runs with heavy allocation (GC pressure) for
#             GC_SECONDS; counts state transitions of any router after the cluster settled (each one spurious)
#             and reports the longest GC pause from r1's GC log and the longest ping gap.
# Implementations (IMPLS): keepalived (all three routers), ha4j (all three), ha4j+kd (r1 ha4j, r2 and r3 keepalived:
# keepalived takes over from a leaving ha4j master, and is preempted by a returning one), kd+ha4j (r1 keepalived, r2
# and r3 ha4j: for preempt, keepalived takes the VIP back from a ha4j master). Scenarios an implementation cannot
# play (stepdown needs ha4j on r1) are skipped.
# COORDINATED_MS=N: the all-ha4j routers (IMPLS=ha4j only; keepalived drops the VIP on hearing the advert) run with
# VrrpInstance.Builder.coordinatedPreemption(N ms): a preempting r1 advertises first and adds the VIP N ms later.
# Advert intervals: INTERVALS in seconds (1 and 0.05 by default); VRRP version VERSION (default 3, needed for
# sub-second intervals by keepalived: `version 3`, `advert_int 0.05`).
#
# Needs root, iproute2, iputils-ping, keepalived, java 17 and benchmarks/target/benchmarks.jar. Installs nothing.
set -uo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
JAR="${JAR:-$HERE/target/benchmarks.jar}"
IMPLS="${IMPLS:-keepalived ha4j}"
INTERVALS="${INTERVALS:-1 0.05}"
SCENARIOS="${SCENARIOS:-crash graceful stepdown preempt gc}"
REPEATS="${REPEATS:-3}"
VERSION="${VERSION:-3}"
GC_SECONDS="${GC_SECONDS:-60}"
GC_THREADS="${GC_THREADS:-1}"
GC_LIVE_MB="${GC_LIVE_MB:-64}"
COORDINATED_MS="${COORDINATED_MS:-0}"
JAVA="${JAVA:-java}"
ROUTER_JAVA_OPTS="${ROUTER_JAVA_OPTS:--Xms64m -Xmx128m -XX:+UseG1GC}"
GC_JAVA_OPTS="${GC_JAVA_OPTS:--Xms512m -Xmx512m -XX:+UseG1GC}"
# iputils 20221126 spaces `-i 0.01` ~20 ms apart on this kernel (HZ 250) but `-i 0.0099` ~9-10 ms (measured);
# each run prints the mean spacing it got so that gaps can be read against it.
PING_INTERVAL="${PING_INTERVAL:-0.0099}"
VIP=198.18.0.10
PRIORITIES=(0 200 150 100)

missing=()
[[ $EUID -eq 0 ]] || missing+=("root")
for tool in ip ping awk; do command -v "$tool" >/dev/null 2>&1 || missing+=("$tool"); done
[[ "$IMPLS" != *keepalived* && "$IMPLS" != *kd* ]] || command -v keepalived >/dev/null 2>&1 || missing+=("keepalived")
if [[ "$IMPLS" == *ha4j* || " $SCENARIOS " == *" gc "* ]]; then
  command -v "$JAVA" >/dev/null 2>&1 || missing+=("$JAVA")
  [[ -f "$JAR" ]] || missing+=("$JAR (mvn -q -o install -pl benchmarks)")
fi
if ((${#missing[@]})); then
  echo "cannot run, missing: ${missing[*]}" >&2
  echo "install with: apt-get install -y iproute2 iputils-ping keepalived openjdk-17-jre-headless (run as root)" >&2
  exit 2
fi

P="h4jf$$"
SW="${P}sw"; C="${P}c"
WORK="$(mktemp -d /tmp/ha4j-failover.XXXXXX)"
RESULTS="$WORK/results.txt"
: > "$RESULTS"
PIDS=()

kill_all() {
  local pid
  for pid in "${PIDS[@]}"; do kill -TERM "$pid" 2>/dev/null; done
  for _ in $(seq 1 30); do
    local alive=0
    for pid in "${PIDS[@]}"; do kill -0 "$pid" 2>/dev/null && alive=1; done
    ((alive)) || break
    sleep 0.1
  done
  for pid in "${PIDS[@]}"; do kill -KILL "$pid" 2>/dev/null; done
  PIDS=()
}
delete_namespaces() {
  local ns
  for ns in $(ip netns list 2>/dev/null | awk -v p="$P" 'index($1, p) == 1 {print $1}'); do
    # processes left in a namespace (a keepalived child, say) would keep it alive: kill them first
    for pid in $(ip netns pids "$ns" 2>/dev/null); do kill -KILL "$pid" 2>/dev/null; done
    ip netns del "$ns" 2>/dev/null
  done
}
cleanup() {
  kill_all
  delete_namespaces
  if [[ "${KEEP_WORK:-0}" == 1 ]]; then echo "logs kept in $WORK" >&2; else rm -rf "$WORK"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

setup_net() {
  ip netns add "$SW" && ip -n "$SW" link set lo up || return 1
  ip -n "$SW" link add br0 type bridge && ip -n "$SW" link set br0 up || return 1
  local i ns addr
  for i in 1 2 3 c; do
    if [[ $i == c ]]; then ns="$C"; addr=198.18.0.100; else ns="${P}r$i"; addr="198.18.0.$i"; fi
    ip netns add "$ns" && ip -n "$ns" link set lo up || return 1
    ip -n "$SW" link add "v$i" type veth peer name eth0 netns "$ns" || return 1
    ip -n "$SW" link set "v$i" master br0 up || return 1
    ip -n "$ns" addr add "$addr/24" dev eth0 && ip -n "$ns" link set eth0 up || return 1
  done
}

epoch_ms() { date +%s%3N; }

# start_router IMPL INDEX INTERVAL [gc]: starts router r<INDEX>, its pid in ROUTER_PID[INDEX]
declare -a ROUTER_PID
start_router() {
  local impl="$1" i="$2" interval="$3" gc="${4:-}" ns="${P}r$2" dir="$RUN/r$2"
  mkdir -p "$dir"
  if [[ "$impl" == keepalived ]]; then
    cat > "$dir/keepalived.conf" <<EOF
global_defs {
  router_id r$i
}
vrrp_instance VI_1 {
  state BACKUP
  interface eth0
  virtual_router_id 51
  priority ${PRIORITIES[$i]}
  advert_int $interval
  version $VERSION
  virtual_ipaddress {
    $VIP/24 dev eth0
  }
}
EOF
    ip netns exec "$ns" keepalived -n -l -D -G -P -f "$dir/keepalived.conf" -p "$dir/keepalived.pid" \
      -r "$dir/vrrp.pid" < /dev/null > "$dir/log" 2>&1 &
  else
    local ms opts="$ROUTER_JAVA_OPTS" extra=()
    ms="$(awk -v s="$interval" 'BEGIN { printf "%d", s * 1000 + 0.5 }')"
    if [[ "$gc" == gc ]]; then
      opts="$GC_JAVA_OPTS -Xlog:gc:file=$dir/gc.log"
      extra=(--gc-pressure-threads "$GC_THREADS" --gc-live-mb "$GC_LIVE_MB")
    elif [[ "$COORDINATED_MS" != 0 && "${TOPOLOGY:-}" == ha4j ]]; then
      extra=(--coordinated-preemption-ms "$COORDINATED_MS")
    fi
    # shellcheck disable=SC2086
    ip netns exec "$ns" "$JAVA" $opts -cp "$JAR" io.ha4j.benchmarks.VrrpRouterMain --interface eth0 --vrid 51 \
      --priority "${PRIORITIES[$i]}" --version "$VERSION" --advert-ms "$ms" --vip "$VIP/24" "${extra[@]}" \
      < /dev/null > "$dir/log" 2>&1 &
  fi
  ROUTER_PID[$i]=$!
  PIDS+=($!)
}

has_vip() { ip -n "${P}r$1" -4 addr show dev eth0 2>/dev/null | grep -q " $VIP/"; }

wait_vip() { # wait_vip INDEX SECONDS [other INDEX]: until r<INDEX> holds the VIP
  local i="$1" deadline=$(($(epoch_ms) + $2 * 1000))
  while (($(epoch_ms) < deadline)); do
    has_vip "$i" && return 0
    sleep 0.05
  done
  return 1
}

# ping_stats LOG: "longest_gap_ms lost transmitted mean_spacing_ms" from `ping -D` output (reply timestamps, summary)
ping_stats() {
  awk '
    /bytes from/ { t = substr($1, 2, length($1) - 2) + 0
                   if (prev > 0) { d = t - prev; sum += d; n++; if (d > gap) gap = d }
                   prev = t }
    /packets transmitted/ { sent = $1; recv = $4 }
    END { if (sent == "") { sent = "?"; lost = "?" } else lost = sent - recv
          mean = (n > 1) ? (sum - gap) / (n - 1) : 0
          printf "%.1f %s %s %.1f\n", gap * 1000, lost, sent, mean * 1000 }' "$1"
}

kill_victim() { # kill_victim IMPL SIGNAL: signal r1's router (keepalived: the parent and its VRRP child)
  local impl="$1" sig="$2"
  if [[ "$impl" == keepalived && "$sig" == KILL ]]; then
    local child
    child="$(cat "$RUN/r1/vrrp.pid" 2>/dev/null)"
    [[ -n "$child" ]] && kill -KILL "$child" 2>/dev/null
  fi
  kill "-$sig" "${ROUTER_PID[1]}" 2>/dev/null
}

# router_impl IMPL INDEX: which implementation router r<INDEX> runs in topology IMPL
router_impl() {
  case "$1" in
    ha4j+kd) if [[ $2 == 1 ]]; then echo ha4j; else echo keepalived; fi ;;
    kd+ha4j) if [[ $2 == 1 ]]; then echo keepalived; else echo ha4j; fi ;;
    *) echo "$1" ;;
  esac
}

no_vip() { # no_vip INDEX SECONDS: until r<INDEX> no longer holds the VIP
  local i="$1" deadline=$(($(epoch_ms) + $2 * 1000))
  while (($(epoch_ms) < deadline)); do
    has_vip "$i" || return 0
    sleep 0.05
  done
  return 1
}

run_failover() { # run_failover IMPL INTERVAL SCENARIO REP
  local impl="$1" interval="$2" scenario="$3" rep="$4"
  if [[ "$scenario" == stepdown && "$(router_impl "$impl" 1)" != ha4j ]]; then
    return 0 # keepalived has no runtime step-down
  fi
  RUN="$WORK/$impl-$interval-$scenario-$rep"
  TOPOLOGY="$impl"
  mkdir -p "$RUN"
  setup_net || { echo "  network setup failed" >&2; return 1; }
  local i
  for i in 1 2 3; do start_router "$(router_impl "$impl" "$i")" "$i" "$interval"; done
  if ! wait_vip 1 30; then
    echo "  $impl $interval $scenario #$rep: r1 never became master; log:" >&2
    tail -20 "$RUN/r1/log" >&2
    kill_all; delete_namespaces
    return 1
  fi
  sleep "$(awk -v s="$interval" 'BEGIN { v = 4 * s; if (v < 1) v = 1; print v }')"
  local bound
  bound="$(awk -v s="$interval" 'BEGIN { printf "%d", 4 * s + 3 }')"
  if [[ "$scenario" == preempt ]]; then
    # r1 leaves first (not measured), r2 holds the VIP and settles, then r1 comes back below
    kill_victim "$(router_impl "$impl" 1)" TERM
    wait "${ROUTER_PID[1]}" 2>/dev/null
    if ! wait_vip 2 "$bound" || ! no_vip 1 "$bound"; then
      echo "  $impl $interval $scenario #$rep: r2 did not take over before the measurement" >&2
      kill_all; delete_namespaces
      return 1
    fi
    sleep "$(awk -v s="$interval" 'BEGIN { v = 4 * s; if (v < 1) v = 1; print v }')"
  fi
  ip netns exec "$C" ping -n -D -i "$PING_INTERVAL" "$VIP" > "$RUN/ping.log" 2>&1 &
  local ping_pid=$!
  PIDS+=($ping_pid)
  sleep 1
  local t0
  t0="$(epoch_ms)"
  local taken="-" to=2
  case "$scenario" in
    crash) ip -n "$SW" link set v1 down; kill_victim "$(router_impl "$impl" 1)" KILL ;;
    stepdown) kill -HUP "${ROUTER_PID[1]}" ;;
    preempt) mv "$RUN/r1" "$RUN/r1-before"; start_router "$(router_impl "$impl" 1)" 1 "$interval"; to=1 ;;
    *) kill_victim "$(router_impl "$impl" 1)" TERM ;;
  esac
  if [[ "$scenario" == preempt ]]; then
    # r1's start (a JVM for ha4j) plus Master_Down_Interval
    if wait_vip 1 $((bound + 10)) && no_vip 2 "$bound"; then taken=$(($(epoch_ms) - t0)); fi
  elif wait_vip 2 "$bound"; then
    taken=$(($(epoch_ms) - t0))
  fi
  sleep 1
  kill -INT "$ping_pid" 2>/dev/null
  wait "$ping_pid" 2>/dev/null
  local stats gap lost sent spacing
  stats="$(ping_stats "$RUN/ping.log")"
  read -r gap lost sent spacing <<< "$stats"
  printf '  %-10s advert %-5ss %-8s #%d  longest reply gap %8s ms  lost %4s of %5s (pings %s ms apart)  VIP on r%d after %s ms (polled)\n' \
    "$impl" "$interval" "$scenario" "$rep" "$gap" "$lost" "$sent" "$spacing" "$to" "$taken"
  echo "$impl $interval $scenario gap_ms $gap" >> "$RESULTS"
  echo "$impl $interval $scenario lost $lost" >> "$RESULTS"
  kill_all
  delete_namespaces
}

run_gc() { # run_gc REP: ha4j, 50 ms, r1 under GC pressure for GC_SECONDS
  local rep="$1" interval=0.05
  RUN="$WORK/ha4j-gc-$rep"
  mkdir -p "$RUN"
  setup_net || { echo "  network setup failed" >&2; return 1; }
  start_router ha4j 1 "$interval" gc
  start_router ha4j 2 "$interval"
  start_router ha4j 3 "$interval"
  if ! wait_vip 1 30; then
    echo "  gc #$rep: r1 never became master; log:" >&2
    tail -20 "$RUN/r1/log" >&2
    kill_all; delete_namespaces
    return 1
  fi
  sleep 1
  local t0 i
  t0="$(epoch_ms)"
  ip netns exec "$C" ping -n -D -i "$PING_INTERVAL" "$VIP" > "$RUN/ping.log" 2>&1 &
  local ping_pid=$!
  PIDS+=($ping_pid)
  sleep "$GC_SECONDS"
  kill -INT "$ping_pid" 2>/dev/null
  wait "$ping_pid" 2>/dev/null
  local transitions=0 n
  for i in 1 2 3; do
    n="$(awk -v t0="$t0" '$1 == "STATE" && $4 >= t0 {n++} END {print n + 0}' "$RUN/r$i/log")"
    transitions=$((transitions + n))
    awk -v t0="$t0" -v r="r$i" '$1 == "STATE" && $4 >= t0 {print "    " r ": " $0}' "$RUN/r$i/log"
  done
  local pauses stats gap lost sent spacing
  # G1 lines: "[0.123s][info][gc] GC(12) Pause Young (Normal) (G1 Evacuation Pause) 100M->20M(512M) 5.123ms"
  pauses="$(awk '/Pause/ && $NF ~ /ms$/ { v = $NF; sub(/ms$/, "", v); v += 0; n++; s += v; if (v > m) m = v }
    END { printf "%d pauses, longest %.1f ms, total %.0f ms", n, m, s }' "$RUN/r1/gc.log" 2>/dev/null)"
  stats="$(ping_stats "$RUN/ping.log")"
  read -r gap lost sent spacing <<< "$stats"
  printf '  ha4j       advert 0.05s gc       #%d  %ss: %d state transitions after settling (spurious)  r1 GC: %s  longest reply gap %s ms  lost %s of %s\n' \
    "$rep" "$GC_SECONDS" "$transitions" "$pauses" "$gap" "$lost" "$sent"
  echo "ha4j 0.05 gc transitions $transitions" >> "$RESULTS"
  echo "ha4j 0.05 gc gap_ms $gap" >> "$RESULTS"
  kill_all
  delete_namespaces
}

echo "ha4j failover: impls=[$IMPLS] intervals=[$INTERVALS] scenarios=[$SCENARIOS] repeats=$REPEATS version=$VERSION"
echo "machine: $(nproc) cpus, $(awk -F': ' '/model name/ {print $2; exit}' /proc/cpuinfo), kernel $(uname -r); $(keepalived --version 2>&1 | head -1); $("$JAVA" -version 2>&1 | head -1)"
for scenario in $SCENARIOS; do
  if [[ "$scenario" == gc ]]; then
    echo "== gc (ha4j, advert 50 ms, ${GC_SECONDS}s of GC pressure on the master: $GC_THREADS thread(s), ~$GC_LIVE_MB MiB live, $GC_JAVA_OPTS)"
    for ((rep = 1; rep <= REPEATS; rep++)); do run_gc "$rep"; done
    continue
  fi
  for interval in $INTERVALS; do
    echo "== $scenario, advert interval ${interval}s"
    for ((rep = 1; rep <= REPEATS; rep++)); do
      for impl in $IMPLS; do run_failover "$impl" "$interval" "$scenario" "$rep"; done
    done
  done
done

echo
echo "== summary: median [min..max] over $REPEATS runs"
awk '
  { key = $1 " " $2 " " $3 " " $4; if (!(key in n)) order[++k] = key; v[key, ++n[key]] = $5 }
  END {
    for (i = 1; i <= k; i++) {
      key = order[i]; c = n[key]
      for (a = 1; a <= c; a++) s[a] = v[key, a]
      for (a = 1; a <= c; a++) for (b = a + 1; b <= c; b++) if (s[b] + 0 < s[a] + 0) { t = s[a]; s[a] = s[b]; s[b] = t }
      med = (c % 2) ? s[(c + 1) / 2] : (s[c / 2] + s[c / 2 + 1]) / 2
      split(key, f, " ")
      printf "%-10s advert %-5ss %-8s %-12s %8s [%s..%s]\n", f[1], f[2], f[3], f[4], med, s[1], s[c]
    }
  }' "$RESULTS"
if [[ -n "${SAVE_RESULTS:-}" ]]; then cp "$RESULTS" "$SAVE_RESULTS"; echo "raw results saved to $SAVE_RESULTS"; fi
