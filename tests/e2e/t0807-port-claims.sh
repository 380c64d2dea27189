#!/usr/bin/env bash
# A host port belongs to whoever publishes it first (issue 7): app B serves
# a port; a push of app A publishing that port, on B's address or on every
# address, is refused before any build with one line naming B, and a port a
# container that is no app's holds is refused the same way, naming only that
# container. B keeps serving and A's live release is untouched; A
# redeploying its own port works.
. "$(dirname "$0")/lib.sh"

a=e2e-port-a-$RUN
b=e2e-port-b-$RUN
squat=e2e-port-squat-$RUN
pa=$(free_port)
pb=$(free_port)
pc=$(free_port)
trap 'rc=$?; docker rm -f "$squat" >/dev/null 2>&1 || true; (exit $rc); cleanup' EXIT

say "B serves $pb, A serves $pa"
new_app $b
web_app $b $pb "B's page"
commit_all $b "b"
push $b || { cat "$WORLD/push.out"; fail "push of B"; }
wait_http "http://127.0.0.1:$pb/" "B's page"
b_web=$(container_id $b-web-1)
new_app $a
web_app $a $pa "A v1"
commit_all $a "a"
push $a || { cat "$WORLD/push.out"; fail "push of A"; }
wait_http "http://127.0.0.1:$pa/" "A v1"
a_web=$(container_id $a-web-1)
a_live=$(cat "$WORLD/state/apps/$a/current")

# claimed PORTSPEC WANT: A pushes web publishing PORTSPEC besides its own
# port; refused before any build with one error line containing WANT, and
# nothing of A or B changed.
claimed() {
	local spec=$1 want=$2
	echo "changed" >>"$WORLD/src/$a/www/index.html"
	printf '      - "%s"\n' "$spec" >>"$WORLD/src/$a/compose.yaml"
	commit_all $a "take $spec"
	if push $a; then cat "$WORLD/push.out"; fail "$spec: the push was accepted"; fi
	[ "$(grep -c 'remote: error:' "$WORLD/push.out")" = 1 ] ||
		{ cat "$WORLD/push.out" >&2; fail "$spec: expected exactly one error line"; }
	expect_in "$WORLD/push.out" "$want"
	expect_not_in "$WORLD/push.out" "Building"
	[ "$(container_id $a-web-1)" = "$a_web" ] || fail "$spec: A's container changed"
	[ "$(cat "$WORLD/state/apps/$a/current")" = "$a_live" ] || fail "$spec: A's live release changed"
	[ "$(container_id $b-web-1)" = "$b_web" ] || fail "$spec: B's container changed"
	wait_http "http://127.0.0.1:$pa/" "A v1" 2
	wait_http "http://127.0.0.1:$pb/" "B's page" 2
	git -C "$WORLD/src/$a" reset -q --hard HEAD~1
}

say "A publishing B's port is refused, naming B"
claimed "127.0.0.1:$pb:8080" "compose.yaml:2: service \"web\": \"ports: 127.0.0.1:$pb:8080\": host port $pb/tcp is already published by app \"$b\" (container $b-web-1)"
claimed "$((pb - 1))-$((pb + 1)):8081" "\"ports: $((pb - 1))-$((pb + 1)):8081\": host port $pb/tcp is already published by app \"$b\" (container $b-web-1)"

say "a container that is no app's holds $pc: refused, naming only it"
docker run -d --name "$squat" -p 127.0.0.1:$pc:8080 "$BASE_IMAGE" \
	httpd -f -p 8080 -h /var/www >/dev/null
claimed "127.0.0.1:$pc:8080" "\"ports: 127.0.0.1:$pc:8080\": host port $pc/tcp is already published by container \"$squat\" (not this app's)"
docker rm -f "$squat" >/dev/null

say "A redeploys its own port"
echo "A v2" >"$WORLD/src/$a/www/index.html"
commit_all $a "v2"
push $a || { cat "$WORLD/push.out"; fail "A's redeploy of its own port"; }
expect_in "$WORLD/push.out" "Deployed $a"
wait_http "http://127.0.0.1:$pa/" "A v2"
wait_http "http://127.0.0.1:$pb/" "B's page" 2
