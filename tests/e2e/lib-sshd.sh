# lib-sshd.sh - for the SSH tests (t06xx), sourced after lib.sh: a private
# sshd from Debian's openssh-server on a free loopback port, with its own host
# key and authorized_keys (the one slipway's [ssh] authorized_keys names),
# and helpers to make keys and to run ssh and git as a given key.
#
# The test runs as root, so the keys log in as root; the forced command in
# each key's line is what the test is about. Port forwarding is left at
# sshd's default (allowed) so that the key options must refuse it.

SSHD=${SSHD:-/usr/sbin/sshd}
[ -x "$SSHD" ] || fail "no $SSHD (apt-get install openssh-server)"

SSHD_DIR=$WORLD/sshd
KEYS=$WORLD/keys
AUTH_KEYS=$SSHD_DIR/authorized_keys
KNOWN_HOSTS=$WORLD/known_hosts
mkdir -p "$SSHD_DIR" "$KEYS" /run/sshd
chmod 700 "$SSHD_DIR" "$KEYS"

cat >>"$CONF" <<CONF
[ssh]
authorized_keys = $AUTH_KEYS
CONF

ssh-keygen -q -t ed25519 -N '' -C test-host -f "$SSHD_DIR/host_key"
SSH_PORT=$(free_port)
cat >"$SSHD_DIR/sshd_config" <<CFG
Port $SSH_PORT
ListenAddress 127.0.0.1
HostKey $SSHD_DIR/host_key
PidFile $SSHD_DIR/sshd.pid
AuthorizedKeysFile $AUTH_KEYS
StrictModes no
UsePAM no
PermitRootLogin yes
PasswordAuthentication no
KbdInteractiveAuthentication no
PubkeyAuthentication yes
LogLevel VERBOSE
SetEnv "ASAN_OPTIONS=$ASAN_OPTIONS" "UBSAN_OPTIONS=$UBSAN_OPTIONS"
CFG
"$SSHD" -t -f "$SSHD_DIR/sshd_config" || fail "sshd rejects its configuration"
"$SSHD" -D -f "$SSHD_DIR/sshd_config" -E "$SSHD_DIR/sshd.log" &
SSHD_PID=$!

# Stop sshd and the test's background processes (BG_PIDS) before lib.sh's
# cleanup, keeping the test's exit status.
BG_PIDS=()
stop_sshd() {
	local pid
	for pid in "${BG_PIDS[@]}" "$SSHD_PID"; do
		kill "$pid" 2>/dev/null
		wait "$pid" 2>/dev/null
	done
	return 0
}
trap 'rc=$?; set +e; stop_sshd; (exit $rc); cleanup' EXIT

for _ in $(seq 1 50); do
	(exec 3<>"/dev/tcp/127.0.0.1/$SSH_PORT") 2>/dev/null && break
	sleep 0.1
done
(exec 3<>"/dev/tcp/127.0.0.1/$SSH_PORT") 2>/dev/null || fail "sshd does not listen on $SSH_PORT"
echo "[127.0.0.1]:$SSH_PORT $(cat "$SSHD_DIR/host_key.pub")" >"$KNOWN_HOSTS"

# new_key NAME [slipway key add arguments]: a key pair in $KEYS/NAME, added.
new_key() {
	local name=$1; shift
	ssh-keygen -q -t ed25519 -N '' -C "$name@test" -f "$KEYS/$name"
	slipway key add "$name" "$@" <"$KEYS/$name.pub" >/dev/null
}

SSH_OPTS="-F /dev/null -o UserKnownHostsFile=$KNOWN_HOSTS -o StrictHostKeyChecking=yes -o BatchMode=yes -o IdentitiesOnly=yes -o LogLevel=ERROR -p $SSH_PORT"

# ssh_as KEY [ssh arguments]: ssh to the test sshd with that key.
ssh_as() {
	local key=$1; shift
	# shellcheck disable=SC2086
	ssh $SSH_OPTS -i "$KEYS/$key" "$@"
}

# git_as KEY git arguments...: git with its ssh using that key.
git_as() {
	local key=$1; shift
	GIT_SSH_COMMAND="ssh $SSH_OPTS -i $KEYS/$key" git "$@"
}

# shellcheck disable=SC2034 # for the tests that source this
SSH_URL_BASE="ssh://root@127.0.0.1:$SSH_PORT" SSH_HOST=root@127.0.0.1
