/*
 * test-cmd.c - the command grammar (cmd.c's table, args.c's parser): every
 * entry and template is well-formed, each verb's words parse as its template
 * says, main's path and the SSH gateway's path accept and refuse the same
 * words with the same message, and `help` lists what a key may run.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "unit.h"
#include "cmd/cmd.h"
#include "gateway/gateway.h"
#include "lib/util.h"

#define REPOS "/srv/slipway/repos"

static void
test_table(void **state)
{
	const struct cmd_entry *t;
	size_t n, i;
	int f;

	t = cmd_entries(&n);
	assert_true(n > 0);
	for (i = 0; i < n; i++) {
		assert_non_null(t[i].name);
		assert_non_null(t[i].summary);
		assert_non_null(t[i].exec);
		assert_ptr_equal(cmd_find(t[i].name), &t[i]);
		if (!starts_with(t[i].usage, t[i].name))
			fail_msg("%s: usage \"%s\"", t[i].name, t[i].usage);
		assert_non_null(t[i].forms[0].args);
		for (f = 0; f < CMD_FORMS_MAX && t[i].forms[f].args; f++) {
			const char *a = t[i].forms[f].args;

			if (cmd_template_check(a) < 0)
				fail_msg("%s: %s", t[i].name, error_last());
			/* The app check needs an APP word in every form. */
			if ((t[i].flags & CMD_NEEDS_APP) && strncmp(a, "APP", 3) != 0)
				fail_msg("%s: \"%s\" has no APP first", t[i].name, a);
		}
		/* The verbs that run as the gateway's forced command, or from a
		 * laptop, or from git, are not for SSH clients. */
		if (strcmp(t[i].name, "ssh-command") == 0 ||
		    strcmp(t[i].name, "hook") == 0 ||
		    strcmp(t[i].name, "remote") == 0)
			assert_false(t[i].flags & CMD_SSH);
	}
	assert_null(cmd_find("nope"));
}

static void
test_templates_refused(void **state)
{
	const char *bad[] = { "[APP", "FOO", "APP...x", "list...", "[-n]]",
	    "[-n FOO]", "[APP] REV", "KEY... APP", "[SERVICE x" };
	const char *good[] = { "", "APP", "APP [REV]", "APP [-n COUNT] [-f]",
	    "-r REMOTE VERB [ARG...]", "APP set KEY=VALUE..." };
	size_t i;

	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		if (cmd_template_check(bad[i]) == 0)
			fail_msg("template \"%s\" accepted", bad[i]);
	}
	for (i = 0; i < ARRAY_SIZE(good); i++) {
		if (cmd_template_check(good[i]) < 0)
			fail_msg("template \"%s\": %s", good[i], error_last());
	}
}

/* The words of the last parse_main(): args points into them. */
static struct strv words = STRV_INIT;

/* Main's path: the words of line, through the table. */
static int
parse_main(const char *line, struct cmd_args *a)
{
	const struct cmd_entry *e;

	memset(a, 0, sizeof *a);
	strv_clear(&words);
	assert_int_equal(gateway_split(line, &words), 0);
	assert_true(words.n > 0);
	e = cmd_find(words.v[0]);
	assert_non_null(e);
	return cmd_args_parse(e, (int)words.n, words.v, a);
}

static void
test_parse(void **state)
{
	struct cmd_args a;
	char **v;
	int n;

	assert_int_equal(parse_main("history web -n 5 --json --log 3", &a), 0);
	assert_string_equal(a.app, "web");
	assert_string_equal(cmd_arg(&a, "-n"), "5");
	assert_string_equal(cmd_arg(&a, "--log"), "3");
	assert_true(cmd_has(&a, "--json"));
	assert_true(a.flags & CMD_NEEDS_APP);
	cmd_args_dispose(&a);

	assert_int_equal(parse_main("logs web -f -n 1 api", &a), 0);
	assert_string_equal(cmd_arg(&a, "SERVICE"), "api");
	assert_true(cmd_has(&a, "-f"));
	assert_true(a.flags & CMD_NEEDS_ENGINE);
	cmd_args_dispose(&a);

	assert_int_equal(parse_main("logs web", &a), 0);
	assert_null(cmd_arg(&a, "SERVICE"));
	assert_false(cmd_has(&a, "-f"));
	assert_null(cmd_arg(&a, "-n"));
	cmd_args_dispose(&a);

	assert_int_equal(parse_main("config web set A=1111 'B=x yz'", &a), 0);
	assert_true(cmd_has(&a, "set"));
	v = cmd_arg_list(&a, "KEY=VALUE", &n);
	assert_int_equal(n, 2);
	assert_string_equal(v[0], "A=1111");
	assert_string_equal(v[1], "B=x yz");
	assert_false(a.flags & CMD_ADMIN);
	cmd_args_dispose(&a);

	assert_int_equal(parse_main("config web list --values", &a), 0);
	assert_int_equal(a.form, 1);
	assert_true(a.flags & CMD_ADMIN);
	cmd_args_dispose(&a);

	assert_int_equal(parse_main("app destroy web --volumes", &a), 0);
	assert_true(cmd_has(&a, "destroy"));
	assert_true(cmd_has(&a, "--volumes"));
	assert_true(a.flags & CMD_NEEDS_ENGINE);
	assert_string_equal(a.app, "web");
	cmd_args_dispose(&a);

	assert_int_equal(parse_main("app list", &a), 0);
	assert_null(a.app);
	assert_false(a.flags & CMD_NEEDS_ENGINE);
	cmd_args_dispose(&a);

	assert_int_equal(parse_main("key add bob --apps web,api", &a), 0);
	assert_string_equal(cmd_arg(&a, "NAME"), "bob");
	assert_string_equal(cmd_arg(&a, "APPS"), "web,api");
	assert_null(a.app);
	cmd_args_dispose(&a);

	/* remote: everything after VERB goes as it is, options included. */
	assert_int_equal(parse_main("remote -r staging logs -n 5 -r x", &a), 0);
	assert_string_equal(cmd_arg(&a, "REMOTE"), "staging");
	assert_string_equal(cmd_arg(&a, "VERB"), "logs");
	v = cmd_arg_list(&a, "ARG", &n);
	assert_int_equal(n, 4);
	assert_string_equal(v[0], "-n");
	assert_string_equal(v[3], "x");
	cmd_args_dispose(&a);
	assert_int_equal(parse_main("remote status", &a), 0);
	assert_null(cmd_arg(&a, "REMOTE"));
	cmd_arg_list(&a, "ARG", &n);
	assert_int_equal(n, 0);
	cmd_args_dispose(&a);
	assert_int_equal(parse_main("remote -x", &a), -1);
	cmd_args_dispose(&a);
	assert_int_equal(parse_main("remote", &a), CMD_ARGS_USAGE);
	cmd_args_dispose(&a);

	assert_int_equal(parse_main("hook pre-receive", &a), 0);
	assert_true(cmd_has(&a, "pre-receive"));
	cmd_args_dispose(&a);
	assert_int_equal(parse_main("hook post-receive x", &a), CMD_ARGS_USAGE);
	assert_string_equal(error_last(), "usage: hook post-receive|pre-receive");
	cmd_args_dispose(&a);

	assert_int_equal(parse_main("help", &a), 0);
	assert_true(a.flags & CMD_NO_CONFIG);
	cmd_args_dispose(&a);

	/* A word of the wrong type names the word; a wrong shape is usage. */
	assert_int_equal(parse_main("status web extra", &a), CMD_ARGS_USAGE);
	assert_string_equal(error_last(), "usage: status APP [--json]");
	cmd_args_dispose(&a);
	assert_int_equal(parse_main("status web --json --json", &a),
	    CMD_ARGS_USAGE);
	cmd_args_dispose(&a);
	assert_int_equal(parse_main("app create -x", &a), -1);
	assert_non_null(strstr(error_last(), "invalid app name"));
	cmd_args_dispose(&a);
	assert_int_equal(parse_main("deploy web --upload-pack=x", &a), -1);
	assert_non_null(strstr(error_last(), "invalid revision"));
	cmd_args_dispose(&a);
}

/*
 * The same words through main's path and the gateway's: both accept, or
 * both refuse with the same message. want is NULL for "accepted".
 */
static void
agree(const char *line, const char *want)
{
	struct gateway_cmd cmd;
	struct cmd_args a;
	char *main_err = NULL;
	int rc_main, rc_ssh;

	rc_main = parse_main(line, &a);
	if (rc_main < 0)
		main_err = xstrdup(error_last());
	cmd_args_dispose(&a);
	rc_ssh = cmd_ssh_parse(line, REPOS, &cmd);
	if ((rc_main == 0) != (rc_ssh == 0))
		fail_msg("\"%s\": main %s, gateway %s", line,
		    rc_main == 0 ? "accepts" : main_err,
		    rc_ssh == 0 ? "accepts" : error_last());
	if (want == NULL && rc_ssh != 0)
		fail_msg("\"%s\" refused: %s", line, error_last());
	if (want != NULL) {
		if (rc_ssh == 0)
			fail_msg("\"%s\" accepted", line);
		assert_string_equal(main_err, error_last());
		if (strstr(error_last(), want) == NULL)
			fail_msg("\"%s\": \"%s\", want \"%s\"", line,
			    error_last(), want);
	}
	free(main_err);
	gateway_cmd_dispose(&cmd);
}

static void
test_paths_agree(void **state)
{
	/* They disagreed before one grammar served both. */
	agree("history web --log abc", "invalid deploy id \"abc\"");
	agree("logs web -n 200000",
	    "invalid count \"200000\": expected a number from 0 to 100000");
	agree("history web -n 200000", "invalid count \"200000\"");
	agree("history web --json --json", "usage: history APP");
	agree("logs web -f -f", "usage: logs APP");
	/* And the rest of the grammar. */
	agree("history web --log 123456789", NULL);
	agree("logs web -n 100000 -f api", NULL);
	agree("logs web .hidden", "invalid service name");
	agree("logs web -x", "invalid service name");
	agree("status web", NULL);
	agree("status web --json", NULL);
	agree("status Web", "invalid app name");
	agree("status", "usage: status APP [--json]");
	agree("deploy web 'a..b'", "invalid revision");
	agree("rollback web --force", "invalid revision");
	agree("config web set 1A=x", "invalid variable name \"1A\"");
	agree("config web set A=abc", "value of \"A\" is shorter than 4 "
	    "characters: too short to hide in deploy output (empty is allowed)");
	agree("config web set 'A=a\xff" "bcd'", "value of \"A\" is not valid "
	    "UTF-8");
	/* a value of several lines, from a local shell (SSH takes one line) */
	{
		char *bad[] = { "config", "web", "set", "A=abcd\nxy\nefgh", NULL };
		char *fine[] = { "config", "web", "set",
		    "A=-----BEGIN KEY-----\r\n\r\nabcd\n", NULL };
		struct cmd_args a;

		assert_int_equal(cmd_args_parse(cmd_find("config"), 4, bad, &a),
		    -1);
		assert_string_equal(error_last(), "value of \"A\" has a line "
		    "shorter than 4 characters: too short to hide in deploy "
		    "output (empty lines are allowed)");
		cmd_args_dispose(&a);
		assert_int_equal(cmd_args_parse(cmd_find("config"), 4, fine,
		    &a), 0);
		cmd_args_dispose(&a);
	}
	agree("config web set A", "expected KEY=VALUE, got \"A\"");
	agree("config web unset A=1", "invalid variable name");
	agree("config web list --all", "usage: config APP list");
	agree("config web list --values", NULL);
	agree("app create ../x", "invalid app name");
	agree("app destroy web --force", "usage: app list");
	agree("key add x --apps A", "invalid app name");
	agree("key add 'a b' --admin", "invalid key name");
	agree("key add x --admin --admin", "usage: key add");
	agree("key remove x y", "usage: key add");
	agree("help", NULL);
	agree("help me", "usage: help");
}

static void
test_ssh_only_verbs(void **state)
{
	struct gateway_cmd cmd;
	const char *not_ssh[] = { "hook post-receive",
	    "ssh-command bob --admin", "remote status", "remote -r x app list" };
	size_t i;

	for (i = 0; i < ARRAY_SIZE(not_ssh); i++) {
		char *want = xasprintf("unknown command \"%.*s\"",
		    (int)strcspn(not_ssh[i], " "), not_ssh[i]);

		assert_int_equal(cmd_ssh_parse(not_ssh[i], REPOS, &cmd), -1);
		assert_string_equal(error_last(), want);
		assert_null(cmd.argv.v);
		gateway_cmd_dispose(&cmd);
		free(want);
	}
	/* The message for nothing lists the verbs from the table. */
	assert_int_equal(cmd_ssh_parse("", REPOS, &cmd), -1);
	assert_string_equal(error_last(), "empty command: push with git, or "
	    "run one of app, certs, config, deploy, exec, help, history, key, "
	    "logs, ps, pull, restart, rollback, run, scale, status, start, stop");
	gateway_cmd_dispose(&cmd);
}

/* The operating verbs (issue 12): their words, and who may run them. */
static void
test_operating_verbs(void **state)
{
	struct gateway_grant g = GATEWAY_GRANT_INIT;
	struct gateway_cmd cmd;
	struct cmd_args a;
	char **v;
	int n;

	assert_int_equal(parse_main("scale web worker=3 api=0", &a), 0);
	v = cmd_arg_list(&a, "SERVICE=N", &n);
	assert_int_equal(n, 2);
	assert_string_equal(v[1], "api=0");
	assert_true(a.flags & CMD_LOCKS);
	cmd_args_dispose(&a);
	assert_int_equal(parse_main("scale web worker=x", &a), -1);
	cmd_args_dispose(&a);
	assert_int_equal(parse_main("scale web worker=101", &a), -1);
	cmd_args_dispose(&a);
	assert_int_equal(parse_main("scale web", &a), CMD_ARGS_USAGE);
	cmd_args_dispose(&a);

	/* run: every word after the service is the command's, dashes too. */
	assert_int_equal(parse_main("run web api sh -c 'echo a; exit 3' -n 1", &a), 0);
	assert_string_equal(cmd_arg(&a, "SERVICE"), "api");
	v = cmd_arg_list(&a, "ARG", &n);
	assert_int_equal(n, 5);
	assert_string_equal(v[2], "echo a; exit 3");
	assert_string_equal(v[4], "1");
	cmd_args_dispose(&a);
	assert_int_equal(parse_main("run web api", &a), 0);
	assert_null(cmd_arg(&a, "ARG"));
	cmd_args_dispose(&a);
	assert_int_equal(parse_main("exec web api", &a), CMD_ARGS_USAGE);
	cmd_args_dispose(&a);

	assert_int_equal(parse_main("restart web", &a), 0);
	assert_null(cmd_arg(&a, "SERVICE"));
	cmd_args_dispose(&a);
	assert_int_equal(parse_main("stop web api worker", &a), 0);
	cmd_arg_list(&a, "SERVICE", &n);
	assert_int_equal(n, 2);
	cmd_args_dispose(&a);

	assert_int_equal(parse_main("config web set --no-deploy A=1111", &a), 0);
	assert_true(cmd_has(&a, "--no-deploy"));
	assert_string_equal(cmd_arg(&a, "KEY=VALUE"), "A=1111");
	cmd_args_dispose(&a);
	assert_int_equal(parse_main("config web unset --no-deploy A", &a), 0);
	assert_true(cmd_has(&a, "--no-deploy"));
	cmd_args_dispose(&a);
	assert_int_equal(parse_main("config web set A=1111", &a), 0);
	assert_false(cmd_has(&a, "--no-deploy"));
	cmd_args_dispose(&a);

	assert_int_equal(parse_main("logs web --since 10m --timestamps api", &a), 0);
	assert_string_equal(cmd_arg(&a, "--since"), "10m");
	assert_true(cmd_has(&a, "--timestamps"));
	cmd_args_dispose(&a);
	assert_int_equal(parse_main("logs web --since yesterday", &a), -1);
	cmd_args_dispose(&a);

	assert_int_equal(parse_main("ps --json", &a), 0);
	assert_null(a.app);
	cmd_args_dispose(&a);
	assert_int_equal(parse_main("ps web", &a), 0);
	assert_string_equal(a.app, "web");
	cmd_args_dispose(&a);

	/* Through the gateway, a key for app "web" only. */
	strv_push(&g.apps, "web");
	assert_int_equal(cmd_ssh_parse("ps", REPOS, &cmd), 0);
	assert_int_equal(gateway_permit(&g, &cmd), 0);
	gateway_cmd_dispose(&cmd);
	assert_int_equal(cmd_ssh_parse("ps other", REPOS, &cmd), 0);
	assert_int_equal(gateway_permit(&g, &cmd), -1);
	assert_string_equal(error_last(), "no access to app \"other\"");
	gateway_cmd_dispose(&cmd);
	assert_int_equal(cmd_ssh_parse("run other api sh", REPOS, &cmd), 0);
	assert_int_equal(gateway_permit(&g, &cmd), -1);
	gateway_cmd_dispose(&cmd);
	assert_int_equal(cmd_ssh_parse("run web api sh -c 'id; ls'", REPOS,
	    &cmd), 0);
	assert_int_equal(gateway_permit(&g, &cmd), 0);
	assert_int_equal(cmd.argv.n, 6);
	assert_string_equal(cmd.argv.v[5], "id; ls");
	gateway_cmd_dispose(&cmd);
	/* Outside quotes, the shell's characters stay refused. */
	assert_int_equal(cmd_ssh_parse("run web api sh -c id;ls", REPOS, &cmd), -1);
	gateway_cmd_dispose(&cmd);
	gateway_grant_dispose(&g);
}

static char *
help_for(const struct gateway_grant *g)
{
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);

	assert_non_null(f);
	cmd_ssh_help(f, g);
	fclose(f);
	return text;
}

static void
test_help(void **state)
{
	struct gateway_grant apps, admin;
	struct gateway_cmd cmd;
	char *text;

	assert_int_equal(gateway_grant_parse(&apps, 2,
	    (char *[]){ "--apps", "web,api" }), 0);
	assert_int_equal(gateway_grant_parse(&admin, 1,
	    (char *[]){ "--admin" }), 0);

	assert_int_equal(cmd_ssh_parse("help", REPOS, &cmd), 0);
	assert_int_equal(cmd.kind, GATEWAY_HELP);
	assert_int_equal(gateway_permit(&apps, &cmd), 0);
	gateway_cmd_dispose(&cmd);

	text = help_for(&apps);
	assert_non_null(strstr(text, "the apps web, api"));
	assert_non_null(strstr(text, "git push"));
	assert_non_null(strstr(text, "  status APP [--json]"));
	assert_non_null(strstr(text, "  history APP [-n COUNT] [--json] [--log ID]"));
	assert_non_null(strstr(text, "  config APP list "));
	assert_non_null(strstr(text, "  config APP set KEY=VALUE..."));
	assert_null(strstr(text, "--values"));
	assert_null(strstr(text, "  app "));
	assert_null(strstr(text, "  key "));
	assert_null(strstr(text, "hook"));
	assert_null(strstr(text, "ssh-command"));
	assert_null(strstr(text, "remote"));
	free(text);

	text = help_for(&admin);
	assert_non_null(strstr(text, "every app"));
	assert_non_null(strstr(text, "  config APP list --values"));
	assert_non_null(strstr(text, "  app destroy APP [--volumes]"));
	assert_non_null(strstr(text, "  key add NAME --admin"));
	assert_null(strstr(text, "hook"));
	free(text);

	gateway_grant_dispose(&apps);
	gateway_grant_dispose(&admin);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_table),
		cmocka_unit_test(test_templates_refused),
		cmocka_unit_test(test_parse),
		cmocka_unit_test(test_paths_agree),
		cmocka_unit_test(test_ssh_only_verbs),
		cmocka_unit_test(test_operating_verbs),
		cmocka_unit_test(test_help),
	};
	int rc = cmocka_run_group_tests(tests, NULL, NULL);

	strv_clear(&words);
	error_clear();
	return rc;
}
