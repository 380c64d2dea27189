#!/usr/bin/env bash
# install.sh - install slipway on a Debian or Ubuntu host, as root.
#
#   ./install.sh [--key FILE] [--prefix DIR] [--no-docker]
#
# Installs the runtime and build dependencies (and the Docker engine when no
# engine answers), builds and installs slipway, creates the `git` user with
# access to the docker socket, repos_dir, state_dir, /etc/slipway/slipway.conf
# and the git user's authorized_keys. --key FILE adds FILE's public key as the
# first admin key. Running it again changes nothing that is already right; it
# says what it did.
set -euo pipefail

TOP=$(cd "$(dirname "$0")" && pwd)
PREFIX=/usr/local
KEY=
WITH_DOCKER=1
CONF=/etc/slipway/slipway.conf

while [ $# -gt 0 ]; do
	case "$1" in
	--key) KEY=$2; shift 2 ;;
	--prefix) PREFIX=$2; shift 2 ;;
	--no-docker) WITH_DOCKER=0; shift ;;
	-h|--help) sed -n '2,13p' "$0"; exit 0 ;;
	*) echo "install.sh: unknown option \"$1\"" >&2; exit 129 ;;
	esac
done

[ "$(id -u)" = 0 ] || { echo "install.sh: run as root" >&2; exit 1; }
command -v apt-get >/dev/null || { echo "install.sh: needs Debian or Ubuntu (apt-get)" >&2; exit 1; }
[ -z "$KEY" ] || [ -r "$KEY" ] || { echo "install.sh: cannot read key \"$KEY\"" >&2; exit 1; }

did() { echo "-----> $*"; }

pkgs=(build-essential pkg-config git ca-certificates libgit2-dev
	libcurl4-openssl-dev libyaml-dev libinih-dev libjansson-dev
	libarchive-dev libsqlite3-dev libssh2-1-dev)
if [ $WITH_DOCKER = 1 ] && ! docker info >/dev/null 2>&1 && ! dpkg -s docker.io >/dev/null 2>&1; then
	pkgs+=(docker.io)
fi
need=()
for p in "${pkgs[@]}"; do dpkg -s "$p" >/dev/null 2>&1 || need+=("$p"); done
if [ ${#need[@]} -gt 0 ]; then
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -qq
	apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
	did "installed ${need[*]}"
fi

if [ $WITH_DOCKER = 1 ] && ! docker info >/dev/null 2>&1; then
	if command -v systemctl >/dev/null && systemctl is-system-running >/dev/null 2>&1; then
		systemctl enable --now docker >/dev/null
	else
		setsid dockerd >/var/log/dockerd.log 2>&1 </dev/null &
	fi
	for _ in $(seq 1 60); do docker info >/dev/null 2>&1 && break; sleep 0.5; done
	did "started the Docker engine"
fi

before=$(sha256sum "$PREFIX/bin/slipway" 2>/dev/null || true)
make -C "$TOP" -s
make -C "$TOP" -s install PREFIX="$PREFIX" >/dev/null
after=$(sha256sum "$PREFIX/bin/slipway")
[ "$before" = "$after" ] || did "installed $PREFIX/bin/slipway"

if ! getent group docker >/dev/null; then
	groupadd --system docker
	did "created group docker"
fi
if ! id git >/dev/null 2>&1; then
	useradd --system --create-home --home-dir /home/git --shell /bin/sh \
		--groups docker git
	did "created user git (in group docker)"
elif ! id -nG git | tr ' ' '\n' | grep -qx docker; then
	usermod -aG docker git
	did "added user git to group docker"
fi
# sshd refuses a locked account: give git an unusable password instead.
if passwd -S git 2>/dev/null | awk '{exit $2 != "L"}'; then
	usermod -p '*' git
fi
home=$(getent passwd git | cut -d: -f6)

if [ ! -e "$CONF" ]; then
	install -d -m 0755 /etc/slipway
	install -m 0644 "$TOP/etc/slipway.conf" "$CONF"
	did "wrote $CONF"
fi
conf_get() { sed -n "s/^[[:space:]]*$1[[:space:]]*=[[:space:]]*//p" "$CONF" | tail -1; }
repos=$(conf_get repos_dir); repos=${repos:-/srv/slipway/repos}
state=$(conf_get state_dir); state=${state:-/var/lib/slipway}
for d in "$repos" "$state"; do
	if [ ! -d "$d" ]; then
		install -d -m 0755 -o git -g git "$d"
		did "created $d"
	fi
done

if [ ! -e "$home/.ssh/authorized_keys" ]; then
	install -d -m 0700 -o git -g git "$home/.ssh"
	install -m 0600 -o git -g git /dev/null "$home/.ssh/authorized_keys"
	did "created $home/.ssh/authorized_keys"
fi

if [ -n "$KEY" ]; then
	if su git -s /bin/sh -c "$PREFIX/bin/slipway -c $CONF key list" 2>/dev/null | grep -qx admin; then
		:
	else
		su git -s /bin/sh -c "$PREFIX/bin/slipway -c $CONF key add admin --admin" <"$KEY"
		did "added $KEY as key \"admin\""
	fi
fi
echo "slipway is installed. Next: slipway app create NAME (as git), then git push."
