#!/bin/sh
# deps.sh - install the Debian/Ubuntu packages slipway needs, showing
# progress, as root. POSIX sh: it runs on a fresh minbase system, before
# make, git or a compiler exist.
#
#   sh tools/deps.sh build|demo|server|docker|test
#
#   build    the compiler, pkg-config and the libraries' headers
#   demo     build + git, curl, busybox-static and a Docker engine
#   server   build + git, nginx, sudo, openssh-server (install.sh)
#   docker   the Docker engine, when there is no docker command
#   test     demo + server + cmocka, jq, ssh client, docker-compose, ...
#   ci       what CI adds: clang for the analyzers and the fuzzers
#
# Only missing packages are installed. The Docker engine (docker.io) is
# added only when there is no docker command at all.
set -eu

deps_list() {
	build="build-essential pkg-config ca-certificates libgit2-dev
		libcurl4-openssl-dev libyaml-dev libinih-dev libjansson-dev
		libarchive-dev libsqlite3-dev libssh2-1-dev libssl-dev
		protobuf-c-compiler libprotobuf-c-dev"
	docker=
	command -v docker >/dev/null 2>&1 || docker=docker.io
	case "$1" in
	build) echo "$build" ;;
	demo) echo "$build git curl busybox-static $docker" ;;
	server) echo "$build git nginx sudo openssh-server uacme openssl" ;;
	docker) echo "$docker" ;;
	cron) echo cron ;;
	ci) echo "clang clang-tools libclang-rt-14-dev" ;;
	test) echo "$build git curl busybox-static $docker nginx sudo
		openssh-server openssh-client libcmocka-dev jq procps
		docker-compose valgrind hyperfine socat sqlite3 iproute2
		util-linux python3 pebble uacme openssl docker-registry" ;;
	*) echo "deps.sh: unknown set \"$1\" (build, demo, server, docker or test)" >&2
		return 129 ;;
	esac
}

# deps_install SET: install what SET lists and is missing.
deps_install() {
	list=$(deps_list "$1") || return $?
	need=
	[ -n "$list" ] || return 0
	for p in $list; do
		dpkg-query -W -f '${Status}' "$p" 2>/dev/null |
			grep -q 'install ok installed' || need="$need $p"
	done
	[ -n "$need" ] || return 0
	if [ "$(id -u)" != 0 ]; then
		echo "error: missing packages:$need (run as root to install them)" >&2
		return 1
	fi
	echo "-----> Installing$need"
	log=$(mktemp /tmp/slipway-apt.XXXXXX)
	export DEBIAN_FRONTEND=noninteractive
	# Progress: one line per download and per package set up; the whole
	# output only when apt fails.
	if ! apt_run "$log" update || ! apt_run "$log" install -y \
	    --no-install-recommends $need; then
		echo "error: apt-get failed; its last lines:" >&2
		tail -20 "$log" >&2
		rm -f "$log"
		return 1
	fi
	rm -f "$log"
}

# apt_run LOG ARGS...: apt-get ARGS, output appended to LOG, progress shown.
apt_run() {
	log=$1; shift
	st=$(mktemp /tmp/slipway-apt-st.XXXXXX)
	{ apt-get -q "$@" 2>&1; echo $? >"$st"; } | tee -a "$log" |
		sed -n -e 's/^Get:[0-9]* [^ ]* [^ ]* [^ ]* \([^ ]*\) [^ ]* \([^ ]*\) \[\(.*\)\]$/       fetched \1 \2 (\3)/p' \
		    -e 's/^Setting up \([^ ]*\) .*/       set up \1/p' \
		    -e 's/^Reading package lists\.\.\. Done$/       package lists read/p'
	rc=$(cat "$st")
	rm -f "$st"
	return "$rc"
}

# Run as a command (sh tools/deps.sh SET), or sourced for deps_install.
case "${0##*/}" in
deps.sh) [ $# -eq 1 ] || { echo "usage: sh tools/deps.sh build|demo|server|docker|test" >&2; exit 129; }
	deps_install "$1" ;;
esac
