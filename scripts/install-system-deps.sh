#!/usr/bin/env bash
# Debian packages the full test suite needs: PostgreSQL (store tests on a real server),
# Chromium (browser tests), Java 17 (Spark).  Installs only what is missing; without root
# or apt it says what is missing and the tests that need it are skipped with a reason.
set -u
need=()
command -v initdb >/dev/null 2>&1 || ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || need+=(postgresql)
command -v chromium >/dev/null 2>&1 || need+=(chromium)
command -v java >/dev/null 2>&1 || need+=(openjdk-17-jre-headless)
if ((${#need[@]} == 0)); then exit 0; fi
SUDO=""
if [ "$(id -u)" != 0 ]; then
  if command -v sudo >/dev/null 2>&1; then SUDO="sudo -n"; else
    echo "install-system-deps: not root and no sudo; missing: ${need[*]} (their tests will be skipped)" >&2; exit 0; fi
fi
if ! command -v apt-get >/dev/null 2>&1; then
  echo "install-system-deps: no apt-get; missing: ${need[*]} (their tests will be skipped)" >&2; exit 0
fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq >/dev/null && $SUDO apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null \
  || { echo "install-system-deps: apt-get install ${need[*]} failed" >&2; exit 1; }
