#!/usr/bin/env bash
# run.sh SECONDS TARGET... - run each libFuzzer target (build/fuzz/fuzz-TARGET)
# for SECONDS from its seeds in tests/fuzz/corpus/TARGET. New inputs go to
# build/fuzz/corpus/TARGET (the seeds stay as they are), a crash to
# build/fuzz/crash-TARGET-*. Fails when any target finds a crash, a leak, a
# sanitizer report or a timeout.
set -u
cd "$(dirname "$0")/../.."
secs=$1
shift
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
failed=
for t in "$@"; do
	work=build/fuzz/corpus/$t
	mkdir -p "$work" tests/fuzz/corpus/"$t"
	log=build/fuzz/fuzz-$t.log
	build/fuzz/fuzz-"$t" -max_total_time="$secs" -timeout=10 \
		-rss_limit_mb=2048 -max_len=65536 -print_final_stats=1 \
		-artifact_prefix=build/fuzz/crash-"$t"- \
		"$work" tests/fuzz/corpus/"$t" >"$log" 2>&1
	rc=$?
	runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")
	cov=$(grep -o 'cov: [0-9]*' "$log" | tail -1)
	if [ $rc -ne 0 ]; then
		grep -A40 -E '^==[0-9]+==ERROR|runtime error|^SUMMARY' "$log" | head -60
		echo "FAILED: fuzz-$t (exit $rc; log $log)"
		failed="$failed $t"
	else
		echo "ok   fuzz-$t (${secs}s, ${runs:-?} runs, ${cov:-cov: ?})"
	fi
done
if [ -n "$failed" ]; then
	echo "fuzz: crashes in:$failed"
	exit 1
fi
echo "fuzz: ${#} targets, no crash"
