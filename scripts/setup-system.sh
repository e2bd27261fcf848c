#!/usr/bin/env bash
# System packages kawa's local executor and tests rely on (Debian). Idempotent; skipped
# when everything is present or when not root (then it only reports what is missing).
# nodejs + npm build the web UI (ui/, `make ui`); chromium is the browser the UI's tests
# drive through Playwright (never a browser Playwright downloads).
set -euo pipefail
need=()
command -v unshare >/dev/null 2>&1 || need+=(util-linux)
command -v sqlite3 >/dev/null 2>&1 || need+=(sqlite3)
command -v node >/dev/null 2>&1 || need+=(nodejs)
command -v npm >/dev/null 2>&1 || need+=(npm)
command -v chromium >/dev/null 2>&1 || need+=(chromium)
[ -x /usr/bin/python3 ] || need+=(python3)  # the unprivileged-isolation test runs it
if [ ${#need[@]} -eq 0 ]; then exit 0; fi
if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null 2>&1; then
  echo "kawa setup: please install: ${need[*]}" >&2
  exit 0
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${need[@]}"
