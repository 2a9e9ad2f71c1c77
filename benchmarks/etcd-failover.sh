#!/usr/bin/env bash
# Failover time of ha4j's etcd election against the lease TTL (kube-vip's tuned Kubernetes Lease: about 5 s).
#
# Starts a 3-member etcd cluster (Debian's etcd-server, 50 ms heartbeat, 500 ms election timeout) on 127.0.0.1
# ports with its data in a temporary directory, runs io.ha4j.benchmarks.EtcdFailoverMain (a leader in its own
# JVM is SIGKILLed: time until the next candidate leads; then a leader closes: time until the next one leads),
# and kills every etcd member by its pid and removes the directory on exit.
#
# Needs /usr/bin/etcd, java 17 and benchmarks/target/benchmarks.jar (mvn -q -o -pl benchmarks -am package -DskipTests).
# ROUNDS=5 TTLS="2 5" by default.
set -euo pipefail
cd "$(dirname "$0")/.."
ROUNDS=${ROUNDS:-5}
TTLS=${TTLS:-"2 5"}
JAR=benchmarks/target/benchmarks.jar
[[ -x /usr/bin/etcd ]] || { echo "etcd-failover.sh: /usr/bin/etcd missing (apt-get install etcd-server)" >&2; exit 1; }
[[ -f $JAR ]] || { echo "etcd-failover.sh: $JAR missing (mvn -q -o -pl benchmarks -am package -DskipTests)" >&2; exit 1; }

dir=$(mktemp -d /tmp/ha4j-etcd-bench.XXXXXX)
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill -9 "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  rm -rf "$dir"
}
trap cleanup EXIT

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'; }
names=(m0 m1 m2); client=(); peer=()
for i in 0 1 2; do client+=("$(free_port)"); peer+=("$(free_port)"); done
initial=""
for i in 0 1 2; do initial+="${names[$i]}=http://127.0.0.1:${peer[$i]},"; done
initial=${initial%,}
endpoints=()
for i in 0 1 2; do
  /usr/bin/etcd --name "${names[$i]}" --data-dir "$dir/${names[$i]}" \
    --listen-client-urls "http://127.0.0.1:${client[$i]}" --advertise-client-urls "http://127.0.0.1:${client[$i]}" \
    --listen-peer-urls "http://127.0.0.1:${peer[$i]}" --initial-advertise-peer-urls "http://127.0.0.1:${peer[$i]}" \
    --initial-cluster "$initial" --initial-cluster-state new --initial-cluster-token bench \
    --heartbeat-interval 50 --election-timeout 500 --logger zap --log-outputs stderr \
    >"$dir/${names[$i]}.log" 2>&1 &
  pids+=($!)
  endpoints+=("http://127.0.0.1:${client[$i]}")
done
for i in 0 1 2; do
  for _ in $(seq 1 200); do
    curl -fsS "http://127.0.0.1:${client[$i]}/health" 2>/dev/null | grep -q '"true"' && break
    sleep 0.1
  done
done
echo "etcd: 3 members on ${endpoints[*]} (pids ${pids[*]})"
# shellcheck disable=SC2086
java -Dorg.slf4j.simpleLogger.defaultLogLevel=warn -cp "$JAR" io.ha4j.benchmarks.EtcdFailoverMain "$ROUNDS" $TTLS -- "${endpoints[@]}"
