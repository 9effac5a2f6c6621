#!/usr/bin/env bash
# images/build.sh [NAME...] - build the restore-drill sandbox images locally.
#
# NAME is a folder under images/ (default: base postgres pacs vm-guest, built in that order:
# postgres, pacs and vm-guest are FROM restore-drill/base:latest). Each is tagged
# restore-drill/NAME:latest. The Debian base (debian:bookworm-slim) is created first by
# bootstrap-base.sh when it is missing (air-gapped path: no container registry needed).
#
# An image is skipped when its tag exists and its labels match
#   io.restore-drill.recipe-sha256  sha256 over the folder's files (names + contents)
#   io.restore-drill.parent-id      image id of its FROM image
# so reruns are fast, and a rebuilt parent rebuilds its children. FORCE=1 rebuilds anyway.
#
# Builds use --network host: apt-get inside the build reaches the same Debian mirror
# the host uses (written into the base image by bootstrap-base.sh).
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
DEFAULT=(base postgres pacs vm-guest)
say() { printf '[build] %s\n' "$*" >&2; }

names=("$@")
[ "${#names[@]}" -gt 0 ] || names=("${DEFAULT[@]}")

# Dependency order: base first whenever it is asked for; others keep the given order.
ordered=()
for n in "${names[@]}"; do [ "$n" = base ] && ordered+=(base); done
for n in "${names[@]}"; do [ "$n" != base ] && ordered+=("$n"); done
# de-duplicate
declare -A seen=(); final=()
for n in "${ordered[@]}"; do [ -n "${seen[$n]:-}" ] || { seen[$n]=1; final+=("$n"); }; done

recipe_sha() {  # sha256 over relative file names and contents, stable order
  (cd "$1" && find . -type f -print0 | LC_ALL=C sort -z | xargs -0 sha256sum) | sha256sum | cut -d' ' -f1
}

label_of() {  # label_of IMAGE KEY
  docker image inspect --format "{{ index .Config.Labels \"$2\" }}" "$1" 2>/dev/null || true
}

"$HERE/bootstrap-base.sh"

for name in "${final[@]}"; do
  dir=$HERE/$name
  [ -f "$dir/Dockerfile" ] || { say "no such image recipe: $dir/Dockerfile"; exit 2; }
  tag=restore-drill/$name:latest
  parent=$(awk 'toupper($1) == "FROM" { print $2; exit }' "$dir/Dockerfile")
  if ! docker image inspect "$parent" >/dev/null 2>&1; then
    case "$parent" in
      restore-drill/*:latest)
        p=${parent#restore-drill/}; p=${p%:latest}
        say "$name needs $parent: building $p first"
        "$0" "$p" ;;
      *) say "$name: parent image $parent is missing"; exit 1 ;;
    esac
  fi
  parent_id=$(docker image inspect --format '{{.Id}}' "$parent")
  sha=$(recipe_sha "$dir")

  if [ "${FORCE:-0}" != 1 ] && docker image inspect "$tag" >/dev/null 2>&1 &&
     [ "$(label_of "$tag" io.restore-drill.recipe-sha256)" = "$sha" ] &&
     [ "$(label_of "$tag" io.restore-drill.parent-id)" = "$parent_id" ]; then
    say "$tag is up to date (recipe ${sha:0:12}); skipping"
    continue
  fi

  say "building $tag from images/$name (recipe ${sha:0:12}, parent $parent ${parent_id:7:12})"
  t0=$(date +%s)
  docker build --network host \
    --label "io.restore-drill.recipe-sha256=$sha" \
    --label "io.restore-drill.parent-id=$parent_id" \
    -t "$tag" "$dir"
  size=$(docker image inspect --format '{{.Size}}' "$tag")
  say "built $tag in $(( $(date +%s) - t0 ))s ($(( size / 1024 / 1024 )) MiB)"
done
