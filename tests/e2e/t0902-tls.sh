#!/usr/bin/env bash
# e2e: alone (see run.sh): it measures time or changes the machine
# HTTPS with certificates that renew themselves (issue 15), against pebble,
# Let's Encrypt's test ACME server, on loopback: an app with two hosts gets
# one certificate through nginx's challenge path and serves both over HTTPS
# (HTTP redirects), and another app's first request at the same moment
# shares the one ACME account; a host pebble cannot validate deploys over
# HTTP with a warning; `certs` lists, `certs renew --force` renews and
# reloads without a failed request under load; `app destroy` removes the
# certificate.
# The run adds a CA file (pebble's listener, for uacme) to the system store
# and names to /etc/hosts, both unique to the run, and removes them again.
. "$(dirname "$0")/lib.sh"

for p in nginx pebble uacme openssl update-ca-certificates; do
	command -v $p >/dev/null || fail "$p is not installed"
done
NPORT=$(free_port)
TPORT=$(free_port)
PPORT=$(free_port)
MPORT=$(free_port)
VPORT=$(free_port)
N=$WORLD/nginx
P=$WORLD/pebble
CA_FILE=/usr/local/share/ca-certificates/slipway-e2e-$RUN.crt
HOSTS_MARK="# slipway-e2e-$RUN"
A1=a1-$RUN.example.test
A2=a2-$RUN.example.test
A3=a3-$RUN.example.test
A4=a4-$RUN.example.test
A5=a5-$RUN.example.test
BAD=nx-$RUN.invalid
app=e2e-tls-$RUN
two=e2e-tlstwo-$RUN
bad=e2e-tlsbad-$RUN
chmod 755 "$WORLD"
mkdir -p "$N/sites" "$N/tmp" "$P"

# machine CMD...: CMD edits the system's CA store or /etc/hosts, one run at a
# time: sed -i renames a new /etc/hosts over the one another run may be
# appending to, and update-ca-certificates builds its bundle in one fixed
# temporary file.
machine() { flock /tmp/slipway-e2e-machine.lock "$@"; }
stop_all() {
	[ -f "$N/nginx.pid" ] && nginx -c "$N/nginx.conf" -s stop 2>/dev/null || true
	[ -n "${PEBBLE_PID:-}" ] && kill "$PEBBLE_PID" 2>/dev/null || true
	[ -n "${LOAD_PID:-}" ] && kill "$LOAD_PID" 2>/dev/null || true
	[ -n "${HANG_PID:-}" ] && kill "$HANG_PID" 2>/dev/null || true
	if [ -f "$CA_FILE" ]; then
		rm -f "$CA_FILE"
		machine update-ca-certificates >/dev/null 2>&1 || true
	fi
	machine sed -i "/$HOSTS_MARK\$/d" /etc/hosts
}
# cleanup destroys the apps and keeps the world of a failed run: it reads
# the status it is given (set +e: a failing (exit) would end the trap)
trap 'rc=$?; set +e; stop_all; (exit $rc); cleanup' EXIT

# pebble's own listener certificate, trusted system-wide for this run only
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes \
	-days 1 -subj "/CN=slipway-e2e-$RUN" -keyout "$P/key.pem" -out "$P/cert.pem" \
	-addext "subjectAltName=IP:127.0.0.1,DNS:localhost" 2>/dev/null
cp "$P/cert.pem" "$CA_FILE"
machine update-ca-certificates >/dev/null 2>&1
machine sh -c 'printf "127.0.0.1 %s\n" "$*" >>/etc/hosts' - "$A1" "$A2" "$A3" "$A4" "$A5" "$HOSTS_MARK"

cat >"$P/config.json" <<JSON
{"pebble": {"listenAddress": "127.0.0.1:$PPORT",
  "managementListenAddress": "127.0.0.1:$MPORT",
  "certificate": "$P/cert.pem", "privateKey": "$P/key.pem",
  "httpPort": $NPORT, "tlsPort": $VPORT, "ocspResponderURL": "",
  "externalAccountBindingRequired": false}}
JSON
PEBBLE_VA_NOSLEEP=1 pebble -config "$P/config.json" >"$P/log" 2>&1 &
PEBBLE_PID=$!
for _ in $(seq 50); do
	curl -fsS --cacert "$P/cert.pem" "https://127.0.0.1:$PPORT/dir" >/dev/null 2>&1 && break
	sleep 0.2
done
curl -fsS --cacert "$P/cert.pem" "https://127.0.0.1:$MPORT/roots/0" >"$P/root.pem" ||
	{ cat "$P/log" >&2; fail "pebble does not answer"; }

cat >"$N/nginx.conf" <<NGX
pid $N/nginx.pid;
error_log $N/error.log;
worker_processes 1;
events { worker_connections 256; }
http {
	log_format slipway_e2e "\$msec \$pid \$host \$request \$status";
	access_log $N/access.log slipway_e2e;
	client_body_temp_path $N/tmp/body;
	proxy_temp_path $N/tmp/proxy;
	fastcgi_temp_path $N/tmp/fastcgi;
	uwsgi_temp_path $N/tmp/uwsgi;
	scgi_temp_path $N/tmp/scgi;
	include $N/sites/*.conf;
}
NGX
sed -i '/^\[tls\]$/,/^enabled = no$/d' "$CONF"
cat >>"$CONF" <<CONF
[proxy]
sites_dir = $N/sites
listen = 127.0.0.1:$NPORT
check = nginx -c $N/nginx.conf -t
reload = nginx -c $N/nginx.conf -s reload
[tls]
acme_directory = https://127.0.0.1:$PPORT/dir
email = admin@example.test
listen = 127.0.0.1:$TPORT
timeout = 30
CONF
nginx -c "$N/nginx.conf"
mkdir -p "$WORLD/state" && chmod 755 "$WORLD/state"

# site APP TEXT HOSTS...: a web service behind nginx for HOSTS
site() {
	local a=$1 text=$2 d=$WORLD/src/$1 h
	shift 2
	mkdir -p "$d/www"
	printf '%s\n' "$text" >"$d/www/index.html"
	cat >"$d/Dockerfile" <<DF
FROM $BASE_IMAGE
COPY www /var/www
CMD ["httpd", "-f", "-p", "8080", "-h", "/var/www"]
DF
	h=$(printf '"%s", ' "$@")
	cat >"$d/compose.yaml" <<YML
services:
  web:
    build: .
    init: true
    x-slipway:
      http:
        port: 8080
        hosts: [${h%, }]
YML
	commit_all $a "$text"
}
https_get() {
	curl -fsS --max-time 5 --cacert "$P/root.pem" \
		--resolve "$1:$TPORT:127.0.0.1" "https://$1:$TPORT${2:-/}"
}
# nginx_settled: nginx's last reload is over. Its master starts the new
# worker, sleeps 100 ms, then tells the old one to stop accepting: meanwhile
# both take connections, so a request just after the new configuration first
# answered may still meet the old one (seen: HTTPS served by the new worker,
# then plain HTTP answered 404 by the old one, which had no redirect).
nginx_settled() {
	local n=100 m
	m=$(cat "$N/nginx.pid")
	until [ "$(ps --ppid "$m" -o args=)" = "nginx: worker process" ]; do
		n=$((n - 1)); [ $n -gt 0 ] || fail "nginx's reload never ended"
		sleep 0.1
	done
}
# wait_https HOST TEXT: the certificate is asked for beside the deploy
wait_https() {
	local n=150
	while [ "$(https_get "$1" 2>/dev/null)" != "$2" ]; do
		n=$((n - 1))
		[ $n -gt 0 ] || fail "$1 never served \"$2\" over HTTPS"
		sleep 0.2
	done
}

say "push an app with two hosts: one certificate, HTTPS for both"
# and another app at the same moment: both requests need the account the
# first one creates, one at a time (tls/acme/.lock)
new_app $app
new_app $two
site $app "tls one" "$A1" "$A2"
site $two "tls other" "$A5"
git -C "$WORLD/src/$two" push production HEAD:main >"$WORLD/push2.out" 2>&1 &
PUSH2_PID=$!
push $app || { cat "$WORLD/push.out"; fail "push"; }
wait $PUSH2_PID || { cat "$WORLD/push2.out"; fail "push of the other app"; }
expect_in "$WORLD/push2.out" "Issued a certificate for $A5"
expect_in "$WORLD/push.out" "Requesting a certificate for $A1, $A2"
# The push (atomic mode: its objects reach the repository only once it
# ends) shows the outcome; the redeploy that serves it follows the push.
expect_in "$WORLD/push.out" "Issued a certificate for $A1, $A2"
expect_not_in "$WORLD/push.out" "warning: no certificate"
for h in "$A1" "$A2"; do
	wait_https "$h" "tls one"
done
wait_https "$A5" "tls other"
[ "$(grep -c 'accounts in memory' "$P/log")" = 1 ] ||
	fail "pebble has $(grep -c 'accounts in memory' "$P/log") accounts, not one"
nginx_settled
hdr=$(curl -sS --max-time 5 -o /dev/null -w '%{http_code} %{redirect_url}' \
	-H "Host: $A1" "http://127.0.0.1:$NPORT/x?y=1")
[ "$hdr" = "301 https://$A1:$TPORT/x?y=1" ] || fail "HTTP answered \"$hdr\", not a redirect"
# TLS 1.1 is refused; the key files are the owner's only (uacme: 0400)
! curl -sS --max-time 5 --cacert "$P/root.pem" --tlsv1.1 --tls-max 1.1 \
	--resolve "$A1:$TPORT:127.0.0.1" "https://$A1:$TPORT/" >/dev/null 2>&1 ||
	fail "TLS 1.1 accepted"
for k in "$WORLD/state/tls/acme/private/key.pem" "$WORLD/state/tls/acme/private/$A1/key.pem"; do
	case $(stat -c %a "$k") in 400|600) ;; *) fail "$k is mode $(stat -c %a "$k")";; esac
done
grep -q "http2" "$N/sites/$app.conf" || fail "no http2 in the site"

say "a redeploy reuses the certificate"
serial=$(openssl x509 -noout -serial -in "$WORLD/state/tls/acme/$A1/cert.pem")
site $app "tls two" "$A2" "$A1"
push $app || { cat "$WORLD/push.out"; fail "second push"; }
expect_not_in "$WORLD/push.out" "Requesting a certificate"
[ "$(https_get "$A2")" = "tls two" ] || fail "second release over HTTPS"
[ "$(openssl x509 -noout -serial -in "$WORLD/state/tls/acme/$A1/cert.pem")" = "$serial" ] ||
	fail "the certificate was reissued"

say "certs APP lists hosts, issuer, expiry"
slipway certs $app >"$WORLD/certs.out"
expect_in "$WORLD/certs.out" "host      $A2"
expect_in "$WORLD/certs.out" "issuer    CN = Pebble Intermediate CA"
slipway certs $app --json | jq -e --arg h "$A1" \
	'.[0].hosts | index($h) != null' >/dev/null || fail "certs --json"

say "a host pebble cannot validate deploys over HTTP, with a warning"
new_app $bad
site $bad "plain" "$BAD"
push $bad || { cat "$WORLD/push.out"; fail "push of the unreachable host"; }
expect_in "$WORLD/push.out" "warning: no certificate for $BAD, serving it over plain HTTP: uacme"
[ "$(curl -fsS --max-time 2 -H "Host: $BAD" "http://127.0.0.1:$NPORT/")" = plain ] ||
	fail "$BAD over HTTP"
! grep -q ssl_certificate "$N/sites/$bad.conf" || fail "TLS without a certificate"

say "certs renew: nothing due; --force renews and reloads under load"
slipway certs renew >"$WORLD/renew.out" 2>&1 || { cat "$WORLD/renew.out"; fail "renew"; }
expect_in "$WORLD/renew.out" "0 certificates renewed, 0 failed, 2 kept"
: >"$WORLD/load"
( while :; do
	if https_get "$A1" >/dev/null 2>&1; then echo ok; else echo FAIL; fi
  done >>"$WORLD/load" ) &
LOAD_PID=$!
sleep 1
slipway certs renew --force >"$WORLD/renew.out" 2>&1 || { cat "$WORLD/renew.out"; fail "forced renew"; }
expect_in "$WORLD/renew.out" "renewed certificate $A1 of app \"$app\""
sleep 1
kill $LOAD_PID; wait $LOAD_PID 2>/dev/null || true
LOAD_PID=
total=$(wc -l <"$WORLD/load")
fails=$(grep -c FAIL "$WORLD/load" || true)
say "requests during renewal: $total, failed: $fails"
[ "$total" -gt 10 ] || fail "the load loop made only $total requests"
[ "$fails" = 0 ] || fail "$fails requests failed during renewal"
new=$(openssl x509 -noout -serial -in "$WORLD/state/tls/acme/$A1/cert.pem")
[ "$new" != "$serial" ] || fail "certs renew --force did not reissue"
served=$(openssl s_client -connect 127.0.0.1:$TPORT -servername "$A1" </dev/null 2>/dev/null |
	openssl x509 -noout -serial)
[ "$served" = "$new" ] || fail "nginx serves $served, not the renewed $new"

say "an ACME server that is down neither fails nor stalls a push"
# uacme retries a refused connection for 15 s; the push waits 2 s for it.
sed -i "s|^acme_directory = .*|acme_directory = https://127.0.0.1:$(free_port)/dir|; s|^timeout = 30$|timeout = 30\nwait = 2|" "$CONF"
down=e2e-tlsdown-$RUN
new_app $down
# certs_ended HOST: the request's log names HOST's failure
certs_ended() { grep -q "warning: no certificate for $1" "$WORLD/state/apps/$down/certs.log" 2>/dev/null; }
wait_certs_ended() {
	local n=150
	until certs_ended "$1"; do
		n=$((n - 1)); [ $n -gt 0 ] || fail "the request for $1 never ended"
		sleep 0.2
	done
}
site $down "down" "$A3"
push $down || { cat "$WORLD/push.out"; fail "push with the ACME server down"; }
! certs_ended "$A3" || fail "the push waited for the ACME server"
expect_in "$WORLD/push.out" "Requesting a certificate for $A3"
expect_in "$WORLD/push.out" "goes on in the background"
[ "$(curl -fsS --max-time 2 -H "Host: $A3" "http://127.0.0.1:$NPORT/")" = down ] ||
	fail "$A3 over HTTP"
wait_certs_ended "$A3"
say "an ACME server that never answers: the same, until [tls] timeout"
HPORT=$(free_port)
python3 -c 'import socket, sys, time
s = socket.socket(); s.bind(("127.0.0.1", int(sys.argv[1]))); s.listen(64)
time.sleep(600)' "$HPORT" &
HANG_PID=$!
sed -i "s|^acme_directory = .*|acme_directory = https://127.0.0.1:$HPORT/dir|; s|^timeout = 30$|timeout = 8|" "$CONF"
site $down "hung" "$A4"
push $down || { cat "$WORLD/push.out"; fail "push with the ACME server hanging"; }
! certs_ended "$A4" || fail "the push waited for the ACME server"
expect_in "$WORLD/push.out" "goes on in the background"
[ "$(curl -fsS --max-time 2 -H "Host: $A4" "http://127.0.0.1:$NPORT/")" = hung ] ||
	fail "$A4 over HTTP"
wait_certs_ended "$A4"
kill $HANG_PID; wait $HANG_PID 2>/dev/null || true
HANG_PID=
say "certs renew requests what the deploys could not get"
sed -i "s|^acme_directory = .*|acme_directory = https://127.0.0.1:$PPORT/dir|; s|^timeout = 8$|timeout = 30|; s|^wait = 2$|wait = 10|" "$CONF"
slipway certs renew >"$WORLD/renew.out" 2>&1 || { cat "$WORLD/renew.out"; fail "renew of the missing"; }
expect_in "$WORLD/renew.out" "Requesting a certificate for $A4"
wait_https "$A4" "hung"

say "the challenge hook writes only plain tokens inside its directory"
H=$TOP/helpers/acme-hook
mkdir -p "$WORLD/ch"
SLIPWAY_ACME_CHALLENGE_DIR=$WORLD/ch "$H" begin http-01 x.test tok_en-1 tok_en-1.abc
[ "$(cat "$WORLD/ch/tok_en-1")" = tok_en-1.abc ] || fail "hook did not write the token"
SLIPWAY_ACME_CHALLENGE_DIR=$WORLD/ch "$H" done http-01 x.test tok_en-1 tok_en-1.abc
[ ! -e "$WORLD/ch/tok_en-1" ] || fail "hook did not remove the token"
for t in ../evil a/b '' 'x y'; do
	! SLIPWAY_ACME_CHALLENGE_DIR=$WORLD/ch "$H" begin http-01 x.test "$t" auth 2>/dev/null ||
		fail "hook accepted token \"$t\""
done
! SLIPWAY_ACME_CHALLENGE_DIR=$WORLD/ch "$H" begin http-01 x.test tok 'a;b' 2>/dev/null ||
	fail "hook accepted a bad key authorization"
! SLIPWAY_ACME_CHALLENGE_DIR=$WORLD/ch "$H" begin dns-01 x.test tok auth || fail "hook accepted dns-01"
[ -z "$(ls -A "$WORLD/ch")" ] && [ ! -e "$WORLD/evil" ] || fail "hook wrote $(ls -A "$WORLD/ch")"

say "certs import: a certificate for a host ACME cannot reach"
imp=e2e-tlsimp-$RUN
I=imp-$RUN.invalid
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 2 \
	-subj "/CN=$I" -addext "subjectAltName=DNS:$I" -keyout "$WORLD/i.key" -out "$WORLD/i.crt" 2>/dev/null
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 2 \
	-subj "/CN=other" -keyout "$WORLD/o.key" -out "$WORLD/o.crt" 2>/dev/null
new_app $imp
! cat "$WORLD/i.crt" "$WORLD/o.key" | slipway certs $imp import "$I" >"$WORLD/imp.out" 2>&1 ||
	fail "a key that does not match was imported"
expect_in "$WORLD/imp.out" "error: the key does not match the certificate"
! cat "$WORLD/o.crt" "$WORLD/o.key" | slipway certs $imp import "$I" >"$WORLD/imp.out" 2>&1 ||
	fail "a certificate for another name was imported"
expect_in "$WORLD/imp.out" "error: the certificate does not name host \"$I\""
! cat "$WORLD/i.crt" "$WORLD/i.key" | slipway certs $imp import "*.$I" >"$WORLD/imp.out" 2>&1 ||
	fail "a wildcard host was imported"
expect_in "$WORLD/imp.out" "error: invalid host \"*.$I\""
cat "$WORLD/i.crt" "$WORLD/i.key" | slipway certs $imp import "$I" >"$WORLD/imp.out" 2>&1 ||
	{ cat "$WORLD/imp.out"; fail "import"; }
site $imp "imported" "$I"
push $imp || { cat "$WORLD/push.out"; fail "push of the imported host"; }
expect_not_in "$WORLD/push.out" "Requesting a certificate"
[ "$(curl -fsS --max-time 5 --cacert "$WORLD/i.crt" --resolve "$I:$TPORT:127.0.0.1" \
	"https://$I:$TPORT/")" = imported ] || fail "the imported certificate is not served"
slipway certs $imp >"$WORLD/certs.out"
expect_in "$WORLD/certs.out" "(imported)"

say "app destroy removes the certificate"
slipway app destroy $app >/dev/null
[ ! -e "$WORLD/state/tls/acme/$A1" ] && [ ! -e "$WORLD/state/tls/acme/private/$A1" ] ||
	fail "the certificate outlived its app"

say "app destroy with nginx stopped: the site goes, so do the images"
nginx -c "$N/nginx.conf" -s stop 2>/dev/null
for _ in $(seq 50); do [ -f "$N/nginx.pid" ] || break; sleep 0.1; done
[ -n "$(docker images -q --filter "label=slipway.app=$imp")" ] ||
	fail "$imp has no image to remove"
slipway app destroy $imp >"$WORLD/destroy.out" 2>&1 ||
	{ cat "$WORLD/destroy.out"; fail "destroy with nginx stopped"; }
expect_in "$WORLD/destroy.out" "the site of \"$imp\" is removed, nginx serves it until it reloads"
[ ! -e "$N/sites/$imp.conf" ] || fail "the site outlived its app"
[ -z "$(docker images -q --filter "label=slipway.app=$imp")" ] ||
	fail "the images of $imp outlived it"
[ ! -e "$WORLD/repos/$imp.git" ] || fail "the repository outlived its app"
say ok
