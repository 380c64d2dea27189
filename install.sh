#!/usr/bin/env bash
# install.sh - install slipway on a Debian or Ubuntu host, as root.
#
#   ./install.sh [--key FILE] [--prefix DIR] [--no-docker] [--user NAME]
#                [--config FILE] [--nginx-conf FILE] [--no-sshd]
#
# Installs the build and runtime dependencies (and the Docker engine when no
# engine answers), builds and installs slipway, creates the `git` user with
# access to the docker socket, repos_dir, state_dir, the configuration
# (/etc/slipway/slipway.conf) and the authorized_keys file ([ssh]
# authorized_keys, by default the git user's ~/.ssh/authorized_keys). For
# zero-downtime web services it sets up nginx: slipway's own include
# directory (sites_dir = /etc/nginx/slipway.d, included from
# /etc/nginx/conf.d/slipway.conf) and a sudoers rule that lets the git user
# run exactly `nginx -t` and `nginx -s reload`, nothing else. It checks that
# sshd runs (and starts it when it can). --key FILE adds FILE's public key as
# the first admin key, named "admin". --user, --config, --nginx-conf and
# --no-sshd (no check of the system's sshd) install beside another setup
# (the tests use them). Running it again changes
# nothing that is already right; each change it makes is a "----->" line.
set -euo pipefail

TOP=$(cd "$(dirname "$0")" && pwd)
PREFIX=/usr/local
KEY=
WITH_DOCKER=1
CONF=/etc/slipway/slipway.conf
USER_NAME=git
NGINX_CONF=/etc/nginx/nginx.conf
WITH_SSHD=1

need_arg() { [ "$2" -ge 2 ] || { echo "install.sh: $1 needs a value" >&2; exit 129; }; }
while [ $# -gt 0 ]; do
	case "$1" in
	--key) need_arg "$1" $#; KEY=$2; shift 2 ;;
	--prefix) need_arg "$1" $#; PREFIX=$2; shift 2 ;;
	--user) need_arg "$1" $#; USER_NAME=$2; shift 2 ;;
	--config) need_arg "$1" $#; CONF=$2; shift 2 ;;
	--nginx-conf) need_arg "$1" $#; NGINX_CONF=$2; shift 2 ;;
	--no-docker) WITH_DOCKER=0; shift ;;
	--no-sshd) WITH_SSHD=0; shift ;;
	-h|--help) sed -n '2,22p' "$0"; exit 0 ;;
	*) echo "install.sh: unknown option \"$1\"" >&2; exit 129 ;;
	esac
done

[ "$(id -u)" = 0 ] || { echo "install.sh: run as root" >&2; exit 1; }
command -v apt-get >/dev/null || { echo "install.sh: needs Debian or Ubuntu (apt-get)" >&2; exit 1; }
[ -z "$KEY" ] || [ -r "$KEY" ] || { echo "install.sh: cannot read key \"$KEY\"" >&2; exit 1; }
case "$CONF$NGINX_CONF$PREFIX" in
*[!A-Za-z0-9/._-]*) echo "install.sh: paths may hold only letters, digits and / . _ -" >&2; exit 1 ;;
esac
case "$USER_NAME" in
[a-z_]*) ;; *) echo "install.sh: bad user name \"$USER_NAME\"" >&2; exit 1 ;;
esac

did() { echo "-----> $*"; }
# Booted with systemd (sd_booted(3)); "systemctl is-system-running" fails on
# a merely degraded system.
sd_booted() { [ -d /run/systemd/system ] && command -v systemctl >/dev/null; }
note() { echo "       $*"; }

# shellcheck source=tools/deps.sh
. "$TOP/tools/deps.sh"
deps_install server
# Without systemd, the boot hook that runs `slipway recover --all` is cron's.
[ -d /run/systemd/system ] || deps_install cron
if [ $WITH_DOCKER = 1 ] && ! docker info >/dev/null 2>&1; then
	deps_install docker
fi

# The group first: an engine started below gives it the socket.
if ! getent group docker >/dev/null; then
	groupadd --system docker
	did "created group docker"
fi
if [ $WITH_DOCKER = 1 ] && ! docker info >/dev/null 2>&1; then
	if sd_booted; then
		systemctl enable --now docker >/dev/null
	else
		setsid dockerd >/var/log/dockerd.log 2>&1 </dev/null &
	fi
	for _ in $(seq 1 60); do docker info >/dev/null 2>&1 && break; sleep 0.5; done
	docker info >/dev/null 2>&1 || { echo "install.sh: the Docker engine did not start" >&2; exit 1; }
	did "started the Docker engine"
fi

# The git user reaches the engine through the socket's group. An engine
# that was already running keeps its socket as it is unless it is root's
# alone: then it is given to group docker, and this says so.
sock=/var/run/docker.sock
if [ $WITH_DOCKER = 1 ] && [ -S $sock ]; then
	group=$(stat -c %G $sock)
	if [ "$group" = root ]; then
		chgrp docker $sock
		chmod g+rw $sock
		did "gave the engine's socket $sock to group docker (it was root's only)"
	elif [ "$group" != docker ]; then
		note "warning: $sock belongs to group \"$group\", not docker: left as it is;"
		note "add $USER_NAME to group \"$group\" (usermod -aG $group $USER_NAME) for it to reach the engine"
	fi
fi

echo "       building slipway"
before=$(sha256sum "$PREFIX/bin/slipway" 2>/dev/null || true)
make -C "$TOP" -s -j"$(nproc 2>/dev/null || echo 2)"
make -C "$TOP" -s install PREFIX="$PREFIX" INSTALL_CONFIG=no >/dev/null
after=$(sha256sum "$PREFIX/bin/slipway")
[ "$before" = "$after" ] || did "installed $PREFIX/bin/slipway"

if ! id "$USER_NAME" >/dev/null 2>&1; then
	useradd --system --create-home --home-dir "/home/$USER_NAME" --shell /bin/sh \
		--groups docker "$USER_NAME"
	did "created user $USER_NAME (in group docker)"
elif ! id -nG "$USER_NAME" | tr ' ' '\n' | grep -qx docker; then
	usermod -aG docker "$USER_NAME"
	did "added user $USER_NAME to group docker"
fi
# sshd refuses a locked account ("!" in /etc/shadow): give the user an
# unusable password instead.
if getent shadow "$USER_NAME" | cut -d: -f2 | grep -q '^!'; then
	usermod -p '*' "$USER_NAME"
	did "unlocked user $USER_NAME for ssh keys (no password)"
fi
home=$(getent passwd "$USER_NAME" | cut -d: -f6)

if [ ! -e "$CONF" ]; then
	install -d -m 0755 "$(dirname "$CONF")"
	install -m 0644 "$TOP/etc/slipway.conf" "$CONF"
	did "wrote $CONF"
fi
# The last uncommented "key = value" for key in the file (sections ignored:
# these keys are unique across sections).
conf_get() { sed -n "s/^[[:space:]]*$1[[:space:]]*=[[:space:]]*//p" "$CONF" | sed 's/[[:space:]]*;.*$//; s/[[:space:]]*$//' | tail -1; }
# conf_default SECTION KEY VALUE: set KEY unless the file sets it, on its
# commented-out line when there is one, else in a [SECTION] at the end.
conf_default() {
	[ -z "$(conf_get "$2")" ] || return 0
	if grep -q "^;$2 = " "$CONF"; then
		sed -i "s|^;$2 = .*|$2 = $3|" "$CONF"
	else
		printf '[%s]\n%s = %s\n' "$1" "$2" "$3" >>"$CONF"
	fi
	did "set $2 = $3 in $CONF"
}

repos=$(conf_get repos_dir); repos=${repos:-/srv/slipway/repos}
state=$(conf_get state_dir); state=${state:-/var/lib/slipway}
keys=$(conf_get authorized_keys); keys=${keys:-$home/.ssh/authorized_keys}
# slipway's default is ~git's: another user's file must be named.
[ "$USER_NAME" = git ] || conf_default ssh authorized_keys "$keys"
for d in "$repos" "$state"; do
	if [ ! -d "$d" ]; then
		install -d -m 0755 -o "$USER_NAME" -g "$USER_NAME" "$d"
		did "created $d"
	elif [ "$(stat -c %U "$d")" != "$USER_NAME" ]; then
		chown "$USER_NAME:$USER_NAME" "$d"
		did "gave $d to $USER_NAME"
	fi
done

keydir=$(dirname "$keys")
if [ ! -d "$keydir" ]; then
	install -d -m 0700 -o "$USER_NAME" -g "$USER_NAME" "$keydir"
	did "created $keydir"
fi
if [ ! -e "$keys" ]; then
	install -m 0600 -o "$USER_NAME" -g "$USER_NAME" /dev/null "$keys"
	did "created $keys"
elif [ "$(stat -c %U:%a "$keys")" != "$USER_NAME:600" ]; then
	chown "$USER_NAME:$USER_NAME" "$keys"
	chmod 0600 "$keys"
	did "made $keys $USER_NAME's, mode 0600"
fi

# The engine must be reachable as the git user, whoever manages it.
dh=$(conf_get docker_host); dh=${dh:-unix:///var/run/docker.sock}
case "$dh" in
unix://*)
	if [ -S "${dh#unix://}" ] && ! su "$USER_NAME" -s /bin/sh -c "test -r '${dh#unix://}' && test -w '${dh#unix://}'"; then
		note "warning: $USER_NAME cannot use the engine's socket ${dh#unix://} ($(stat -c %U:%G "${dh#unix://}")): deploys will fail;"
		note "add $USER_NAME to the socket's group, or run install.sh without --no-docker"
	fi ;;
esac

# nginx: slipway writes one site file per app into its own directory, which
# one snippet in conf.d (included inside http {} by Debian's nginx.conf)
# includes; the git user may check and reload nginx through sudo, for
# exactly these two commands.
nginx_bin=$(command -v nginx || echo /usr/sbin/nginx)
ngdir=$(dirname "$NGINX_CONF")
sites=$ngdir/slipway.d
snippet=$ngdir/conf.d/slipway.conf
if [ "$NGINX_CONF" = /etc/nginx/nginx.conf ]; then
	ngargs=
else
	ngargs="-c $NGINX_CONF "
fi
check="$nginx_bin ${ngargs}-t"
reload="$nginx_bin ${ngargs}-s reload"
if [ ! -d "$sites" ]; then
	install -d -m 0755 -o "$USER_NAME" -g "$USER_NAME" "$sites"
	did "created $sites for slipway's sites"
elif [ "$(stat -c %U "$sites")" != "$USER_NAME" ]; then
	chown "$USER_NAME:$USER_NAME" "$sites"
	did "gave $sites to $USER_NAME"
fi
want="# slipway (install.sh): the sites slipway writes, one per app.
include $sites/*.conf;"
if [ "$(cat "$snippet" 2>/dev/null)" != "$want" ]; then
	install -d -m 0755 "$(dirname "$snippet")"
	printf '%s\n' "$want" >"$snippet"
	did "wrote $snippet (includes $sites)"
fi
sudoers=/etc/sudoers.d/slipway
[ "$USER_NAME" = git ] || sudoers=/etc/sudoers.d/slipway-$USER_NAME
want="# slipway (install.sh): $USER_NAME may check and reload nginx, nothing else.
$USER_NAME ALL=(root) NOPASSWD: $check, $reload"
if [ "$(cat "$sudoers" 2>/dev/null)" != "$want" ]; then
	tmp=$(mktemp /etc/sudoers.d/.slipway.XXXXXX)
	printf '%s\n' "$want" >"$tmp"
	chmod 0440 "$tmp"
	visudo -qcf "$tmp" >/dev/null || { rm -f "$tmp"; echo "install.sh: visudo rejects the sudoers rule" >&2; exit 1; }
	mv "$tmp" "$sudoers"
	did "wrote $sudoers: $USER_NAME may run \"$check\" and \"$reload\" as root"
fi
conf_default proxy sites_dir "$sites"
conf_default proxy check "sudo -n $check"
conf_default proxy reload "sudo -n $reload"
# slipway's sites are the default server of [proxy] listen (port 80): the
# stock Debian site claims that too, and nginx refuses two.
stock=$ngdir/sites-enabled/default
if [ -L "$stock" ] && [ "$(readlink "$stock")" = "$ngdir/sites-available/default" ] &&
    [ "$(conf_get listen)" = "" ]; then
	rm "$stock"
	did "disabled nginx's stock site ($stock): slipway's apps serve port 80"
fi
$check >/dev/null 2>&1 || { $check; echo "install.sh: nginx rejects its configuration (above)" >&2; exit 1; }
if ! $reload >/dev/null 2>&1; then
	if sd_booted &&
	    [ -z "$ngargs" ]; then
		systemctl enable --now nginx >/dev/null
	else
		$nginx_bin ${ngargs}
	fi
	did "started nginx"
fi

# sshd: pushes and commands arrive through it.
sshd_pid=$(cat /run/sshd.pid 2>/dev/null || true)
if [ $WITH_SSHD = 0 ] || { [ -n "$sshd_pid" ] && kill -0 "$sshd_pid" 2>/dev/null; }; then
	:
elif sd_booted && { systemctl is-active --quiet ssh.socket || systemctl is-active --quiet ssh; }; then
	:   # Ubuntu 24.04 starts sshd on the first connection (ssh.socket)
elif sd_booted; then
	systemctl enable --now ssh >/dev/null && did "started sshd (systemctl enable --now ssh)"
elif [ -x /usr/sbin/sshd ]; then
	mkdir -p /run/sshd
	/usr/sbin/sshd && did "started sshd (no systemd here: start it at boot yourself)"
else
	note "warning: no sshd runs: install openssh-server and start it, or nobody can push"
fi

as_user() { su "$USER_NAME" -s /bin/sh -c "$PREFIX/bin/slipway -c $CONF $*"; }
if [ -n "$KEY" ]; then
	if as_user key list | awk '$1 == "admin" { found = 1 } END { exit !found }'; then
		:
	elif as_user key add admin --admin <"$KEY" >/dev/null; then
		did "added $KEY as key \"admin\" (--admin)"
	else
		echo "install.sh: could not add $KEY (see above)" >&2
		exit 1
	fi
fi
# At boot, once the engine runs: finish deploys a crash or power cut
# interrupted (`slipway recover --all` restores or records each one).
put_file() { # put_file PATH MODE: stdin becomes PATH when it differs; 0 if changed
	local tmp
	tmp=$(mktemp)
	cat >"$tmp"
	if [ -e "$1" ] && cmp -s "$tmp" "$1"; then rm -f "$tmp"; return 1; fi
	install -m "$2" "$tmp" "$1"
	rm -f "$tmp"
}
if [ -d /run/systemd/system ]; then
	if put_file /etc/systemd/system/slipway-recover.service 0644 <<UNIT
[Unit]
Description=slipway: finish deploys that a restart interrupted
After=docker.service
Wants=docker.service

[Service]
Type=oneshot
User=git
ExecStart=$PREFIX/bin/slipway -c $CONF recover --all

[Install]
WantedBy=multi-user.target
UNIT
	then
		systemctl daemon-reload
		did "installed slipway-recover.service"
	fi
	if ! systemctl is-enabled slipway-recover.service >/dev/null 2>&1; then
		systemctl enable slipway-recover.service >/dev/null 2>&1
		did "enabled slipway-recover.service (runs after docker.service at boot)"
	fi
elif put_file /etc/cron.d/slipway-recover 0644 <<CRON
# slipway: at boot, finish deploys that a restart interrupted (waits for the
# engine for up to [deploy] engine_retry seconds).
@reboot git sleep 20 && $PREFIX/bin/slipway -c $CONF recover --all
CRON
then
	did "installed /etc/cron.d/slipway-recover (no systemd: runs at boot through cron)"
fi
# Certificates renew daily (those with less than 30 days left), as git:
# a systemd timer, or a cron entry where there is no systemd.
if [ -d /run/systemd/system ]; then
	changed=
	put_file /etc/systemd/system/slipway-certs.service 0644 <<UNIT && changed=1
[Unit]
Description=slipway: renew TLS certificates

[Service]
Type=oneshot
User=git
ExecStart=$PREFIX/bin/slipway -c $CONF certs renew
UNIT
	put_file /etc/systemd/system/slipway-certs.timer 0644 <<UNIT && changed=1
[Unit]
Description=slipway: renew TLS certificates daily

[Timer]
OnCalendar=daily
RandomizedDelaySec=1h
Persistent=true

[Install]
WantedBy=timers.target
UNIT
	[ -z "$changed" ] || systemctl daemon-reload
	if ! systemctl is-enabled slipway-certs.timer >/dev/null 2>&1; then
		systemctl enable --now slipway-certs.timer >/dev/null 2>&1
		did "enabled slipway-certs.timer (daily certificate renewal)"
	fi
elif put_file /etc/cron.d/slipway-certs 0644 <<CRON
# slipway: renew TLS certificates with less than 30 days left, daily.
17 3 * * * git $PREFIX/bin/slipway -c $CONF certs renew
CRON
then
	did "installed /etc/cron.d/slipway-certs (daily certificate renewal)"
fi
echo "slipway is installed. Next, from your machine:"
echo "  ssh $USER_NAME@HOST app create APP     (with the admin key)"
echo "  git remote add production $USER_NAME@HOST:APP.git && git push production main"
