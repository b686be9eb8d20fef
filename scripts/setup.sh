#!/usr/bin/env bash
# Installs what claro's tests need on a Debian 12 machine: the reference
# tools the tests compare against or build variants with, and ISA-L's
# headers for the gzip inflater addon (native/isal-inflate), then the npm
# dependencies from the lock file (npm ci builds the addon).
set -euo pipefail
cd "$(dirname "$0")/.."

debs=(dpkg zstd skopeo rpm python3-packaging ruby docker-registry apache2-utils openssl libisal-dev)
missing=()
for p in "${debs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed' \
    || missing+=("$p")
done
if [ "${#missing[@]}" -gt 0 ]; then
  if [ "$(id -u)" -ne 0 ]; then
    echo "setup: please install the Debian packages: ${missing[*]}" >&2
    exit 1
  fi
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

npm ci --no-audit --no-fund
