/*
 * test-notify.c - the webhook signature (RFC 4231 HMAC-SHA256 vectors) and
 * delivery failures reported without the URL's path or query.
 */
#include <stdlib.h>
#include <string.h>

#include "unit.h"
#include "notify/notify.h"

static void
test_signature(void **state)
{
	char *sig, *other;

	/* RFC 4231, test case 2. */
	sig = notify_signature("Jefe", "what do ya want for nothing?", 28);
	assert_string_equal(sig, "sha256=5bdcc146bf60754e6a042426089575c7"
	    "5a003f089d2739839dec58b964ec3843");
	free(sig);
	/* The length is the body's, not strlen's. */
	sig = notify_signature("key", "ab\0cd", 5);
	other = notify_signature("key", "ab", 2);
	assert_int_equal(strlen(sig), 7 + 64);
	assert_string_not_equal(sig, other);
	free(other);
	free(sig);
}

static void
test_failure_hides_the_path(void **state)
{
	struct strv urls = STRV_INIT;

	/* Port 9 on loopback: nothing listens, refused at once. */
	strv_push(&urls, "http://127.0.0.1:9/hook?token=SECRET");
	assert_int_equal(notify_deliver(&urls, "s", "{}", 1, 1), -1);
	assert_non_null(strstr(error_last(), "http://127.0.0.1:9: "));
	assert_non_null(strstr(error_last(), "after 2 attempts"));
	assert_null(strstr(error_last(), "SECRET"));
	assert_null(strstr(error_last(), "hook"));
	strv_clear(&urls);
	/* No URL: nothing to do. */
	assert_int_equal(notify_deliver(&urls, NULL, "{}", 1, 0), 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_signature),
		cmocka_unit_test(test_failure_hides_the_path),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
