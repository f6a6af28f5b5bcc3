#!/usr/bin/env bash
# Installs Azurite (the Azure Storage emulator, npm `azurite@3`) into .tools/ when it is missing:
# the blob-storage tests and the bulk-upload benchmark start it on loopback.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ -f .tools/node_modules/azurite/dist/src/blob/main.js ]; then
    exit 0
fi
if ! command -v npm >/dev/null 2>&1; then
    echo "setup: npm is missing; Azurite (blob-storage tests, bulk-upload benchmark) will not run" >&2
    exit 1
fi
mkdir -p .tools
npm install --prefix .tools --no-audit --no-fund --loglevel=error azurite@3 >/dev/null 2>&1 || {
    echo "setup: npm install azurite@3 failed; blob-storage tests will not run" >&2
    exit 1
}
