#!/usr/bin/env bash
# Hostile commands through a real sshd: every one is refused with one line on
# stderr and a non-zero exit, and none of them runs (each would create a
# marker file). Port forwarding is refused by the key's options (a plain key
# on the same sshd forwards, which shows the test can tell), and so are
# scp, sftp and interactive logins.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib-sshd.sh"

app=e2e-ssh-hostile-$RUN
other=e2e-ssh-hostile2-$RUN
new_app $app
new_app $other
new_key alice --apps $app
M=$WORLD/marks
mkdir -p "$M"

hostile=(
	"touch $M/1"
	"sh -c 'touch $M/2'"
	"bash -c 'touch $M/3'"
	"/bin/sh -c \"touch $M/4\""
	"exec touch $M/5"
	"env touch $M/6"
	"status $app; touch $M/7"
	"status $app;touch $M/8"
	"status $app && touch $M/9"
	"status $app || touch $M/10"
	"status $app | touch $M/11"
	"status $app & touch $M/12"
	"status \$(touch $M/13)"
	"status $app\$(touch $M/14)"
	"status \`touch $M/15\`"
	"status $app > $M/16"
	"status $app >> $M/17"
	"status $app < $M/18"
	"status $app"$'\n'"touch $M/19"
	"status $app"$'\r'"touch $M/20"
	"status '$app'\"; touch $M/21\""
	"status '$app; touch $M/22'"
	"status $app '; touch $M/23'"
	"git-receive-pack '$app.git'; touch $M/24"
	"git-receive-pack '$app.git' | touch $M/25"
	"git-receive-pack '$app.git' '$M/26'"
	"git-receive-pack '$app.git"
	"git-receive-pack '$app.git; touch $M/28'"
	"git-receive-pack \"$app.git\"; touch $M/29"
	"git-receive-pack '../../../$M/30.git'"
	"git-receive-pack '$WORLD/repos/../marks/31.git'"
	"git-receive-pack '$M/32.git'"
	"git-receive-pack '/etc/passwd'"
	"git-receive-pack '--upload-pack=touch $M/34'"
	"git-upload-pack '$other.git'"
	"git-receive-pack '$other.git'"
	"git-upload-archive '$app.git'"
	"git receive-pack '$app.git'"
	"scp -t $M/39"
	"scp -f /etc/passwd"
	"rsync --server -logDtpre.iLsfxC . $M/41"
	"sftp"
	"internal-sftp"
	"deploy $app '\$(touch $M/44)'"
	"deploy $app HEAD; touch $M/45"
	"rollback $app \`touch $M/46\`"
	"config $app set A=1; touch $M/47"
	"config $app set 'B=\$(touch $M/48)' && touch $M/48"
	"config $app list --values"
	"logs $app \$(touch $M/50)"
	"history $app -n \$(touch $M/51)"
	"history $app --log abc"
	"logs $app -n 200000"
	"app create e2e-ssh-x-$RUN; touch $M/52"
	"app list"
	"app destroy $app"
	"ssh-command root --admin"
	"key add evil --admin"
	"hook post-receive"
	"status $other"
	"status $app extra words"
	"status"
	"STATUS $app"
	"status \\"
	"status $app #; touch $M/65"
	"status ~root"
	"status $app"$'\x1b'"[2J"
	"'status' '$app'\"\$(touch $M/68)\""
	"git-receive-pack \$'$app.git'"
	"GIT_DIR=$M git-receive-pack '$app.git'"
)

say "${#hostile[@]} hostile commands are refused, one line each, and none runs"
i=0
for cmd in "${hostile[@]}"; do
	i=$((i + 1))
	if ssh_as alice $SSH_HOST "$cmd" </dev/null >"$WORLD/out" 2>"$WORLD/err"; then
		fail "hostile command $i accepted: $cmd"
	fi
	[ ! -s "$WORLD/out" ] || { cat "$WORLD/out"; fail "hostile command $i printed on stdout: $cmd"; }
	[ "$(wc -l <"$WORLD/err")" = 1 ] || { cat "$WORLD/err"; fail "hostile command $i: not one line on stderr: $cmd"; }
	grep -q '^error: ' "$WORLD/err" || { cat "$WORLD/err"; fail "hostile command $i: no error line"; }
	say "$i: $(cat -v "$WORLD/err")"
done
[ -z "$(ls -A "$M")" ] || { ls -l "$M"; fail "a hostile command ran"; }
[ ! -e "$WORLD/repos/e2e-ssh-x-$RUN.git" ] || fail "a hostile command created an app"
[ -d "$WORLD/repos/$app.git" ] || fail "a hostile command destroyed the app"
if [ -e "$WORLD/state/apps/$app/env.json" ]; then fail "a refused config set wrote"; fi

say "a login without a command (or a blank one) is refused, and lists the key's commands"
for cmd in "" "   "; do
	if ssh_as alice -T $SSH_HOST "$cmd" </dev/null >"$WORLD/out" 2>"$WORLD/err"; then
		fail "login with command \"$cmd\" accepted"
	fi
	[ "$(wc -l <"$WORLD/err")" = 1 ] || { cat "$WORLD/err"; fail "interactive: not one line"; }
	expect_in "$WORLD/err" "error: key \"alice\": no interactive logins"
	expect_in "$WORLD/out" "this key may use the app $app and run:"
	expect_in "$WORLD/out" "  status APP [--json]"
	expect_in "$WORLD/out" "  config APP set KEY=VALUE..."
	! grep -q -- "--values\|  app \|  key " "$WORLD/out" || { cat "$WORLD/out"; fail "an app key is shown admin commands"; }
done
[ -z "$(ls -A "$M")" ] || { ls -l "$M"; fail "a login without a command ran something"; }

say "help lists what the key may run: an app key, then an admin key"
ssh_as alice $SSH_HOST help >"$WORLD/out" 2>"$WORLD/err" || { cat "$WORLD/err"; fail "help refused"; }
expect_in "$WORLD/out" "  logs APP [SERVICE] [-n COUNT] [-f]"
! grep -q -- "--values\|  app \|  key " "$WORLD/out" || { cat "$WORLD/out"; fail "help shows an app key admin commands"; }
new_key boss --admin
ssh_as boss $SSH_HOST help >"$WORLD/out" 2>"$WORLD/err" || { cat "$WORLD/err"; fail "help refused (admin)"; }
expect_in "$WORLD/out" "every app"
expect_in "$WORLD/out" "  config APP list --values"
expect_in "$WORLD/out" "  key add NAME --admin"
expect_in "$WORLD/out" "  app destroy APP [--volumes]"

say "main and the gateway refuse bad arguments with the same message"
for cmd in "history $app --log abc" "logs $app -n 200000" "config $app set 1A=x"; do
	# shellcheck disable=SC2086
	if slipway $cmd >"$WORLD/out" 2>"$WORLD/main.err"; then fail "main accepted: $cmd"; fi
	if ssh_as alice $SSH_HOST "$cmd" </dev/null >"$WORLD/out" 2>"$WORLD/ssh.err"; then fail "gateway accepted: $cmd"; fi
	want=$(sed 's/^error: //' "$WORLD/main.err")
	[ -n "$want" ] || fail "main: no message for $cmd"
	[ "$(cat "$WORLD/ssh.err")" = "error: key \"alice\": $want" ] ||
		fail "the paths disagree on \"$cmd\": main \"$(cat "$WORLD/main.err")\", gateway \"$(cat "$WORLD/ssh.err")\""
done

say "shell words inside quotes are data, stored as they are and never run"
ssh_as alice $SSH_HOST "config $app set 'X=\$(touch $M/data); \`touch $M/data\` | touch $M/data'" >/dev/null ||
	fail "quoted value refused"
[ ! -e "$M/data" ] || fail "a quoted value ran"
slipway config $app list --values >"$WORLD/out"
expect_in "$WORLD/out" "X=\$(touch $M/data); \`touch $M/data\` | touch $M/data"

say "scp and sftp are refused"
echo secret >"$WORLD/file"
# shellcheck disable=SC2086
if scp -O $(echo "$SSH_OPTS" | sed 's/-p /-P /') -i "$KEYS/alice" "$WORLD/file" "$SSH_HOST:$M/scp-legacy" 2>"$WORLD/err"; then
	fail "scp (legacy protocol) accepted"
fi
# shellcheck disable=SC2086
if scp $(echo "$SSH_OPTS" | sed 's/-p /-P /') -i "$KEYS/alice" "$WORLD/file" "$SSH_HOST:$M/scp-sftp" 2>"$WORLD/err"; then
	fail "scp (sftp protocol) accepted"
fi
echo "put $WORLD/file $M/sftp" >"$WORLD/batch"
# shellcheck disable=SC2086
if sftp $(echo "$SSH_OPTS" | sed 's/-p /-P /') -i "$KEYS/alice" -b "$WORLD/batch" "$SSH_HOST" >/dev/null 2>&1; then
	fail "sftp accepted"
fi
[ -z "$(ls -A "$M")" ] || { ls -l "$M"; fail "scp or sftp wrote a file"; }

say "a pty (for run's console) gives no shell: the forced command still decides"
ssh_as alice -tt $SSH_HOST "status $app" </dev/null >"$WORLD/out" 2>&1 || { cat "$WORLD/out"; fail "ssh -tt status"; }
expect_in "$WORLD/out" "app:"
rc=0; ssh_as alice -tt $SSH_HOST </dev/null >"$WORLD/out" 2>&1 || rc=$?
[ $rc = 1 ] || { cat "$WORLD/out"; fail "ssh -tt without a command exited $rc"; }
expect_in "$WORLD/out" "no interactive logins"
rc=0; ssh_as alice -tt $SSH_HOST "sh -i" </dev/null >"$WORLD/out" 2>&1 || rc=$?
[ $rc = 1 ] || fail "ssh -tt sh -i exited $rc"
expect_in "$WORLD/out" "unknown command \"sh\""

say "port forwarding is refused by the key's options"
hport=$(free_port)
mkdir -p "$WORLD/www"
echo "forwarded-secret" >"$WORLD/www/index.html"
busybox httpd -f -p "127.0.0.1:$hport" -h "$WORLD/www" &
BG_PIDS+=($!)
wait_http "http://127.0.0.1:$hport/" "forwarded-secret" 5

# forward_works KEY: does ssh -L with that key reach the local web server?
forward_works() {
	local lport pid ok=1
	lport=$(free_port)
	# shellcheck disable=SC2086
	ssh $SSH_OPTS -i "$KEYS/$1" -N -L "$lport:127.0.0.1:$hport" $SSH_HOST </dev/null 2>>"$WORLD/fwd.err" &
	pid=$!
	for _ in $(seq 1 50); do
		(exec 3<>"/dev/tcp/127.0.0.1/$lport") 2>/dev/null && break
		sleep 0.1
	done
	curl -fsS --max-time 3 "http://127.0.0.1:$lport/" 2>/dev/null | grep -q forwarded-secret && ok=0
	kill $pid 2>/dev/null; wait $pid 2>/dev/null
	return $ok
}

# The control: a key added by hand without options forwards on this sshd.
ssh-keygen -q -t ed25519 -N '' -f "$KEYS/plain"
cp "$AUTH_KEYS" "$WORLD/auth.saved"
cat "$KEYS/plain.pub" >>"$AUTH_KEYS"
forward_works plain || fail "control: a plain key cannot forward either, the test proves nothing"
cp "$WORLD/auth.saved" "$AUTH_KEYS"

if forward_works alice; then fail "ssh -L forwarded through a slipway key"; fi
rport=$(free_port)
if timeout 20 ssh $SSH_OPTS -i "$KEYS/alice" -N -o ExitOnForwardFailure=yes \
	-R "$rport:127.0.0.1:$hport" $SSH_HOST </dev/null 2>"$WORLD/err"; then
	fail "ssh -R was accepted"
fi
expect_in "$WORLD/err" "remote port forwarding failed"
! curl -fsS --max-time 2 "http://127.0.0.1:$rport/" >/dev/null 2>&1 || fail "ssh -R forwarded"
grep -q "refused local port forward\|port forwarding disabled\|Port forwarding disabled\|administratively prohibited" \
	"$SSHD_DIR/sshd.log" "$WORLD/fwd.err" || { tail -20 "$SSHD_DIR/sshd.log"; fail "no sign that sshd refused the forward"; }
