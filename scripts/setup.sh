#!/usr/bin/env bash
# Sets up a fresh machine for batchai_compat, in one of two modes:
#
#   bash scripts/setup.sh          the main job: Open MPI (Debian) and a virtualenv in .venv with
#                                  the package alone (what the walk-through needs)
#   bash scripts/setup.sh test     the same, plus the test and dev tools (the `dev` extra: every
#                                  backend's SDK, pytest, ruff, mypy, build), ssh-keygen (Debian,
#                                  for the command line tests) and Azurite (npm, into .tools/)
#                                  for the blob-storage tests; what CI runs
#
# The benchmarks' baselines (the `bench` extra) install on demand: `python -m benchmarks`.
# Idempotent: a second run only checks.
set -euo pipefail
cd "$(dirname "$0")/.."

mode="${1:-main}"
case "$mode" in
    main) extras="" ;;
    test) extras="[dev]" ;;
    *)
        echo "usage: bash scripts/setup.sh [test]" >&2
        exit 2
        ;;
esac

# apt_install COMMAND PACKAGE...: install the Debian packages when COMMAND is missing.
apt_install() {
    local command="$1"
    shift
    if command -v "$command" >/dev/null 2>&1; then
        return
    fi
    if [ "$(id -u)" = 0 ]; then
        apt-get update -qq
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$@" \
            >/dev/null
    else
        echo "setup: $command is missing; install it: sudo apt-get install $*" >&2
    fi
}

apt_install mpirun openmpi-bin libopenmpi-dev
if [ "$mode" = test ]; then
    # `batchai cluster create --generate-ssh-keys` runs ssh-keygen (the command line tests do).
    apt_install ssh-keygen openssh-client
fi

if [ ! -x .venv/bin/python ]; then
    python3 -m venv .venv
fi
.venv/bin/python -m pip install -q --upgrade pip 2>&1 | grep -v "^WARNING: Location" || true
.venv/bin/python -m pip install -q -e ".${extras}" 2>&1 | grep -v "^WARNING: Location" || true
.venv/bin/python -c "import batchai_compat.install" # fail loudly if the install failed

if [ "$mode" = test ]; then
    .venv/bin/python -c "import pytest, azureml.core, azure.ai.ml, azure.storage.blob, msrestazure"
    bash scripts/install_azurite.sh || true
fi
