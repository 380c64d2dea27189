/*
 * test-gateway.c - the SSH gateway: the SSH_ORIGINAL_COMMAND parser with
 * every allowed form and a long list of hostile ones, grants and
 * permissions, public-key validation, the authorized_keys lines slipway
 * writes and reads back, remote URLs and base64.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "unit.h"
#include "cmd/cmd.h"
#include "gateway/gateway.h"
#include "lib/util.h"

#define REPOS "/srv/slipway/repos"

/* Public keys made with ssh-keygen; sk- keys and bad keys built by hand. */
#define KEY_ED25519 \
	"ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIM0p0HJKoON1RMd+ZOQlmmWK" \
	"yI1FmDOUTBjNc20hzM/6 u-ed25519@test"
#define KEY_RSA \
	"ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAABAQDvVg+v3VFbYBHfj7Kfpe5C" \
	"QUPyItF780iy6cZ0oIpidjT1DR+FCSuxGmyQRwIhi6T41nASm8b9szoB3z0T" \
	"cRRRlvWdC2duYlheAuPP4Leu7dUfxspORrWQPXXNvu5ti5CVYbYGZgXwvZTZ" \
	"j784ePSp5HHc943eUH+AlgTRL5C82a4HmnFiQxQ8M5yC/uIJAmQu7j3xkOq3" \
	"2NoB7/imVxgDDYaayeGJ/rCJiJkv66pJmcnEEGvyqmelveg74gOkCA/gQ51Z" \
	"Ju/U4ymjMNGnxiPybQxThuG0Qjw+Vwdc2cHt+aM2Nl3G4m90d2kPpgsDosne" \
	"YQHAkdsWxkprOMt7RW7X u-rsab2048@test"
#define KEY_P256 \
	"ecdsa-sha2-nistp256 AAAAE2VjZHNhLXNoYTItbmlzdHAyNTYAAAAIbmlz" \
	"dHAyNTYAAABBBI3kPLbEyb71EMhVezGebMs881P7fHVfmSz70L8BoNykOOMK" \
	"9oOCaXsA3beZFGehM+iZascR94+2k6fBElxcd54= u-ecdsab256@test"
#define KEY_P384 \
	"ecdsa-sha2-nistp384 AAAAE2VjZHNhLXNoYTItbmlzdHAzODQAAAAIbmlz" \
	"dHAzODQAAABhBHng5/QjWTp7uW34TRFGpsqnRWG5SIwJnb+vazMWVyLYTkg7" \
	"sB3EJkTYdWTkKA1PZ4VZs/5pM40nBLmdxhf/W10xVkvMKQhZMeMeJf7EGBaq" \
	"C4swwFEvrvMpuBRSswE3Kw== u-ecdsab384@test"
#define KEY_P521 \
	"ecdsa-sha2-nistp521 AAAAE2VjZHNhLXNoYTItbmlzdHA1MjEAAAAIbmlz" \
	"dHA1MjEAAACFBAFccxjmSzonSDMLZUcmpCLzM5xgHlAHQs7cZ1dY1/GWb/L3" \
	"IkH9Q15X0fwu7D3PCH3+lZT/7Q4tilwAxuJEyFm2awA/oxF6S7ajuVcuxqi3" \
	"NnidOq4BkxRL2LE2/z2PLHRJiI74zYcFPlprXTIRK8rmYHrRQMPVGaFc9HAl" \
	"C8R3jNtMKw== u-ecdsab521@test"
#define KEY_RSA1024 \
	"ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAAAgQDzifK3ZhX/97E8UPYYbp+6" \
	"5gWhkHiB4TN+2NdKqBKZvZzGZEGfNWzTwfdFW2H5V/UR41x3MSvm9PzpStV+" \
	"GNdn6b7JZAxN1wkZNhZgCuef4Td/xLpuo78+/FoHqj8j0jKceMCksDR+QHeX" \
	"nJLe7qanGtkg1V2q8DkcRTT+rv/J3Q== u-rsab1024@test"
#define KEY_SK_ED25519 \
	"sk-ssh-ed25519@openssh.com AAAAGnNrLXNzaC1lZDI1NTE5QG9wZW5zc" \
	"2guY29tAAAAIAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8gAAAAB" \
	"HNzaDo="
#define KEY_SK_P256 \
	"sk-ecdsa-sha2-nistp256@openssh.com AAAAInNrLWVjZHNhLXNoYTItb" \
	"mlzdHAyNTZAb3BlbnNzaC5jb20AAAAIbmlzdHAyNTYAAABBBAAAAAAAAAAAA" \
	"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA" \
	"AAAAAAAAAAAAAAAAAAEc3NoOg=="
#define BAD_ED_SHORT \
	"ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAHwECAwQFBgcICQoLDA0ODxAR" \
	"EhMUFRYXGBkaGxwdHh8="
#define BAD_ED_TRAILING \
	"ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIAECAwQFBgcICQoLDA0ODxAR" \
	"EhMUFRYXGBkaGxwdHh8gAA=="
#define BAD_ED_TRUNC \
	"ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIAECAwQFBgcICQoLDA0ODxAR" \
	"EhMUFRYXGBkaGxwd"
#define BAD_RSA_512 \
	"ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAAAQQDAwMDAwMDAwMDAwMDAwMDA" \
	"wMDAwMDAwMDAwMDAwMDAwMDAwMDAwMDAwMDAwMDAwMDAwMDAwMDAwMDAwMDA" \
	"wMDA"
#define BAD_P256_CURVE \
	"ecdsa-sha2-nistp256 AAAAE2VjZHNhLXNoYTItbmlzdHAyNTYAAAAIbmlz" \
	"dHAzODQAAABBBAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA" \
	"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA="
#define BAD_P256_POINT \
	"ecdsa-sha2-nistp256 AAAAE2VjZHNhLXNoYTItbmlzdHAyNTYAAAAIbmlz" \
	"dHAyNTYAAABBAgAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA" \
	"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA="
#define BAD_SK_NOAPP \
	"sk-ssh-ed25519@openssh.com AAAAGnNrLXNzaC1lZDI1NTE5QG9wZW5zc" \
	"2guY29tAAAAIAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8g"
#define BAD_LEN_HUGE \
	"ssh-ed25519 /////3NzaC1lZDI1NTE5"

static char *
repeat(int c, size_t n)
{
	char *s = xmalloc(n + 1);

	memset(s, c, n);
	s[n] = '\0';
	return s;
}

/* Split s and compare with the expected words (NULL-terminated). */
static void
check_split(const char *s, const char *const *want)
{
	struct strv w = STRV_INIT;
	size_t i;

	if (gateway_split(s, &w) != 0)
		fail_msg("\"%s\" refused: %s", s, error_last());
	for (i = 0; want[i] != NULL; i++) {
		if (i >= w.n || strcmp(w.v[i], want[i]) != 0)
			fail_msg("\"%s\": word %zu is \"%s\", want \"%s\"", s, i,
			    i < w.n ? w.v[i] : "(none)", want[i]);
	}
	assert_int_equal(w.n, i);
	strv_clear(&w);
}

static void
test_split_good(void **state)
{
	check_split("status web", (const char *[]){ "status", "web", NULL });
	check_split("  status\tweb  ", (const char *[]){ "status", "web", NULL });
	check_split("git-receive-pack 'web.git'",
	    (const char *[]){ "git-receive-pack", "web.git", NULL });
	check_split("config web set 'A=x y; $(z) | `w`' B=1",
	    (const char *[]){ "config", "web", "set", "A=x y; $(z) | `w`",
	    "B=1", NULL });
	check_split("a 'it'\\''s' b\\ c ''",
	    (const char *[]){ "a", "it's", "b c", "", NULL });
	check_split("x 'caf\xc3\xa9'", (const char *[]){ "x", "caf\xc3\xa9", NULL });
	check_split("", (const char *[]){ NULL });
	check_split("   ", (const char *[]){ NULL });
	check_split("a=b,c:d/e@f+g%h.i_j-k",
	    (const char *[]){ "a=b,c:d/e@f+g%h.i_j-k", NULL });
}

static void
test_split_bad(void **state)
{
	const char *bad[] = {
		"a;b", "a ; b", "a|b", "a && b", "a & b", "$(x)", "`x`", "$x",
		"${x}", "a > b", "a < b", "a >> b", "(a)", "{a}", "a\"b\"",
		"\"a\"", "*", "a?", "[a]", "~/x", "#x", "!x", "a\nb", "a\rb",
		"a\x01", "a\x7f", "'a\nb'", "'unterminated", "a 'b", "a'",
		"a\\", "a\\\n", "caf\xc3\xa9", "a\\\x01", "a\\\t",
	};
	struct strv w = STRV_INIT;
	char *big = repeat('a', GATEWAY_COMMAND_MAX + 1);
	struct buf many = BUF_INIT;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		if (gateway_split(bad[i], &w) == 0)
			fail_msg("\"%s\" accepted", bad[i]);
		assert_null(strchr(error_last(), '\n'));
		strv_clear(&w);
	}
	assert_int_equal(gateway_split(big, &w), -1);
	assert_non_null(strstr(error_last(), "longer than"));
	for (i = 0; i <= GATEWAY_WORDS_MAX; i++)
		buf_adds(&many, "a ");
	assert_int_equal(gateway_split(many.buf, &w), -1);
	assert_non_null(strstr(error_last(), "words"));
	strv_clear(&w);
	buf_release(&many);
	free(big);
}

static void
test_quote_round_trip(void **state)
{
	const char *words[] = { "status", "web", "A=it's", "", "x y", "$(z)",
	    "'", "\\", "~/a", "caf\xc3\xa9", "a;b|c", "--json" };
	struct buf line = BUF_INIT;
	struct strv w = STRV_INIT;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(words); i++) {
		if (i)
			buf_addch(&line, ' ');
		gateway_quote(&line, words[i]);
	}
	assert_int_equal(gateway_split(line.buf, &w), 0);
	assert_int_equal(w.n, ARRAY_SIZE(words));
	for (i = 0; i < ARRAY_SIZE(words); i++)
		assert_string_equal(w.v[i], words[i]);
	/* Plain words stay plain. */
	buf_reset(&line);
	gateway_quote(&line, "status");
	gateway_quote(&line, "");
	assert_string_equal(line.buf, "status''");
	strv_clear(&w);
	buf_release(&line);
}

/* Parse line; on success compare argv (NULL-terminated) and app. */
static void
check_parse(const char *line, const char *app, const char *const *argv)
{
	struct gateway_cmd cmd;
	size_t i;

	if (cmd_ssh_parse(line, REPOS, &cmd) != 0)
		fail_msg("\"%s\" refused: %s", line, error_last());
	if (app == NULL)
		assert_null(cmd.app);
	else
		assert_string_equal(cmd.app, app);
	for (i = 0; argv[i] != NULL; i++) {
		if (i >= cmd.argv.n || strcmp(cmd.argv.v[i], argv[i]) != 0)
			fail_msg("\"%s\": argv[%zu] is \"%s\", want \"%s\"", line,
			    i, i < cmd.argv.n ? cmd.argv.v[i] : "(none)",
			    argv[i]);
	}
	assert_int_equal(cmd.argv.n, i);
	assert_null(cmd.argv.v[i]);
	gateway_cmd_dispose(&cmd);
}

static void
test_parse_git(void **state)
{
	const char *forms[] = { "'web.git'", "'web'", "'/web.git'",
	    "'~/web.git'", "'" REPOS "/web.git'", "web.git", "'/web'" };
	struct gateway_cmd cmd;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(forms); i++) {
		char *line = xasprintf("git-receive-pack %s", forms[i]);

		check_parse(line, "web", (const char *[]){ "git-receive-pack",
		    REPOS "/web.git", NULL });
		assert_int_equal(cmd_ssh_parse(line, REPOS, &cmd), 0);
		assert_int_equal(cmd.kind, GATEWAY_GIT);
		assert_int_equal(cmd.admin_only, 0);
		gateway_cmd_dispose(&cmd);
		free(line);
	}
	/* An absolute path names an app in repos_dir, never anything else. */
	check_parse("git-receive-pack '/etc'", "etc",
	    (const char *[]){ "git-receive-pack", REPOS "/etc.git", NULL });
	check_parse("git-upload-pack 'my-app.git'", "my-app",
	    (const char *[]){ "git-upload-pack", REPOS "/my-app.git", NULL });
	/* A trailing slash on repos_dir changes nothing. */
	assert_int_equal(cmd_ssh_parse("git-upload-pack '" REPOS "/a.git'",
	    REPOS "/", &cmd), 0);
	assert_string_equal(cmd.argv.v[1], REPOS "/a.git");
	gateway_cmd_dispose(&cmd);
}

static void
test_parse_verbs(void **state)
{
	struct gateway_cmd cmd;

	check_parse("status web", "web", (const char *[]){ "status", "web", NULL });
	check_parse("status web --json", "web",
	    (const char *[]){ "status", "web", "--json", NULL });
	check_parse("history web -n 5 --json --log 3", "web",
	    (const char *[]){ "history", "web", "-n", "5", "--json", "--log",
	    "3", NULL });
	check_parse("logs web", "web", (const char *[]){ "logs", "web", NULL });
	check_parse("logs web api -n 10 -f", "web",
	    (const char *[]){ "logs", "web", "api", "-n", "10", "-f", NULL });
	check_parse("logs web -f -n 1 api", "web",
	    (const char *[]){ "logs", "web", "-f", "-n", "1", "api", NULL });
	check_parse("deploy web", "web", (const char *[]){ "deploy", "web", NULL });
	check_parse("deploy web main", "web",
	    (const char *[]){ "deploy", "web", "main", NULL });
	check_parse("rollback web 0123abcd", "web",
	    (const char *[]){ "rollback", "web", "0123abcd", NULL });
	check_parse("config web list", "web",
	    (const char *[]){ "config", "web", "list", NULL });
	check_parse("config web set A=1111 'B=x yz' C=", "web",
	    (const char *[]){ "config", "web", "set", "A=1111", "B=x yz", "C=",
	    NULL });
	check_parse("config web unset A B_2", "web",
	    (const char *[]){ "config", "web", "unset", "A", "B_2", NULL });
	check_parse("app list", NULL, (const char *[]){ "app", "list", NULL });
	check_parse("app create web", "web",
	    (const char *[]){ "app", "create", "web", NULL });
	check_parse("app destroy web --volumes", "web",
	    (const char *[]){ "app", "destroy", "web", "--volumes", NULL });
	check_parse("key list", NULL, (const char *[]){ "key", "list", NULL });
	check_parse("key add alice@laptop --apps web,api", NULL,
	    (const char *[]){ "key", "add", "alice@laptop", "--apps", "web,api",
	    NULL });
	check_parse("key add ci --admin", NULL,
	    (const char *[]){ "key", "add", "ci", "--admin", NULL });
	check_parse("key remove ci", NULL,
	    (const char *[]){ "key", "remove", "ci", NULL });

	assert_int_equal(cmd_ssh_parse("status web", REPOS, &cmd), 0);
	assert_int_equal(cmd.kind, GATEWAY_VERB);
	assert_int_equal(cmd.admin_only, 0);
	gateway_cmd_dispose(&cmd);
	assert_int_equal(cmd_ssh_parse("config web list --values", REPOS,
	    &cmd), 0);
	assert_int_equal(cmd.admin_only, 1);
	gateway_cmd_dispose(&cmd);
	assert_int_equal(cmd_ssh_parse("app list", REPOS, &cmd), 0);
	assert_int_equal(cmd.admin_only, 1);
	gateway_cmd_dispose(&cmd);
	assert_int_equal(cmd_ssh_parse("config web set A=1111", REPOS, &cmd), 0);
	assert_int_equal(cmd.admin_only, 0);
	gateway_cmd_dispose(&cmd);
}

/* Every one of these is refused, with one line of error. */
static const char *hostile[] = {
	/* nothing, shells, other programs */
	"", " ", "\t", "sh", "bash", "/bin/sh", "sh -c id", "bash -i",
	"exec sh", "scp -t /tmp", "scp -f /etc/passwd", "rsync --server . /tmp",
	"sftp", "internal-sftp", "git-upload-archive 'web.git'",
	"git-shell -c 'git-receive-pack web.git'", "git receive-pack 'web.git'",
	"git 'receive-pack' 'web.git'", "env", "true", "echo hi", "cat /etc/passwd",
	"ssh-command other --admin", "hook post-receive",
	"/usr/bin/git-receive-pack 'web.git'", "GIT_DIR=/ git-receive-pack 'web.git'",
	/* git commands with bad arguments */
	"git-receive-pack", "git-upload-pack", "git-receive-pack ''",
	"git-receive-pack 'web.git' extra", "git-receive-pack 'web.git' 'web.git'",
	"git-receive-pack 'web.git", "git-receive-pack web.git'",
	"git-receive-pack \"web.git\"", "git-receive-pack 'web.git';id",
	"git-receive-pack 'web.git'; touch /tmp/pwned",
	"git-receive-pack 'web.git' | sh", "git-receive-pack 'web.git' && id",
	"git-receive-pack 'web.git' || id", "git-receive-pack 'web.git' & id",
	"git-receive-pack 'web.git' > /tmp/x", "git-receive-pack $(id)",
	"git-receive-pack 'web.git'$(id)", "git-receive-pack `id`",
	"git-receive-pack '$(touch /tmp/x)'", "git-receive-pack 'web;id'",
	"git-receive-pack 'web.git\nid'", "git-receive-pack 'web.git'\nid",
	"git-receive-pack 'web.git'\rid",
	"git-receive-pack '../web.git'", "git-receive-pack '../../etc/passwd'",
	"git-receive-pack '/etc/passwd'", "git-receive-pack '/etc/'",
	"git-receive-pack '/root/.ssh'", "git-receive-pack '/srv/other/web.git'",
	"git-receive-pack '" REPOS "/../web.git'",
	"git-receive-pack '" REPOS "/sub/web.git'",
	"git-receive-pack '" REPOS "'", "git-receive-pack '" REPOS "/'",
	"git-receive-pack '~root/web.git'", "git-receive-pack '~/../web.git'",
	"git-receive-pack '~xweb.git'", "git-receive-pack '~web.git'",
	"git-receive-pack '//web.git'", "git-receive-pack 'web.git/'",
	"git-receive-pack 'web/.git'", "git-receive-pack '.git'",
	"git-receive-pack 'Web.git'", "git-receive-pack '-web.git'",
	"git-receive-pack '--upload-pack=id'", "git-receive-pack 'web.git.git'",
	"git-receive-pack '.'", "git-receive-pack '..'", "git-receive-pack '/'",
	"git-receive-pack ~/web.git", "git-receive-pack 'w eb.git'",
	"git-receive-pack 'web\\.git'",
	"git-receive-pack 'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa.git'",
	/* verbs with bad arguments */
	"status", "status ''", "status web extra", "status web --json --json",
	"status Web", "status ../web", "status web;id", "status web; id",
	"status web | cat", "status $(id)", "status `id`", "status web && id",
	"status 'web;id'", "status 'web' 'x'", "status -web", "status --json",
	"status web --js", "history", "history web -n", "history web -n x",
	"history web -n -1", "history web -n 1 -n 2", "history web --log",
	"history web --log x", "history web extra", "history web -n 999999999",
	"logs", "logs web -n", "logs web -n abc", "logs web a b",
	"logs web 'x;y'", "logs web -x", "logs web -f -f", "logs web .hidden",
	"deploy", "deploy web a b", "deploy web ..", "deploy web -x",
	"deploy web 'a..b'", "deploy web '@{-1}'", "deploy web 'x.lock'",
	"rollback", "rollback web a b", "rollback web --force",
	"config", "config web", "config web list --all", "config web list --values x",
	"config web set", "config web set A", "config web set =x",
	"config web set 1A=x", "config web set 'A B=x'", "config web set 'A;B=x'",
	"config web unset", "config web unset A=1", "config web unset 'caf\xc3\xa9'",
	"config web get A", "config web", "app", "app list x", "app create",
	"app create Web", "app create web x", "app destroy",
	"app destroy web --force", "app destroy web --volumes x", "app remove web",
	"app create ../x",
	"key", "key list x", "key add", "key add x", "key add x --apps",
	"key add x --apps ''", "key add x --apps A", "key add x --root",
	"key add x --admin --admin", "key add 'a b' --admin", "key add -x --admin",
	"key remove", "key remove x y", "key remove 'x;y'", "key rm x",
	/* other words */
	"Status web", "STATUS web", "status\x00web", "stat web",
	"remote status", "ssh-command a --admin", "logs\x1b[2Jweb",
	"'status' web;", "\\status web|", "status web #", "status web !",
};

static void
test_parse_hostile(void **state)
{
	struct gateway_cmd cmd;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(hostile); i++) {
		if (cmd_ssh_parse(hostile[i], REPOS, &cmd) == 0)
			fail_msg("hostile command %zu \"%s\" accepted", i,
			    hostile[i]);
		assert_null(strchr(error_last(), '\n'));
		assert_null(strchr(error_last(), '\r'));
		assert_null(strchr(error_last(), '\x1b'));
		assert_null(cmd.argv.v);
		gateway_cmd_dispose(&cmd);
	}
}

static void
test_parse_messages(void **state)
{
	struct gateway_cmd cmd;
	char *long_cmd = repeat('x', 500);

	assert_int_equal(cmd_ssh_parse("", REPOS, &cmd), -1);
	assert_non_null(strstr(error_last(), "empty command"));
	assert_int_equal(cmd_ssh_parse("sh -c id", REPOS, &cmd), -1);
	assert_string_equal(error_last(), "unknown command \"sh\"");
	assert_int_equal(cmd_ssh_parse("status web; id", REPOS, &cmd), -1);
	assert_string_equal(error_last(),
	    "unexpected \";\" in command \"status web; id\"");
	assert_int_equal(cmd_ssh_parse("git-receive-pack 'web.git", REPOS,
	    &cmd), -1);
	assert_non_null(strstr(error_last(), "unterminated quote"));
	assert_int_equal(cmd_ssh_parse("git-receive-pack '/etc/passwd'", REPOS,
	    &cmd), -1);
	assert_string_equal(error_last(), "repository \"/etc/passwd\" is not "
	    "an app in repos_dir");
	assert_int_equal(cmd_ssh_parse("status web x", REPOS, &cmd), -1);
	assert_string_equal(error_last(), "usage: status APP [--json]");
	assert_int_equal(cmd_ssh_parse("status \\\x1b[31m", REPOS, &cmd), -1);
	assert_null(strchr(error_last(), '\x1b'));
	/* The input is quoted short. */
	assert_int_equal(cmd_ssh_parse(long_cmd, REPOS, &cmd), -1);
	assert_true(strlen(error_last()) < 100);
	free(long_cmd);
}

static void
test_grant(void **state)
{
	struct gateway_grant g;
	char *s;

	assert_int_equal(gateway_grant_parse(&g, 1, (char *[]){ "--admin" }), 0);
	assert_true(g.admin);
	s = gateway_grant_format(&g);
	assert_string_equal(s, "--admin");
	free(s);
	gateway_grant_dispose(&g);

	assert_int_equal(gateway_grant_parse(&g, 2,
	    (char *[]){ "--apps", "web,api,web" }), 0);
	assert_false(g.admin);
	assert_int_equal(g.apps.n, 2);
	s = gateway_grant_format(&g);
	assert_string_equal(s, "--apps web,api");
	free(s);
	gateway_grant_dispose(&g);

	assert_int_equal(gateway_grant_parse(&g, 0, NULL), -1);
	assert_int_equal(gateway_grant_parse(&g, 1, (char *[]){ "--apps" }), -1);
	assert_int_equal(gateway_grant_parse(&g, 2, (char *[]){ "--apps", "" }), -1);
	assert_int_equal(gateway_grant_parse(&g, 2, (char *[]){ "--apps", "a,,b" }), -1);
	assert_int_equal(gateway_grant_parse(&g, 2, (char *[]){ "--apps", "a," }), -1);
	assert_int_equal(gateway_grant_parse(&g, 2, (char *[]){ "--apps", "A" }), -1);
	assert_int_equal(gateway_grant_parse(&g, 2, (char *[]){ "--apps", "a;b" }), -1);
	assert_int_equal(gateway_grant_parse(&g, 2, (char *[]){ "--admin", "x" }), -1);
	assert_int_equal(gateway_grant_parse(&g, 3,
	    (char *[]){ "--apps", "a", "--admin" }), -1);
	assert_int_equal(g.apps.n, 0);
}

/* Is line permitted for a key with grant g? */
static int
permitted(const struct gateway_grant *g, const char *line)
{
	struct gateway_cmd cmd;
	int rc;

	if (cmd_ssh_parse(line, REPOS, &cmd) != 0)
		fail_msg("\"%s\" refused: %s", line, error_last());
	rc = gateway_permit(g, &cmd);
	gateway_cmd_dispose(&cmd);
	return rc == 0;
}

static void
test_permit(void **state)
{
	struct gateway_grant apps, admin;
	const char *own[] = { "git-receive-pack 'web.git'",
	    "git-upload-pack 'api.git'", "status web", "history api -n 2",
	    "logs web -f", "deploy web", "rollback web", "config web list",
	    "config web set A=1111", "config api unset A", "pull web" };
	const char *other[] = { "git-receive-pack 'other.git'",
	    "git-upload-pack '/other.git'", "status other", "history other",
	    "logs other", "deploy other", "rollback other", "config other list",
	    "config other set A=1111", "pull other" };
	const char *admin_only[] = { "app list", "app create web",
	    "app destroy web", "app destroy web --volumes",
	    "config web list --values", "key list", "key add bob --apps web",
	    "key add bob --admin", "key remove bob" };
	size_t i;

	assert_int_equal(gateway_grant_parse(&apps, 2,
	    (char *[]){ "--apps", "web,api" }), 0);
	assert_int_equal(gateway_grant_parse(&admin, 1,
	    (char *[]){ "--admin" }), 0);
	for (i = 0; i < ARRAY_SIZE(own); i++) {
		assert_true(permitted(&apps, own[i]));
		assert_true(permitted(&admin, own[i]));
	}
	for (i = 0; i < ARRAY_SIZE(other); i++) {
		assert_false(permitted(&apps, other[i]));
		assert_string_equal(error_last(), "no access to app \"other\"");
		assert_true(permitted(&admin, other[i]));
	}
	for (i = 0; i < ARRAY_SIZE(admin_only); i++) {
		assert_false(permitted(&apps, admin_only[i]));
		assert_non_null(strstr(error_last(), "needs an --admin key"));
		assert_true(permitted(&admin, admin_only[i]));
	}
	gateway_grant_dispose(&apps);
	gateway_grant_dispose(&admin);
}

static void
test_key_name(void **state)
{
	const char *good[] = { "a", "alice", "alice@laptop", "ci.deploy-1",
	    "A_b", "0" };
	const char *bad[] = { "", "-a", ".a", "_a", "a b", "a;b", "a/b", "a\"b",
	    "a,b", "a=b", "a\nb", "caf\xc3\xa9", "--admin" };
	char *max = repeat('k', GATEWAY_KEY_NAME_MAX + 1);
	size_t i;

	for (i = 0; i < ARRAY_SIZE(good); i++)
		assert_int_equal(gateway_check_key_name(good[i]), 0);
	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		if (gateway_check_key_name(bad[i]) == 0)
			fail_msg("key name \"%s\" accepted", bad[i]);
	}
	assert_int_equal(gateway_check_key_name(max), -1);
	max[GATEWAY_KEY_NAME_MAX] = '\0';
	assert_int_equal(gateway_check_key_name(max), 0);
	free(max);
}

static void
check_key(const char *text, const char *type, const char *comment)
{
	struct gateway_key k;

	if (gateway_key_parse(text, &k) != 0)
		fail_msg("key \"%.40s\" refused: %s", text, error_last());
	assert_string_equal(k.type, type);
	assert_true(strstr(text, k.blob) != NULL);
	if (comment == NULL)
		assert_null(k.comment);
	else
		assert_string_equal(k.comment, comment);
	gateway_key_dispose(&k);
}

static void
test_key_good(void **state)
{
	check_key(KEY_ED25519, "ssh-ed25519", "u-ed25519@test");
	check_key(KEY_ED25519 "\n", "ssh-ed25519", "u-ed25519@test");
	check_key("  " KEY_ED25519 " \r\n", "ssh-ed25519", "u-ed25519@test");
	check_key(KEY_RSA, "ssh-rsa", "u-rsab2048@test");
	check_key(KEY_RSA1024, "ssh-rsa", "u-rsab1024@test");
	check_key(KEY_P256, "ecdsa-sha2-nistp256", "u-ecdsab256@test");
	check_key(KEY_P384, "ecdsa-sha2-nistp384", "u-ecdsab384@test");
	check_key(KEY_P521, "ecdsa-sha2-nistp521", "u-ecdsab521@test");
	check_key(KEY_SK_ED25519, "sk-ssh-ed25519@openssh.com", NULL);
	check_key(KEY_SK_P256, "sk-ecdsa-sha2-nistp256@openssh.com", NULL);
	check_key("ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIM0p0HJKoON1RMd+ZOQlmmWK"
	    "yI1FmDOUTBjNc20hzM/6 Alice Smith <alice@example.org>",
	    "ssh-ed25519", "Alice Smith <alice@example.org>");
}

static void
test_key_bad(void **state)
{
	const char *ed_blob = "AAAAC3NzaC1lZDI1NTE5AAAAIM0p0HJKoON1RMd+ZOQlmmWK"
	    "yI1FmDOUTBjNc20hzM/6";
	char *s;
	const char *bad[] = {
		"", "\n", "ssh-ed25519", "ssh-ed25519 ", "ssh-dss AAAAB3NzaC1kc3M=",
		"ssh-ed448 AAAA", "SSH-ED25519 AAAA", "x ssh-ed25519 AAAA",
		"-----BEGIN OPENSSH PRIVATE KEY-----",
		"ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIM0p0HJKoON1RMd+ZOQlmmWK"
		    "yI1FmDOUTBjNc20hzM/", /* not a multiple of 4 */
		"ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIM0p0HJKoON1RMd+ZOQlmmWK"
		    "yI1FmDOUTBjNc20hzM/*", /* not base64 */
		"ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIM0p0HJKoON1RMd-ZOQlmmWK"
		    "yI1FmDOUTBjNc20hzM/6", /* base64url */
		"ssh-ed25519 =AAAC3NzaC1lZDI1NTE5AAAAIM0p0HJKoON1RMd+ZOQlmmWK"
		    "yI1FmDOUTBjNc20hzM/6",
		KEY_ED25519 "\n" KEY_ED25519, /* two keys */
		KEY_ED25519 "\nid", "ssh-ed25519 AAAA\x01 x",
		BAD_ED_SHORT, BAD_ED_TRAILING, BAD_ED_TRUNC, BAD_RSA_512,
		BAD_P256_CURVE, BAD_P256_POINT, BAD_SK_NOAPP, BAD_LEN_HUGE,
		"no-pty " KEY_ED25519, /* options are not a key */
		"command=\"sh\" " KEY_ED25519,
	};
	struct gateway_key k;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		if (gateway_key_parse(bad[i], &k) == 0)
			fail_msg("bad key %zu \"%.50s\" accepted", i, bad[i]);
		assert_null(k.type);
		assert_null(strchr(error_last(), '\n'));
	}
	/* A blob of one type under another type's name. */
	s = xasprintf("ssh-rsa %s", ed_blob);
	assert_int_equal(gateway_key_parse(s, &k), -1);
	assert_string_equal(error_last(), "key data is not a \"ssh-rsa\" key");
	free(s);
	s = xasprintf("ecdsa-sha2-nistp384 %s", strchr(KEY_P256, ' ') + 1);
	assert_int_equal(gateway_key_parse(s, &k), -1);
	free(s);
	/* A comment may not carry control characters. */
	s = xasprintf("ssh-ed25519 %s a\x1b[2Jb", ed_blob);
	assert_int_equal(gateway_key_parse(s, &k), -1);
	assert_non_null(strstr(error_last(), "control character"));
	free(s);
	s = xasprintf("ssh-ed25519 %s a\tb", ed_blob);
	assert_int_equal(gateway_key_parse(s, &k), -1);
	free(s);
	assert_int_equal(gateway_key_parse("-----BEGIN OPENSSH PRIVATE KEY-----",
	    &k), -1);
	assert_non_null(strstr(error_last(), "private key"));
	assert_int_equal(gateway_key_parse("ssh-dss AAAA", &k), -1);
	assert_non_null(strstr(error_last(), "unsupported key type \"ssh-dss\""));
}

#define SELF "/usr/local/bin/slipway"
#define CONF "/etc/slipway/slipway.conf"
#define OPTS ",no-port-forwarding,no-X11-forwarding,no-agent-forwarding,no-user-rc "

static void
test_key_line(void **state)
{
	struct gateway_grant apps, admin;
	struct gateway_key k;
	char *line;

	assert_int_equal(gateway_key_parse(KEY_ED25519, &k), 0);
	assert_int_equal(gateway_grant_parse(&apps, 2,
	    (char *[]){ "--apps", "web,api" }), 0);
	assert_int_equal(gateway_grant_parse(&admin, 1,
	    (char *[]){ "--admin" }), 0);

	line = gateway_key_line(SELF, CONF, "alice", &apps, &k);
	assert_non_null(line);
	assert_string_equal(line, "command=\"" SELF " -c " CONF
	    " ssh-command alice --apps web,api\"" OPTS KEY_ED25519);
	free(line);
	line = gateway_key_line(SELF, NULL, "root@ci", &admin, &k);
	assert_string_equal(line, "command=\"" SELF
	    " ssh-command root@ci --admin\"" OPTS KEY_ED25519);
	free(line);

	/* Paths that would need quoting, and bad names, are refused. */
	assert_null(gateway_key_line("/opt/my slipway", CONF, "a", &apps, &k));
	assert_non_null(strstr(error_last(), "quoting"));
	assert_null(gateway_key_line(SELF, "/etc/a\"b", "a", &apps, &k));
	assert_null(gateway_key_line(SELF, "/etc/a;b", "a", &apps, &k));
	assert_null(gateway_key_line(SELF, "/etc/$x", "a", &apps, &k));
	assert_null(gateway_key_line(SELF, "/etc/a\nb", "a", &apps, &k));
	assert_null(gateway_key_line("slipway", CONF, "a", &apps, &k));
	assert_null(gateway_key_line(SELF, "slipway.conf", "a", &apps, &k));
	assert_null(gateway_key_line(SELF, CONF, "a b", &apps, &k));
	assert_null(gateway_key_line(SELF, CONF, "a\"", &apps, &k));

	gateway_key_dispose(&k);
	gateway_grant_dispose(&apps);
	gateway_grant_dispose(&admin);
}

/* The authorized_keys file: add, refuse doubles, list, keep others, remove. */
static void
test_keys_file(void **state)
{
	char tmpl[] = "/tmp/test-gateway-XXXXXX";
	char *dir = mkdtemp(tmpl), *path, *l1, *l2, *other;
	struct gateway_grant apps, admin;
	struct gateway_key k1, k2;
	struct gateway_entry *e;
	struct buf text = BUF_INIT;
	size_t n;
	int fd;

	assert_non_null(dir);
	path = path_join(dir, "ssh/authorized_keys");
	assert_int_equal(gateway_key_parse(KEY_ED25519, &k1), 0);
	assert_int_equal(gateway_key_parse(KEY_P256, &k2), 0);
	assert_int_equal(gateway_grant_parse(&apps, 2,
	    (char *[]){ "--apps", "web" }), 0);
	assert_int_equal(gateway_grant_parse(&admin, 1,
	    (char *[]){ "--admin" }), 0);
	l1 = gateway_key_line(SELF, CONF, "alice", &apps, &k1);
	l2 = gateway_key_line(SELF, CONF, "ci", &admin, &k2);

	/* A missing file (and directory) has no keys. */
	assert_int_equal(gateway_keys_list(path, &e, &n), 0);
	assert_int_equal(n, 0);
	gateway_entries_free(e, n);
	assert_int_equal(gateway_keys_add(path, "alice", &k1, l1), 0);
	/* A line slipway did not write is kept. */
	assert_int_equal(read_file(path, &text, 1 << 20), 0);
	other = xasprintf("%s# a comment\n" KEY_RSA "\n", text.buf);
	assert_int_equal(write_file_atomic(path, other, strlen(other), 0600), 0);
	assert_int_equal(gateway_keys_add(path, "ci", &k2, l2), 0);

	assert_int_equal(gateway_keys_add(path, "alice", &k2, l2), -1);
	assert_string_equal(error_last(), "key \"alice\" already exists");
	assert_int_equal(gateway_keys_add(path, "bob", &k1, l1), -1);
	assert_non_null(strstr(error_last(), "already in"));
	assert_non_null(strstr(error_last(), "as \"alice\""));

	assert_int_equal(gateway_keys_list(path, &e, &n), 0);
	assert_int_equal(n, 2);
	assert_string_equal(e[0].name, "alice");
	assert_string_equal(e[0].grant.apps.v[0], "web");
	assert_string_equal(e[1].name, "ci");
	assert_true(e[1].grant.admin);
	gateway_entries_free(e, n);

	assert_int_equal(gateway_keys_remove(path, "alice"), 0);
	assert_int_equal(gateway_keys_remove(path, "alice"), -1);
	assert_non_null(strstr(error_last(), "no key \"alice\""));
	buf_reset(&text);
	assert_int_equal(read_file(path, &text, 1 << 20), 0);
	assert_null(strstr(text.buf, "alice"));
	assert_non_null(strstr(text.buf, "# a comment\n" KEY_RSA "\n"));
	assert_non_null(strstr(text.buf, l2));

	/* One public key from a file descriptor, as `key add` reads stdin. */
	gateway_key_dispose(&k1);
	fd = open(path, O_RDONLY);
	assert_true(fd >= 0);
	assert_int_equal(gateway_key_read(fd, &k1), -1); /* several lines */
	close(fd);

	assert_int_equal(remove_tree(dir), 0);
	buf_release(&text);
	free(other);
	free(l1);
	free(l2);
	free(path);
	gateway_key_dispose(&k1);
	gateway_key_dispose(&k2);
	gateway_grant_dispose(&apps);
	gateway_grant_dispose(&admin);
}

static void
test_entry(void **state)
{
	struct gateway_grant apps;
	struct gateway_entry e;
	struct gateway_key k;
	char *line;

	/* What key_line writes reads back. */
	assert_int_equal(gateway_key_parse(KEY_P256, &k), 0);
	assert_int_equal(gateway_grant_parse(&apps, 2,
	    (char *[]){ "--apps", "web" }), 0);
	line = gateway_key_line(SELF, CONF, "bob", &apps, &k);
	assert_int_equal(gateway_entry_parse(line, &e), 0);
	assert_string_equal(e.name, "bob");
	assert_false(e.grant.admin);
	assert_int_equal(e.grant.apps.n, 1);
	assert_string_equal(e.grant.apps.v[0], "web");
	assert_string_equal(e.key.type, "ecdsa-sha2-nistp256");
	assert_string_equal(e.key.blob, k.blob);
	assert_string_equal(e.key.comment, "u-ecdsab256@test");
	gateway_entry_dispose(&e);
	free(line);
	gateway_key_dispose(&k);
	gateway_grant_dispose(&apps);

	/* A plain key line someone added by hand: a key, not slipway's. */
	assert_int_equal(gateway_entry_parse(KEY_ED25519, &e), 0);
	assert_null(e.name);
	assert_string_equal(e.key.type, "ssh-ed25519");
	gateway_entry_dispose(&e);
	assert_int_equal(gateway_entry_parse("from=\"10.0.0.1,a b\",no-pty "
	    KEY_RSA, &e), 0);
	assert_null(e.name);
	assert_string_equal(e.key.type, "ssh-rsa");
	gateway_entry_dispose(&e);
	/* Another forced command that mentions ssh-command with a bad grant. */
	assert_int_equal(gateway_entry_parse("command=\"x ssh-command a --root\" "
	    KEY_ED25519, &e), 0);
	assert_null(e.name);
	gateway_entry_dispose(&e);
	/* Escaped quotes in the command. */
	assert_int_equal(gateway_entry_parse("command=\"/s \\\"x\\\" ssh-command "
	    "eve --admin\" " KEY_ED25519, &e), 0);
	assert_string_equal(e.name, "eve");
	assert_true(e.grant.admin);
	gateway_entry_dispose(&e);
	/* Not keys. */
	assert_int_equal(gateway_entry_parse("", &e), 1);
	assert_int_equal(gateway_entry_parse("   ", &e), 1);
	assert_int_equal(gateway_entry_parse("# a comment", &e), 1);
	assert_int_equal(gateway_entry_parse("garbage here", &e), 1);
	assert_int_equal(gateway_entry_parse("command=\"unterminated " KEY_ED25519,
	    &e), 1);
	assert_null(e.name);
	gateway_entry_dispose(&e);
}

static void
check_url(const char *url, const char *user, const char *host, int port,
    const char *app)
{
	struct gateway_url u;

	if (gateway_url_parse(url, &u) != 0)
		fail_msg("\"%s\" refused: %s", url, error_last());
	if (user == NULL)
		assert_null(u.user);
	else
		assert_string_equal(u.user, user);
	assert_string_equal(u.host, host);
	assert_int_equal(u.port, port);
	assert_string_equal(u.app, app);
	gateway_url_dispose(&u);
}

static void
test_url(void **state)
{
	const char *bad[] = { "", "/srv/repos/web.git", "./web", "web.git",
	    "https://host/web.git", "file:///srv/web.git", "ssh://",
	    "ssh://host", "ssh://host:0/web.git", "ssh://host:70000/web.git",
	    "ssh://host:x/web.git", "ssh://@host/web.git", "ssh://host/",
	    "ssh://host/Web.git", "git@host:", "git@host:../x y",
	    "git@:web.git", "ssh://[::1/web.git", "ssh://ho st/web.git",
	    "git@host;id:web.git", "ssh://host/web.git\n" };
	struct gateway_url u;
	size_t i;

	check_url("ssh://git@example.org/web.git", "git", "example.org", 22, "web");
	check_url("ssh://root@127.0.0.1:2222/web.git", "root", "127.0.0.1", 2222,
	    "web");
	check_url("ssh://example.org/srv/slipway/repos/my-app.git/", NULL,
	    "example.org", 22, "my-app");
	check_url("ssh://git@[::1]:22022/web", "git", "::1", 22022, "web");
	check_url("git+ssh://git@host/~/web.git", "git", "host", 22, "web");
	check_url("git@host:web.git", "git", "host", 22, "web");
	check_url("git@host:/web.git", "git", "host", 22, "web");
	check_url("host:web", NULL, "host", 22, "web");
	check_url("git@[fe80::1]:web.git", "git", "fe80::1", 22, "web");
	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		if (gateway_url_parse(bad[i], &u) == 0)
			fail_msg("URL \"%s\" accepted", bad[i]);
		assert_null(u.host);
	}
}

static void
test_base64(void **state)
{
	static const char *const vec[][2] = {
		{ "f", "Zg==" }, { "fo", "Zm8=" }, { "foo", "Zm9v" },
		{ "foob", "Zm9vYg==" }, { "fooba", "Zm9vYmE=" },
		{ "foobar", "Zm9vYmFy" },
	};
	const char *bad[] = { "", "Z", "Zg=", "Zg", "Zh==", "Zm9=", "Z===",
	    "=Zg=", "Zg==Zg==", "Zm 9v", "Zm9v\n", "Zm9-" };
	struct buf b = BUF_INIT;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(vec); i++) {
		buf_reset(&b);
		gateway_base64_encode(&b, (const unsigned char *)vec[i][0],
		    strlen(vec[i][0]));
		assert_string_equal(b.buf, vec[i][1]);
		buf_reset(&b);
		assert_int_equal(gateway_base64_decode(vec[i][1],
		    strlen(vec[i][1]), &b), 0);
		assert_int_equal(b.len, strlen(vec[i][0]));
		assert_memory_equal(b.buf, vec[i][0], b.len);
	}
	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		buf_reset(&b);
		if (gateway_base64_decode(bad[i], strlen(bad[i]), &b) == 0)
			fail_msg("base64 \"%s\" accepted", bad[i]);
	}
	buf_release(&b);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_split_good),
		cmocka_unit_test(test_split_bad),
		cmocka_unit_test(test_quote_round_trip),
		cmocka_unit_test(test_parse_git),
		cmocka_unit_test(test_parse_verbs),
		cmocka_unit_test(test_parse_hostile),
		cmocka_unit_test(test_parse_messages),
		cmocka_unit_test(test_grant),
		cmocka_unit_test(test_permit),
		cmocka_unit_test(test_key_name),
		cmocka_unit_test(test_key_good),
		cmocka_unit_test(test_key_bad),
		cmocka_unit_test(test_key_line),
		cmocka_unit_test(test_keys_file),
		cmocka_unit_test(test_entry),
		cmocka_unit_test(test_url),
		cmocka_unit_test(test_base64),
	};
	int rc = cmocka_run_group_tests(tests, NULL, NULL);

	error_clear();
	return rc;
}
