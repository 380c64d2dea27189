#!/usr/bin/env bash
# install.sh - install slipway on a Debian or Ubuntu host, as root.
#
#   ./install.sh [--key FILE] [--prefix DIR] [--no-docker]
#
# Installs the runtime and build dependencies (and the Docker engine when no
# engine answers), builds and installs slipway, creates the `git` user with
# access to the docker socket, repos_dir, state_dir, /etc/slipway/slipway.conf
# and the authorized_keys file ([ssh] authorized_keys, by default the git
# user's ~/.ssh/authorized_keys). --key FILE adds FILE's public key as the
# first admin key, named "admin". Running it again changes nothing that is
# already right; each change it makes is printed as a "----->" line.
set -euo pipefail

TOP=$(cd "$(dirname "$0")" && pwd)
PREFIX=/usr/local
KEY=
WITH_DOCKER=1
CONF=/etc/slipway/slipway.conf

while [ $# -gt 0 ]; do
	case "$1" in
	--key) [ $# -ge 2 ] || { echo "install.sh: --key needs a file" >&2; exit 129; }
		KEY=$2; shift 2 ;;
	--prefix) [ $# -ge 2 ] || { echo "install.sh: --prefix needs a directory" >&2; exit 129; }
		PREFIX=$2; shift 2 ;;
	--no-docker) WITH_DOCKER=0; shift ;;
	-h|--help) sed -n '2,12p' "$0"; exit 0 ;;
	*) echo "install.sh: unknown option \"$1\"" >&2; exit 129 ;;
	esac
done

[ "$(id -u)" = 0 ] || { echo "install.sh: run as root" >&2; exit 1; }
command -v apt-get >/dev/null || { echo "install.sh: needs Debian or Ubuntu (apt-get)" >&2; exit 1; }
[ -z "$KEY" ] || [ -r "$KEY" ] || { echo "install.sh: cannot read key \"$KEY\"" >&2; exit 1; }

did() { echo "-----> $*"; }

pkgs=(build-essential pkg-config git ca-certificates openssh-server
	libgit2-dev libcurl4-openssl-dev libyaml-dev libinih-dev libjansson-dev
	libarchive-dev libsqlite3-dev libssh2-1-dev protobuf-c-compiler libprotobuf-c-dev)
# Without systemd, the boot hook that runs `slipway recover --all` is cron's.
[ -d /run/systemd/system ] || pkgs+=(cron)
if [ $WITH_DOCKER = 1 ] && ! docker info >/dev/null 2>&1 && ! dpkg -s docker.io >/dev/null 2>&1; then
	pkgs+=(docker.io)
fi
need=()
for p in "${pkgs[@]}"; do
	dpkg -s "$p" 2>/dev/null | grep -q '^Status: install ok installed' || need+=("$p")
done
if [ ${#need[@]} -gt 0 ]; then
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -qq
	apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
	did "installed ${need[*]}"
fi

# The group first: an engine started below gives it the socket.
if ! getent group docker >/dev/null; then
	groupadd --system docker
	did "created group docker"
fi
if [ $WITH_DOCKER = 1 ] && ! docker info >/dev/null 2>&1; then
	if command -v systemctl >/dev/null && systemctl is-system-running >/dev/null 2>&1; then
		systemctl enable --now docker >/dev/null
	else
		setsid dockerd >/var/log/dockerd.log 2>&1 </dev/null &
	fi
	for _ in $(seq 1 60); do docker info >/dev/null 2>&1 && break; sleep 0.5; done
	docker info >/dev/null 2>&1 || { echo "install.sh: the Docker engine did not start" >&2; exit 1; }
	did "started the Docker engine"
fi

sock=/var/run/docker.sock
if [ $WITH_DOCKER = 1 ] && [ -S $sock ] && [ "$(stat -c %G $sock)" != docker ]; then
	chgrp docker $sock
	chmod g+rw $sock
	did "gave $sock to group docker"
fi

before=$(sha256sum "$PREFIX/bin/slipway" 2>/dev/null || true)
had_conf=$([ -e "$CONF" ] && echo yes || true)
make -C "$TOP" -s
make -C "$TOP" -s install PREFIX="$PREFIX" >/dev/null
after=$(sha256sum "$PREFIX/bin/slipway")
[ "$before" = "$after" ] || did "installed $PREFIX/bin/slipway"

if ! id git >/dev/null 2>&1; then
	useradd --system --create-home --home-dir /home/git --shell /bin/sh \
		--groups docker git
	did "created user git (in group docker)"
elif ! id -nG git | tr ' ' '\n' | grep -qx docker; then
	usermod -aG docker git
	did "added user git to group docker"
fi
# sshd refuses a locked account ("!" in /etc/shadow): give git an unusable
# password instead.
if getent shadow git | cut -d: -f2 | grep -q '^!'; then
	usermod -p '*' git
	did "unlocked user git for ssh keys (no password)"
fi
home=$(getent passwd git | cut -d: -f6)

# make install writes the configuration when there is none.
if [ ! -e "$CONF" ]; then
	install -d -m 0755 /etc/slipway
	install -m 0644 "$TOP/etc/slipway.conf" "$CONF"
fi
[ -n "$had_conf" ] || did "wrote $CONF"
# The last uncommented "key = value" for key in the file (sections ignored:
# these keys are unique across sections).
conf_get() { sed -n "s/^[[:space:]]*$1[[:space:]]*=[[:space:]]*//p" "$CONF" | sed 's/[[:space:]]*$//' | tail -1; }
repos=$(conf_get repos_dir); repos=${repos:-/srv/slipway/repos}
state=$(conf_get state_dir); state=${state:-/var/lib/slipway}
keys=$(conf_get authorized_keys); keys=${keys:-$home/.ssh/authorized_keys}
for d in "$repos" "$state"; do
	if [ ! -d "$d" ]; then
		install -d -m 0755 -o git -g git "$d"
		did "created $d"
	elif [ "$(stat -c %U "$d")" != git ]; then
		chown git:git "$d"
		did "gave $d to git"
	fi
done

keydir=$(dirname "$keys")
if [ ! -d "$keydir" ]; then
	install -d -m 0700 -o git -g git "$keydir"
	did "created $keydir"
fi
if [ ! -e "$keys" ]; then
	install -m 0600 -o git -g git /dev/null "$keys"
	did "created $keys"
elif [ "$(stat -c %U:%a "$keys")" != git:600 ]; then
	chown git:git "$keys"
	chmod 0600 "$keys"
	did "made $keys git's, mode 0600"
fi

as_git() { su git -s /bin/sh -c "$PREFIX/bin/slipway -c $CONF $*"; }
if [ -n "$KEY" ]; then
	if as_git key list | awk '$1 == "admin" { found = 1 } END { exit !found }'; then
		:
	elif as_git key add admin --admin <"$KEY" >/dev/null; then
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
echo "slipway is installed. Next, from your machine:"
echo "  ssh git@HOST app create APP     (with the admin key)"
echo "  git remote add production git@HOST:APP.git && git push production main"
