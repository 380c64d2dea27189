#!/usr/bin/env bash
# Compose files people already have (issue 18): each scenario is a small
# compose project deployed by slipway and, where docker-compose 1.29 has the
# same semantics, by docker-compose too, comparing what the engine ends up
# with. Where 1.29 differs from compose v2 (network recreation), the v2
# behaviour is checked directly.
. "$(dirname "$0")/lib.sh"

command -v docker-compose >/dev/null || fail "docker-compose is not installed"

DC_PROJECTS=()
dc_down_all() {
	local d
	for d in "${DC_PROJECTS[@]}"; do
		(cd "$WORLD/dc-$d" && docker-compose -p "$d" down -t 1 -v \
			--rmi local >/dev/null 2>&1) || true
	done
}
rm_images() {
	docker images -q --filter "label=slipway.test=$RUN" | sort -u |
		xargs -r docker rmi -f >/dev/null 2>&1 || true
}
trap 'rc=$?; set +e; dc_down_all; (exit $rc); cleanup; rm_images' EXIT

# dc_up APP [ARGS]: docker-compose up -d the app's work tree as its own
# project e2e-dc-...; output in $WORLD/dc.out, the project name in $DCP.
dc_up() {
	local app=$1; shift
	DCP=dc-$app
	DC_PROJECTS+=("$DCP")
	rm -rf "$WORLD/dc-$DCP"
	git clone -q "$WORLD/src/$app" "$WORLD/dc-$DCP"
	(cd "$WORLD/dc-$DCP" && docker-compose -p "$DCP" up -d "$@") >"$WORLD/dc.out" 2>&1
}

# deploy APP: push, and the push must deploy.
deploy() {
	push "$1" || { cat "$WORLD/push.out" >&2; fail "push of $1 failed"; }
	expect_in "$WORLD/push.out" "remote: -----> Deployed $1"
}

# --- 1. a changed network is recreated, its containers reconnected ---------
say "1. network: internal: true is applied on the next push"
app=e2e-net-$RUN
new_app $app
cat >"$WORLD/src/$app/compose.yaml" <<YML
services:
  a:
    image: $BASE_IMAGE
    command: ["sleep", "600"]
    init: true
    networks:
      back:
        aliases: [alpha]
  b:
    image: $BASE_IMAGE
    command: ["sleep", "600"]
    init: true
    networks: [back]
networks:
  back: {}
YML
commit_all $app "network"
deploy $app
[ "$(docker network inspect -f '{{.Internal}}' ${app}_back)" = false ] || fail "network internal from the start"
a_id=$(container_id $app-a-1)
sed -i 's/^  back: {}$/  back:\n    internal: true\n    labels: {tier: back}/' "$WORLD/src/$app/compose.yaml"
commit_all $app "network internal"
deploy $app
expect_in "$WORLD/push.out" "Recreating network ${app}_back"
expect_not_in "$WORLD/push.out" "Nothing to change"
[ "$(docker network inspect -f '{{.Internal}}' ${app}_back)" = true ] || fail "network not internal after push"
[ "$(docker network inspect -f '{{index .Labels "tier"}}' ${app}_back)" = back ] || fail "network label not applied"
[ "$(container_id $app-a-1)" = "$a_id" ] || fail "a was recreated rather than reconnected"
[ "$(docker inspect -f '{{.State.Running}}' $app-a-1)" = true ] || fail "a not running after the network was recreated"
docker exec $app-b-1 ping -c1 -W2 alpha >/dev/null || fail "b cannot reach a by its alias on the new network"
say "1. and an unchanged network is left alone"
commit_all $app "again" 2>/dev/null || git -C "$WORLD/src/$app" commit -q --allow-empty -m again
deploy $app
expect_in "$WORLD/push.out" "Nothing to change"
expect_not_in "$WORLD/push.out" "Recreating network"

say "all scenarios passed"
