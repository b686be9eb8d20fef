#!/usr/bin/env bash
# Installs old lodash and minimist releases from the npm registry into
# test/.npm-tree (gitignored), the node_modules tree the OSV acceptance
# test scans: the only test input that comes from the network, so CI
# prepares it here, before the tests, which stay offline.
set -euo pipefail
cd "$(dirname "$0")/.."

npm install --prefix test/.npm-tree --no-save --no-audit --no-fund \
  lodash@4.17.15 minimist@1.2.5
