/*
 * test-names.c - app, service and revision names, and receive-hook lines,
 * with good and hostile inputs.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "unit.h"
#include "lib/names.h"
#include "lib/util.h"

#define Z40 "0000000000000000000000000000000000000000"
#define A40 "0123456789abcdef0123456789abcdef01234567"
#define B40 "fedcba9876543210fedcba9876543210fedcba98"

static char *
repeat(int c, size_t n)
{
	char *s = xmalloc(n + 1);

	memset(s, c, n);
	s[n] = '\0';
	return s;
}

static void
test_app_good(void **state)
{
	const char *good[] = { "a", "0", "web", "my-app", "app2", "a-", "9-x",
	    "a--b" };
	char *max = repeat('a', 63);
	size_t i;

	for (i = 0; i < ARRAY_SIZE(good); i++) {
		if (name_check_app(good[i]) != 0)
			fail_msg("\"%s\" refused: %s", good[i], error_last());
	}
	assert_int_equal(name_check_app(max), 0);
	free(max);
}

static void
test_app_bad(void **state)
{
	const char *bad[] = { "", "Bad", "-x", "a_b", "a/b", "../etc", "a.b",
	    "a b", " a", "a\n", "x;rm -rf /", "$(id)", "`id`", "a|b", "a&b",
	    "caf\xc3\xa9", "a\x1b[31m", ".", "..", "a*", "A" };
	char *long_name = repeat('a', 64);
	size_t i;

	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		error_clear();
		if (name_check_app(bad[i]) != -1)
			fail_msg("\"%s\" accepted", bad[i]);
		assert_non_null(strstr(error_last(), "invalid app name"));
	}
	assert_int_equal(name_check_app(long_name), -1);
	free(long_name);
}

static void
test_app_message(void **state)
{
	char *huge = repeat('Z', 5000);

	assert_int_equal(name_check_app("My App"), -1);
	assert_string_equal(error_last(), "invalid app name \"My App\": use "
	    "lowercase letters, digits and dashes, at most 63 characters");
	/* Control bytes never reach the terminal; long input is cut. */
	assert_int_equal(name_check_app("a\x1b]0;x\a\xc3\xa9"), -1);
	assert_string_equal(error_last(), "invalid app name \"a?]0;x???\": use "
	    "lowercase letters, digits and dashes, at most 63 characters");
	assert_int_equal(name_check_app(huge), -1);
	assert_true(strlen(error_last()) < 200);
	assert_non_null(strstr(error_last(), "ZZZ...\""));
	free(huge);
}

static void
test_service(void **state)
{
	const char *good[] = { "web", "Web", "db_1", "a.b-c", "0", "x_" };
	const char *bad[] = { "", "_x", "-x", ".x", "a b", "a/b", "a:b",
	    "a;b", "\xc3\xa9", "a\n" };
	char *max = repeat('s', 63), *over = repeat('s', 64);
	size_t i;

	for (i = 0; i < ARRAY_SIZE(good); i++) {
		if (name_check_service(good[i]) != 0)
			fail_msg("\"%s\" refused: %s", good[i], error_last());
	}
	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		if (name_check_service(bad[i]) != -1)
			fail_msg("\"%s\" accepted", bad[i]);
		assert_non_null(strstr(error_last(), "invalid service name"));
	}
	assert_int_equal(name_check_service(max), 0);
	assert_int_equal(name_check_service(over), -1);
	free(max);
	free(over);
}

static void
test_rev_good(void **state)
{
	const char *good[] = { "main", "HEAD", "abcd", A40, "0123abc",
	    "feature/x", "refs/heads/main", "refs/tags/v1.2.3", "v1.0",
	    "release-2024_01", "a.b", "x/y/z", "deadbeef", "a-", "lock",
	    "x.locked", "a.lock.b" };
	char *max = repeat('r', 255);
	size_t i;

	for (i = 0; i < ARRAY_SIZE(good); i++) {
		if (name_check_rev(good[i]) != 0)
			fail_msg("\"%s\" refused: %s", good[i], error_last());
	}
	assert_int_equal(name_check_rev(max), 0);
	free(max);
}

static void
test_rev_bad(void **state)
{
	const char *bad[] = { "", "-rf", "--upload-pack=x", "a..b", "../x",
	    "refs/heads/../../x", "HEAD@{1}", "@{u}", "x;rm", "a b", "a\tb",
	    "a\nb", "/etc/passwd", "a/", "a.", ".hidden", "a/.b", "a//b",
	    "x.lock", "a.lock/b", "HEAD~1", "HEAD^", "a:b", "a*", "a?", "a[b",
	    "a\\b", "$(id)", "`id`", "caf\xc3\xa9", "a\x7f", "'x'", "\"x\"" };
	char *over = repeat('r', 256);
	size_t i;

	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		error_clear();
		if (name_check_rev(bad[i]) != -1)
			fail_msg("\"%s\" accepted", bad[i]);
		assert_non_null(strstr(error_last(), "invalid revision"));
	}
	assert_int_equal(name_check_rev(over), -1);
	assert_non_null(strstr(error_last(), "longer than 255"));
	free(over);
}

static void
test_rev_messages(void **state)
{
	assert_int_equal(name_check_rev("a..b"), -1);
	assert_string_equal(error_last(),
	    "invalid revision \"a..b\": it must not contain \"..\"");
	assert_int_equal(name_check_rev("-x"), -1);
	assert_string_equal(error_last(), "invalid revision \"-x\": it must "
	    "not start with '-', '/' or '.'");
	assert_int_equal(name_check_rev("b.lock"), -1);
	assert_string_equal(error_last(), "invalid revision \"b.lock\": no "
	    "part of it may end with \".lock\"");
	assert_int_equal(name_check_rev(""), -1);
	assert_string_equal(error_last(), "invalid revision \"\": it is empty");
}

static void
test_hook_good(void **state)
{
	struct hook_update u;

	assert_int_equal(hook_parse_line(A40 " " B40 " refs/heads/main\n", &u),
	    0);
	assert_string_equal(u.old_oid, A40);
	assert_string_equal(u.new_oid, B40);
	assert_string_equal(u.ref, "refs/heads/main");
	hook_update_dispose(&u);
	assert_null(u.ref);

	/* No trailing newline; creation and deletion sides. */
	assert_int_equal(hook_parse_line(Z40 " " B40 " refs/tags/v1", &u), 0);
	assert_string_equal(u.ref, "refs/tags/v1");
	assert_true(oid_is_zero(u.old_oid));
	assert_false(oid_is_zero(u.new_oid));
	hook_update_dispose(&u);
}

static void
test_hook_bad(void **state)
{
	const char *bad[] = {
		"",
		"\n",
		A40 " " B40,
		A40 " " B40 " ",
		A40 " " B40 " \n",
		A40 "  " B40 " refs/heads/main",
		A40 " " B40 "  refs/heads/main",
		A40 "\t" B40 " refs/heads/main",
		" " A40 " " B40 " refs/heads/main",
		"0123456789ABCDEF0123456789ABCDEF01234567 " B40 " refs/heads/x",
		"0123456789abcdef " B40 " refs/heads/main",
		A40 "0 " B40 " refs/heads/main",
		A40 " " B40 " main",
		A40 " " B40 " refs/heads/../../x",
		A40 " " B40 " refs/heads/a b",
		A40 " " B40 " refs/heads/main\r\n",
		A40 " " B40 " refs/heads/main\n\n",
		A40 " " B40 " refs/heads/x;rm -rf /",
		A40 " " B40 " refs/heads/-x/../y",
		A40 " " B40 " refs/heads/x.lock",
		A40 " " B40 " refs/heads/\xc3\xa9",
		A40 " " B40 " refs/",
		"g123456789abcdef0123456789abcdef01234567 " B40 " refs/heads/x",
	};
	struct hook_update u;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		if (hook_parse_line(bad[i], &u) != -1)
			fail_msg("line %zu \"%s\" accepted", i, bad[i]);
		assert_null(u.ref);
	}
	assert_int_equal(hook_parse_line(A40 " " B40 " main", &u), -1);
	assert_string_equal(error_last(), "invalid ref \"main\" in hook input: "
	    "it does not start with \"refs/\"");
}

static void
test_hook_sha256(void **state)
{
	char line[256];
	struct hook_update u;

	snprintf(line, sizeof line, "%s%s %s%s refs/heads/main\n", A40,
	    "0123456789abcdef01234567", B40, "0123456789abcdef01234567");
	assert_int_equal(hook_parse_line(line, &u), -1);
	assert_string_equal(error_last(),
	    "invalid hook input: sha256 repositories are not supported");
	assert_null(u.ref);
}

static void
test_oid_is_zero(void **state)
{
	assert_true(oid_is_zero(Z40));
	assert_false(oid_is_zero(A40));
	assert_false(oid_is_zero(Z40 "0"));
	assert_false(oid_is_zero("000000000000000000000000000000000000000"));
	assert_false(oid_is_zero("0000000000000000000000000000000000000001"));
	assert_false(oid_is_zero(""));
	assert_false(oid_is_zero(NULL));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_app_good),
		cmocka_unit_test(test_app_bad),
		cmocka_unit_test(test_app_message),
		cmocka_unit_test(test_service),
		cmocka_unit_test(test_rev_good),
		cmocka_unit_test(test_rev_bad),
		cmocka_unit_test(test_rev_messages),
		cmocka_unit_test(test_hook_good),
		cmocka_unit_test(test_hook_bad),
		cmocka_unit_test(test_hook_sha256),
		cmocka_unit_test(test_oid_is_zero),
	};
	int rc = cmocka_run_group_tests(tests, NULL, NULL);

	error_clear();
	return rc;
}
