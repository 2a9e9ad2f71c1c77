#!/usr/bin/env bash
# What a client sees when the etcd leader moves a VIP: the failover.sh measure (longest gap between ping replies)
# for io.ha4j.benchmarks.EtcdVipRouterMain, whose etcd leader holds 198.18.0.10/24 through the Linux VIP manager.
#
# Topology (all in 198.18.0.0/24, inside namespaces this script creates; nothing touches the host's network):
#   <P>sw: bridge br0 with ports v1 v2 ve vc
#   <P>e  198.18.0.50 runs a 3-member etcd (client ports 2379 2381 2383; data in a temporary directory)
#   <P>r1 198.18.0.1 and <P>r2 198.18.0.2 run one EtcdVipRouterMain each; r1 starts first and leads
#   <P>c  198.18.0.100 runs `ping -D -i 0.0099 198.18.0.10`
# where <P> = h4je<pid>. Every namespace and process is removed at exit, also on failure or Ctrl-C.
#
# Scenarios (fresh topology each): crash = r1's bridge port down, then SIGKILL (its lease must expire on etcd);
# graceful = SIGTERM (r1 removes the VIP and revokes its lease; r2 leads at once).
#   TTLS="2 5" SCENARIOS="crash graceful" REPEATS=3 benchmarks/etcd-vip-failover.sh
#
# Needs root, iproute2, iputils-ping, /usr/bin/etcd, java 17 and benchmarks/target/benchmarks.jar. Installs nothing.
set -uo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
JAR="${JAR:-$HERE/target/benchmarks.jar}"
TTLS="${TTLS:-2 5}"
SCENARIOS="${SCENARIOS:-crash graceful}"
REPEATS="${REPEATS:-3}"
JAVA="${JAVA:-java}"
PING_INTERVAL="${PING_INTERVAL:-0.0099}"
VIP=198.18.0.10

missing=()
[[ $EUID -eq 0 ]] || missing+=("root")
for tool in ip ping awk "$JAVA"; do command -v "$tool" >/dev/null 2>&1 || missing+=("$tool"); done
[[ -x /usr/bin/etcd ]] || missing+=("/usr/bin/etcd (etcd-server)")
[[ -f "$JAR" ]] || missing+=("$JAR (mvn -q -o -pl benchmarks -am package -DskipTests)")
if ((${#missing[@]})); then
  echo "cannot run, missing: ${missing[*]}" >&2
  exit 2
fi

P="h4je$$"
SW="${P}sw"; C="${P}c"; E="${P}e"
WORK="$(mktemp -d /tmp/ha4j-etcd-vip.XXXXXX)"
RESULTS="$WORK/results.txt"
: > "$RESULTS"
PIDS=()

kill_all() {
  local pid
  for pid in "${PIDS[@]}"; do kill -KILL "$pid" 2>/dev/null; done
  for pid in "${PIDS[@]}"; do wait "$pid" 2>/dev/null; done
  PIDS=()
}
delete_namespaces() {
  local ns
  for ns in $(ip netns list 2>/dev/null | awk -v p="$P" 'index($1, p) == 1 {print $1}'); do
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
  for i in 1 2 e c; do
    case $i in
      c) ns="$C"; addr=198.18.0.100 ;;
      e) ns="$E"; addr=198.18.0.50 ;;
      *) ns="${P}r$i"; addr="198.18.0.$i" ;;
    esac
    ip netns add "$ns" && ip -n "$ns" link set lo up || return 1
    ip -n "$SW" link add "v$i" type veth peer name eth0 netns "$ns" || return 1
    ip -n "$SW" link set "v$i" master br0 up || return 1
    ip -n "$ns" addr add "$addr/24" dev eth0 && ip -n "$ns" link set eth0 up || return 1
  done
}

epoch_ms() { date +%s%3N; }
ENDPOINTS=(http://198.18.0.50:2379 http://198.18.0.50:2381 http://198.18.0.50:2383)

start_etcd() {
  local i cluster="m0=http://198.18.0.50:2380,m1=http://198.18.0.50:2382,m2=http://198.18.0.50:2384"
  for i in 0 1 2; do
    local c=$((2379 + 2 * i)) p=$((2380 + 2 * i))
    ip netns exec "$E" /usr/bin/etcd --name "m$i" --data-dir "$RUN/etcd/m$i" \
      --listen-client-urls "http://198.18.0.50:$c" --advertise-client-urls "http://198.18.0.50:$c" \
      --listen-peer-urls "http://198.18.0.50:$p" --initial-advertise-peer-urls "http://198.18.0.50:$p" \
      --initial-cluster "$cluster" --initial-cluster-state new --initial-cluster-token bench \
      --heartbeat-interval 50 --election-timeout 500 --logger zap --log-outputs stderr \
      > "$RUN/etcd-m$i.log" 2>&1 &
    PIDS+=($!)
  done
  local deadline=$(($(epoch_ms) + 20000))
  while (($(epoch_ms) < deadline)); do
    local healthy=0
    for i in 0 1 2; do
      ip netns exec "$E" curl -fsS "http://198.18.0.50:$((2379 + 2 * i))/health" 2>/dev/null | grep -q '"true"' && healthy=$((healthy + 1))
    done
    ((healthy == 3)) && return 0
    sleep 0.1
  done
  return 1
}

declare -a ROUTER_PID
start_router() { # start_router INDEX TTL
  local i="$1"
  ip netns exec "${P}r$i" "$JAVA" -Xms64m -Xmx128m -cp "$JAR" io.ha4j.benchmarks.EtcdVipRouterMain "r$i" "$2" \
    "$VIP/24" eth0 "${ENDPOINTS[@]}" < /dev/null > "$RUN/r$i.log" 2>&1 &
  ROUTER_PID[$i]=$!
  PIDS+=($!)
}

has_vip() { ip -n "${P}r$1" -4 addr show dev eth0 2>/dev/null | grep -q " $VIP/"; }
wait_vip() { # wait_vip INDEX SECONDS
  local deadline=$(($(epoch_ms) + $2 * 1000))
  while (($(epoch_ms) < deadline)); do
    has_vip "$1" && return 0
    sleep 0.02
  done
  return 1
}
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

run() { # run TTL SCENARIO REP
  local ttl="$1" scenario="$2" rep="$3"
  RUN="$WORK/$ttl-$scenario-$rep"
  mkdir -p "$RUN/etcd"
  setup_net || { echo "  network setup failed" >&2; return 1; }
  start_etcd || { echo "  etcd did not start; logs in $RUN" >&2; KEEP_WORK=1; kill_all; delete_namespaces; return 1; }
  start_router 1 "$ttl"
  if ! wait_vip 1 60; then
    echo "  r1 never held the VIP; log:" >&2; tail -20 "$RUN/r1.log" >&2
    kill_all; delete_namespaces; return 1
  fi
  start_router 2 "$ttl"
  sleep "$((ttl + 3))" # r2 warms up and queues behind r1 (a cold JVM's first lease can lapse)
  if ! has_vip 1 || has_vip 2; then
    echo "  r1 lost the VIP before the test; logs:" >&2; tail -5 "$RUN/r1.log" "$RUN/r2.log" >&2
    kill_all; delete_namespaces; return 1
  fi
  ip netns exec "$C" ping -n -D -i "$PING_INTERVAL" "$VIP" > "$RUN/ping.log" 2>&1 &
  local ping_pid=$!
  PIDS+=($ping_pid)
  sleep 1
  local t0 taken="-"
  t0="$(epoch_ms)"
  if [[ "$scenario" == crash ]]; then
    ip -n "$SW" link set v1 down
    kill -KILL "${ROUTER_PID[1]}"
  else
    kill -TERM "${ROUTER_PID[1]}"
  fi
  if wait_vip 2 "$((3 * ttl + 5))"; then taken=$(($(epoch_ms) - t0)); fi
  sleep 1
  kill -INT "$ping_pid" 2>/dev/null
  wait "$ping_pid" 2>/dev/null
  local gap lost sent spacing
  read -r gap lost sent spacing <<< "$(ping_stats "$RUN/ping.log")"
  printf '  TTL %ss %-8s #%d  longest reply gap %8s ms  lost %4s of %5s (pings %s ms apart)  VIP on r2 after %s ms (polled)\n' \
    "$ttl" "$scenario" "$rep" "$gap" "$lost" "$sent" "$spacing" "$taken"
  echo "$ttl $scenario gap_ms $gap" >> "$RESULTS"
  kill_all
  delete_namespaces
}

echo "ha4j etcd VIP failover: ttls=[$TTLS] scenarios=[$SCENARIOS] repeats=$REPEATS"
echo "machine: $(nproc) cpus, kernel $(uname -r); $(/usr/bin/etcd --version 2>&1 | head -1); $("$JAVA" -version 2>&1 | head -1)"
for scenario in $SCENARIOS; do
  for ttl in $TTLS; do
    echo "== $scenario, TTL ${ttl}s"
    for ((rep = 1; rep <= REPEATS; rep++)); do run "$ttl" "$scenario" "$rep"; done
  done
done
echo
echo "== summary: median [min..max] over $REPEATS runs"
awk '
  { key = $1 " " $2 " " $3; if (!(key in n)) order[++k] = key; v[key, ++n[key]] = $4 }
  END {
    for (i = 1; i <= k; i++) {
      key = order[i]; c = n[key]
      for (a = 1; a <= c; a++) s[a] = v[key, a]
      for (a = 1; a <= c; a++) for (b = a + 1; b <= c; b++) if (s[b] + 0 < s[a] + 0) { t = s[a]; s[a] = s[b]; s[b] = t }
      med = (c % 2) ? s[(c + 1) / 2] : (s[c / 2] + s[c / 2 + 1]) / 2
      split(key, f, " ")
      printf "TTL %ss %-8s %-8s %8s [%s..%s]\n", f[1], f[2], f[3], med, s[1], s[c]
    }
  }' "$RESULTS"
