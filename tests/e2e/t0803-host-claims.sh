#!/usr/bin/env bash
# A host name belongs to one app (issue 9, class 4): app B serves
# b.example.test through nginx; a push of app A naming that host, a wildcard
# over it, or no host at all (the default server, reserved to
# [proxy] default_app) fails before anything changes, names the owner, and
# B keeps serving its host. Destroying B frees the name.
. "$(dirname "$0")/lib.sh"

command -v nginx >/dev/null || fail "nginx is not installed (nginx-light)"
NPORT=$(free_port)
N=$WORLD/nginx
mkdir -p "$N/sites" "$N/tmp"
cat >"$N/nginx.conf" <<NGX
pid $N/nginx.pid;
error_log $N/error.log;
worker_processes 1;
events { worker_connections 64; }
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
a=e2e-claim-a-$RUN
b=e2e-claim-b-$RUN
cat >>"$CONF" <<CONF
[proxy]
sites_dir = $N/sites
listen = 127.0.0.1:$NPORT
check = nginx -c $N/nginx.conf -t
reload = nginx -c $N/nginx.conf -s reload
CONF
nginx -c "$N/nginx.conf"
stop_nginx() { nginx -c "$N/nginx.conf" -s stop 2>/dev/null || true; }
trap 'stop_nginx; cleanup' EXIT

# site APP TEXT HOSTS: a web service behind nginx for HOSTS ("" = none)
site() {
	local app=$1 d=$WORLD/src/$1
	mkdir -p "$d/www"
	printf '%s\n' "$2" >"$d/www/index.html"
	cat >"$d/Dockerfile" <<DF
FROM $BASE_IMAGE
COPY www /var/www
CMD ["httpd", "-f", "-p", "8080", "-h", "/var/www"]
DF
	cat >"$d/compose.yaml" <<YML
services:
  web:
    build: .
    init: true
    x-slipway:
      http:
        port: 8080
YML
	[ -z "$3" ] || printf '        hosts: ["%s"]\n' "$(echo "$3" | sed 's/, /", "/g')" >>"$d/compose.yaml"
	commit_all $app "$2"
}
host_get() { curl -fsS --max-time 2 -H "Host: $1" "http://127.0.0.1:$NPORT/"; }

new_app $b
site $b "B serves b" "b.example.test"
push $b || { cat "$WORLD/push.out"; fail "push of B"; }
[ "$(host_get b.example.test)" = "B serves b" ] || fail "B does not serve its host"
b_site=$(cat "$N/sites/$b.conf")

new_app $a
n=0
for hosts in "b.example.test" "B.Example.Test" "*.example.test" "*.test" "a.example.test, b.example.test"; do
	n=$((n + 1))
	say "A claims $hosts"
	site $a "A $n" "$hosts"
	push $a -f || true
	[ "$(grep -c 'remote: error:' "$WORLD/push.out")" = 1 ] ||
		{ cat "$WORLD/push.out" >&2; fail "$hosts: expected one error line"; }
	expect_in "$WORLD/push.out" "belongs to app \"$b\""
	[ -z "$(docker ps -aq --filter "label=com.docker.compose.project=$a")" ] ||
		fail "$hosts: A got containers"
	[ ! -e "$N/sites/$a.conf" ] || fail "$hosts: A got a site file"
	[ "$(cat "$N/sites/$b.conf")" = "$b_site" ] || fail "$hosts: B's site changed"
	[ "$(host_get b.example.test)" = "B serves b" ] || fail "$hosts: B lost its host"
done

say "A without hosts would be the default server: only default_app may"
site $a "A default" ""
push $a -f || true
expect_in "$WORLD/push.out" 'remote: error: service "web": "x-slipway.http" without hosts would make it nginx'"'"'s default server, which only the app named in [proxy] default_app may be'
[ -z "$(docker ps -aq --filter "label=com.docker.compose.project=$a")" ] || fail "A got containers"

say "a host of its own is fine"
site $a "A serves a" "a.example.test"
push $a -f || { cat "$WORLD/push.out"; fail "A with its own host"; }
[ "$(host_get a.example.test)" = "A serves a" ] || fail "A does not serve its host"
[ "$(host_get b.example.test)" = "B serves b" ] || fail "B lost its host"

say "destroying B frees its host"
slipway app destroy $b >/dev/null || fail "destroy B"
site $a "A serves both" "a.example.test, b.example.test"
push $a -f || { cat "$WORLD/push.out"; fail "A taking the freed host"; }
[ "$(host_get b.example.test)" = "A serves both" ] || fail "A does not serve the freed host"
