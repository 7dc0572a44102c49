#!/bin/sh
# Speaks the official redis image's interface: "redis-server [args]" as the command.
set -eu
if [ "${1:-}" != redis-server ]; then exec "$@"; fi
shift
exec runuser -u redis -- redis-server --bind 0.0.0.0 --protected-mode no --save '' --appendonly no --dir /tmp "$@"
