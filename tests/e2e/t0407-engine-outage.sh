#!/usr/bin/env bash
# The engine goes away for 2 s (a proxy socket in front of it, killed with
# its connections, then restarted) while a deploy creates containers, during
# the health gate, and during a rollback. Every deploy must end with the new
# or the previous release serving and the record saying which: a healthy
# release goes live (the calls were retried), an unhealthy one is rolled back.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib-faults.sh"

use_proxy
sed -i 's/^\[deploy\]$/[deploy]\nengine_retry = 30/' "$CONF"

app=e2e-outage-$RUN
port=$(free_port)
new_app $app
src=$WORLD/src/$app
healthcheck='    healthcheck:
      test: ["CMD", "wget", "-q", "-O", "/dev/null", "http://127.0.0.1:8080/"]
      interval: 1s
      timeout: 2s
      retries: 2'
release() { # release TEXT [HEALTH_TEST]: commit a release, print its sha
	web_app $app $port "$1"
	printf '%s\n' "$healthcheck" >>"$src/compose.yaml"
	[ -z "${2:-}" ] || sed -i "s|test: .*|test: $2|" "$src/compose.yaml"
	commit_all $app "$1"
	git -C "$src" rev-parse HEAD
}
shaA=$(release "release A")
push $app || { cat "$WORLD/push.out"; fail "push A"; }
shaB=$(release "release B")
push $app || { cat "$WORLD/push.out"; fail "push B"; }
shaC=$(release "release C, unhealthy" '["CMD", "false"]')
git -C "$src" push -q production HEAD:refs/heads/unhealthy
git -C "$src" reset -q --hard HEAD~1
wait_http "http://127.0.0.1:$port/" "release B"
text_of() { case $1 in $shaA) echo "release A";; $shaB) echo "release B";; *) echo "release C";; esac; }

bad=0
# outage CASE TRIGGER TARGET EXPECT ROUNDS: deploy TARGET (B/A alternately
# when TARGET is "other"), kill the engine when the output shows TRIGGER,
# bring it back 2 s later.
outage() {
	local name=$1 trigger=$2 target=$3 expect=$4 rounds=$5 i prev t v
	local ok=0 hit=0 new=0 previous=0 ms=0 t0
	for i in $(seq 1 "$rounds"); do
		prev=$(cat "$WORLD/state/apps/$app/current")
		t=$target
		[ "$t" != other ] || { [ "$prev" = "$shaA" ] && t=$shaB || t=$shaA; }
		t0=$(date +%s%N)
		: >"$WORLD/d.out"
		slipway deploy $app "$t" >"$WORLD/d.out" 2>&1 &
		local dpid=$!
		if wait_line "$WORLD/d.out" "$trigger" 60; then
			proxy_stop
			sleep 2
			proxy_start
		fi
		wait $dpid || true
		ms=$(( ms + ($(date +%s%N) - t0) / 1000000 ))
		grep -q "retrying for up to" "$WORLD/d.out" && hit=$((hit + 1))
		v=$(verdict $app $port "$t" "$(text_of "$t")" "$prev" "$(text_of "$prev")")
		case $v in
		new) new=$((new + 1)); ok=$((ok + 1));;
		previous) previous=$((previous + 1)); ok=$((ok + 1));;
		*) say "$name round $i: $v"; sed 's/^/    | /' "$WORLD/d.out"; bad=$((bad + 1));;
		esac
		if [ "$v" != "$expect" ] && [ "${v#BAD}" = "$v" ]; then
			say "$name round $i: the $v release serves, expected the $expect one"
			sed 's/^/    | /' "$WORLD/d.out"
			bad=$((bad + 1))
		fi
	done
	say "figure: engine down 2 s at $name: $ok/$rounds consistent ($new new, $previous previous serving; the outage hit $hit; $(( ms / rounds )) ms per deploy)"
	[ $hit -gt 0 ] || { say "$name: the outage never hit a deploy"; bad=$((bad + 1)); }
}

say "engine outage during container create"
outage "create" "-----> Recreating" other new 3
say "engine outage during the health gate of a healthy release"
outage "the health gate" "-----> Health gate" other new 3
say "engine outage during the health gate of an unhealthy release"
outage "the gate of an unhealthy release" "-----> Health gate" "$shaC" previous 3
say "engine outage during the rollback"
outage "the rollback" "-----> Rolling back" "$shaC" previous 3

say "an engine that stays away: the error is short and names docker_host"
proxy_stop
sed -i 's/^engine_retry = 30$/engine_retry = 1/' "$CONF"
slipway deploy $app "$shaA" >"$WORLD/d.out" 2>&1 && fail "deploy with no engine succeeded"
expect_in "$WORLD/d.out" "cannot reach the docker engine at \"unix://$PROXY\""
awk 'length > 300 { exit 1 }' "$WORLD/d.out" || { cat "$WORLD/d.out"; fail "an error line over 300 characters"; }
expect_not_in "$WORLD/d.out" "http://"
proxy_start

[ $bad -eq 0 ] || fail "$bad inconsistent or unexpected endings"
