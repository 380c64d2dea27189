#!/usr/bin/env bash
# A Dockerfile of app A cannot read app B's image however it is written:
# RUN --mount=from=, a byte-order mark or a form feed that BuildKit reads as
# blanks, a directive line that ends the directives, quotes inside a flag's
# name, a Unicode space, a heredoc body, a Dockerfile over the size slipway
# reads, a "# syntax=" frontend
# other than Docker's; nor write into the cache mounts B's build reads. Each push is refused
# before the build with one error line, and B's secret never reaches A.
# Nor can a build context that is a committed symlink read the host's files
# or have slipway write its inline Dockerfile there.
. "$(dirname "$0")/lib.sh"

a=e2e-dfr-a-$RUN
b=e2e-dfr-b-$RUN

say "app B bakes a secret into its image"
new_app $b
cat >"$WORLD/src/$b/Dockerfile" <<DF
FROM $BASE_IMAGE
RUN echo B-SECRET-$RUN >/secret
CMD ["sleep", "100000"]
DF
printf 'services:\n  web:\n    build: .\n    init: true\n' >"$WORLD/src/$b/compose.yaml"
commit_all $b "b"
push $b || { cat "$WORLD/push.out"; fail "push of B"; }

new_app $a
printf 'services:\n  web:\n    build: .\n    init: true\n' >"$WORLD/src/$a/compose.yaml"
# try CASE PYTHON-BYTES EXPECTED: A's Dockerfile is the bytes; refused.
try() {
	python3 -c "import sys; open(sys.argv[1], 'wb').write($2)" \
	    "$WORLD/src/$a/Dockerfile"
	commit_all $a "$1"
	if push $a -f; then cat "$WORLD/push.out"; fail "$1: accepted"; fi
	expect_in "$WORLD/push.out" "remote: error: build of \"web\""
	expect_in "$WORLD/push.out" "$3"
	expect_not_in "$WORLD/push.out" "B-SECRET"
	[ "$(grep -c 'remote: error:' "$WORLD/push.out")" = 1 ] ||
		{ cat "$WORLD/push.out"; fail "$1: not one error line"; }
	[ -z "$(docker ps -aq --filter "label=com.docker.compose.project=$a")" ] ||
		fail "$1: a container of A was created"
}
tail="b'RUN cat /secret\nCMD [\"sleep\",\"100000\"]\n'"
owned="belongs to app \"$b\""

say "RUN --mount=type=bind,from=B's image"
try mount "b'FROM $BASE_IMAGE\nRUN --mount=type=bind,from=$b-web:latest,target=/b cat /b/secret\n'" "$owned"
say "RUN --MOUNT with a quoted, upper-case FROM= key"
try mount-case "b'FROM $BASE_IMAGE\nRUN --MOUNT=\"FROM=$b-web\",target=/b cat /b/secret\n'" "$owned"
say "a byte-order mark before FROM"
try bom "b'\xef\xbb\xbfFROM $b-web:latest\n'+$tail" "$owned"
say "a form feed between FROM and the image"
try formfeed "b'FROM\x0c$b-web:latest\n'+$tail" "$owned"
say "a no-break space after the image"
try nbsp "b'FROM $b-web:latest\xc2\xa0AS x\n'+$tail" "not an image reference"
say "a second directive line before \"# escape=\`\"" # BuildKit: a comment then
try directive "b'# foo=bar\n# escape=\x60\nFROM $BASE_IMAGE\nRUN echo \x60\nCOPY --from=$b-web:latest /secret /s\n'+$tail" "$owned"
say "quotes inside the flag's name: --fr\"om\"="
try flagquote "b'FROM $BASE_IMAGE\nCOPY --fr\"om\"=$b-web:latest /secret /s\n'+$tail" "$owned"
say "an ideographic space before COPY"
try u3000 "b'FROM $BASE_IMAGE\n\xe3\x80\x80COPY --from=$b-web:latest /secret /s\n'+$tail" "$owned"
say "a heredoc naming a stage like B's image"
try heredoc "b'FROM $BASE_IMAGE\nRUN <<EOT\nFROM scratch AS $b-web\nEOT\nCOPY --from=$b-web /secret /s\n'+$tail" "$owned"
say "a Dockerfile over 1 MiB"
try big "b'# padding padding padding padding padding\n' * 30000 + b'FROM $b-web:latest\n' + $tail" \
    "cannot be read whole (at most 1 MiB)"

say "a frontend image of the pusher's choosing (it could read any image)"
try syntax "b'#  SynTax = evil/frontend:1\n'+b'FROM $BASE_IMAGE\n'+$tail" \
    "\"# syntax=evil/frontend:1\" would run that image as the build's frontend"

say "A's own Dockerfile still builds"
printf 'FROM %s\nCMD ["sleep", "100000"]\n' "$BASE_IMAGE" >"$WORLD/src/$a/Dockerfile"
commit_all $a "good"
push $a -f || { cat "$WORLD/push.out"; fail "a plain Dockerfile was refused"; }
expect_in "$WORLD/push.out" "Deployed $a"

say "RUN --mount=type=cache: A cannot fill the cache B's build reads"
printf 'FROM %s\nRUN --mount=type=cache,target=/c,id=shared-%s echo A-WROTE-%s >/c/f\nCMD ["sleep", "100000"]\n' \
    "$BASE_IMAGE" "$RUN" "$RUN" >"$WORLD/src/$a/Dockerfile"
commit_all $a "cache write"
push $a -f || { cat "$WORLD/push.out"; fail "A's cache write"; }
printf 'FROM %s\nRUN --mount=type=cache,target=/c,id=shared-%s cat /c/f || echo B-SAW-NOTHING\nCMD ["sleep", "100000"]\n' \
    "$BASE_IMAGE" "$RUN" >"$WORLD/src/$b/Dockerfile"
commit_all $b "cache read"
push $b || { cat "$WORLD/push.out"; fail "B's cache read"; }
expect_in "$WORLD/push.out" "B-SAW-NOTHING"
expect_not_in "$WORLD/push.out" "A-WROTE"
say "the namespace of cache mounts is slipway's to set"
printf 'services:\n  web:\n    build:\n      context: .\n      args: {BUILDKIT_CACHE_MOUNT_NS: x}\n' >"$WORLD/src/$a/compose.yaml"
commit_all $a "ns"
if push $a -f; then cat "$WORLD/push.out"; fail "BUILDKIT_CACHE_MOUNT_NS accepted"; fi
expect_in "$WORLD/push.out" "\"build.args.BUILDKIT_CACHE_MOUNT_NS\" is set by slipway"

say "a build context that is a committed symlink to a host directory"
host=$WORLD/hostdir
mkdir -p "$host"
echo "HOST-SECRET-$RUN" >"$host/secret"
printf 'FROM %s\nCOPY secret /s\nRUN cat /s\n' "$BASE_IMAGE" >"$host/Dockerfile"
ln -sfn "$host" "$WORLD/src/$a/ctx"
for form in inline file; do
	if [ $form = inline ]; then
		printf 'services:\n  web:\n    build:\n      context: ./ctx\n      dockerfile_inline: "FROM %s\\nCOPY . /x\\nRUN cat /x/secret\\n"\n' \
		    "$BASE_IMAGE" >"$WORLD/src/$a/compose.yaml"
	else
		printf 'services:\n  web:\n    build: ./ctx\n' >"$WORLD/src/$a/compose.yaml"
	fi
	commit_all $a "symlinked context, $form"
	if push $a -f; then cat "$WORLD/push.out"; fail "symlinked context ($form): accepted"; fi
	expect_in "$WORLD/push.out" "leads outside the release"
	expect_not_in "$WORLD/push.out" "HOST-SECRET"
	[ -z "$(ls -A "$host" | grep -v '^secret$' | grep -v '^Dockerfile$')" ] ||
		fail "symlinked context ($form): slipway wrote into the host directory: $(ls -A "$host")"
done
say "ok"
