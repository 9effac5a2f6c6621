#!/usr/bin/env bash
# Bring up a local Docker engine for restore-drill (CI / dev machines without one).
#
# Idempotent: if `docker info` already answers, exit 0. Otherwise install Debian's
# docker.io (plus iptables) when no dockerd is present, start dockerd in the
# background and wait for it. Only the distro's apt mirrors are used; no container
# registry is needed (images are built locally, see images/bootstrap-base.sh).
#
# Env:
#   DOCKERD_LOG   (default /tmp/restore-drill-dockerd.log)
#   DOCKERD_PID   (default /tmp/restore-drill-dockerd.pid)
#   DOCKERD_WAIT  seconds to wait for the daemon (default 60)
#
# Client/daemon versions: a newer client (e.g. /usr/local/bin/docker 28.x, API 1.50)
# negotiates down to the older Debian daemon (20.10, API 1.41) by itself. If a client
# cannot negotiate, this script reports the daemon's API version; export
# DOCKER_API_VERSION=<that> or use /usr/bin/docker.
set -euo pipefail

LOG=${DOCKERD_LOG:-/tmp/restore-drill-dockerd.log}
PIDFILE=${DOCKERD_PID:-/tmp/restore-drill-dockerd.pid}
WAIT=${DOCKERD_WAIT:-60}

say() { printf '[docker-up] %s\n' "$*" >&2; }

docker_ok() {
  command -v docker >/dev/null 2>&1 || return 1
  timeout 5 docker info >/dev/null 2>&1
}

if docker_ok; then
  say "docker already answers ($(docker version --format 'client {{.Client.Version}} / server {{.Server.Version}} API {{.Server.APIVersion}}' 2>/dev/null || echo '?'))"
  exit 0
fi

SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  command -v sudo >/dev/null 2>&1 || { say "not root and no sudo: cannot start dockerd"; exit 1; }
  SUDO="sudo"
fi

if ! command -v dockerd >/dev/null 2>&1; then
  say "dockerd not found: installing docker.io from the Debian mirror"
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -qq
  $SUDO apt-get install -y -qq --no-install-recommends docker.io iptables ca-certificates >/dev/null
fi
command -v dockerd >/dev/null 2>&1 || { say "dockerd still missing after install"; exit 1; }

# A dockerd we started before may still be booting.
running_pid=""
if [ -s "$PIDFILE" ] && kill -0 "$(cat "$PIDFILE")" 2>/dev/null; then
  running_pid=$(cat "$PIDFILE")
  say "dockerd already started (pid $running_pid), waiting for it"
else
  # Debian 12 defaults to iptables-nft; some kernels (CI VMs) only have the legacy
  # backend. Pick the one that works.
  if command -v update-alternatives >/dev/null 2>&1 && [ -x /usr/sbin/iptables-legacy ]; then
    if ! $SUDO iptables -L -n >/dev/null 2>&1 && $SUDO iptables-legacy -L -n >/dev/null 2>&1; then
      say "iptables (nft) unusable here; switching to iptables-legacy"
      $SUDO update-alternatives --set iptables /usr/sbin/iptables-legacy >/dev/null
      $SUDO update-alternatives --set ip6tables /usr/sbin/ip6tables-legacy >/dev/null 2>&1 || true
    fi
  fi
  say "starting dockerd (log: $LOG)"
  # setsid: detach from this shell's process group so the daemon survives it.
  $SUDO setsid dockerd >>"$LOG" 2>&1 < /dev/null &
  running_pid=$!
  echo "$running_pid" > "$PIDFILE"
fi

for _ in $(seq 1 "$WAIT"); do
  if docker_ok; then
    say "docker is up: $(docker version --format 'client {{.Client.Version}} (API {{.Client.APIVersion}}) / server {{.Server.Version}} (API {{.Server.APIVersion}}, min {{.Server.MinAPIVersion}})' 2>/dev/null || echo '?')"
    exit 0
  fi
  if ! kill -0 "$running_pid" 2>/dev/null; then
    say "dockerd (pid $running_pid) exited"
    break
  fi
  sleep 1
done

say "docker did not answer within ${WAIT}s"
# Distinguish "daemon down" from "client/daemon API mismatch".
if [ -S /var/run/docker.sock ] && command -v curl >/dev/null 2>&1; then
  api=$(curl -fsS --unix-socket /var/run/docker.sock http://localhost/version 2>/dev/null \
        | sed -n 's/.*"ApiVersion":"\([0-9.]*\)".*/\1/p' || true)
  if [ -n "$api" ]; then
    say "the daemon answers on /var/run/docker.sock with API $api: the client cannot talk to it."
    say "try: export DOCKER_API_VERSION=$api   (or use /usr/bin/docker)"
  fi
fi
docker info 2>&1 | tail -5 >&2 || true
say "last lines of $LOG:"
tail -n 30 "$LOG" >&2 || true
exit 1
