#!/usr/bin/env bash
# Differential test: the same compose files deployed by slipway and by
# docker-compose 1.29 (another project name) give the same containers, field
# by field, once what legitimately differs is normalised: project names in
# names, compose's bookkeeping labels, image IDs, container IDs and names in
# network aliases, the project directory in bind sources.
. "$(dirname "$0")/lib.sh"

command -v docker-compose >/dev/null || fail "docker-compose is not installed"
# default_restart = no: compose's behaviour exactly (the default differs on
# purpose, see README "Failure behaviour").
sed -i 's/^\[deploy\]$/[deploy]\ndefault_restart = no/' "$CONF"

app=e2e-diff-$RUN
dc=e2e-diff-dc-$RUN
fixture=$TOP/tests/e2e/compose/diff
dcdir=$WORLD/dc

dc_down() {
	if [ -d "$dcdir" ]; then
		(cd "$dcdir" && docker-compose -p $dc -f compose.yaml \
			down -t 1 -v --rmi local >/dev/null 2>&1) || true
	fi
}
# Images of the app are removed even when the test fails before destroy.
rm_images() {
	docker images -q --filter "label=slipway.app=$app" | sort -u |
		xargs -r docker rmi -f >/dev/null 2>&1 || true
}
trap 'rc=$?; set +e; dc_down; (exit $rc); cleanup; rm_images' EXIT

new_app $app
DIFF_PORT=$(free_port); export DIFF_PORT
slipway config $app set DIFF_PORT=$DIFF_PORT >/dev/null
cp -R "$fixture/." "$WORLD/src/$app/"
commit_all $app "differential fixture"
sha=$(git -C "$WORLD/src/$app" rev-parse HEAD)

# The project's containers, one normalised object each, sorted by service and
# number. $proj is the project, $dir its directory (bind sources).
normalise() { # normalise PROJECT DIR
	local ids
	ids=$(docker ps -aq --filter "label=com.docker.compose.project=$1")
	[ -n "$ids" ] || fail "no containers for project $1"
	# shellcheck disable=SC2086
	docker inspect $ids | jq -S --arg proj "$1" --arg dir "$2" '
	def unproj: if type == "string" then
		gsub("(?<a>^|/)" + ($proj | gsub("-"; "\\-")) + "_"; "\(.a)<proj>_")
	    else . end;
	def unsrc: if startswith($dir + "/") then "<dir>/" + .[($dir | length) + 1:]
	    else unproj end;
	def unanon: if type == "string" then gsub("[0-9a-f]{64}"; "<anonymous>")
	    else . end;
	map(. as $c | ($c.Id[0:12]) as $short | ($c.Name | ltrimstr("/")) as $name
	  | .Config.Labels as $l
	  | {
	    service: $l["com.docker.compose.service"],
	    number: $l["com.docker.compose.container-number"],
	    oneoff: $l["com.docker.compose.oneoff"],
	    project: ($l["com.docker.compose.project"] | if . == $proj then "<proj>" else . end),
	    labels: ($l | with_entries(select(.key | test("^(com\\.docker\\.compose\\.|slipway\\.)") | not))),
	    Cmd: .Config.Cmd,
	    Entrypoint: .Config.Entrypoint,
	    Env: (.Config.Env // [] | sort),
	    User: .Config.User,
	    WorkingDir: .Config.WorkingDir,
	    Hostname: (.Config.Hostname | if . == $short then "<id>" else . end),
	    Domainname: .Config.Domainname,
	    StopSignal: .Config.StopSignal,
	    StopTimeout: .Config.StopTimeout,
	    Healthcheck: .Config.Healthcheck,
	    Tty: .Config.Tty,
	    OpenStdin: .Config.OpenStdin,
	    ExposedPorts: (.Config.ExposedPorts // {} | keys),
	    HostConfig: (.HostConfig | {
		RestartPolicy, Init, Tmpfs, ExtraHosts, CapAdd,
		CapDrop, ReadonlyRootfs, ShmSize, Memory, MemoryReservation,
		MemorySwap, NanoCpus, PidsLimit, Sysctls, Dns, DnsSearch,
		DnsOptions, LogConfig, Privileged, SecurityOpt, IpcMode, PidMode,
		UsernsMode, Devices, OomScoreAdj, GroupAdd, Links,
		# empty is empty, however it was sent
		PortBindings: (.PortBindings // {}), VolumesFrom: (.VolumesFrom // []),
		Ulimits: (.Ulimits // [] | sort_by(.Name)),
		NetworkMode: (.NetworkMode | unproj),
		TmpfsMounts: ([.Mounts // [] | .[] | select(.Type == "tmpfs")])
	    }),
	    Mounts: (.Mounts | map({Type, Destination, RW, Mode, Propagation,
		Driver, Name: (.Name | unproj | unanon),
		Source: (.Source | unsrc | unanon)})
		| sort_by(.Destination)),
	    Networks: (.NetworkSettings.Networks | to_entries | map({
		key: (.key | unproj),
		value: { IPAMConfig: .value.IPAMConfig,
		    Aliases: ((.value.Aliases // []) - [$short, $name] | sort) }
	    }) | from_entries)
	  }) | sort_by(.service, (.number | tonumber))'
}

# The project's networks and volumes: driver, options, labels. (Attachable
# is left out: 1.29 makes every network attachable, v2 only when asked; so is
# the network's config-hash label, which v2 writes and 1.29 does not.)
resources() { # resources PROJECT
	local f="label=com.docker.compose.project=$1"
	# shellcheck disable=SC2046
	{
		docker network inspect $(docker network ls -q --filter "$f") |
			jq -S --arg proj "$1" 'map({Name: (.Name | ltrimstr($proj + "_")),
			Driver, Internal, EnableIPv6, Options,
			Labels: (.Labels | del(.["com.docker.compose.project"],
			    .["com.docker.compose.version"],
			    .["com.docker.compose.config-hash"]))}) | sort_by(.Name)'
		docker volume inspect $(docker volume ls -q --filter "$f") |
			jq -S --arg proj "$1" 'map({Name: (.Name | ltrimstr($proj + "_")),
			Driver, Options, Labels: (.Labels | del(.["com.docker.compose.project"],
			    .["com.docker.compose.version"]))}) | sort_by(.Name)'
	}
}

# The image each service runs: what the build put in it.
images() { # images PROJECT
	local ids
	ids=$(docker ps -aq --filter "label=com.docker.compose.project=$1")
	# shellcheck disable=SC2086
	for c in $ids; do
		docker image inspect "$(docker inspect -f '{{.Image}}' "$c")" |
			jq -S --arg svc "$(docker inspect -f '{{index .Config.Labels "com.docker.compose.service"}}' "$c")" \
			'.[0].Config | {service: $svc, Env, Cmd, Entrypoint, WorkingDir, User,
			ExposedPorts, Labels: (.Labels // {} | del(.["slipway.app"]))}'
	done | jq -s -S 'sort_by(.service)'
}

# compare WHAT A B: fail with a unified diff when they differ.
compare() {
	if ! diff -u --label "docker-compose 1.29 ($1)" --label "slipway ($1)" \
	    "$2" "$3" >"$WORLD/$1.diff"; then
		cat "$WORLD/$1.diff" >&2
		fail "$1 differ between docker-compose and slipway (see the diff above)"
	fi
}

say "slipway deploys the fixture"
push $app || { cat "$WORLD/push.out"; fail "push failed"; }
expect_in "$WORLD/push.out" "remote: -----> Deployed $app ${sha:0:7}"
wait_http "http://127.0.0.1:$DIFF_PORT/" "hello from-dotenv"
swdir=$(docker inspect -f '{{index .Config.Labels "com.docker.compose.project.working_dir"}}' $app-web-1)
[ "$swdir" = "$WORLD/state/apps/$app/releases/$sha" ] || fail "working_dir label is \"$swdir\""
normalise $app "$swdir" >"$WORLD/slipway.json"
resources $app >"$WORLD/slipway-res.json"
images $app >"$WORLD/slipway-img.json"

say "the one-shot seed ran to completion before web started"
seed_end=$(docker inspect -f '{{.State.FinishedAt}}' $app-seed-1)
web_start=$(docker inspect -f '{{.State.StartedAt}}' $app-web-1)
[ "$(docker inspect -f '{{.State.ExitCode}}' $app-seed-1)" = 0 ] || fail "seed did not exit 0"
[[ "$seed_end" < "$web_start" ]] || fail "web started ($web_start) before seed finished ($seed_end)"

say "docker-compose 1.29 deploys the same files (slipway's containers stopped: same ports)"
docker ps -q --filter label=com.docker.compose.project=$app | xargs docker stop -t 1 >/dev/null
git clone -q "$WORLD/src/$app" "$dcdir"
(cd "$dcdir" && env -u TAG_VALUE docker-compose -p $dc -f compose.yaml up -d) \
	>"$WORLD/dc.out" 2>&1 || { cat "$WORLD/dc.out"; fail "docker-compose up failed"; }
wait_http "http://127.0.0.1:$DIFF_PORT/" "hello from-dotenv"
normalise $dc "$dcdir" >"$WORLD/dc.json"
resources $dc >"$WORLD/dc-res.json"
images $dc >"$WORLD/dc-img.json"

say "the normalisation keeps what matters"
jq -e 'map("\(.service)-\(.number)") == ["db-1", "extra-1", "extra-2", "seed-1", "web-1"]' "$WORLD/slipway.json" >/dev/null ||
	fail "slipway's containers: $(jq -c 'map(.service)' "$WORLD/slipway.json")"
jq -e '.[] | select(.service == "web") | .Networks["<proj>_front"].Aliases == ["site", "web", "web-host", "www"]
	and (.Mounts | map(.Source) | index("<dir>/conf") != null)
	and (.Mounts | map(.Name) | index("<proj>_data") != null)' "$WORLD/dc.json" >/dev/null ||
	{ jq . "$WORLD/dc.json" >&2; fail "normalised docker-compose web lacks its aliases or mounts"; }

say "containers, networks, volumes and images match field by field"
compare containers "$WORLD/dc.json" "$WORLD/slipway.json"
compare resources "$WORLD/dc-res.json" "$WORLD/slipway-res.json"
compare images "$WORLD/dc-img.json" "$WORLD/slipway-img.json"

say "networks are attachable only when the file says so, as in compose v2"
[ "$(docker network inspect -f '{{.Attachable}}' ${app}_front)" = false ] ||
	fail "${app}_front is attachable"
