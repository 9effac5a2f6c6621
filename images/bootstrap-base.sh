#!/usr/bin/env bash
# images/bootstrap-base.sh - create the local image debian:bookworm-slim WITHOUT a container
# registry.
#
# This is the AIR-GAPPED install path: a hospital network that can reach a Debian mirror
# (apt works) but no container registry (docker pull fails). We build the root filesystem
# with debootstrap from the same Debian mirror apt already uses and `docker import` it
# under the name the Dockerfiles expect (FROM debian:bookworm-slim). If the image already
# exists (pulled, loaded with `docker load`, or bootstrapped earlier) nothing is done.
#
# The mirror is read at run time from apt's own configuration (images/apt-mirror.sh);
# no host name is written in this repository.
#
# Env:
#   DEBIAN_MIRROR           override the mirror for suite bookworm (e.g. http://mirror.local/debian)
#   DEBIAN_SECURITY_MIRROR  override the bookworm-security mirror written into the image
#                           (default: from apt's configuration; none if not found)
#   BASE_IMAGE              image name to create (default debian:bookworm-slim)
#   FORCE=1                 re-create even if the image exists
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source-path=SCRIPTDIR source=apt-mirror.sh
. "$HERE/apt-mirror.sh"

IMAGE=${BASE_IMAGE:-debian:bookworm-slim}
SUITE=bookworm
say() { printf '[bootstrap-base] %s\n' "$*" >&2; }
start=$(date +%s)

if [ "${FORCE:-0}" != 1 ] && docker image inspect "$IMAGE" >/dev/null 2>&1; then
  say "$IMAGE already present; nothing to do"
  exit 0
fi

MIRROR=${DEBIAN_MIRROR:-}
if [ -z "$MIRROR" ]; then
  MIRROR=$(apt_mirror_for "$SUITE" main) || {
    say "no Debian mirror for '$SUITE main' in apt's configuration; set DEBIAN_MIRROR"; exit 1; }
fi
MIRROR=${MIRROR%/}
SEC_MIRROR=${DEBIAN_SECURITY_MIRROR:-}
if [ -z "$SEC_MIRROR" ] && [ -z "${DEBIAN_MIRROR:-}" ]; then
  SEC_MIRROR=$(apt_mirror_for "$SUITE-security" main || true)
fi
SEC_MIRROR=${SEC_MIRROR%/}
# bookworm-updates only if apt uses it from the same mirror (a local mirror may not carry it).
UPDATES=""
if [ -z "${DEBIAN_MIRROR:-}" ] && [ "$(apt_mirror_for "$SUITE-updates" main || true)" = "$MIRROR" ]; then
  UPDATES="$SUITE-updates"
fi
say "mirror: $MIRROR${UPDATES:+ (+$UPDATES)}${SEC_MIRROR:+; security: $SEC_MIRROR}"

SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO=sudo

if ! command -v debootstrap >/dev/null 2>&1 && [ ! -x /usr/sbin/debootstrap ]; then
  say "installing debootstrap"
  $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends debootstrap >/dev/null
fi
DEBOOTSTRAP=$(command -v debootstrap || echo /usr/sbin/debootstrap)

ROOTFS=$(mktemp -d "${TMPDIR:-/var/tmp}/restore-drill-rootfs.XXXXXX")
cleanup() {
  local rc=$?
  # debootstrap mounts proc/sys inside the target; unmount anything left before deleting.
  if [ -d "$ROOTFS" ]; then
    awk -v r="$ROOTFS" '$2 == r || index($2, r "/") == 1 { print $2 }' /proc/mounts | sort -r |
      while read -r m; do $SUDO umount -l "$m" 2>/dev/null || true; done
    $SUDO rm -rf --one-file-system "$ROOTFS"
  fi
  [ "$rc" -eq 0 ] || say "FAILED (exit $rc); removed $ROOTFS"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

KEYRING_OPT=()
[ -f /usr/share/keyrings/debian-archive-keyring.gpg ] &&
  KEYRING_OPT=(--keyring=/usr/share/keyrings/debian-archive-keyring.gpg)

say "debootstrap --variant=minbase $SUITE into $ROOTFS (takes a minute or two)"
t0=$(date +%s)
$SUDO "$DEBOOTSTRAP" --variant=minbase "${KEYRING_OPT[@]}" "$SUITE" "$ROOTFS" "$MIRROR" \
  > "$ROOTFS.log" 2>&1 || { say "debootstrap failed; last lines:"; tail -n 30 "$ROOTFS.log" >&2; rm -f "$ROOTFS.log"; exit 1; }
rm -f "$ROOTFS.log"
say "debootstrap done in $(( $(date +%s) - t0 ))s"

say "configuring apt sources and slim settings inside the rootfs"
$SUDO rm -f "$ROOTFS/etc/apt/sources.list"
{
  printf 'Types: deb\nURIs: %s\nSuites: %s%s\nComponents: main\nSigned-By: /usr/share/keyrings/debian-archive-keyring.gpg\n' \
    "$MIRROR" "$SUITE" "${UPDATES:+ $UPDATES}"
  if [ -n "$SEC_MIRROR" ]; then
    printf '\nTypes: deb\nURIs: %s\nSuites: %s-security\nComponents: main\nSigned-By: /usr/share/keyrings/debian-archive-keyring.gpg\n' \
      "$SEC_MIRROR" "$SUITE"
  fi
} | $SUDO tee "$ROOTFS/etc/apt/sources.list.d/debian.sources" >/dev/null
# Same spirit as the official -slim image: no docs/man/locales, no apt caches in layers.
$SUDO tee "$ROOTFS/etc/dpkg/dpkg.cfg.d/docker-slim" >/dev/null <<'CFG'
path-exclude /usr/share/doc/*
path-include /usr/share/doc/*/copyright
path-exclude /usr/share/man/*
path-exclude /usr/share/info/*
path-exclude /usr/share/locale/*
path-include /usr/share/locale/locale.alias
path-exclude /usr/share/lintian/*
CFG
$SUDO tee "$ROOTFS/etc/apt/apt.conf.d/docker-clean" >/dev/null <<'CFG'
DPkg::Post-Invoke { "rm -f /var/cache/apt/archives/*.deb /var/cache/apt/archives/partial/*.deb /var/cache/apt/*.bin || true"; };
APT::Update::Post-Invoke { "rm -f /var/cache/apt/archives/*.deb /var/cache/apt/archives/partial/*.deb /var/cache/apt/*.bin || true"; };
Dir::Cache::pkgcache "";
Dir::Cache::srcpkgcache "";
CFG
$SUDO tee "$ROOTFS/etc/apt/apt.conf.d/docker-no-languages" >/dev/null <<'CFG'
Acquire::Languages "none";
CFG
$SUDO find "$ROOTFS/usr/share/doc" -mindepth 2 ! -name copyright ! -type d -delete 2>/dev/null || true
$SUDO find "$ROOTFS/usr/share/doc" -mindepth 1 -type d -empty -delete 2>/dev/null || true
$SUDO rm -rf "$ROOTFS"/usr/share/man/* "$ROOTFS"/usr/share/info/* "$ROOTFS"/usr/share/lintian/*
$SUDO find "$ROOTFS/usr/share/locale" -mindepth 1 -maxdepth 1 ! -name locale.alias -exec rm -rf {} + 2>/dev/null || true
$SUDO rm -rf "$ROOTFS"/var/lib/apt/lists/* "$ROOTFS"/var/cache/apt/*.bin "$ROOTFS"/var/cache/apt/archives/*.deb \
  "$ROOTFS"/var/log/*.log "$ROOTFS"/var/log/apt/* "$ROOTFS"/tmp/* "$ROOTFS"/var/tmp/*
$SUDO rm -rf "$ROOTFS"/dev/* "$ROOTFS"/proc/* "$ROOTFS"/sys/* "$ROOTFS"/run/*   # docker provides these
: | $SUDO tee "$ROOTFS/etc/machine-id" >/dev/null
$SUDO rm -f "$ROOTFS/var/lib/dbus/machine-id"
$SUDO tee "$ROOTFS/etc/hostname" >/dev/null <<<"localhost"

say "importing as $IMAGE"
t0=$(date +%s)
$SUDO tar --numeric-owner --xattrs -C "$ROOTFS" -c . | docker import \
  --change 'CMD ["bash"]' \
  --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
  --change "LABEL io.restore-drill.bootstrapped-from=$MIRROR" \
  --change "LABEL io.restore-drill.bootstrapped-at=$(date -u +%Y-%m-%dT%H:%M:%SZ)" \
  --message "debootstrap --variant=minbase $SUITE (restore-drill air-gapped path)" \
  - "$IMAGE" >/dev/null
say "import done in $(( $(date +%s) - t0 ))s"

size=$(docker image inspect --format '{{.Size}}' "$IMAGE")
say "created $IMAGE ($(( size / 1024 / 1024 )) MiB) in $(( $(date +%s) - start ))s total"
