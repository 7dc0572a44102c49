#!/usr/bin/env bash
# Starts a Docker engine for the container lane unless one answers already; prints its PID file.
set -euo pipefail
if docker info >/dev/null 2>&1; then echo "dockerd: already running"; exit 0; fi
command -v dockerd >/dev/null || { echo "dockerd not installed: apt-get install docker.io" >&2; exit 1; }
log=${DOCKERD_LOG:-/var/log/tickstock-dockerd.log}
nohup dockerd --pidfile /var/run/tickstock-dockerd.pid >"$log" 2>&1 &
for _ in $(seq 1 150); do
  if docker info >/dev/null 2>&1; then echo "dockerd: started (log $log)"; exit 0; fi
  sleep 0.2
done
echo "dockerd did not answer within 30 s; last log lines:" >&2
tail -n 20 "$log" >&2
exit 1
