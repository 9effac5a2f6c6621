#!/usr/bin/env bash
# Print the Debian mirror this machine's apt already uses, read at run time from apt's
# own configuration (never hard-coded in this repository):
#   /etc/apt/sources.list, /etc/apt/sources.list.d/*.list   (one-line "deb URI SUITE COMPONENTS")
#   /etc/apt/sources.list.d/*.sources                      (deb822 stanzas with URIs:/Suites:/Components:)
#
# Usage: apt-mirror.sh [SUITE] [COMPONENT]      (defaults: bookworm main)
# Prints the first URI that serves exactly SUITE (so bookworm-security is not picked for
# bookworm) with COMPONENT, for Types "deb". Exit 1 if none.
# Can also be sourced: defines apt_mirror_for SUITE COMPONENT.
set -euo pipefail

apt_mirror_for() {
  local suite=${1:-bookworm} comp=${2:-main}
  local etc=${APT_ETC_DIR:-/etc/apt}   # override only for tests
  local files=()
  [ -f "$etc/sources.list" ] && files+=("$etc/sources.list")
  local f
  for f in "$etc"/sources.list.d/*.list "$etc"/sources.list.d/*.sources; do
    [ -f "$f" ] && files+=("$f")
  done
  [ "${#files[@]}" -gt 0 ] || return 1
  local uri
  uri=$(for f in "${files[@]}"; do
    case "$f" in
      *.sources) printf '\x01deb822 %s\n' "$f"; cat "$f"; printf '\n' ;;
      *)         printf '\x01list %s\n' "$f"; cat "$f"; printf '\n' ;;
    esac
  done | awk -v want_suite="$suite" -v want_comp="$comp" '
    function has(list, word,   n, a, i) { n = split(list, a, /[ \t]+/); for (i = 1; i <= n; i++) if (a[i] == word) return 1; return 0 }
    function flush(   n, u) {
      if (in822 && (types == "" || has(types, "deb")) && has(suites, want_suite) && has(comps, want_comp) && enabled != "no") {
        n = split(uris, u, /[ \t]+/); if (n >= 1 && u[1] != "") { print u[1]; exit 0 }
      }
      types = ""; uris = ""; suites = ""; comps = ""; enabled = ""
    }
    /^\x01/ { flush(); in822 = ($1 == "\x01deb822"); next }
    in822 {
      if ($0 ~ /^[ \t]*$/) { flush(); next }
      if ($0 ~ /^[ \t]*#/) next
      line = $0; key = tolower(line); sub(/:.*/, "", key); val = line; sub(/^[^:]*:[ \t]*/, "", val)
      if (key == "types") types = val; else if (key == "uris") uris = val
      else if (key == "suites") suites = val; else if (key == "components") comps = val
      else if (key == "enabled") enabled = tolower(val)
      next
    }
    {
      sub(/#.*/, ""); if ($1 != "deb") next
      i = 2
      if ($i ~ /^\[/) { while (i <= NF && $i !~ /\]$/) i++; i++ }   # skip [ options ]
      u = $i; s = $(i + 1); ok = 0
      for (j = i + 2; j <= NF; j++) if ($j == want_comp) ok = 1
      if (s == want_suite && ok) { print u; exit 0 }
    }
  ')
  [ -n "$uri" ] || return 1
  printf '%s\n' "${uri%/}"
}

if [ "${BASH_SOURCE[0]}" = "$0" ]; then
  apt_mirror_for "${1:-bookworm}" "${2:-main}" || {
    echo "apt-mirror: no 'deb' source for suite ${1:-bookworm} component ${2:-main} in apt's configuration" >&2
    exit 1
  }
fi
