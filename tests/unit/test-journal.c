/*
 * test-journal.c - the deploy journal: written and read back, staged live
 * and made live by a rename, state files promoted, cleared; a malformed
 * journal is refused, a missing one is "none".
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "unit.h"
#include "pipeline/journal.h"
#include "lib/util.h"

static char dir[64];

static int
setup(void **state)
{
	(void)state;
	snprintf(dir, sizeof dir, "/tmp/slipway-journal-XXXXXX");
	return mkdtemp(dir) == NULL;
}

static int
teardown(void **state)
{
	(void)state;
	return remove_tree(dir);
}

static const char sha_a[] = "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";
static const char sha_b[] = "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb";

static void
put(const char *name, const char *text)
{
	char *path = path_join(dir, name);

	assert_int_equal(write_file_atomic(path, text, strlen(text), 0644), 0);
	free(path);
}

static int
exists(const char *name)
{
	char *path = path_join(dir, name);
	int r = path_exists(path);

	free(path);
	return r;
}

static void
test_write_read(void **state)
{
	struct journal j = { .phase = JOURNAL_CONVERGING, .row = 42 }, r;

	(void)state;
	assert_int_equal(journal_read(dir, &r), 1);
	memcpy(j.previous, sha_a, 41);
	memcpy(j.target, sha_b, 41);
	assert_int_equal(journal_write(dir, &j), 0);
	assert_int_equal(journal_read(dir, &r), 0);
	assert_string_equal(r.previous, sha_a);
	assert_string_equal(r.target, sha_b);
	assert_int_equal(r.phase, JOURNAL_CONVERGING);
	assert_int_equal(r.row, 42);
	/* A first deploy has no previous release. */
	j.previous[0] = '\0';
	assert_int_equal(journal_write(dir, &j), 0);
	assert_int_equal(journal_read(dir, &r), 0);
	assert_string_equal(r.previous, "");
	assert_int_equal(journal_clear(dir), 0);
	assert_int_equal(journal_read(dir, &r), 1);
	assert_int_equal(journal_clear(dir), 0); /* nothing to clear is fine */
}

static void
test_live_by_rename(void **state)
{
	struct journal j = { .phase = JOURNAL_CONVERGING }, r;

	(void)state;
	memcpy(j.previous, sha_a, 41);
	memcpy(j.target, sha_b, 41);
	assert_int_equal(journal_stage_live(dir, &j), 0);
	assert_int_equal(journal_write(dir, &j), 0);
	assert_int_equal(journal_read(dir, &r), 0);
	assert_int_equal(r.phase, JOURNAL_CONVERGING);
	assert_int_equal(journal_go_live(dir), 0);
	assert_int_equal(journal_read(dir, &r), 0);
	assert_int_equal(r.phase, JOURNAL_LIVE);
	assert_string_equal(r.target, sha_b);
	assert_false(exists("journal.live"));
	/* A second go-live has nothing staged. */
	assert_int_equal(journal_go_live(dir), -1);

	put("current.next", "bbbb\n");
	assert_int_equal(journal_promote(dir, "current"), 0);
	assert_true(exists("current"));
	assert_false(exists("current.next"));
	assert_int_equal(journal_promote(dir, "current"), -1);

	assert_int_equal(journal_stage_live(dir, &j), 0);
	assert_int_equal(journal_clear(dir), 0);
	assert_false(exists("journal"));
	assert_false(exists("journal.live"));
}

static void
test_malformed(void **state)
{
	static const char *const bad[] = {
		"",
		"previous -\ntarget xyz\nphase live\nrow 1\n",
		"previous -\ntarget bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb\n"
		    "phase maybe\nrow 1\n",
		"previous aaaa\ntarget bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb\n"
		    "phase live\nrow 1\n",
		"target bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb\n",
	};
	struct journal r;
	size_t i;

	(void)state;
	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		put("journal", bad[i]);
		assert_int_equal(journal_read(dir, &r), -1);
		assert_non_null(strstr(error_last(), "malformed deploy journal"));
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_write_read, setup, teardown),
		cmocka_unit_test_setup_teardown(test_live_by_rename, setup, teardown),
		cmocka_unit_test_setup_teardown(test_malformed, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
