#!/usr/bin/env bash
# Operator edges: `app destroy` during a deploy waits for it (it used to
# pull the containers from under it, and the deploy then retried a rollback
# against a deleted repository for a minute and left a journal behind);
# destroy keeps named volumes unless --volumes; `deploy` before any push
# says so; `key add` for an app that does not exist warns.
. "$(dirname "$0")/lib.sh"

app=e2e-dst-$RUN
new_app $app
src=$WORLD/src/$app
printf 'FROM %s\nCMD ["sleep", "100000"]\n' "$BASE_IMAGE" >"$src/Dockerfile"
# web turns healthy only after ~4 s: a deploy in progress to destroy under
cat >"$src/compose.yaml" <<'YML'
services:
  web:
    build: .
    init: true
    volumes: [data:/data]
    healthcheck:
      test: ["CMD", "sh", "-c", "test -e /tmp/up || { sleep 4; touch /tmp/up; false; }"]
      interval: 1s
      retries: 20
volumes:
  data:
YML

say "deploy before any push names the cause"
if slipway deploy $app >"$WORLD/out" 2>&1; then fail "deploy of an empty app succeeded"; fi
expect_in "$WORLD/out" "error: app \"$app\" has nothing to deploy yet: its branch \"main\" has no commit (push to it first)"

say "key add for an app that does not exist warns"
printf '[ssh]\nauthorized_keys = %s/ak\n' "$WORLD" >>"$CONF"
ssh-keygen -q -t ed25519 -N '' -f "$WORLD/k" >/dev/null
slipway key add alice --apps $app,nope-$RUN <"$WORLD/k.pub" >"$WORLD/out" 2>&1 || { cat "$WORLD/out"; fail "key add"; }
expect_in "$WORLD/out" "warning: app \"nope-$RUN\" does not exist (yet)"
expect_not_in "$WORLD/out" "app \"$app\" does not exist"

say "a first deploy, then a second one that destroy meets in progress"
commit_all $app "v1"
push $app || { cat "$WORLD/push.out"; fail "first push"; }
docker exec $app-web-1 sh -c 'echo kept >/data/f'
echo 'LABEL v=2' >>"$src/Dockerfile"
commit_all $app "v2"
push $app & pushpid=$!
for _ in $(seq 50); do
	grep -q "Health gate" "$WORLD/push.out" 2>/dev/null && break
	sleep 0.2
done
t0=$(date +%s)
slipway app destroy $app >"$WORLD/destroy.out" 2>&1 || { cat "$WORLD/destroy.out"; fail "destroy"; }
wait $pushpid || true
t1=$(date +%s)
expect_in "$WORLD/destroy.out" "waiting for the deploy of this app to finish"
expect_in "$WORLD/push.out" "Deployed $app"
expect_not_in "$WORLD/push.out" "rollback failed"
[ $((t1 - t0)) -lt 40 ] || fail "destroy and deploy took $((t1 - t0)) s"
[ -z "$(docker ps -aq --filter "label=com.docker.compose.project=$app")" ] ||
	fail "containers of the destroyed app remain"
[ ! -e "$WORLD/state/apps/$app/journal" ] || fail "a journal of the destroyed app remains"

say "the named volume was kept, and comes back with the app"
docker volume inspect ${app}_data >/dev/null || fail "destroy removed the named volume"
slipway app create $app >/dev/null
push $app -f || { cat "$WORLD/push.out"; fail "push after re-create"; }
[ "$(docker exec $app-web-1 cat /data/f)" = kept ] || fail "the volume's data is gone"
slipway app destroy $app --volumes >/dev/null
! docker volume inspect ${app}_data >/dev/null 2>&1 || fail "--volumes kept the volume"
say "ok"
