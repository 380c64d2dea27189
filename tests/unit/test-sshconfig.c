/*
 * test-sshconfig.c - ~/.ssh/config as OpenSSH reads it: Host patterns and
 * negation, first value wins, IdentityFile accumulates and expands, Match
 * blocks skipped, bad values named by file and line.
 */
#include <stdlib.h>
#include <string.h>

#include "unit.h"
#include "gateway/sshconfig.h"

static int
parse(const char *text, const char *host, struct ssh_host *h)
{
	return sshconfig_parse(text, "config", host, "/home/me", "me", h);
}

static void
test_alias(void **state)
{
	struct ssh_host h = SSH_HOST_INIT;

	(void)state;
	assert_int_equal(parse(
	    "# my servers\n"
	    "Host prod production\n"
	    "    HostName 192.0.2.10\n"
	    "    Port 2222\n"
	    "    User git\n"
	    "    IdentityFile ~/.ssh/deploy_key\n"
	    "\n"
	    "Host *\n"
	    "    User nobody\n"
	    "    Port 22\n"
	    "    IdentityFile %d/.ssh/id_%r@%h\n", "prod", &h), 0);
	assert_string_equal(h.hostname, "192.0.2.10");
	assert_int_equal(h.port, 2222);
	assert_string_equal(h.user, "git");
	assert_int_equal(h.identities.n, 2);
	assert_string_equal(h.identities.v[0], "/home/me/.ssh/deploy_key");
	assert_string_equal(h.identities.v[1], "/home/me/.ssh/id_git@192.0.2.10");
	ssh_host_dispose(&h);

	/* Another host only gets the catch-all. */
	assert_int_equal(parse("Host prod\n HostName x\nHost *\n User nobody\n",
	    "other", &h), 0);
	assert_null(h.hostname);
	assert_string_equal(h.user, "nobody");
	assert_int_equal(h.port, 0);
	ssh_host_dispose(&h);
}

static void
test_syntax(void **state)
{
	struct ssh_host h = SSH_HOST_INIT;

	(void)state;
	/* Keyword=value, case-insensitive keywords, quotes, CRLF, settings
	 * before any Host line apply to every host. */
	assert_int_equal(parse("port=2200\r\n"
	    "HOST web*\r\n"
	    "  hostname = \"web.example.com\"\r\n"
	    "  identityfile \"/keys/a b\"\r\n", "web1", &h), 0);
	assert_int_equal(h.port, 2200);
	assert_string_equal(h.hostname, "web.example.com");
	assert_string_equal(h.identities.v[0], "/keys/a b");
	ssh_host_dispose(&h);

	/* Match blocks are skipped; a later Host block applies again. */
	assert_int_equal(parse("Match user root\n  Port 1\nHost a\n  Port 3\n",
	    "a", &h), 0);
	assert_int_equal(h.port, 3);
	ssh_host_dispose(&h);

	/* HostName may name the alias with %h. */
	assert_int_equal(parse("Host box\n HostName %h.lan\n", "box", &h), 0);
	assert_string_equal(h.hostname, "box.lan");
	ssh_host_dispose(&h);
}

static void
test_patterns(void **state)
{
	(void)state;
	assert_true(sshconfig_host_matches("*", "anything"));
	assert_true(sshconfig_host_matches("a b c", "b"));
	assert_true(sshconfig_host_matches("*.example.com", "WWW.Example.com"));
	assert_true(sshconfig_host_matches("web?", "web1"));
	assert_false(sshconfig_host_matches("web?", "web12"));
	assert_false(sshconfig_host_matches("* !secret", "secret"));
	assert_true(sshconfig_host_matches("* !secret", "public"));
	assert_false(sshconfig_host_matches("!secret", "public"));
	assert_false(sshconfig_host_matches("prod", "production"));
}

static void
test_bad(void **state)
{
	struct ssh_host h = SSH_HOST_INIT;

	(void)state;
	assert_int_equal(parse("Host a\n  Port 70000\n", "a", &h), -1);
	assert_string_equal(error_last(), "config:2: bad Port \"70000\"");
	ssh_host_dispose(&h);
	assert_int_equal(parse("Host a\n  Port two\n", "a", &h), -1);
	ssh_host_dispose(&h);
	assert_int_equal(parse("Host a\n  User\n", "a", &h), -1);
	assert_string_equal(error_last(), "config:2: \"User\" has no value");
	ssh_host_dispose(&h);
	assert_int_equal(parse("IdentityFile ~/%q\n", "a", &h), -1);
	assert_non_null(strstr(error_last(), "unknown token %q"));
	ssh_host_dispose(&h);
	/* A bad port in a block for another host is never read. */
	assert_int_equal(parse("Host b\n  Port x\n", "a", &h), 0);
	ssh_host_dispose(&h);
}

static void
test_missing_file(void **state)
{
	struct ssh_host h = SSH_HOST_INIT;

	(void)state;
	assert_int_equal(sshconfig_load("/nonexistent/ssh/config", "a", "/h",
	    "me", &h), 0);
	assert_null(h.hostname);
	ssh_host_dispose(&h);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_alias),
		cmocka_unit_test(test_syntax),
		cmocka_unit_test(test_patterns),
		cmocka_unit_test(test_bad),
		cmocka_unit_test(test_missing_file),
	};
	int rc = cmocka_run_group_tests_name("sshconfig", tests, NULL, NULL);

	error_clear();
	return rc;
}
