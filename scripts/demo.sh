#!/usr/bin/env bash
# The failover demo: three Kubernetes control-plane nodes, each with a stand-in kube-apiserver (:6443), an
# ha4j TcpBalancer (:7443) and an ha4j VRRP instance for the VIP 198.18.0.100, plus a client that talks to
# the VIP — in network namespaces on one bridge, one JVM per node. The master crashes, an apiserver shuts
# down, the old master comes back and takes the VIP back make-before-break (the client's watch through the VIP ends at
# once and resumes, and the demo prints how long the reconnect took; a request whose new connection is still in its
# TLS handshake when the client's ARP entry moves is reset, 3 returns in 18 measured: ha-vrrp/README.md, "Planned
# handover"); the timeline and the client's outage are printed.
#
#   scripts/demo.sh                 # real demo as root (installs iproute2 and iputils-ping if missing)
#   scripts/demo.sh --nopreempt     # the old master stays backup when it comes back
#   scripts/demo.sh --simulate      # in-process simulation (also what runs without root / namespaces)
#   scripts/demo.sh --quick         # shorter steady phases
#
# Builds the project first (mvn install -DskipTests). Everything the demo creates (namespaces named
# h4j<pid>d*, the VIP, the node JVMs) is removed at the end, on failure, and on Ctrl-C or SIGTERM.
set -euo pipefail
cd "$(dirname "$0")/.."

simulate=0
prefix=""
args=("$@")
for ((i = 0; i < ${#args[@]}; i++)); do
  case "${args[i]}" in
    --simulate) simulate=1 ;;
    --prefix) prefix="${args[i+1]:-}" ;;
  esac
done
if [[ -z "$prefix" ]]; then
  prefix="h4j$(( $$ % 100000 ))d"
  args=(--prefix "$prefix" "${args[@]}")
fi

if [[ $(id -u) -eq 0 && $simulate -eq 0 ]]; then
  missing=()
  for p in iproute2 iputils-ping; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
  done
  if ((${#missing[@]})) && command -v apt-get >/dev/null; then
    echo "demo: installing ${missing[*]}"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}"
  fi
fi

echo "demo: building (mvn install -DskipTests) ..."
if ! mvn -B -q -ntp install -DskipTests; then
  echo "demo: the build failed; see the Maven output above" >&2
  exit 1
fi
classpath_file="$PWD/ha-examples/target/demo-classpath.txt"
mvn -B -q -ntp -pl ha-examples org.apache.maven.plugins:maven-dependency-plugin:3.6.1:build-classpath \
  -DincludeScope=runtime -Dmdep.outputFile="$classpath_file"
classpath="$PWD/ha-examples/target/classes:$(cat "$classpath_file")"

java_pid=""
cleanup() {
  local status=$?
  trap - EXIT INT TERM
  if [[ -n "$java_pid" ]] && kill -0 "$java_pid" 2>/dev/null; then
    kill -TERM "$java_pid" 2>/dev/null || true     # its shutdown hook stops the nodes and removes the LAN
    for _ in $(seq 1 100); do kill -0 "$java_pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$java_pid" 2>/dev/null || true
  fi
  # backstop: whatever namespace of this run is left (the orchestrator was killed with -9, say)
  if command -v ip >/dev/null; then
    for ns in $(ip netns list 2>/dev/null | awk '{print $1}' | grep "^${prefix}" || true); do
      ip netns del "$ns" 2>/dev/null || true
    done
  fi
  exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# In the background, so that SIGTERM to this script is handled at once (bash runs traps only between
# commands, and `wait` is interruptible).
java -XX:+UseSerialGC -cp "$classpath" io.ha4j.examples.demo.ControlPlaneDemo "${args[@]}" &
java_pid=$!
set +e
wait "$java_pid"
status=$?
set -e
java_pid=""
exit "$status"
