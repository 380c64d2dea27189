#!/bin/sh
# check-status.sh - `make check-status`: no status is dropped silently.
# Public functions carry MUST_CHECK (warn_unused_result) in their headers, so
# the normal build already refuses an ignored one. This also covers the
# static functions: it compiles a copy of agent/ in which every `static int`
# function is warn_unused_result too, and fails on any result ignored.
# Exempt: the helpers that only format an error and return -1, as error_set()
# does (EXEMPT below). A status dropped on purpose goes through
# ignore_status() with a comment saying why.
#
# Usage (from the Makefile): CC=cc FLAGS="..." tests/check-status.sh
set -eu
cd "$(dirname "$0")/.."
EXEMPT='lerr|serr|derr|set_engine_error|db_error|parse_error|git_fail'

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cp -R agent "$tmp/agent"
for f in "$tmp"/agent/*/*.c; do
	perl -0pi -e 's/^static int\n([a-z_0-9]+)\(/static __attribute__((warn_unused_result)) int\n$1(/mg' "$f"
done
flags=$(printf '%s\n' ${FLAGS:-} | grep -v -e '^-MMD$' -e '^-MP$' -e '^-Werror$' | tr '\n' ' ')
# A real compile (-c): gcc reports unused results after parsing, so
# -fsyntax-only would find nothing.
for f in "$tmp"/agent/*/*.c; do
	# shellcheck disable=SC2086
	if ! (cd "$tmp" && ${CC:-cc} $flags -Wunused-result -c -o /dev/null \
	    "agent/${f#"$tmp"/agent/}") >"$tmp/out" 2>&1; then
		cat "$tmp/out" >&2
		echo "check-status: ${f#"$tmp"/} does not compile" >&2
		exit 1
	fi
	grep 'unused-result' "$tmp/out" |
	    grep -Ev "‘($EXEMPT)’|'($EXEMPT)'" || true
done >"$tmp/found"
if [ -s "$tmp/found" ]; then
	sed "s|$tmp/||" "$tmp/found" >&2
	echo "check-status: $(wc -l <"$tmp/found") ignored status(es)" >&2
	exit 1
fi
echo "check-status: $(ls agent/*/*.c | wc -l) files, no status ignored"
