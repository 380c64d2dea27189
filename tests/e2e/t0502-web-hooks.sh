#!/usr/bin/env bash
# post_start and pre_stop hooks of a web service behind nginx (the
# start-first cutover path) run as they do for any other service: post_start
# in each new container before it is routed to, pre_stop in each old one
# before it stops; a failing post_start fails the deploy and the live
# release keeps serving.
. "$(dirname "$0")/lib.sh"

command -v nginx >/dev/null || fail "nginx is not installed (nginx-light)"
NPORT=$(free_port)
N=$WORLD/nginx
mkdir -p "$N/sites" "$N/tmp"
cat >"$N/nginx.conf" <<NGX
pid $N/nginx.pid;
error_log $N/error.log;
worker_processes 1;
events { worker_connections 256; }
http {
	access_log off;
	client_body_temp_path $N/tmp/body;
	proxy_temp_path $N/tmp/proxy;
	fastcgi_temp_path $N/tmp/fastcgi;
	uwsgi_temp_path $N/tmp/uwsgi;
	scgi_temp_path $N/tmp/scgi;
	include $N/sites/*.conf;
}
NGX
app=e2e-webhooks-$RUN
cat >>"$CONF" <<CONF
[proxy]
sites_dir = $N/sites
listen = 127.0.0.1:$NPORT
check = nginx -c $N/nginx.conf -t
reload = nginx -c $N/nginx.conf -s reload
default_app = $app
CONF
nginx -c "$N/nginx.conf"
stop_nginx() { nginx -c "$N/nginx.conf" -s stop 2>/dev/null || true; }
trap 'stop_nginx; cleanup' EXIT

new_app $app
src=$WORLD/src/$app
mkdir -p "$src/www"
# version TEXT HOOK-VAR
version() {
	printf '%s\n' "$1" >"$src/www/index.html"
	cat >"$src/Dockerfile" <<DF
FROM $BASE_IMAGE
COPY www /var/www
CMD ["httpd", "-f", "-p", "8080", "-h", "/var/www"]
DF
	cat >"$src/compose.yaml" <<YML
services:
  web:
    build: .
    init: true
    volumes: [marks:/marks]
    post_start:
      - command: ["sh", "-c", "echo started-\$\$HOOK_VAR >>/marks/log"]
        environment: {HOOK_VAR: $2}
    pre_stop:
      - command: sh -c 'echo stopping >>/marks/log'
    x-slipway:
      http:
        port: 8080
volumes:
  marks: {}
YML
	commit_all $app "$1"
}
marks() { docker exec $app-web-1 cat /marks/log | tr '\n' ' '; }

say "the first deploy runs post_start"
version "version 1" one
push $app || { cat "$WORLD/push.out"; fail "first push"; }
wait_http "http://127.0.0.1:$NPORT/" "version 1"
expect_in "$WORLD/push.out" "Running the post_start hook of $app-web-1"
[ "$(marks)" = "started-one " ] || fail "post_start on the first deploy: $(marks)"

say "a start-first cutover runs post_start in the new, pre_stop in the old"
version "version 2" two
push $app || { cat "$WORLD/push.out"; fail "second push"; }
wait_http "http://127.0.0.1:$NPORT/" "version 2"
expect_in "$WORLD/push.out" "Starting $app-web-1 beside the live release"
[ "$(marks)" = "started-one started-two stopping " ] || fail "hooks on cutover: $(marks)"

say "a failing post_start fails the deploy; the live release keeps serving"
version "version 3" three
sed -i 's/echo started-/exit 3; echo /' "$src/compose.yaml"
commit_all $app "hook fails"
push $app && fail "a failing post_start went live"
expect_in "$WORLD/push.out" "post_start hook of \"$app-web-1\" exited with code 3"
wait_http "http://127.0.0.1:$NPORT/" "version 2"
say ok
