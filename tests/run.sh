#!/bin/sh
# run.sh - the README's second command: `sh tests/run.sh`, as root, on a
# fresh Debian 12 / Ubuntu 24.04 machine (POSIX sh: no make, git or compiler
# needed yet). Installs what the build and the tests need (tools/deps.sh
# test), then runs make test: the unit tests, then every end-to-end test
# against a real engine (tests/e2e/run.sh starts dockerd when none answers).
# Arguments go to make: sh tests/run.sh DEVELOPER=1 SAN=1.
set -eu
TOP=$(cd "$(dirname "$0")/.." && pwd)
cd "$TOP"

. "$TOP/tools/deps.sh"
deps_install test

export MAKEFLAGS="${MAKEFLAGS:--j$(nproc 2>/dev/null || echo 2)}"
exec make "$@" test
