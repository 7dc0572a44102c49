#!/usr/bin/env bash
# Builds the PostgreSQL and Redis images for the container lane from Debian's packages alone:
# no image registry is needed (none is reachable on our machines). Images already present are
# kept; the Debian root filesystem is cached as a tarball, so a rebuild takes seconds.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
PG_IMAGE=${HARNESS_POSTGRES_IMAGE:-tickstock-harness/postgres:15}
REDIS_IMAGE=${HARNESS_REDIS_IMAGE:-tickstock-harness/redis:7}
BASE_IMAGE=tickstock-harness/debian:bookworm
CACHE=${HARNESS_IMAGE_CACHE:-/var/cache/tickstock-harness}
PACKAGES="postgresql-15 redis-server"

if docker image inspect "$PG_IMAGE" "$REDIS_IMAGE" >/dev/null 2>&1; then
  echo "images: $PG_IMAGE and $REDIS_IMAGE already present"
  exit 0
fi

mirror=$(sed -n 's/^URIs: *//p' /etc/apt/sources.list.d/debian.sources 2>/dev/null | head -n1)
mirror=${mirror:-http://deb.debian.org/debian}
rootfs_tar="$CACHE/rootfs-bookworm-$(echo "$PACKAGES" | sha256sum | cut -c1-12).tar"

if ! docker image inspect "$BASE_IMAGE" >/dev/null 2>&1; then
  if [ ! -s "$rootfs_tar" ]; then
    command -v debootstrap >/dev/null || apt-get install -y -qq debootstrap >/dev/null
    root=$(mktemp -d /var/tmp/tickstock-rootfs.XXXXXX)
    trap 'rm -rf "$root"' EXIT
    echo "images: debootstrap bookworm from $mirror (once; cached in $CACHE)"
    debootstrap --variant=minbase bookworm "$root" "$mirror" >/dev/null
    printf '#!/bin/sh\nexit 101\n' > "$root/usr/sbin/policy-rc.d" && chmod +x "$root/usr/sbin/policy-rc.d"
    cp /etc/resolv.conf "$root/etc/resolv.conf"
    chroot "$root" apt-get update -qq
    DEBIAN_FRONTEND=noninteractive chroot "$root" apt-get install -y -qq --no-install-recommends $PACKAGES >/dev/null
    chroot "$root" apt-get clean
    rm -rf "$root"/var/lib/apt/lists/* "$root"/var/lib/postgresql/15/main "$root/etc/resolv.conf"
    mkdir -p "$CACHE"
    tar -C "$root" -cf "$rootfs_tar.tmp" . && mv "$rootfs_tar.tmp" "$rootfs_tar"
  fi
  docker import "$rootfs_tar" "$BASE_IMAGE" >/dev/null
fi

docker build -q --build-arg BASE="$BASE_IMAGE" -t "$PG_IMAGE" -f "$here/postgres.Dockerfile" "$here" >/dev/null
docker build -q --build-arg BASE="$BASE_IMAGE" -t "$REDIS_IMAGE" -f "$here/redis.Dockerfile" "$here" >/dev/null
echo "images: built $PG_IMAGE and $REDIS_IMAGE"
