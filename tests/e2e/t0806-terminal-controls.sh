#!/usr/bin/env bash
# What a pusher's build prints cannot drive the terminal of whoever reads
# it: escape sequences (an OSC 52 clipboard write, a line erase) and
# carriage returns reach neither the push output nor `history --log`, where
# they show as ^[ ^G ^M.
. "$(dirname "$0")/lib.sh"

a=e2e-esc-$RUN
new_app $a
cat >"$WORLD/src/$a/Dockerfile" <<DF
FROM $BASE_IMAGE
RUN printf 'mark-$RUN\033]52;c;ZWNobyBvd25lZA==\007\033[2Khidden\rover\n'
CMD ["sleep", "100000"]
DF
printf 'services:\n  web:\n    build: .\n    init: true\n' >"$WORLD/src/$a/compose.yaml"
commit_all $a "esc"
push $a || { cat "$WORLD/push.out"; fail "push"; }
slipway history $a --log 1 >"$WORLD/log.out"
for f in push.out log.out; do
	grep -a "mark-$RUN" "$WORLD/$f" | grep -v RUN >"$WORLD/line" ||
		{ cat "$WORLD/$f"; fail "$f: the build's line is missing"; }
	if LC_ALL=C grep -q $'[\x01-\x08\x0b-\x1f\x7f]' "$WORLD/line"; then
		cat -A "$WORLD/line" >&2; fail "$f: a control character got through"
	fi
	expect_in "$WORLD/line" "mark-$RUN^[]52;c;ZWNobyBvd25lZA==^G^[[2Khidden^Mover"
done
say "a refused push whose error quotes the pusher's bytes: history lists it masked"
# YAML's own escapes: raw control characters are a syntax error
printf 'services:\n  web:\n    build: .\n    image: "x\\e]0;pwned\\a"\n' >"$WORLD/src/$a/compose.yaml"
commit_all $a "bad image"
if push $a; then fail "an image name with ESC was accepted"; fi
slipway history $a >"$WORLD/list.out"
expect_in "$WORLD/list.out" "x^[]0;pwned^G"
if LC_ALL=C grep -q $'[\x01-\x08\x0b-\x1f\x7f]' "$WORLD/list.out" "$WORLD/push.out"; then
	cat -A "$WORLD/list.out" >&2; fail "a control character got through the history list"
fi
say "ok"
