#!/usr/bin/env bash
# [deploy] default_restart is given after the health gate, to running
# containers only: a long-running service gets unless-stopped, a one-shot job
# without a restart key that exited 0 keeps "no" and is never started again.
. "$(dirname "$0")/lib.sh"

app=e2e-restart-$RUN
port=$(free_port)
new_app $app
web_app $app $port "served"
cat >>"$WORLD/src/$app/compose.yaml" <<YML
  job:
    image: $BASE_IMAGE
    command: ["sh", "-c", "echo job done"]
YML
commit_all $app "web and a one-shot job"
push $app || { cat "$WORLD/push.out"; fail "push"; }
wait_http "http://127.0.0.1:$port/" "served"

say "the web service restarts by itself, the job does not"
[ "$(docker inspect -f '{{.HostConfig.RestartPolicy.Name}}' $app-web-1)" = unless-stopped ] ||
	fail "web has no default restart policy"
pol=$(docker inspect -f '{{.HostConfig.RestartPolicy.Name}}' $app-job-1)
case $pol in ""|no) ;; *) fail "the one-shot job was given the restart policy \"$pol\"";; esac
sleep 3
[ "$(docker inspect -f '{{.State.Status}} {{.State.ExitCode}} {{.RestartCount}}' $app-job-1)" = "exited 0 0" ] ||
	fail "the job ran again: $(docker inspect -f '{{.State.Status}} {{.RestartCount}}' $app-job-1)"
