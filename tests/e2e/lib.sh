# lib.sh - what every end-to-end test sources: a private world (config,
# repos_dir, state_dir under a temp dir), a running engine, the busybox base
# image, and helpers to push and to check. Each test is a script t<NNNN>-*.sh
# that exits non-zero on failure.
set -eu

# The distribution's tools first: a user's shims on PATH (pyenv and the
# like) write their own noise to stderr when several tests run at once.
PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin:$PATH
export PATH
TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
SLIPWAY_BIN=${SLIPWAY_BIN:-$TOP/build/slipway}
BASE_IMAGE=slipway-test-base:busybox
TEST_NAME=$(basename "$0" .sh)
# RUN is unique to this run: app names, ports and every engine object a test
# makes carry it, so that runs beside each other on one engine never meet.
RUN=$(od -An -N3 -tx1 /dev/urandom | tr -d ' \n')
WORLD=$(mktemp -d "/tmp/slipway-$TEST_NAME.XXXXXX")
CONF=$WORLD/slipway.conf
APPS_MADE=()

# With a sanitized binary (make SAN=1 e2e) every slipway process, hooks and
# the SSH forced command included (lib-sshd.sh passes these on), writes its
# sanitizer reports under $SAN_DIR (run.sh names it), and run.sh fails the
# test when there is one. Leaks at exit are not reported unless
# ASAN_OPTIONS=detect_leaks=1 is given: make SAN=1 unit checks the libraries
# for leaks.
SAN_DIR=${SLIPWAY_E2E_SAN_DIR:-$WORLD/san}
mkdir -p "$SAN_DIR"
export ASAN_OPTIONS="detect_leaks=0:log_path=$SAN_DIR/asan${ASAN_OPTIONS:+:$ASAN_OPTIONS}"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1:log_path=$SAN_DIR/ubsan${UBSAN_OPTIONS:+:$UBSAN_OPTIONS}"

export GIT_AUTHOR_NAME=tester GIT_AUTHOR_EMAIL=tester@example.invalid
export GIT_COMMITTER_NAME=tester GIT_COMMITTER_EMAIL=tester@example.invalid
export GIT_CONFIG_NOSYSTEM=1 HOME=$WORLD/home
mkdir -p "$HOME"
git config --global init.defaultBranch main
git config --global advice.detachedHead false

# [tls] first: tests append keys to [deploy], the last section. No ACME
# server is reachable from tests; t0901 turns it on against pebble.
cat >"$CONF" <<CONF
[tls]
enabled = no
[server]
repos_dir = $WORLD/repos
state_dir = $WORLD/state
docker_host = unix:///var/run/docker.sock
[deploy]
branch = main
health_timeout = 30
min_uptime = 1
CONF

# free_port: a loopback port nothing listens on, below the kernel's
# ephemeral range (32768-60999), where an outgoing connection's local port
# would make the engine's bind fail with "address already in use".
free_port() {
	local p
	while :; do
		p=$((20000 + RANDOM % 12000))
		(exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null || { echo $p; return; }
	done
}

say() { printf '# %s\n' "$*"; }
fail() { printf 'FAIL: %s: %s\n' "$TEST_NAME" "$*" >&2; exit 1; }

slipway() { "$SLIPWAY_BIN" -c "$CONF" "$@"; }

cleanup() {
	local rc=$? app
	for app in "${APPS_MADE[@]}"; do
		"$SLIPWAY_BIN" -c "$CONF" app destroy "$app" --volumes >/dev/null 2>&1 || true
	done
	if compgen -G "$SAN_DIR/*" >/dev/null; then
		echo "FAIL: $TEST_NAME: sanitizer reports in $SAN_DIR" >&2
		rc=1
	fi
	if [ $rc -ne 0 ]; then
		echo "--- $TEST_NAME failed; world kept in $WORLD" >&2
	else
		rm -rf "$WORLD"
	fi
}
trap cleanup EXIT

# The engine must answer; tests/e2e/run.sh starts one when none does.
docker info >/dev/null 2>&1 || fail "no docker engine answers"

# A base image built from nothing: FROM scratch + busybox-static.
ensure_base_image() {
	docker image inspect "$BASE_IMAGE" >/dev/null 2>&1 && return 0
	local d=$WORLD/base
	mkdir -p "$d"
	cp /bin/busybox "$d/busybox"
	cat >"$d/Dockerfile" <<'DF'
FROM scratch
COPY busybox /bin/busybox
RUN ["/bin/busybox", "--install", "-s", "/bin"]
RUN ["/bin/mkdir", "-p", "/tmp", "/var/www", "/data"]
DF
	docker build -q -t "$BASE_IMAGE" "$d" >/dev/null
}
ensure_base_image

# new_app NAME: create the app, a work tree $WORLD/src/NAME with remote production.
new_app() {
	local app=$1
	slipway app create "$app" >/dev/null
	APPS_MADE+=("$app")
	mkdir -p "$WORLD/src/$app"
	git -C "$WORLD/src/$app" init -q
	git -C "$WORLD/src/$app" remote add production "$WORLD/repos/$app.git"
}

# commit_all NAME MESSAGE
commit_all() {
	git -C "$WORLD/src/$1" add -A
	git -C "$WORLD/src/$1" commit -q -m "$2"
}

# push NAME [ARGS...]: push main to production; output in $WORLD/push.out
push() {
	local app=$1; shift
	git -C "$WORLD/src/$app" push "$@" production HEAD:main >"$WORLD/push.out" 2>&1
}

# web_app NAME PORT TEXT: a busybox httpd app serving TEXT on 127.0.0.1:PORT
web_app() {
	local app=$1 port=$2 text=$3 d=$WORLD/src/$1
	mkdir -p "$d/www"
	printf '%s\n' "$text" >"$d/www/index.html"
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
    ports:
      - "127.0.0.1:$port:8080"
YML
}

# wait_http URL TEXT [SECONDS]: until the page contains TEXT.
wait_http() {
	local url=$1 text=$2 n=$(( ${3:-20} * 5 ))
	while [ $n -gt 0 ]; do
		if curl -fsS --max-time 2 "$url" 2>/dev/null | grep -qF -- "$text"; then
			return 0
		fi
		sleep 0.2
		n=$((n - 1))
	done
	fail "$url never served \"$text\" (got: $(curl -sS --max-time 2 "$url" 2>&1 | head -c 200))"
}

# expect_in FILE TEXT: the file contains TEXT.
expect_in() {
	grep -qF -- "$2" "$1" || { cat "$1" >&2; fail "expected \"$2\" in $1"; }
}
expect_not_in() {
	! grep -qF -- "$2" "$1" || { cat "$1" >&2; fail "did not expect \"$2\" in $1"; }
}

container_id() { docker inspect -f '{{.Id}}' "$1" 2>/dev/null || true; }
