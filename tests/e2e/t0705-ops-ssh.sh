#!/usr/bin/env bash
# The operating verbs over the SSH gateway and through `slipway remote`,
# with the key's app grant: ps shows the key's apps only; run (stdin, exit
# status, a TTY only with ssh -t), exec, scale, restart, stop/start, config,
# logs --since work for the key's app, and every one of them is refused for
# another app, where nothing is created.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib-sshd.sh"

appA=e2e-opsa-$RUN appB=e2e-opsb-$RUN
portA=$(free_port) portB=$(free_port)
for a in $appA:$portA $appB:$portB; do
	app=${a%%:*} port=${a##*:}
	new_app $app
	web_app $app $port "hello from $app"
	cat >>"$WORLD/src/$app/compose.yaml" <<'YML'
  worker:
    build: .
    command: ["sh", "-c", "echo worker up; exec sleep 3600"]
YML
	commit_all $app "v1"
	push $app || { cat "$WORLD/push.out"; fail "push $app"; }
done
shaA=$(git -C "$WORLD/src/$appA" rev-parse HEAD)
wait_http "http://127.0.0.1:$portA/" "hello from $appA"
new_key devA --apps $appA
sshA() { ssh_as devA $SSH_HOST "$@"; }

say "ps: the key's apps only"
sshA ps >"$WORLD/out" || fail "ssh ps"
expect_in "$WORLD/out" "$appA"
expect_not_in "$WORLD/out" "$appB"
sshA ps --json | jq -e --arg a $appA '[.[].app] | unique == [$a]' >/dev/null || fail "ssh ps --json"
sshA ps $appA | grep -q "^$appA-web-1 " || fail "ssh ps APP"

say "the key cannot reach another app with any verb"
for cmd in "ps $appB" "run $appB web true" "exec $appB web true" "scale $appB worker=2" \
    "restart $appB" "stop $appB" "start $appB" "config $appB set --no-deploy X=1111" \
    "logs $appB --since 10m"; do
	rc=0; sshA "$cmd" >"$WORLD/out" 2>"$WORLD/err" || rc=$?
	[ $rc = 1 ] || fail "\"$cmd\" for another app exited $rc"
	expect_in "$WORLD/err" "no access to app \"$appB\""
done
[ -z "$(docker ps -aq --filter "name=$appB-web-run-")" ] || fail "a refused run created a container"
[ "$(docker ps -q --filter label=com.docker.compose.project=$appB | wc -l)" = 2 ] || fail "app B was touched"
slipway config $appB list | grep -q X && fail "app B's config was changed"

say "run over ssh: output, exit status, stdin; no TTY without -t"
rc=0; sshA "run $appA web sh -c 'echo out; echo err >&2; exit 5'" >"$WORLD/out" 2>"$WORLD/err" </dev/null || rc=$?
[ $rc = 5 ] || fail "ssh run exit status $rc"
[ "$(cat "$WORLD/out")" = out ] && [ "$(cat "$WORLD/err")" = err ] || fail "ssh run output"
[ "$(printf 'piped\n' | sshA "run $appA web cat")" = piped ] || fail "ssh run stdin"
rc=0; sshA "run $appA web tty" >"$WORLD/out" 2>&1 </dev/null || rc=$?
[ $rc = 1 ] && grep -q "not a tty" "$WORLD/out" || { cat "$WORLD/out"; fail "ssh run without -t got a TTY"; }
say "run over ssh -t: a TTY"
script -qec "ssh $SSH_OPTS -i $KEYS/devA -tt $SSH_HOST \"run $appA web sh -c 'tty; exit 4'\"" /dev/null \
	>"$WORLD/out" </dev/null && rc=0 || rc=$?
grep -q "/dev/pts/[0-9]" "$WORLD/out" || { cat -A "$WORLD/out"; fail "ssh -t run got no TTY"; }
[ $rc = 4 ] || fail "ssh -t run exit status $rc"

say "exec, scale, restart, stop/start, config, logs over ssh"
[ "$(sshA "exec $appA web cat /var/www/index.html" </dev/null)" = "hello from $appA" ] || fail "ssh exec"
sshA "scale $appA worker=2" >"$WORLD/out" 2>&1 || { cat "$WORLD/out"; fail "ssh scale"; }
[ "$(docker ps -q --filter label=com.docker.compose.project=$appA --filter label=com.docker.compose.service=worker | wc -l)" = 2 ] ||
	fail "ssh scale did not scale"
w1=$(container_id $appA-worker-1)
sshA "restart $appA worker" >"$WORLD/out" 2>&1 || { cat "$WORLD/out"; fail "ssh restart"; }
[ "$(container_id $appA-worker-1)" != "$w1" ] || fail "ssh restart kept the container"
sshA "stop $appA worker" >"$WORLD/out" 2>&1 || { cat "$WORLD/out"; fail "ssh stop"; }
sshA "ps --json" | jq -e '.[] | select(.service == "worker") | .stopped and .running == 0' >/dev/null ||
	fail "ps over ssh does not say stopped"
sshA "start $appA worker" >"$WORLD/out" 2>&1 || { cat "$WORLD/out"; fail "ssh start"; }
sshA "config $appA set GREETING=hiya" >"$WORLD/out" 2>&1 || { cat "$WORLD/out"; fail "ssh config set"; }
expect_in "$WORLD/out" "Deployed $appA"
sshA "logs $appA worker --since 10m --timestamps" >"$WORLD/out" || fail "ssh logs --since"
grep -Eq "^worker-[12] \| 20[0-9-]+T[0-9:.]+Z worker up$" "$WORLD/out" || { cat "$WORLD/out"; fail "ssh logs --timestamps"; }
slipway history $appA --json | jq -e '[.[0:5][] | .user] | all(. == "devA")' >/dev/null ||
	{ slipway history $appA --json | head -40; fail "history does not name the key"; }

say "slipway remote: ps, run with stdin and exit status"
unset SSH_AUTH_SOCK
mkdir -p "$HOME/.ssh" && chmod 700 "$HOME/.ssh"
cp "$KEYS/devA" "$HOME/.ssh/id_ed25519"
cp "$KNOWN_HOSTS" "$HOME/.ssh/known_hosts"
git -C "$WORLD/src/$appA" remote set-url production "$SSH_URL_BASE/$appA.git"
remote() { (cd "$WORLD/src/$appA" && "$SLIPWAY_BIN" remote "$@"); }
remote ps | grep -q "^$appA-web-1 " || fail "remote ps"
rc=0; remote run web sh -c 'echo via remote; exit 6' >"$WORLD/out" </dev/null || rc=$?
[ $rc = 6 ] && [ "$(cat "$WORLD/out")" = "via remote" ] || fail "remote run ($rc)"
[ "$(printf 'remote stdin\n' | remote run web cat)" = "remote stdin" ] || fail "remote run stdin"
script -qec "cd $WORLD/src/$appA && $SLIPWAY_BIN remote run web tty" /dev/null >"$WORLD/out" </dev/null || true
grep -q "/dev/pts/[0-9]" "$WORLD/out" || { cat -A "$WORLD/out"; fail "remote run in a terminal got no TTY"; }
