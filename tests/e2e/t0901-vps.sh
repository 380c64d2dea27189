#!/usr/bin/env bash
# The README's "Installing on a VPS", followed literally in a world of its
# own: install.sh creates the git user (here sw<RUN>), its configuration,
# nginx's include directory and sudoers rule; the admin key creates the app
# and adds a pusher's key over SSH (a private sshd on a loopback port); the
# pusher pushes to ssh://USER@host:PORT/APP.git a two-service app whose
# release command needs its database on the very first deploy, served
# through nginx (a private one on a free loopback port). Then code, config
# and data change, a broken push is rejected (atomic mode), a rollback, and
# the data in the named volume survives every step. `slipway remote` reaches
# the app through a Host alias of ~/.ssh/config. The data in a named volume
# and in an untracked relative bind (./uploads) survives every step.
. "$(dirname "$0")/lib.sh"

command -v nginx >/dev/null || fail "nginx is not installed"
command -v sudo >/dev/null || fail "sudo is not installed"
[ -x /usr/sbin/sshd ] || fail "openssh-server is not installed"

U=sw$RUN
ICONF=$WORLD/etc/slipway/slipway.conf
PREFIX=$WORLD/usr
N=$WORLD/nginx
NPORT=$(free_port)
SSH_PORT=$(free_port)
KEYS=$WORLD/keys
app=e2e-vps-$RUN
# The git user must reach what lives in the world.
chmod 0755 "$WORLD"
mkdir -p "$KEYS" "$N/tmp" "$N/conf.d" "$(dirname "$ICONF")"
chmod 0700 "$KEYS"

vps_cleanup() {
	local rc=$?
	set +e
	[ -x "$PREFIX/bin/slipway" ] && "$PREFIX/bin/slipway" -c "$ICONF" app destroy "$app" --volumes >/dev/null 2>&1
	[ -n "${SSHD_PID:-}" ] && kill "$SSHD_PID" 2>/dev/null && wait "$SSHD_PID" 2>/dev/null
	nginx -c "$N/nginx.conf" -s stop 2>/dev/null
	id "$U" >/dev/null 2>&1 && userdel -r "$U" 2>/dev/null
	rm -f "/etc/sudoers.d/slipway-$U"
	(exit $rc)
	cleanup
}
trap vps_cleanup EXIT

say "a private nginx on 127.0.0.1:$NPORT that includes conf.d, as Debian's does"
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
	include $N/conf.d/*.conf;
}
NGX
nginx -c "$N/nginx.conf"

say "the operator's configuration: where apps live, what nginx listens on"
cat >"$ICONF" <<CONF
[server]
repos_dir = $WORLD/srv/repos
state_dir = $WORLD/srv/state
[deploy]
health_timeout = 30
min_uptime = 1
[proxy]
listen = 127.0.0.1:$NPORT
CONF

say "./install.sh --key admin.pub"
ssh-keygen -q -t ed25519 -N '' -C admin -f "$KEYS/admin"
"$TOP/install.sh" --key "$KEYS/admin.pub" --prefix "$PREFIX" --user "$U" \
	--config "$ICONF" --nginx-conf "$N/nginx.conf" --no-docker --no-sshd \
	>"$WORLD/install.out" 2>&1 || { cat "$WORLD/install.out"; fail "install.sh"; }
cat "$WORLD/install.out"
expect_in "$WORLD/install.out" "created user $U (in group docker)"
expect_in "$WORLD/install.out" "created $N/slipway.d"
expect_in "$WORLD/install.out" "wrote $N/conf.d/slipway.conf"
expect_in "$WORLD/install.out" "wrote /etc/sudoers.d/slipway-$U"
expect_in "$WORLD/install.out" "set sites_dir = $N/slipway.d"
expect_in "$WORLD/install.out" "added $KEYS/admin.pub as key \"admin\""
[ "$(stat -c %U "$N/slipway.d")" = "$U" ] || fail "sites dir not the user's"
say "the git user may check and reload nginx through sudo, and nothing else"
su "$U" -s /bin/sh -c "sudo -n $(command -v nginx) -c $N/nginx.conf -t" >/dev/null 2>&1 ||
	fail "the user cannot run nginx -t through sudo"
if su "$U" -s /bin/sh -c "sudo -n $(command -v nginx) -c $N/nginx.conf -s stop" >/dev/null 2>&1; then
	fail "the user may stop nginx"
fi
if su "$U" -s /bin/sh -c "sudo -n /bin/true" >/dev/null 2>&1; then
	fail "the user may run anything through sudo"
fi

say "install.sh again changes nothing"
"$TOP/install.sh" --key "$KEYS/admin.pub" --prefix "$PREFIX" --user "$U" \
	--config "$ICONF" --nginx-conf "$N/nginx.conf" --no-docker --no-sshd \
	>"$WORLD/install2.out" 2>&1 || { cat "$WORLD/install2.out"; fail "install.sh again"; }
expect_not_in "$WORLD/install2.out" "----->"

say "sshd on 127.0.0.1:$SSH_PORT, keys in the user's ~/.ssh/authorized_keys"
S=$WORLD/sshd
mkdir -p "$S" /run/sshd
chmod 0700 "$S"
ssh-keygen -q -t ed25519 -N '' -C host -f "$S/host_key"
cat >"$S/sshd_config" <<CFG
Port $SSH_PORT
ListenAddress 127.0.0.1
HostKey $S/host_key
PidFile $S/sshd.pid
StrictModes no
UsePAM no
PasswordAuthentication no
KbdInteractiveAuthentication no
PubkeyAuthentication yes
AllowUsers $U
CFG
/usr/sbin/sshd -D -f "$S/sshd_config" -E "$S/sshd.log" &
SSHD_PID=$!
for _ in $(seq 1 50); do
	(exec 3<>"/dev/tcp/127.0.0.1/$SSH_PORT") 2>/dev/null && break
	sleep 0.1
done
mkdir -p "$HOME/.ssh"
echo "[127.0.0.1]:$SSH_PORT $(cat "$S/host_key.pub")" >"$HOME/.ssh/known_hosts"
SSH_OPTS="-F /dev/null -o UserKnownHostsFile=$HOME/.ssh/known_hosts -o StrictHostKeyChecking=yes -o BatchMode=yes -o IdentitiesOnly=yes -o LogLevel=ERROR -p $SSH_PORT"
as() { local key=$1; shift; ssh $SSH_OPTS -i "$KEYS/$key" "$U@127.0.0.1" "$@"; }

say "ssh git@server app create myapp; cat alice.pub | ssh git@server key add alice --apps myapp"
as admin app create "$app" >"$WORLD/out" 2>&1 || { cat "$WORLD/out"; fail "app create over ssh"; }
ssh-keygen -q -t ed25519 -N '' -C alice -f "$KEYS/alice"
as admin key add alice --apps "$app" <"$KEYS/alice.pub" >"$WORLD/out" 2>&1 ||
	{ cat "$WORLD/out"; fail "key add over ssh"; }

src=$WORLD/src/$app
mkdir -p "$src/www"
git -C "$src" init -q
git -C "$src" remote add production "ssh://$U@127.0.0.1:$SSH_PORT/$app.git"
gpush() { GIT_SSH_COMMAND="ssh $SSH_OPTS -i $KEYS/alice" git -C "$src" push "$@" production HEAD:main >"$WORLD/push.out" 2>&1; }
version() {
	printf 'code %s\n' "$1" >"$src/www/code"
	printf 'ok\n' >"$src/www/up"
	cat >"$src/Dockerfile" <<DF
FROM $BASE_IMAGE
COPY www /var/www
CMD ["sh", "-c", "echo \"\$GREETING, \$(cat /var/www/code)\" >/var/www/index.html; exec httpd -f -p 8080 -h /var/www"]
DF
	cat >"$src/compose.yaml" <<YML
services:
  web:
    build: .
    init: true
    environment:
      GREETING: \${GREETING:-hello}
    depends_on:
      db:
        condition: service_healthy
    x-slipway:
      release: "${2:-wget -q -O - http://db:8000/ready && echo migrated}"
      http:
        port: 8080
        hosts: [$app.test]
        healthcheck: /up
  db:
    image: $BASE_IMAGE
    init: true
    environment:
      DB_TUNING: \${DB_TUNING:-default}
    command: ["sh", "-c", "mkdir -p /data/www && echo ready >/data/www/ready && exec httpd -f -p 8000 -h /data/www"]
    volumes:
      - dbdata:/data
      - ./uploads:/uploads
    healthcheck:
      test: ["CMD", "wget", "-q", "-O", "/dev/null", "http://127.0.0.1:8000/ready"]
      interval: 1s
      timeout: 2s
      retries: 20
volumes:
  dbdata:
YML
	git -C "$src" add -A
	git -C "$src" commit -q -m "v$1"
}
page() { curl -fsS --max-time 5 -H "Host: $app.test" "http://127.0.0.1:$NPORT/" 2>&1 || true; }
expect_page() {
	local got
	for _ in $(seq 1 25); do
		got=$(page)
		[ "$got" = "$1" ] && return 0
		sleep 0.2
	done
	fail "the site serves \"$got\", not \"$1\""
}
# The same data in the named volume and in an untracked relative bind.
data() { docker exec "$app-db-1" cat "$1/precious" 2>&1 || true; }
expect_data() {
	[ "$(data /data)" = "$1" ] || fail "$2: the volume holds \"$(data /data)\", not \"$1\""
	[ "$(data /uploads)" = "$1" ] || fail "$2: the relative bind holds \"$(data /uploads)\", not \"$1\""
}
write_data() { docker exec "$app-db-1" sh -c "echo $1 $2/data/precious; echo $1 $2/uploads/precious"; }

say "the first push: the release command finds its database"
version 1
gpush || { cat "$WORLD/push.out"; fail "first push"; }
expect_in "$WORLD/push.out" "Mode atomic (pre-receive)"
expect_in "$WORLD/push.out" "The release command of web depends on db: bringing it up first"
expect_in "$WORLD/push.out" "Creating $app-db-1"
expect_in "$WORLD/push.out" "migrated"
expect_in "$WORLD/push.out" "Deployed $app"
expect_page "hello, code 1"
[ -f "$N/slipway.d/$app.conf" ] || fail "no site file in $N/slipway.d"
write_data one ">"
expect_data one "after the first push"

say "code changes"
version 2
gpush || { cat "$WORLD/push.out"; fail "push v2"; }
expect_page "hello, code 2"
expect_data one "after a code change"

say "config changes (the database is recreated)"
db_before=$(container_id "$app-db-1")
as alice config "$app" set GREETING=bonjour DB_TUNING=fast >"$WORLD/out" 2>&1 || { cat "$WORLD/out"; fail "config set"; }
as alice deploy "$app" >"$WORLD/out" 2>&1 || { cat "$WORLD/out"; fail "deploy after config set"; }
expect_page "bonjour, code 2"
[ "$(container_id "$app-db-1")" != "$db_before" ] || fail "the database was not recreated"
expect_data one "after a config change"

say "data changes"
write_data two ">>"
expect_data "one
two" "after writing"

say "a push whose release command fails is rejected; nothing changes"
head_before=$(git -c safe.directory="*" -C "$WORLD/srv/repos/$app.git" rev-parse main)
version 3 "exit 3"
if gpush; then cat "$WORLD/push.out"; fail "a failing release was accepted"; fi
expect_in "$WORLD/push.out" "pre-receive hook declined"
[ "$(git -c safe.directory="*" -C "$WORLD/srv/repos/$app.git" rev-parse main)" = "$head_before" ] || fail "the branch moved"
expect_page "bonjour, code 2"
git -C "$src" reset -q --hard HEAD~1

say "rollback"
as alice rollback "$app" >"$WORLD/out" 2>&1 || { cat "$WORLD/out"; fail "rollback"; }
expect_page "bonjour, code 1"
expect_data "one
two" "after the rollback"

say "slipway remote through a Host alias of ~/.ssh/config"
cat >"$HOME/.ssh/config" <<CFG
Host vps
    HostName 127.0.0.1
    Port $SSH_PORT
    User $U
    IdentityFile $KEYS/alice
    # for ssh, which reads the passwd entry's home, not \$HOME
    UserKnownHostsFile $HOME/.ssh/known_hosts
CFG
git -C "$src" remote set-url production "vps:$app.git"
(cd "$src" && "$SLIPWAY_BIN" remote status) >"$WORLD/out" 2>&1 || { cat "$WORLD/out"; fail "slipway remote through an alias"; }
expect_in "$WORLD/out" "$app-web-1"
(cd "$src" && GIT_SSH_COMMAND="ssh -F $HOME/.ssh/config -o BatchMode=yes" git push -q production HEAD:main) \
	>"$WORLD/out" 2>&1 || { cat "$WORLD/out"; fail "git push through the alias"; }

say "history IDs are per app; app destroy removes the history"
as alice history "$app" --json >"$WORLD/h.json"
jq -e '.[-1].id == 1' "$WORLD/h.json" >/dev/null || { cat "$WORLD/h.json"; fail "history IDs do not start at 1"; }
as admin app destroy "$app" --volumes >"$WORLD/out" 2>&1 || { cat "$WORLD/out"; fail "app destroy"; }
as admin app create "$app" >/dev/null 2>&1 || fail "app create again"
as admin history "$app" --json >"$WORLD/h.json" 2>&1 || { cat "$WORLD/h.json"; fail "history of the new app"; }
jq -e 'length == 0' "$WORLD/h.json" >/dev/null || { cat "$WORLD/h.json"; fail "the old app's history survived its destroy"; }
say "ok"
