#!/usr/bin/env bash
# restart and scale of a web service (x-slipway.http) go start-first through
# nginx: a steady stream of requests across a restart, a scale out and a
# scale in sees no failure; stop takes the site down and start brings it back.
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
cat >>"$CONF" <<CONF
[proxy]
sites_dir = $N/sites
listen = 127.0.0.1:$NPORT
check = nginx -c $N/nginx.conf -t
reload = nginx -c $N/nginx.conf -s reload
CONF
nginx -c "$N/nginx.conf"
stop_nginx() { nginx -c "$N/nginx.conf" -s stop 2>/dev/null || true; }
trap 'rc=$?; stop_nginx; (exit $rc); cleanup' EXIT

app=e2e-webops-$RUN
# A web service without hosts is nginx's default server: this app may be.
echo "default_app = $app" >>"$CONF"
new_app $app
src=$WORLD/src/$app
mkdir -p "$src/www"
version() {
	printf 'version %s\n' "$1" >"$src/www/index.html"
	printf 'ok\n' >"$src/www/up"
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
    deploy:
      replicas: 2
    x-slipway:
      http:
        port: 8080
        healthcheck: /${2:-up}
YML
	commit_all $app "v$1"
}

version 1
push $app || { cat "$WORLD/push.out"; fail "first push"; }
wait_http "http://127.0.0.1:$NPORT/" "version 1"

say "a steady stream of requests across restart and scale"
( sent=0 failed=0 end=$(( $(date +%s) + 150 ))
  while [ ! -e "$WORLD/stop" ] && [ $sent -lt 6000 ] && [ "$(date +%s)" -lt $end ]; do
	sent=$((sent + 1))
	curl -fsS --max-time 5 -o /dev/null "http://127.0.0.1:$NPORT/" 2>>"$WORLD/curl.err" || failed=$((failed + 1))
	sleep 0.02
  done
  echo "$sent $failed" >"$WORLD/load.result" ) &
loader=$!
sleep 1

ids() { docker ps -q --no-trunc --filter label=com.docker.compose.project=$app | sort | tr '\n' ' '; }
before=$(ids)
t0=$(date +%s%N)
slipway restart $app >"$WORLD/out" 2>&1 || { cat "$WORLD/out"; fail "restart"; }
say "restart took $(( ($(date +%s%N) - t0) / 1000000 )) ms"
after=$(ids)
[ -n "$after" ] && [ "$(comm -12 <(tr ' ' '\n' <<<"$before" | sort) <(tr ' ' '\n' <<<"$after" | sort) | grep -c .)" = 0 ] ||
	fail "restart kept a container ($before -> $after)"
slipway scale $app web=3 >"$WORLD/out" 2>&1 || { cat "$WORLD/out"; fail "scale 3"; }
[ "$(docker ps -q --filter label=com.docker.compose.project=$app | wc -l)" = 3 ] || fail "scale out"
[ "$(grep -c "server 127.0.0.1:" "$N/sites/$app.conf")" = 3 ] || { cat "$N/sites/$app.conf"; fail "upstream of 3"; }
slipway scale $app web=1 >"$WORLD/out" 2>&1 || { cat "$WORLD/out"; fail "scale 1"; }
[ "$(docker ps -q --filter label=com.docker.compose.project=$app | wc -l)" = 1 ] || fail "scale in"
sleep 1
touch "$WORLD/stop"
wait $loader
read -r sent failed <"$WORLD/load.result"
say "requests sent: $sent, failed: $failed"
[ "$sent" -gt 50 ] || fail "too few requests were sent ($sent)"
[ "$failed" -eq 0 ] || { head -5 "$WORLD/curl.err"; fail "$failed of $sent requests failed"; }

say "stop takes the site down, start brings it back"
slipway stop $app >"$WORLD/out" 2>&1 || { cat "$WORLD/out"; fail "stop"; }
[ ! -e "$N/sites/$app.conf" ] || { cat "$N/sites/$app.conf"; fail "site left after stop"; }
slipway start $app >"$WORLD/out" 2>&1 || { cat "$WORLD/out"; fail "start"; }
wait_http "http://127.0.0.1:$NPORT/" "version 1"
