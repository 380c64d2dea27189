#!/usr/bin/env bash
# run.sh - run the unit test programs given as arguments from tests/unit and
# sum cmocka's counts into one closing line.
set -u
cd "$(dirname "$0")"
pass=0 fail=0 broken=0
for t in "$@"; do
	out=$("../../$t" 2>&1); rc=$?
	p=$(printf '%s\n' "$out" | sed -n 's/^\[  PASSED  \] \([0-9]*\) test.*/\1/p' | tail -1)
	f=$(printf '%s\n' "$out" | sed -n 's/^\[  FAILED  \] \([0-9]*\) test.*/\1/p' | tail -1)
	pass=$((pass + ${p:-0})); fail=$((fail + ${f:-0}))
	if [ $rc -ne 0 ]; then
		printf '%s\n' "$out" | grep -vE '^\[ +(RUN|OK) +\]' | tail -40
		echo "FAILED: $t (exit $rc)"
		[ -n "$f" ] || broken=$((broken + 1))
	else
		echo "ok   $(basename "$t") (${p:-0} tests)"
	fi
done
fail=$((fail + broken))
echo "unit: $pass passed, $fail failed"
[ $fail -eq 0 ]
