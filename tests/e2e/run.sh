#!/usr/bin/env bash
# run.sh - run every end-to-end test (tests/e2e/t*.sh, or those named), each
# in its own world, against a real engine (started here when none answers).
# A test fails too when a sanitized slipway (make SAN=1 e2e) reported anything.
set -u
cd "$(dirname "$0")"

if ! docker info >/dev/null 2>&1; then
	echo "# starting dockerd"
	setsid dockerd >/var/log/slipway-test-dockerd.log 2>&1 < /dev/null &
	for _ in $(seq 1 60); do
		docker info >/dev/null 2>&1 && break
		sleep 0.5
	done
	docker info >/dev/null 2>&1 || { echo "dockerd did not start" >&2; exit 1; }
fi

tests=("$@")
[ ${#tests[@]} -gt 0 ] || tests=(t[0-9]*.sh)
pass=0 fail=0 failed=()
logs=$(mktemp -d /tmp/slipway-e2e-logs.XXXXXX)
for t in "${tests[@]}"; do
	start=$(date +%s)
	san=$logs/$t.san
	mkdir -p "$san"
	if SLIPWAY_E2E_SAN_DIR=$san bash "$t" >"$logs/$t.log" 2>&1 &&
	    ! compgen -G "$san/*" >/dev/null; then
		pass=$((pass + 1)); echo "ok   $t ($(( $(date +%s) - start ))s)"
		grep '^# figure: ' "$logs/$t.log" | sed 's/^# /    /' || true
	else
		fail=$((fail + 1)); failed+=("$t"); echo "FAIL $t ($(( $(date +%s) - start ))s)"
		sed 's/^/    /' "$logs/$t.log" | tail -40
		# sanitizer reports (make SAN=1 e2e), see lib.sh
		if compgen -G "$san/*" >/dev/null; then
			head -n 60 "$san"/* | sed 's/^/    /'
		fi
	fi
done
echo "e2e: $pass passed, $fail failed"
[ $fail -eq 0 ]
