#!/usr/bin/env bash
# Soak: three nodes -- ha4j, keepalived, ha4j -- share one VIP on one bridge, each with a balancer on :7443 in front
# of its own echo backend, while a client pushes verified bytes through the VIP and this script injects faults at
# random: master crashes, link flaps, backend kills. Asserts, and exits 1 when any fails:
#   1. 0 samples with two holders of the VIP on the LAN outside the settle window of a fault;
#   2. 0 bytes lost on client connections that no fault cut (and 0 bytes corrupted on any);
#   3. 0 descriptors or threads leaked by the ha4j node processes (from start, or from a restart, to the end).
#
#   benchmarks/soak.sh                       # DURATION=600, a fresh seed
#   DURATION=60 SEED=1234 benchmarks/soak.sh # replay the fault schedule and sizes of seed 1234
#
# Topology (198.18.0.0/24 inside namespaces this script creates; <P> = h4js<pid>; all removed at exit, on failure
# and on Ctrl-C):
#   <P>sw  bridge br0, ports v1 v2 v3 vc
#   <P>n1  198.18.0.1 ha4j (io.ha4j.benchmarks.SoakNodeMain: VrrpInstance + TcpBalancer), priority 200
#   <P>n2  198.18.0.2 keepalived (VRRP) + HAProxy (:7443, `server s1 ... check`), priority 150
#   <P>n3  198.18.0.3 ha4j, priority 100
#   <P>c   198.18.0.100 io.ha4j.benchmarks.SoakClientMain -> 198.18.0.10:7443 (VIP 198.18.0.10/24, VRID 51, VRRPv3)
# Each node's backend is io.ha4j.benchmarks.SoakEchoMain on 127.0.0.1:7001; it greets with its node's name, so the
# client knows which node served each connection. The keepalived node runs HAProxy because keepalived has no
# balancer: keepalived + HAProxy is what an ha4j node replaces, so each node offers the same service the same way.
#
# Faults (one at a time, SETTLE_MS + 1..GAP_MAX_S seconds apart; the first three are one of each kind):
#   crash    the VIP holder: SIGSTOP to its processes (keepalived, its VRRP child and HAProxy, as
#            KeepalivedProcess.crash() does; or the ha4j JVM), its bridge port down, SIGKILL: nothing can react, no
#            priority-0 advert gets out, the VIP stays on the dead node's interface; a third of the time the node
#            that takes over is crashed the same way; after 2..5 s the nodes "reboot": the stale VIP is removed (a
#            rebooted host has no addresses), the port comes up, the processes start again.
#   flap     a random node's bridge port down for 0.3..4 s, then up (shorter and longer than Master_Down_Interval).
#   backend  SIGKILL of a random node's backend (the VIP holder's half of the time); restarted after 1..3 s.
# A fault's window runs from its start to its end (the restarted node back in BACKUP or MASTER, the port up, the
# backend listening) plus SETTLE_MS = Master_Down_Interval of the lowest priority (3 x advert + skew) + SETTLE_MARGIN_MS.
#
# Measured:
#   VIP holders: every node's `ip addr` and the bridge's port states, polled every POLL_MS; a node holds the VIP on
#     the LAN when the address is on its eth0 and its bridge port is up (a node cut off from the bridge is alone on
#     its link; its address conflicts with nobody). Two or more holders in a sample that overlaps no window = a
#     violation.
#   Connections: a connection that ended early (CUT) is excused when a fault window of the node that served it, or a
#     change of the VIP holder (between the begin of the sample before and the end of the sample that saw it, plus
#     500 ms either side), overlaps it; otherwise its unverified bytes are lost. CORRUPT is never excused. (A holder
#     change is how a fault elsewhere cuts a connection: a restarted higher-priority node preempts the holder.)
#   Leaks: /proc/<pid>/fd count (lowest of 3 samples) and thread count of each ha4j node process, with the client
#     paused, after settling (or after a restart) and at the end, once sessions left behind by a VIP move have had
#     their idle timeout (SESSION_TIMEOUT_S + 5 s at most); a process killed during the run has no end.
#
# Needs root, iproute2, keepalived, haproxy, java 17 and benchmarks/target/benchmarks.jar
# (mvn -o -q -B -pl benchmarks -am package -DskipTests). Installs nothing. Exit 0: all held; 1: an assertion
# failed; 2: cannot run (what is missing is printed).
set -uo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
JAR="${JAR:-$HERE/target/benchmarks.jar}"
# The classpath of the Java processes: the shaded jar, or (the CI test, which runs before `package`) the test's own.
SOAK_CP="${SOAK_CP:-$JAR}"
DURATION="${DURATION:-600}"
SEED="${SEED:-$(( ($(date +%s%N) / 1000) % 2147483647 ))}"
ADVERT_MS="${ADVERT_MS:-200}"
SETTLE_MARGIN_MS="${SETTLE_MARGIN_MS:-1000}"
GAP_MAX_S="${GAP_MAX_S:-5}"
POLL_MS="${POLL_MS:-20}"
WORKERS="${WORKERS:-4}"
# Idle timeout of a relayed session on every balancer (ha4j: client/server timeouts with tunnelTimeout(ZERO); HAProxy:
# timeout client/server): a session whose client left with the VIP ends after it, and the end sample waits for it.
SESSION_TIMEOUT_S=10
JAVA="${JAVA:-java}"
NODE_JAVA_OPTS="${NODE_JAVA_OPTS:--Xms64m -Xmx128m -XX:+UseSerialGC -XX:-UseDynamicNumberOfCompilerThreads}"
AUX_JAVA_OPTS="${AUX_JAVA_OPTS:--Xms32m -Xmx96m -XX:+UseSerialGC -XX:TieredStopAtLevel=1}"
VIP=198.18.0.10
PRIORITIES=(0 200 150 100)
KINDS=(- ha4j keepalived ha4j)

missing=()
[[ $EUID -eq 0 ]] || missing+=("root")
for tool in ip awk keepalived haproxy "$JAVA"; do command -v "$tool" >/dev/null 2>&1 || missing+=("$tool"); done
[[ -n "${SOAK_CP:-}" && "$SOAK_CP" != "$JAR" ]] || [[ -f "$JAR" ]] || missing+=("$JAR (mvn -o -q -B -pl benchmarks -am package -DskipTests)")
if ((${#missing[@]})); then
  echo "soak: cannot run, missing: ${missing[*]}" >&2
  echo "install with: apt-get install -y iproute2 keepalived haproxy openjdk-17-jre-headless (run as root)" >&2
  exit 2
fi
[[ "$DURATION" =~ ^[0-9]+$ ]] && ((DURATION >= 20 && DURATION <= 86400)) || { echo "soak: DURATION must be in [20, 86400] s, was $DURATION" >&2; exit 2; }
[[ "$SEED" =~ ^[0-9]+$ ]] || { echo "soak: SEED must be a non-negative integer, was $SEED" >&2; exit 2; }

# RFC 5798: Master_Down_Interval = 3 * Advertisement_Interval + Skew_Time, Skew_Time = (256 - Priority) * Interval / 256
MDI_MS=$(( 3 * ADVERT_MS + (256 - PRIORITIES[3]) * ADVERT_MS / 256 ))
SETTLE_MS=$(( MDI_MS + SETTLE_MARGIN_MS ))

P="h4js$$"
SW="${P}sw"; C="${P}c"
WORK="$(mktemp -d /tmp/ha4j-soak.XXXXXX)"
EVENTS="$WORK/events"; SAMPLES="$WORK/samples"; CLIENT_LOG="$WORK/client.log"; LEAKS="$WORK/leaks"
PAUSE="$WORK/pause"; STOP_POLL="$WORK/stop-poll"
: > "$EVENTS"; : > "$LEAKS"
PIDS=()
declare -a NODE_PID BACKEND_PID HAPROXY_PID INCARNATION

ns() { echo "${P}n$1"; }
epoch_ms() { local t=${EPOCHREALTIME/./}; echo "${t:0:-3}"; }
log() { echo "[$(date -u +%H:%M:%S)] $*"; }

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
  local n pid
  for n in $(ip netns list 2>/dev/null | awk -v p="$P" 'index($1, p) == 1 {print $1}'); do
    for pid in $(ip netns pids "$n" 2>/dev/null); do kill -KILL "$pid" 2>/dev/null; done
    ip netns del "$n" 2>/dev/null
  done
}
cleanup() {
  touch "$STOP_POLL" 2>/dev/null
  kill_all
  delete_namespaces
  if [[ "${KEEP_WORK:-0}" == 1 ]]; then echo "soak: logs kept in $WORK" >&2; else rm -rf "$WORK"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# Bash's RANDOM, seeded once: the fault schedule follows from SEED (the timing of a loaded machine does not).
RANDOM=$SEED
# rand MIN MAX: REPLY = a number in [MIN, MAX] (MAX - MIN < 32768); never in $(...), where RANDOM would not advance
rand() { REPLY=$(( $1 + RANDOM % ($2 - $1 + 1) )); }

setup_net() {
  ip netns add "$SW" && ip -n "$SW" link set lo up || return 1
  ip -n "$SW" link add br0 type bridge && ip -n "$SW" link set br0 up || return 1
  local i n addr
  for i in 1 2 3 c; do
    if [[ $i == c ]]; then n="$C"; addr=198.18.0.100; else n="$(ns "$i")"; addr="198.18.0.$i"; fi
    ip netns add "$n" && ip -n "$n" link set lo up || return 1
    ip -n "$SW" link add "v$i" type veth peer name eth0 netns "$n" || return 1
    ip -n "$SW" link set "v$i" master br0 up || return 1
    ip -n "$n" addr add "$addr/24" dev eth0 && ip -n "$n" link set eth0 up || return 1
  done
}

start_backend() { # start_backend I
  local i="$1"
  # shellcheck disable=SC2086
  ip netns exec "$(ns "$i")" "$JAVA" $AUX_JAVA_OPTS -cp "$SOAK_CP" io.ha4j.benchmarks.SoakEchoMain --listen 127.0.0.1:7001 \
    --id "n$i" < /dev/null >> "$WORK/n$i/backend.log" 2>&1 &
  BACKEND_PID[$i]=$!
  PIDS+=($!)
}

start_node() { # start_node I: the VRRP router and the balancer of node I
  local i="$1" dir="$WORK/n$1"
  INCARNATION[$i]=$(( ${INCARNATION[$i]:-0} + 1 ))
  echo "=== incarnation ${INCARNATION[$i]} at $(epoch_ms)" >> "$dir/node.log"
  if [[ "${KINDS[$i]}" == keepalived ]]; then
    rm -f "$dir/keepalived.pid" "$dir/vrrp.pid"
    TMPDIR="$dir" ip netns exec "$(ns "$i")" keepalived -n -l -D -G -P -f "$dir/keepalived.conf" \
      -p "$dir/keepalived.pid" -r "$dir/vrrp.pid" < /dev/null >> "$dir/node.log" 2>&1 &
    NODE_PID[$i]=$!
    PIDS+=($!)
    ip netns exec "$(ns "$i")" haproxy -db -f "$dir/haproxy.cfg" < /dev/null >> "$dir/haproxy.log" 2>&1 &
    HAPROXY_PID[$i]=$!
    PIDS+=($!)
  else
    # shellcheck disable=SC2086
    ip netns exec "$(ns "$i")" "$JAVA" $NODE_JAVA_OPTS -cp "$SOAK_CP" io.ha4j.benchmarks.SoakNodeMain --interface eth0 \
      --vrid 51 --priority "${PRIORITIES[$i]}" --version 3 --advert-ms "$ADVERT_MS" --vip "$VIP/24" \
      --listen 0.0.0.0:7443 --backend 127.0.0.1:7001 --session-timeout-s "$SESSION_TIMEOUT_S" < /dev/null >> "$dir/node.log" 2>&1 &
    NODE_PID[$i]=$!
    PIDS+=($!)
  fi
}

write_configs() {
  local i dir advert
  advert="$(awk -v ms="$ADVERT_MS" 'BEGIN { printf "%.2f", ms / 1000 }')"
  for i in 1 2 3; do
    dir="$WORK/n$i"; mkdir -p "$dir"; : > "$dir/node.log"; : > "$dir/backend.log"
  done
  cat > "$WORK/n2/keepalived.conf" <<CONF
global_defs {
  router_id n2
}
vrrp_instance VI_1 {
  state BACKUP
  interface eth0
  virtual_router_id 51
  priority ${PRIORITIES[2]}
  advert_int $advert
  version 3
  virtual_ipaddress {
    $VIP/24 dev eth0
  }
}
CONF
  cat > "$WORK/n2/haproxy.cfg" <<CONF
global
  maxconn 1000
defaults
  mode tcp
  timeout connect 2s
  timeout client ${SESSION_TIMEOUT_S}s
  timeout server ${SESSION_TIMEOUT_S}s
listen soak
  bind 0.0.0.0:7443
  server s1 127.0.0.1:7001 check inter 2s
CONF
}

# Started (ha4j: cluster started, in BACKUP or MASTER; keepalived: entered BACKUP or MASTER) since the last
# "=== incarnation" line of node I's log?
node_ready() {
  awk '/^=== incarnation/ { ready = 0 } /^STARTED / || /Entering (BACKUP|MASTER) STATE/ { ready = 1 }
       END { exit !ready }' "$WORK/n$1/node.log"
}
backend_ready() {
  awk '/^LISTENING/ { n++ } END { exit !(n >= want) }' want="$2" "$WORK/n$1/backend.log"
}
wait_for() { # wait_for SECONDS COMMAND...: until COMMAND succeeds (polled every 100 ms); fails on timeout
  local deadline=$(($(epoch_ms) + $1 * 1000)); shift
  while (($(epoch_ms) < deadline)); do "$@" && return 0; sleep 0.1; done
  return 1
}

port_up() { ip -n "$SW" -o link show "v$1" 2>/dev/null | grep -q '<[^>]*[<,]UP[,>]'; }
has_vip() { ip -n "$(ns "$1")" -4 -o addr show dev eth0 2>/dev/null | grep -q " $VIP/"; }
holder() { # the single node holding the VIP on the LAN, or nothing
  local i found=""
  for i in 1 2 3; do if port_up "$i" && has_vip "$i"; then [[ -n "$found" ]] && return 1; found="$i"; fi; done
  [[ -n "$found" ]] && echo "$found"
}

# Poller: one line per sample, "<begin-ms> <holders on the LAN or -> <isolated holders or -> <end-ms>": the `ip` runs
# of one sample take from a few to hundreds of milliseconds on a loaded machine, so a sample stands for that interval. Four `ip` runs a sample
# and nothing else forked (bash matching, $EPOCHREALTIME, read -t on a FIFO as the sleep), so that a loaded machine
# still gets a sample every POLL_MS plus about 4 process starts.
poll_vip() {
  local end=$(( $(epoch_ms) + (DURATION + 120) * 1000 )) t i links addrs lan iso tick="$WORK/tick" delay up_re te
  delay="$(awk -v ms="$POLL_MS" 'BEGIN { printf "%.3f", ms / 1000 }')"
  mkfifo "$tick" && exec 9<> "$tick"
  while [[ ! -e "$STOP_POLL" ]]; do
    t=${EPOCHREALTIME/./}; t=${t:0:-3}
    ((t < end)) || break
    links="$(ip -n "$SW" -o link show 2>/dev/null)"
    lan=""; iso=""
    for i in 1 2 3; do
      addrs="$(ip -n "$(ns "$i")" -4 -o addr show dev eth0 2>/dev/null)"
      if [[ "$addrs" == *" $VIP/"* ]]; then
        up_re="v$i@[^:]*: <([^>]*,)?UP[,>]"
        if [[ "$links" =~ $up_re ]]; then lan+="n$i,"; else iso+="n$i,"; fi
      fi
    done
    te=${EPOCHREALTIME/./}; te=${te:0:-3}
    echo "$t ${lan:--} ${iso:--} $te" >> "$SAMPLES"
    read -r -t "$delay" -u 9
  done
}

# sample_leaks I LABEL: fd count (lowest of 3) and thread count of ha4j node I, with the client paused
sample_leaks() {
  local i="$1" label="$2" pid="${NODE_PID[$1]}" fds=999999 n threads k
  for k in 1 2 3; do
    n="$(ls "/proc/$pid/fd" 2>/dev/null | wc -l)"
    ((n > 0 && n < fds)) && fds=$n
    sleep 0.3
  done
  threads="$(awk '/^Threads:/ {print $2}' "/proc/$pid/status" 2>/dev/null)"
  cat /proc/"$pid"/task/*/comm 2>/dev/null | sort > "$WORK/n$i/threads-${INCARNATION[$i]}-$label"
  echo "n$i ${INCARNATION[$i]} $pid $label $fds ${threads:-?}" >> "$LEAKS"
}
paused_sample() { # paused_sample LABEL NODE...: stop new connections, let the running ones end, sample
  local label="$1"; shift
  touch "$PAUSE"; sleep 2
  local i; for i in "$@"; do sample_leaks "$i" "$label"; done
  rm -f "$PAUSE"
}

event() { echo "$*" >> "$EVENTS"; }

kill_node() { # kill_node I: freeze node I's VRRP router and balancer, cut its bridge port, then SIGKILL them
  local m="$1" pids
  # SIGSTOP first, so that nothing reacts to the lost link either (keepalived would go FAULT and drop its VIP);
  # keepalived's VRRP child too, as KeepalivedProcess.crash() does: killed alone, the parent starts another one
  if [[ "${KINDS[$m]}" == keepalived ]]; then
    kill -STOP "${NODE_PID[$m]}" 2>/dev/null
    pids="${NODE_PID[$m]} $(cat "$WORK/n$m/vrrp.pid" 2>/dev/null) $(pgrep -P "${NODE_PID[$m]}" 2>/dev/null | tr '\n' ' ') ${HAPROXY_PID[$m]}"
  else
    pids="${NODE_PID[$m]}"
  fi
  # shellcheck disable=SC2086
  kill -STOP $pids 2>/dev/null
  ip -n "$SW" link set "v$m" down
  # shellcheck disable=SC2086
  kill -KILL $pids 2>/dev/null
  wait "${NODE_PID[$m]}" 2>/dev/null
  [[ "${KINDS[$m]}" == keepalived ]] && wait "${HAPROXY_PID[$m]}" 2>/dev/null
}

# crash: the VIP holder dies; a third of the time the node that takes over dies too before the first is back, so that
# the keepalived node and the lowest-priority node get to be the master, and to crash as the master.
crash() {
  local m t0 t1 down victims=() second=""
  m="$(holder)" || { log "crash: two holders right now, skipped"; return; }
  [[ -n "$m" ]] || { log "crash: no holder right now, skipped"; return; }
  rand 2 5; down=$REPLY
  t0="$(epoch_ms)"
  kill_node "$m"; victims+=("$m")
  log "crash n$m (${KINDS[$m]}, the VIP holder): SIGSTOP, port cut, SIGKILL; down ${down}s"
  if (( RANDOM % 3 == 0 )); then
    if wait_for 5 new_holder "$m"; then
      second="$(holder)"
      kill_node "$second"; victims+=("$second")
      log "crash n$second (${KINDS[$second]}, the new VIP holder) too"
    fi
  fi
  sleep "$down"
  for m in "${victims[@]}"; do
    ip -n "$(ns "$m")" addr del "$VIP/24" dev eth0 2>/dev/null
    ip -n "$SW" link set "v$m" up
    start_node "$m"
  done
  for m in "${victims[@]}"; do
    wait_for 60 node_ready "$m" || log "crash n$m: not back in BACKUP/MASTER within 60 s"
  done
  t1="$(epoch_ms)"
  for m in "${victims[@]}"; do event "crash n$m $t0 $t1"; done
  log "crash ${victims[*]/#/n}: restarted, in service after $((t1 - t0)) ms"
  local ha4j=()
  for m in "${victims[@]}"; do [[ "${KINDS[$m]}" == ha4j ]] && ha4j+=("$m"); done
  if ((${#ha4j[@]})); then
    sleep "$(awk -v ms="$SETTLE_MS" 'BEGIN { printf "%.3f", ms / 1000 }')"
    paused_sample start "${ha4j[@]}"
  fi
}
new_holder() { local h; h="$(holder)" && [[ -n "$h" && "$h" != "$1" ]]; }

flap() {
  local x t0 t1 ms
  rand 1 3; x=$REPLY
  rand 300 4000; ms=$REPLY
  t0="$(epoch_ms)"
  ip -n "$SW" link set "v$x" down
  sleep "$(awk -v ms="$ms" 'BEGIN { printf "%.3f", ms / 1000 }')"
  ip -n "$SW" link set "v$x" up
  t1="$(epoch_ms)"
  event "flap n$x $t0 $t1"
  log "flap n$x: port down for $((t1 - t0)) ms"
}

backend_kill() {
  local x t0 t1 down listening
  if (( RANDOM % 2 )) && x="$(holder)" && [[ -n "$x" ]]; then :; else rand 1 3; x=$REPLY; fi
  rand 1 3; down=$REPLY
  t0="$(epoch_ms)"
  kill -KILL "${BACKEND_PID[$x]}" 2>/dev/null
  wait "${BACKEND_PID[$x]}" 2>/dev/null
  sleep "$down"
  listening="$(grep -c '^LISTENING' "$WORK/n$x/backend.log")"
  start_backend "$x"
  wait_for 60 backend_ready "$x" $((listening + 1)) || log "backend n$x: not listening again within 60 s"
  t1="$(epoch_ms)"
  event "backend n$x $t0 $t1"
  log "backend n$x: SIGKILL, listening again after $((t1 - t0)) ms"
}

echo "ha4j soak: DURATION=${DURATION}s SEED=$SEED advert ${ADVERT_MS} ms, Master_Down_Interval (priority 100) ${MDI_MS} ms, settle window ${SETTLE_MS} ms, VIP poll every ${POLL_MS} ms, $WORKERS client workers"
echo "machine: $(nproc) cpus, load $(cut -d' ' -f1-3 /proc/loadavg), kernel $(uname -r); $(keepalived --version 2>&1 | head -1); $(haproxy -v 2>&1 | head -1); $("$JAVA" -version 2>&1 | head -1)"
write_configs
setup_net || { echo "soak: network setup failed" >&2; exit 2; }
for i in 1 2 3; do start_backend "$i"; done
for i in 1 2 3; do start_node "$i"; done
ok=1
for i in 1 2 3; do
  wait_for 60 backend_ready "$i" 1 || { echo "soak: backend n$i did not start" >&2; tail -5 "$WORK/n$i/backend.log" >&2; ok=0; }
  wait_for 60 node_ready "$i" || { echo "soak: node n$i did not start" >&2; tail -20 "$WORK/n$i/node.log" >&2; ok=0; }
done
((ok)) || exit 2
wait_for 30 has_vip 1 || { echo "soak: n1 never took the VIP" >&2; tail -20 "$WORK/n1/node.log" >&2; exit 2; }
sleep "$(awk -v ms="$SETTLE_MS" 'BEGIN { printf "%.3f", ms / 1000 + 2 }')"
for i in 1 3; do sample_leaks "$i" start; done
log "settled: n1 holds the VIP; starting the VIP poller and the client"

poll_vip &
POLL_PID=$!
PIDS+=($POLL_PID)
renice -n -5 -p "$POLL_PID" > /dev/null 2>&1 # keeps the sampling pace on a loaded machine (the poller only forks `ip`)
T_START="$(epoch_ms)"
ip netns exec "$C" "$JAVA" $AUX_JAVA_OPTS -cp "$SOAK_CP" io.ha4j.benchmarks.SoakClientMain --target "$VIP:7443" \
  --workers "$WORKERS" --duration-s "$DURATION" --seed "$SEED" --pause-file "$PAUSE" < /dev/null > "$CLIENT_LOG" 2>&1 &
CLIENT_PID=$!
PIDS+=($CLIENT_PID)

# Fault loop: bounded by the deadline and by a count.
deadline=$(( T_START + DURATION * 1000 - 5000 ))
order=(crash flap backend)
for ((k = 2; k > 0; k--)); do rand 0 "$k"; j=$REPLY; tmp=${order[$k]}; order[$k]=${order[$j]}; order[$j]=$tmp; done
faults=0
while (( faults < 1000 )); do
  rand 1000 $((GAP_MAX_S * 1000)); gap_ms=$(( SETTLE_MS + REPLY ))
  (( $(epoch_ms) + gap_ms + 6000 < deadline )) || break
  sleep "$(awk -v ms="$gap_ms" 'BEGIN { printf "%.3f", ms / 1000 }')"
  if (( faults < 3 )); then kind="${order[$faults]}"
  else rand 0 9; r=$REPLY; if ((r < 4)); then kind=crash; elif ((r < 7)); then kind=flap; else kind=backend; fi; fi
  case "$kind" in
    crash) crash ;;
    flap) flap ;;
    backend) backend_kill ;;
  esac
  faults=$((faults + 1))
done
log "faults done ($faults); waiting for the client to finish"
client_deadline=$(( $(epoch_ms) + (DURATION + 90) * 1000 ))
while kill -0 "$CLIENT_PID" 2>/dev/null && (($(epoch_ms) < client_deadline)); do sleep 0.5; done
kill -KILL "$CLIENT_PID" 2>/dev/null
T_END="$(epoch_ms)"
# A session whose client went away with the VIP (the client got a reset from the new holder; this node never hears
# of it) stays open until its idle timeout: wait for that (bounded), then sample. What is still open then is a leak.
fds_back() { # fds_back I: node I's current process has no more descriptors than at its start sample
  local start
  start="$(awk -v n="n$1" -v inc="${INCARNATION[$1]}" '$1 == n && $2 == inc && $4 == "start" { print $5 }' "$LEAKS")"
  [[ -n "$start" ]] && (( $(ls "/proc/${NODE_PID[$1]}/fd" 2>/dev/null | wc -l) <= start ))
}
for i in 1 3; do kill -0 "${NODE_PID[$i]}" 2>/dev/null && wait_for $((SESSION_TIMEOUT_S + 5)) fds_back "$i"; done
for i in 1 3; do kill -0 "${NODE_PID[$i]}" 2>/dev/null && sample_leaks "$i" end; done
touch "$STOP_POLL"; wait "$POLL_PID" 2>/dev/null

echo
echo "== faults (start, end epoch ms)"
sort -k3n "$EVENTS" | awk '{ printf "  %-8s %s  %s..%s (%d ms)\n", $1, $2, $3, $4, $4 - $3 }'

echo "== VIP holders"
vip_result="$(awk -v settle="$SETTLE_MS" -v t_start="$T_START" -v t_end="$T_END" '
  FNR == NR { ws[++w] = $3; we[w] = $4 + settle; next }
  $1 < t_start || $1 > t_end { next }
  {
    n++; if (prev) { d = $1 - prev; if (d > maxgap) maxgap = d }; prev = $1
    if ($3 != "-") iso++
    c = ($2 == "-") ? 0 : split($2, h, ",") - 1
    if (c == 0) none++
    if (c >= 2) {
      dual++; inwin = 0
      for (k = 1; k <= w; k++) if ($4 >= ws[k] && $1 <= we[k]) { inwin = 1; break }
      if (inwin) dualin++; else { bad++; if (bad <= 20) print "  TWO HOLDERS outside any window at " $1 ": " $2 > "/dev/stderr" }
    }
  }
  END { printf "%d %d %d %d %d %d %d\n", n, maxgap, dual + 0, dualin + 0, bad + 0, none + 0, iso + 0 }' "$EVENTS" "$SAMPLES")"
read -r samples maxgap dual dualin dualbad none iso <<< "$vip_result"
echo "  $samples samples over $(( (T_END - T_START) / 1000 )) s (longest gap between samples ${maxgap} ms): two holders in $dual, of which $dualin inside a fault window and $dualbad outside; no holder in $none; a holder cut off from the bridge in $iso"

echo "== client connections"
conn_result="$(awk -v settle="$SETTLE_MS" '
  FILENAME == ARGV[1] { ws[++w] = $3; we[w] = $4 + settle; wn[w] = $2; next }
  FILENAME == ARGV[2] { if ($2 != last) { nc++; cb[nc] = prevb; ce[nc] = $4; last = $2 }; prevb = $1; next }
  $1 == "CONNFAIL" { fail++; next }
  $1 == "CONN" && $6 == "REFUSED" {
    refused++; inwin = 0
    for (k = 1; k <= w; k++) if ($4 <= we[k] && $5 >= ws[k]) { inwin = 1; break }
    if (!inwin) refusedout++
    next
  }
  $1 != "CONN" { next }
  {
    node = $3; s = $4; e = $5; outcome = $6; sent = $7; ver = $8
    total++
    if (outcome == "OK") { ok++; bytes += ver; next }
    if (outcome == "CORRUPT") { corrupt++; print "  CORRUPT: " $0 > "/dev/stderr"; next }
    excused = 0
    for (k = 1; k <= w; k++) if ((node == "?" || node == wn[k]) && s <= we[k] && e >= ws[k]) { excused = 1; break }
    if (!excused) for (k = 2; k <= nc; k++) if (cb[k] - 500 <= e && ce[k] + 500 >= s) { excused = 1; break }
    if (excused) { cut++; cutbytes += sent - ver }
    else { lost++; lostbytes += sent - ver; if (lost <= 20) print "  CUT outside any fault: " $0 > "/dev/stderr" }
  }
  END { printf "%d %d %.0f %d %.0f %d %d %.0f %d %d %d\n", total, ok, bytes, cut + 0, cutbytes, fail + 0, lost + 0, lostbytes, corrupt + 0, refused + 0, refusedout + 0 }
' "$EVENTS" "$SAMPLES" "$CLIENT_LOG")"
read -r ctotal cok cbytes ccut ccutbytes cfail clost clostbytes ccorrupt crefused crefusedout <<< "$conn_result"
echo "  $((ctotal + cfail)) connections: $cok complete ($cbytes bytes echoed and verified), $ccut cut by a fault ($ccutbytes bytes in flight);"
echo "  closed by the balancer before any byte (no backend up): $crefused, of them $crefusedout outside a fault window (a restarted backend waits for its health check to pass);"
echo "  connect failed: $cfail; cut and NOT explained by a fault: $clost connections, $clostbytes bytes lost; corrupted: $ccorrupt"
for i in 1 2 3; do
  echo "  served by n$i: $(awk -v n="n$i" '$1 == "CONN" && $3 == n { c++ } END { print c + 0 }' "$CLIENT_LOG")"
done

echo "== ha4j node processes (fds, threads)"
leakbad=0; compared=0
while read -r node inc pid fds0 th0 fds1 th1; do
  if [[ "$fds1" == "-" ]]; then
    echo "  $node #$inc pid $pid: start $fds0 fds $th0 threads; killed during the run, not compared"
    continue
  fi
  compared=$((compared + 1))
  verdict="held"
  if ((fds1 > fds0 || th1 > th0)); then
    verdict="LEAK"; leakbad=$((leakbad + 1))
    diff "$WORK/$node/threads-$inc-start" "$WORK/$node/threads-$inc-end" | sed 's/^/    /'
  fi
  echo "  $node #$inc pid $pid: start $fds0 fds $th0 threads, end $fds1 fds $th1 threads: $verdict"
done < <(awk '$4 == "start" { k = $1 " " $2; p[k] = $3; f0[k] = $5; t0[k] = $6; order[++n] = k }
              $4 == "end" { k = $1 " " $2; f1[k] = $5; t1[k] = $6 }
              END { for (i = 1; i <= n; i++) { k = order[i]; print k, p[k], f0[k], t0[k], (k in f1) ? f1[k] : "-", (k in t1) ? t1[k] : "-" } }' "$LEAKS")

echo
echo "== summary (SEED=$SEED DURATION=${DURATION}s, $faults faults: $(awk '{print $1}' "$EVENTS" | sort | uniq -c | awk '{printf "%s%d %s", sep, $1, $2; sep=", "}'))"
status=0
check() { if eval "$2"; then echo "  held:   $1"; else echo "  FAILED: $1"; status=1; fi; }
check "two VIP holders outside the settle windows: $dualbad samples" '((dualbad == 0))'
check "bytes lost on connections no fault cut: $clostbytes ($clost connections); corrupted connections: $ccorrupt" '((clost == 0 && ccorrupt == 0))'
check "leaked descriptors/threads: $leakbad of $compared ha4j processes compared" '((leakbad == 0 && compared > 0))'
check "client load ran: $cok complete connections" '((cok > 0))'
check "every fault kind happened: $(awk '{print $1}' "$EVENTS" | sort -u | tr '\n' ' ')" '[[ $(awk "{print \$1}" "$EVENTS" | sort -u | wc -l) -eq 3 ]]'
if ((status != 0)); then KEEP_WORK=1; fi
exit "$status"
