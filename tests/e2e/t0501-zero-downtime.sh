#!/usr/bin/env bash
# A web service behind nginx keeps answering through every deploy: a steady
# stream of requests (a new connection each) runs across three deploys and
# one whose health check fails; none may fail, and afterwards there is
# exactly one container per replica, each still on the anonymous volume (the
# image's VOLUME) it started with, its data kept through every cutover.
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
default_app = e2e-web-$RUN
CONF
nginx -c "$N/nginx.conf"
stop_nginx() { nginx -c "$N/nginx.conf" -s stop 2>/dev/null || true; }
trap 'stop_nginx; cleanup' EXIT

app=e2e-web-$RUN
new_app $app
src=$WORLD/src/$app
mkdir -p "$src/www"
version() {
	printf 'version %s\n' "$1" >"$src/www/index.html"
	printf 'ok\n' >"$src/www/up"
	cat >"$src/Dockerfile" <<DF
FROM $BASE_IMAGE
COPY www /var/www
VOLUME /data
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
expect_in "$WORLD/push.out" "Routing $app through nginx"
wait_http "http://127.0.0.1:$NPORT/" "version 1"
[ -f "$N/sites/$app.conf" ] || fail "no site file"
grep -q "127.0.0.1:" "$N/sites/$app.conf" || fail "no upstream in the site"
for r in 1 2; do
	docker exec $app-web-$r sh -c "echo replica $r >/data/mark" || fail "write /data"
done
data_vol() { docker inspect -f '{{range .Mounts}}{{if eq .Destination "/data"}}{{.Name}}{{end}}{{end}}' "$1"; }
vol1=$(data_vol $app-web-1) vol2=$(data_vol $app-web-2)
[ -n "$vol1" ] && [ "$vol1" != "$vol2" ] || fail "anonymous volumes: \"$vol1\" \"$vol2\""

say "a steady stream of requests across the deploys"
( sent=0 failed=0 end=$(( $(date +%s) + 150 ))
  while [ ! -e "$WORLD/stop" ] && [ $sent -lt 6000 ] && [ "$(date +%s)" -lt $end ]; do
	sent=$((sent + 1))
	curl -fsS --max-time 5 -o /dev/null "http://127.0.0.1:$NPORT/" 2>>"$WORLD/curl.err" || failed=$((failed + 1))
	sleep 0.02
  done
  echo "$sent $failed" >"$WORLD/load.result" ) &
loader=$!

for v in 2 3 4; do
	version $v
	t0=$(date +%s%N)
	push $app || { cat "$WORLD/push.out"; fail "push v$v"; }
	say "deploy v$v took $(( ($(date +%s%N) - t0) / 1000000 )) ms; $(grep -o 'cut over in [0-9.]*s' "$WORLD/push.out")"
	expect_in "$WORLD/push.out" "Deployed $app"
	wait_http "http://127.0.0.1:$NPORT/" "version $v" 5
done

say "a deploy whose health path never answers: the live release keeps serving"
version 5 missing-path
push $app || true
expect_in "$WORLD/push.out" "did not answer /missing-path"
expect_in "$WORLD/push.out" "the live release kept serving"
wait_http "http://127.0.0.1:$NPORT/" "version 4" 2

touch "$WORLD/stop"
wait $loader
read -r sent failed <"$WORLD/load.result"
say "requests sent: $sent, failed: $failed"
[ "$sent" -gt 100 ] || fail "too few requests were sent ($sent)"
[ "$failed" -eq 0 ] || { head -5 "$WORLD/curl.err"; fail "$failed of $sent requests failed"; }

say "exactly one container per replica"
names=$(docker ps -a --filter label=com.docker.compose.project=$app --format '{{.Names}}' | sort | tr '\n' ' ')
[ "$names" = "$app-web-1 $app-web-2 " ] || fail "containers: $names"

say "each replica kept its anonymous volume and its data"
[ "$(data_vol $app-web-1) $(data_vol $app-web-2)" = "$vol1 $vol2" ] ||
	fail "volumes now $(data_vol $app-web-1) $(data_vol $app-web-2), were $vol1 $vol2"
[ "$(docker exec $app-web-1 cat /data/mark) $(docker exec $app-web-2 cat /data/mark)" = \
	"replica 1 replica 2" ] || fail "the data did not survive the cutovers"

say "app destroy removes the site file and reloads, names the volumes it keeps"
slipway app destroy $app >"$WORLD/destroy.out"
expect_in "$WORLD/destroy.out" "Keeping volume $vol1 (anonymous, /data of $app-web-1)"
docker volume rm "$vol1" "$vol2" >/dev/null
APPS_MADE=()
[ ! -e "$N/sites/$app.conf" ] || fail "site file left after destroy"
