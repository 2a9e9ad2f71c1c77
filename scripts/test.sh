#!/usr/bin/env bash
# The whole test suite: unit and property tests, and the tests that need root, network namespaces and
# real peers (keepalived, haproxy). Installs what those tests need first: Debian packages through
# apt-get, Maven dependencies through Maven. Run as root (the namespace tests create and delete their
# own namespaces with addresses in 198.18.0.0/15 only).
set -euo pipefail
cd "$(dirname "$0")/.."

# chromium, chromium-driver (with fonts-liberation, a Recommends skipped below) and prometheus (promtool) check
# the stats page in a browser and /metrics with the Prometheus linter (StatsPageBrowserTest).
packages=(iproute2 util-linux procps iputils-ping keepalived haproxy nginx-light wrk iperf3 sockperf tcpdump etcd-server
  chromium chromium-driver fonts-liberation prometheus)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  if [[ $(id -u) -ne 0 ]]; then
    echo "scripts/test.sh: needs root to install: ${missing[*]}" >&2
    exit 1
  fi
  echo "Installing Debian packages: ${missing[*]}"
  apt-get update -qq
  # The tests start their own servers inside namespaces; keep the packages' services from starting.
  had_policy=0; [[ -e /usr/sbin/policy-rc.d ]] && had_policy=1
  ((had_policy)) || { printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d; chmod +x /usr/sbin/policy-rc.d; }
  status=0
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" || status=$?
  ((had_policy)) || rm -f /usr/sbin/policy-rc.d
  ((status == 0)) || exit "$status"
fi

if [[ $(id -u) -ne 0 ]]; then
  echo "scripts/test.sh: the privileged tests need root (network namespaces, raw sockets)." >&2
  exit 1
fi

# -Pprivileged includes the tests tagged "privileged"; they fail, never skip, when they cannot run.
exec mvn -B -ntp -Pprivileged install "$@"
