#!/usr/bin/env bash
# run.sh - run every end-to-end test (tests/e2e/t*.sh, or those named), each
# in its own world, against a real engine (started here when none answers).
# A test fails too when a sanitized slipway (make SAN=1 e2e) reported anything.
#
# E2E_JOBS=N runs up to N tests at a time (default 1). Every test names its
# engine objects, ports and directories after its own run, so they can share
# the engine; a test that changes something engine-wide or measures time
# closely carries the line "# e2e: alone" and runs after the others, by itself.
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

jobs=${E2E_JOBS:-1}
case $jobs in ''|*[!0-9]*|0) echo "E2E_JOBS: not a positive number: $jobs" >&2; exit 2 ;; esac

tests=("$@")
[ ${#tests[@]} -gt 0 ] || tests=(t[0-9]*.sh)
shared=() alone=()
for t in "${tests[@]}"; do
	if [ "$jobs" -gt 1 ] && grep -q '^# e2e: alone' "$t" 2>/dev/null; then
		alone+=("$t")
	else
		shared+=("$t")
	fi
done

logs=$(mktemp -d /tmp/slipway-e2e-logs.XXXXXX)

# run_one t: run test t, leave its status and time in $logs/t.rc
run_one() {
	local t=$1 start rc san=$logs/$1.san
	start=$(date +%s)
	mkdir -p "$san"
	SLIPWAY_E2E_SAN_DIR=$san bash "$t" >"$logs/$t.log" 2>&1
	rc=$?
	compgen -G "$san/*" >/dev/null && rc=99
	echo "$rc $(( $(date +%s) - start ))" >"$logs/$t.rc"
}

pass=0 fail=0 failed=()
# report t: print the result of a finished test
report() {
	local t=$1 rc secs san=$logs/$1.san
	read -r rc secs <"$logs/$t.rc"
	if [ "$rc" -eq 0 ]; then
		pass=$((pass + 1)); echo "ok   $t (${secs}s)"
		grep '^# figure: ' "$logs/$t.log" | sed 's/^# /    /' || true
	else
		fail=$((fail + 1)); failed+=("$t"); echo "FAIL $t (${secs}s)"
		sed 's/^/    /' "$logs/$t.log" | tail -40
		# sanitizer reports (make SAN=1 e2e), see lib.sh
		if compgen -G "$san/*" >/dev/null; then
			head -n 60 "$san"/* | sed 's/^/    /'
		fi
	fi
}

# Up to $jobs at a time; results are printed in the order the tests finish.
declare -A running=()
for t in "${shared[@]}" ""; do
	while [ ${#running[@]} -ge "$jobs" ] || { [ -z "$t" ] && [ ${#running[@]} -gt 0 ]; }; do
		wait -n
		for r in "${!running[@]}"; do
			[ -e "$logs/$r.rc" ] || continue
			report "$r"; unset "running[$r]"
		done
	done
	[ -n "$t" ] || break
	run_one "$t" &
	running[$t]=$!
done
for t in "${alone[@]}"; do
	run_one "$t"; report "$t"
done
echo "e2e: $pass passed, $fail failed"
[ ${#failed[@]} -eq 0 ] || echo "failed: ${failed[*]}"
[ $fail -eq 0 ]
