/*
 * test-dotenv.c - the .env parser, with compose-go's dotenv/parser_test.go
 * and godotenv_test.go cases as tables and its fixtures under data/dotenv.
 */
#include <stdlib.h>
#include <string.h>

#include "unit.h"
#include "compose/dotenv.h"

/* Check that l holds exactly the pairs (NULL-terminated key, value list). */
static void
expect_env(const char *what, const struct kvlist *l, const char *const *kv)
{
	size_t n = 0;

	for (; kv[0] != NULL; kv += 2, n++) {
		const struct kv *got = kvlist_find(l, kv[0]);

		if (got == NULL)
			fail_msg("%s: key \"%s\" missing", what, kv[0]);
		if (got->value == NULL || strcmp(got->value, kv[1]) != 0)
			fail_msg("%s: %s=\"%s\", want \"%s\"", what, kv[0],
			    got->value ? got->value : "(null)", kv[1]);
	}
	if (l->n != n)
		fail_msg("%s: %zu keys, want %zu", what, l->n, n);
}

static int
parse(const char *text, const struct kvlist *lookup, struct kvlist *out)
{
	return dotenv_parse(text, strlen(text), ".env", lookup, out);
}

/* TestParsing: one line, one key, one value. */
static void
test_parsing(void **state)
{
	static const struct {
		const char *in, *key, *value;
	} t[] = {
		{ "FOO=bar", "FOO", "bar" },
		{ "FOO =bar", "FOO", "bar" },
		{ "FOO= bar", "FOO", "bar" },
		{ "FOO=\"bar\"", "FOO", "bar" },
		{ "FOO='bar'", "FOO", "bar" },
		{ "FOO=\"escaped\\\"bar\"", "FOO", "escaped\"bar" },
		{ "FOO=\"\\\"quoted\\\"\"", "FOO", "\"quoted\"" },
		{ "FOO=\"'d'\"", "FOO", "'d'" },
		{ "OPTION_A: 1", "OPTION_A", "1" },
		{ "OPTION_A: Foo=bar", "OPTION_A", "Foo=bar" },
		{ "OPTION_A=1:B", "OPTION_A", "1:B" },
		{ "export OPTION_A=2", "OPTION_A", "2" },
		{ "export OPTION_B='\\n'", "OPTION_B", "\\n" },
		{ "export exportFoo=2", "exportFoo", "2" },
		{ "exportFOO=2", "exportFOO", "2" },
		{ "export_FOO =2", "export_FOO", "2" },
		{ "export.FOO= 2", "export.FOO", "2" },
		{ "export\tOPTION_A=2", "OPTION_A", "2" },
		{ "  export OPTION_A=2", "OPTION_A", "2" },
		{ "\texport OPTION_A=2", "OPTION_A", "2" },
		{ "export OPTION_A=\"export A\"", "OPTION_A", "export A" },
		{ "FOO=\"bar\\nbaz\"", "FOO", "bar\nbaz" },
		{ "FOO=a\\tb", "FOO", "a\\tb" },
		{ "FOO=\"a\\tb\"", "FOO", "a\tb" },
		{ "KEY=\"Z\\aZ\\bZ\\fZ\\nZ\\rZ\\tZ\\vZ\\\\Z\\0123Z\"", "KEY",
		  "Z\aZ\bZ\fZ\nZ\rZ\tZ\vZ\\ZSZ" },
		{ "FOO.BAR=foobar", "FOO.BAR", "foobar" },
		{ "FOO=foobar=", "FOO", "foobar=" },
		{ "FOO=bar ", "FOO", "bar" },
		{ "FOO=bar # this is foo", "FOO", "bar" },
		{ "FOO=bar #this is foo", "FOO", "bar" },
		{ "FOO=bar #", "FOO", "bar" },
		{ "FOO=123#not-an-inline-comment", "FOO", "123#not-an-inline-comment" },
		{ "FOO=\"bar#baz\"", "FOO", "bar#baz" },
		{ "FOO=\"bar#baz\"#", "FOO", "bar#baz" },
		{ "FOO=\"bar#baz\" # comment", "FOO", "bar#baz" },
		{ "FOO='bar#baz' # comment", "FOO", "bar#baz" },
		{ "FOO=\"bar#baz#bang\" # comment", "FOO", "bar#baz#bang" },
		{ "FOO=\"ba#r\"", "FOO", "ba#r" },
		{ "FOO='ba#r'", "FOO", "ba#r" },
		{ "FOO=\"bar\\n\\ b\\az\"", "FOO", "bar\n\\ b\az" },
		{ "FOO=\"bar\\\\\\n\\ b\\az\"", "FOO", "bar\\\n\\ b\az" },
		{ "FOO=\"bar\\\\r\\ b\\az\"", "FOO", "bar\\r\\ b\az" },
		{ "FOO=\"bar\\nbaz\\\\\"", "FOO", "bar\nbaz\\" },
		{ "=\"value\"", "", "value" },
		{ " KEY =value", "KEY", "value" },
		{ "   KEY=value", "KEY", "value" },
		{ "\tKEY=value", "KEY", "value" },
		{ "KEY=\"\\0123\"", "KEY", "S" },
		{ "KEY=\"\\x07\"", "KEY", "\\x07" },
		{ "KEY=\"\\u12e4\"", "KEY", "\\u12e4" },
		{ "KEY=\"\\U00101234\"", "KEY", "\\U00101234" },
		/* Not in godotenv's list: the edges of the same rules. */
		{ "KEY=\"\\012\"", "KEY", "\\012" },
		{ "KEY=\"\\0777\"", "KEY", "\\0777" },
		{ "KEY=\"\\c\"", "KEY", "\\c" },
		{ "KEY='a\\'b'", "KEY", "a'b" },
		{ "KEY='a\\nb $X'", "KEY", "a\\nb $X" },
		{ "KEY=#x", "KEY", "#x" },
		{ "KEY=a\r", "KEY", "a" },
		{ "KEY=$$x", "KEY", "$x" },
		{ "KEY=\"\\$x\"", "KEY", "$x" },
	};
	size_t i;

	(void)state;
	for (i = 0; i < ARRAY_SIZE(t); i++) {
		struct kvlist l = KVLIST_INIT;
		const char *want[] = { t[i].key, t[i].value, NULL };

		if (parse(t[i].in, NULL, &l) < 0)
			fail_msg("\"%s\": %s", t[i].in, error_last());
		expect_env(t[i].in, &l, want);
		kvlist_clear(&l);
	}
}

/* TestParse, TestParseBytes, TestExpanding, TestVariableStringValueSeparator. */
static void
test_multi(void **state)
{
	static const struct {
		const char *in;
		const char *out[9];
	} t[] = {
		{ "ONE=1\nTWO='2'\nTHREE = \"3\"",
		  { "ONE", "1", "TWO", "2", "THREE", "3", NULL } },
		{ "\na=b\na[1]=c\na.propertyKey=d\n"
		  "\xc3\xa1rv\xc3\xadzt\xc5\xb1r\xc5\x91-T\xc3\x9cK\xc3\x96RF\xc3\x9aR"
		  "\xc3\x93G\xc3\x89P=\xc3\x81RV\xc3\x8dZT\xc5\xb0R\xc5\x90-t\xc3\xbck"
		  "\xc3\xb6rf\xc3\xbar\xc3\xb3g\xc3\xa9p\n",
		  { "a", "b", "a[1]", "c", "a.propertyKey", "d",
		    "\xc3\xa1rv\xc3\xadzt\xc5\xb1r\xc5\x91-T\xc3\x9cK\xc3\x96RF\xc3\x9aR"
		    "\xc3\x93G\xc3\x89P",
		    "\xc3\x81RV\xc3\x8dZT\xc5\xb0R\xc5\x90-t\xc3\xbck\xc3\xb6rf\xc3\xba"
		    "r\xc3\xb3g\xc3\xa9p", NULL } },
		{ "FOO=test\nBAR=$FOO", { "FOO", "test", "BAR", "test", NULL } },
		{ "FOO=test\nBAR=${FOO}bar", { "FOO", "test", "BAR", "testbar", NULL } },
		{ "BAR=$FOO", { "BAR", "", NULL } },
		{ "FOO=test\nBAR=\"quote $FOO\"",
		  { "FOO", "test", "BAR", "quote test", NULL } },
		{ "BAR='quote $FOO'", { "BAR", "quote $FOO", NULL } },
		{ "FOO=\"foo\\$BAR\"", { "FOO", "foo$BAR", NULL } },
		{ "FOO=\"foo\\${BAR}\"", { "FOO", "foo${BAR}", NULL } },
		{ "FOO=test\nBAR=\"foo\\${FOO} ${FOO}\"",
		  { "FOO", "test", "BAR", "foo${FOO} test", NULL } },
		{ "TEST_URLS=\"stratum+tcp://stratum.antpool.com:3333\n"
		  "stratum+tcp://stratum.antpool.com:443\"",
		  { "TEST_URLS", "stratum+tcp://stratum.antpool.com:3333\n"
		    "stratum+tcp://stratum.antpool.com:443", NULL } },
		/* TestLinesToIgnore */
		{ "\n", { NULL } },
		{ "\r\n", { NULL } },
		{ "\t\t ", { NULL } },
		{ "# Comment", { NULL } },
		{ "\t # comment", { NULL } },
		/* later keys replace earlier ones; a bare key without lookup */
		{ "A=1\nA=2\n", { "A", "2", NULL } },
		{ "A=1\nB\nC=3", { "A", "1", "C", "3", NULL } },
		{ "A=1\nB", { "A", "1", NULL } },
		{ "A=\"x\" # c\n# only\n\nB='y'\n", { "A", "x", "B", "y", NULL } },
	};
	size_t i;

	(void)state;
	for (i = 0; i < ARRAY_SIZE(t); i++) {
		struct kvlist l = KVLIST_INIT;

		if (parse(t[i].in, NULL, &l) < 0)
			fail_msg("case %zu: %s", i, error_last());
		expect_env(t[i].in, &l, t[i].out);
		kvlist_clear(&l);
	}
}

static void
test_errors(void **state)
{
	static const struct {
		const char *in;
		const char *err;    /* exact, or NULL: contains "unterminated" */
	} t[] = {
		{ "KEY=\"", NULL },
		{ "KEY=\"value", NULL },
		{ "KEY=\"value\\\"", NULL },
		{ "KEY=\"value'", NULL },
		{ "KEY='", NULL },
		{ "KEY='value", NULL },
		{ "KEY='value\\'", NULL },
		{ "KEY='value\"", NULL },
		{ "%!(EXTRA string)=foo", ".env:1: unexpected character \"%\" in "
		  "variable name \"%!(EXTRA string)=foo\"" },
		{ "lol$wut", ".env:1: unexpected character \"$\" in variable name "
		  "\"lol$wut\"" },
		{ "A=1\n\nINVALID LINE\n", ".env:3: key cannot contain a space" },
		{ "A=1\nB=\"x\ny", ".env:2: unterminated quoted value" },
		{ "A=1\nB=${", ".env:2: invalid interpolation format in \"${\": you "
		  "may need to escape any $ with another $" },
		{ "A=${X:?is needed}", ".env:1: required variable X is missing a "
		  "value: is needed" },
		{ "A=caf\xc3\xa9\nB=caf\xe9\n", ".env:2: not valid UTF-8" },
		{ "A=\xed\xa0\x80", ".env:1: not valid UTF-8" },	/* surrogate */
		{ "A=\xc0\xaf", ".env:1: not valid UTF-8" },	/* overlong */
		{ "A=\xf4\x90\x80\x80", ".env:1: not valid UTF-8" },
		{ "A=\xe2\x82", ".env:1: not valid UTF-8" },	/* cut short */
	};
	size_t i;

	(void)state;
	for (i = 0; i < ARRAY_SIZE(t); i++) {
		struct kvlist l = KVLIST_INIT;

		if (parse(t[i].in, NULL, &l) == 0)
			fail_msg("\"%s\": no error", t[i].in);
		if (t[i].err == NULL) {
			if (strstr(error_last(), "unterminated quoted value") == NULL)
				fail_msg("\"%s\": %s", t[i].in, error_last());
		} else if (strcmp(error_last(), t[i].err) != 0)
			fail_msg("\"%s\": \"%s\", want \"%s\"", t[i].in, error_last(),
			    t[i].err);
		kvlist_clear(&l);
	}
}

/* The lookup supplies bare keys and beats the file's own values. */
static void
test_lookup(void **state)
{
	struct kvlist lookup = KVLIST_INIT, l = KVLIST_INIT;
	const char *want1[] = { "TEST", "YES", NULL };
	const char *want2[] = { "ENV_HOSTNAME", "dev.my-company.com",
		"ENV_MY_URL", "http://host.local", NULL };
	const char *want3[] = { "ENV_HOSTNAME", "dev.my-company.com",
		"ENV_MY_URL", "http://dev.my-company.com", NULL };
	const char *base = "\nENV_HOSTNAME=localhost\n"
	    "ENV_MY_URL=\"http://${ENV_HOSTNAME}\"\n";
	const char *override = "\nENV_HOSTNAME=dev.my-company.com\n"
	    "ENV_MY_URL=\"http://${ENV_HOSTNAME}\"\n";

	(void)state;
	/* TestExpandingEnvironmentWithLookup */
	kvlist_set(&lookup, "ME", "YES");
	assert_int_equal(parse("TEST=$ME", &lookup, &l), 0);
	expect_env("lookup", &l, want1);
	kvlist_clear(&l);
	kvlist_clear(&lookup);

	/* TestMultipleFiles: files accumulate into one list. */
	assert_int_equal(parse(base, NULL, &l), 0);
	assert_int_equal(parse(override, NULL, &l), 0);
	expect_env("multiple files", &l, want3);
	kvlist_clear(&l);
	kvlist_set(&lookup, "ENV_HOSTNAME", "host.local");
	assert_int_equal(parse(base, &lookup, &l), 0);
	assert_int_equal(parse(override, &lookup, &l), 0);
	expect_env("multiple files, lookup", &l, want2);
	kvlist_clear(&l);
	kvlist_clear(&lookup);
}

/* format: raw, as docker/cli's kvfile reads it (kvfile_test.go cases). */
static void
test_raw(void **state)
{
	struct kvlist lookup = KVLIST_INIT, l = KVLIST_INIT;
	const char *text = "\xef\xbb\xbf# a comment\n"
	    "TEST_VAR='{\"key\": \"value\"}'\n"
	    "\n"
	    "   SPACED=  keeps both ends  \r\n"
	    "  # indented comment\n"
	    "EXPANDED=${ME}$ME\n"
	    "QUOTED=\"x\" # not a comment\n"
	    "EMPTY=\n"
	    "FROM_LOOKUP\n"
	    "NOT_SET\n"
	    "ME=again=more";
	const char *want[] = {
		"TEST_VAR", "'{\"key\": \"value\"}'",
		"SPACED", "  keeps both ends  ",
		"EXPANDED", "${ME}$ME",
		"QUOTED", "\"x\" # not a comment",
		"EMPTY", "",
		"FROM_LOOKUP", "looked up",
		"ME", "again=more", NULL };
	static const struct {
		const char *text, *err;
	} bad[] = {
		{ "A=1\n=secret\n", "raw.env:2: no variable name" },
		{ "A B=secret\n", "raw.env:1: the variable name contains "
		  "whitespace" },
		{ "A=1\nB=\xff\n", "raw.env:2: not valid UTF-8 text" },
	};
	size_t i;

	(void)state;
	kvlist_set(&lookup, "FROM_LOOKUP", "looked up");
	kvlist_set(&lookup, "ME", "not used");
	assert_int_equal(dotenv_parse_raw(text, strlen(text), "raw.env",
	    &lookup, &l), 0);
	expect_env("raw", &l, want);
	kvlist_clear(&l);
	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		assert_int_equal(dotenv_parse_raw(bad[i].text,
		    strlen(bad[i].text), "raw.env", &lookup, &l), -1);
		assert_string_equal(error_last(), bad[i].err);
		assert_null(strstr(error_last(), "secret"));
		kvlist_clear(&l);
	}
	kvlist_clear(&lookup);
}

static void
read_expect(const char *file, const struct kvlist *lookup, const char *const *kv)
{
	struct kvlist l = KVLIST_INIT;
	char *path = xasprintf("data/dotenv/%s", file);

	if (dotenv_read(path, lookup, &l) < 0)
		fail_msg("%s: %s", file, error_last());
	expect_env(file, &l, kv);
	kvlist_clear(&l);
	free(path);
}

/* The godotenv_test.go fixtures, read like its Read()/ReadWithLookup(). */
static void
test_fixtures(void **state)
{
	static const char *const plain[] = {
		"OPTION_A", "1", "OPTION_B", "2", "OPTION_C", "3", "OPTION_D", "4",
		"OPTION_E", "5", "OPTION_F", "", "OPTION_G", "", "OPTION_H",
		"my string", NULL
	};
	static const char *const exported[] = {
		"OPTION_A", "2", "OPTION_B", "\\n", NULL
	};
	static const char *const equals[] = {
		"OPTION_A", "postgres://localhost:5432/database?sslmode=disable", NULL
	};
	static const char *const quoted[] = {
		"OPTION_A", "1", "OPTION_B", "2", "OPTION_C", "", "OPTION_D", "\\n",
		"OPTION_E", "1", "OPTION_F", "2", "OPTION_G", "", "OPTION_H", "\n",
		"OPTION_I", "echo 'asd'",
		"OPTION_J", "first line\nsecond line\nthird line\nand so on",
		"OPTION_K", "Let's go!", "OPTION_Z", "last value", NULL
	};
	static const char *const unquoted[] = {
		"OPTION_A", "some quoted phrase",
		"OPTION_B", "first one with an unquoted phrase",
		"OPTION_C", "then another one with an unquoted phrase",
		"OPTION_D", "then another one with an unquoted phrase special "
		"\xc3\xa8 char",
		"OPTION_E", "then another one quoted phrase", NULL
	};
	static const char *const subst[] = {
		"OPTION_A", "1", "OPTION_B", "1", "OPTION_C", "1", "OPTION_D", "1_1",
		"OPTION_E", "", NULL
	};
	static const char *const subst_env[] = {
		"OPTION_A", "1", "OPTION_B", "5", "OPTION_C", "5", "OPTION_D", "5_5",
		"OPTION_E", "", NULL
	};
	static const char *const subst_default_env[] = {
		"OPTION_A", "5", "OPTION_B", "5", "OPTION_C", "5", "OPTION_D", "5_5",
		"OPTION_E", "", NULL
	};
	static const char *const special[] = {
		"VAR.WITH.DOTS", "dots", "VAR_WITH_UNDERSCORES", "underscores",
		"VAR-WITH-DASHES", "dashes", NULL
	};
	static const char *const inherited_multi[] = {
		"foo", "bar", "VAR_TO_BE_LOADED_FROM_OS_ENV", "SOME_RANDOM_VALUE",
		"bar", "baz", NULL
	};
	static const char *const inherited_single[] = {
		"VAR_TO_BE_LOADED_FROM_OS_ENV", "SOME_RANDOM_VALUE", NULL
	};
	static const char *const none[] = { NULL };
	struct kvlist lookup = KVLIST_INIT, l = KVLIST_INIT;

	(void)state;
	read_expect("plain.env", NULL, plain);
	read_expect("utf8-bom.env", NULL, plain);
	read_expect("exported.env", NULL, exported);
	read_expect("equals.env", NULL, equals);
	read_expect("quoted.env", NULL, quoted);
	read_expect("unquoted.env", NULL, unquoted);
	read_expect("substitutions.env", NULL, subst);
	read_expect("substitutions-default.env", NULL, subst);
	read_expect("special.env", NULL, special);
	read_expect("inherited-not-found.env", NULL, none);

	kvlist_set(&lookup, "OPTION_A", "5");
	read_expect("substitutions.env", &lookup, subst_env);
	read_expect("substitutions-default.env", &lookup, subst_default_env);
	kvlist_clear(&lookup);

	kvlist_set(&lookup, "VAR_TO_BE_LOADED_FROM_OS_ENV", "SOME_RANDOM_VALUE");
	read_expect("inherited-multi-var.env", &lookup, inherited_multi);
	read_expect("inherited-single-var.env", &lookup, inherited_single);
	kvlist_clear(&lookup);

	/* TestErrorParsing, TestErrorReadDirectory, a missing file */
	assert_int_equal(dotenv_read("data/dotenv/invalid1.env", NULL, &l), -1);
	assert_string_equal(error_last(),
	    "data/dotenv/invalid1.env:7: key cannot contain a space");
	assert_int_equal(dotenv_read("data/dotenv", NULL, &l), -1);
	assert_int_equal(dotenv_read("data/dotenv/nope.env", NULL, &l), -1);
	assert_non_null(strstr(error_last(), "nope.env"));
	kvlist_clear(&l);
}

/*
 * make fuzz: "B=$A$A" line after line doubled a value until memory ran out.
 * Now one value stops at INTERP_MAX and all of them at 16 MiB.
 */
static void
test_expansion_bomb(void **state)
{
	struct kvlist out = KVLIST_INIT;
	struct buf text = BUF_INIT;
	int i;

	(void)state;
	buf_adds(&text, "R=0123456789abcdef0123456789abcdef\n");
	for (i = 0; i < 40; i++)
		buf_adds(&text, "R=$R$R\n");
	assert_int_equal(parse(text.buf, NULL, &out), -1);
	assert_string_equal(error_last(), ".env:17: the value expands to more "
	    "than 1048576 bytes");
	kvlist_clear(&out);
	buf_release(&text);

	/* each value under INTERP_MAX, together over 16 MiB */
	buf_adds(&text, "R=0123456789abcdef0123456789abcdef\n");
	for (i = 0; i < 14; i++)
		buf_adds(&text, "R=$R$R\n");
	for (i = 0; i < 40; i++)
		buf_addf(&text, "K%d=$R\n", i);
	assert_int_equal(parse(text.buf, NULL, &out), -1);
	assert_string_equal(error_last(), ".env:46: values expand to more "
	    "than 16777216 bytes in all");
	kvlist_clear(&out);
	buf_release(&text);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_expansion_bomb),
		cmocka_unit_test(test_parsing),
		cmocka_unit_test(test_raw),
		cmocka_unit_test(test_multi),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_lookup),
		cmocka_unit_test(test_fixtures),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
