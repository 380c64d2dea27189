#!/usr/bin/env bash
# Anonymous volumes are data, as in compose: `volumes: [/data]` and the
# image's VOLUME keep what the app wrote across a redeploy and a rollback
# (the new container takes over the old one's volumes), a `run` container
# leaves none behind, and `app destroy --volumes` removes them.
. "$(dirname "$0")/lib.sh"

app=e2e-anon-$RUN
new_app $app
d=$WORLD/src/$app
mkdir -p "$d/db"
cat >"$d/db/Dockerfile" <<DF
FROM $BASE_IMAGE
VOLUME /cache
CMD ["sleep", "3600"]
DF
compose() {
	cat >"$d/compose.yaml" <<YML
services:
  db:
    build: ./db
    init: true
    environment: [V=$1]
    volumes: [/data]
YML
}
compose 1
commit_all $app v1
sha1=$(git -C "$d" rev-parse HEAD)

# anon NAME: "TARGET=VOLUME" of the container's volumes, sorted
anon() {
	docker inspect -f '{{range .Mounts}}{{.Destination}}={{.Name}}{{"\n"}}{{end}}' "$1" |
		grep . | sort
}

say "first deploy: an anonymous volume at /data, the image's at /cache"
push $app || { cat "$WORLD/push.out"; fail "push v1"; }
c=$app-db-1
vols=$(anon $c)
[ "$(printf '%s\n' "$vols" | grep -c '^/data=[0-9a-f]\{64\}$')" = 1 ] &&
	[ "$(printf '%s\n' "$vols" | grep -c '^/cache=[0-9a-f]\{64\}$')" = 1 ] ||
	fail "anonymous volumes: $vols"
docker exec $c sh -c 'echo d1 >/data/f && echo c1 >/cache/f' || fail "write"

say "a redeploy with a new config keeps them"
old=$(container_id $c)
compose 2
commit_all $app v2
push $app || { cat "$WORLD/push.out"; fail "push v2"; }
[ "$(container_id $c)" != "$old" ] || fail "not recreated"
[ "$(docker exec $c sh -c 'echo $V')" = 2 ] || fail "the new config is not live"
[ "$(anon $c)" = "$vols" ] || fail "volumes changed: $(anon $c) (were $vols)"
[ "$(docker exec $c cat /data/f /cache/f | tr '\n' ' ')" = "d1 c1 " ] ||
	fail "the data did not survive the redeploy"

say "a rollback by push keeps them too"
git -C "$d" push -q -f production "$sha1:refs/heads/main" >"$WORLD/push.out" 2>&1 ||
	{ cat "$WORLD/push.out"; fail "rollback push"; }
[ "$(docker exec $c sh -c 'echo $V')" = 1 ] || fail "not rolled back"
[ "$(anon $c)" = "$vols" ] || fail "volumes changed on rollback: $(anon $c)"
[ "$(docker exec $c cat /data/f)" = d1 ] || fail "the data did not survive the rollback"

say "a run container leaves no anonymous volume behind"
# the engine is shared: only the volumes this app's run container mounted
docker events --since "$(date +%s)" --until "$(($(date +%s) + 30))" \
	--filter type=volume --filter event=mount \
	--filter type=container --filter event=create --format \
	'{{.Type}} {{.Actor.ID}} {{index .Actor.Attributes "container"}}{{index .Actor.Attributes "name"}}' \
	>"$WORLD/events" &
EV=$!
sleep 1
slipway run $app db sh -c 'ls /data /cache >/dev/null' >"$WORLD/run.out" 2>&1 ||
	{ cat "$WORLD/run.out"; fail "run"; }
sleep 1
kill $EV 2>/dev/null; wait $EV 2>/dev/null || true
run_id=$(awk -v p="$app-db-run-" '$1 == "container" && index($3, p) == 1 {print $2}' "$WORLD/events")
[ -n "$run_id" ] || { cat "$WORLD/events"; fail "no run container seen"; }
made=$(awk -v id="$run_id" '$1 == "volume" && $3 == id {print $2}' "$WORLD/events" | sort -u)
[ -n "$made" ] || fail "the run container mounted no volume: nothing was checked"
for v in $made; do
	if printf '%s\n' "$vols" | grep -q "=$v\$"; then
		fail "the run container took over the live container's volume $v"
	fi
	! docker volume inspect "$v" >/dev/null 2>&1 || fail "volume $v of the run container left"
done

say "app destroy --volumes removes them"
slipway app destroy $app --volumes >"$WORLD/destroy.out" 2>&1 ||
	{ cat "$WORLD/destroy.out"; fail "destroy"; }
APPS_MADE=()
for v in $(printf '%s\n' "$vols" | cut -d= -f2); do
	! docker volume inspect "$v" >/dev/null 2>&1 || fail "volume $v outlived its app"
done
first=$(printf '%s\n' "$vols" | head -1 | cut -d= -f2 | cut -c1-12)
expect_in "$WORLD/destroy.out" "Removing volume $first (anonymous"
say ok
