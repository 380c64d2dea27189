#!/bin/sh
# run.sh - the README's second command: `sh tests/run.sh`, as root, on a
# fresh Debian 12 / Ubuntu 24.04 machine (POSIX sh: no make, git or compiler
# needed yet). Installs what the build and the tests need (tools/deps.sh
# test), then runs make test: the unit tests, then every end-to-end test
# against a real engine (tests/e2e/run.sh starts dockerd when none answers),
# three at a time.
# Arguments go to make: sh tests/run.sh DEVELOPER=1 SAN=1.
set -eu
TOP=$(cd "$(dirname "$0")/.." && pwd)
cd "$TOP"

. "$TOP/tools/deps.sh"
deps_install test

# The end-to-end tests mostly wait on the engine: three at a time (each
# names everything it creates after its own run; see tests/e2e/run.sh).
export E2E_JOBS="${E2E_JOBS:-3}"
export MAKEFLAGS="${MAKEFLAGS:--j$(nproc 2>/dev/null || echo 2)}"
exec make "$@" test
