#!/usr/bin/env bash
# Sets up a fresh machine for batchai_compat: Open MPI and ssh-keygen (Debian), a virtualenv in .venv with the
# package and its test/dev extras, and Azurite (npm) for the blob-storage tests.
# Idempotent: a second run only checks.
set -euo pipefail
cd "$(dirname "$0")/.."

if ! command -v mpirun >/dev/null 2>&1; then
    if [ "$(id -u)" = 0 ]; then
        apt-get update -qq
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
            openmpi-bin libopenmpi-dev >/dev/null
    else
        echo "setup: Open MPI (mpirun) is missing; install it: sudo apt-get install openmpi-bin" >&2
    fi
fi

# `batchai cluster create --generate-ssh-keys` runs ssh-keygen (the command line tests do).
if ! command -v ssh-keygen >/dev/null 2>&1; then
    if [ "$(id -u)" = 0 ]; then
        apt-get update -qq
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
            openssh-client >/dev/null
    else
        echo "setup: ssh-keygen is missing; install it: sudo apt-get install openssh-client" >&2
    fi
fi

if [ ! -x .venv/bin/python ]; then
    python3 -m venv .venv
fi
.venv/bin/python -m pip install -q --upgrade pip 2>&1 | grep -v "^WARNING: Location" || true
.venv/bin/python -m pip install -q -e '.[dev]' 2>&1 | grep -v "^WARNING: Location" || true
.venv/bin/python -c "import batchai_compat, pydantic, pytest" # fail loudly if the install failed

if command -v npm >/dev/null 2>&1; then
    if [ ! -f .tools/node_modules/azurite/dist/src/blob/main.js ]; then
        mkdir -p .tools
        npm install --prefix .tools --no-audit --no-fund --loglevel=error azurite@3 >/dev/null 2>&1 \
            || echo "setup: npm install azurite@3 failed; blob-storage tests will not run" >&2
    fi
else
    echo "setup: npm is missing; blob-storage tests (Azurite) will not run" >&2
fi
