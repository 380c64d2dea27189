/*
 * test-interp.c - interpolation, with the cases of compose-go's
 * template/template_test.go and interpolation/interpolation_test.go as
 * tables.
 */
#include <stdlib.h>
#include <string.h>

#include "unit.h"
#include "compose/interp.h"

struct icase {
	const char *in;
	const char *out;        /* NULL: an error is expected */
	const char *err;        /* the error, exactly (NULL: any) */
};

static void
vars_from(struct kvlist *l, const char *const *pairs)
{
	for (; pairs[0] != NULL; pairs += 2)
		kvlist_set(l, pairs[0], pairs[1]);
}

static void
run_table(const char *const *vars, const struct icase *t, size_t n)
{
	struct kvlist l = KVLIST_INIT;
	size_t i;

	vars_from(&l, vars);
	for (i = 0; i < n; i++) {
		char *got = interp_string(t[i].in, &l, NULL);

		if (t[i].out != NULL) {
			if (got == NULL)
				fail_msg("\"%s\": unexpected error: %s", t[i].in,
				    error_last());
			if (strcmp(got, t[i].out) != 0)
				fail_msg("\"%s\": got \"%s\", want \"%s\"", t[i].in, got,
				    t[i].out);
		} else {
			if (got != NULL)
				fail_msg("\"%s\": got \"%s\", want an error", t[i].in,
				    got);
			if (t[i].err != NULL && strcmp(error_last(), t[i].err) != 0)
				fail_msg("\"%s\": error \"%s\", want \"%s\"", t[i].in,
				    error_last(), t[i].err);
		}
		free(got);
	}
	kvlist_clear(&l);
}

/* template_test.go: FOO=first, BAR="" (set but empty), JSON={"json":2}. */
static const char *const template_vars[] = {
	"FOO", "first", "BAR", "", "JSON", "{\"json\":2}", NULL
};

static void
test_template(void **state)
{
	static const struct icase t[] = {
		/* TestEscaped, TestSubstituteNoMatch, TestUnescaped */
		{ "$${foo}", "${foo}", NULL },
		{ "foo", "foo", NULL },
		{ "a $ string", "a $ string", NULL },
		{ "^REGEX$", "^REGEX$", NULL },
		{ "$}", "$}", NULL },
		{ "$", "$", NULL },
		/* TestNonBraced, TestNoValueNoDefault, TestValueNoDefault */
		{ "$FOO-bar", "first-bar", NULL },
		{ "This ${missing} var", "This  var", NULL },
		{ "This ${BAR} var", "This  var", NULL },
		{ "This $FOO var", "This first var", NULL },
		{ "This ${FOO} var", "This first var", NULL },
		/* TestNoValueWithDefault and friends */
		{ "ok ${missing:-def}", "ok def", NULL },
		{ "ok ${missing-def}", "ok def", NULL },
		{ "${A:+${A},}B", "B", NULL },
		{ "${A:-${B}}", "", NULL },
		{ "ok ${BAR:-def}", "ok def", NULL },
		{ "ok ${FOO:-def}", "ok first", NULL },
		{ "ok ${BAR-def}", "ok ", NULL },
		{ "ok ${UNSET_VAR:+presence_value}", "ok ", NULL },
		{ "ok ${UNSET_VAR+presence_value}", "ok ", NULL },
		{ "ok ${FOO:+presence_value}", "ok presence_value", NULL },
		{ "ok ${FOO+presence_value}", "ok presence_value", NULL },
		{ "ok ${BAR+presence_value}", "ok presence_value", NULL },
		{ "ok ${BAR:+presence_value}", "ok ", NULL },
		{ "ok ${BAR:-/non:-alphanumeric}", "ok /non:-alphanumeric", NULL },
		/* TestInterpolationExternalInterference */
		{ "-ok ${BAR:-defaultValue}", "-ok defaultValue", NULL },
		{ "+ok ${UNSET:-${BAR-defaultValue}}", "+ok ", NULL },
		{ "-ok ${FOO:-defaultValue}", "-ok first", NULL },
		{ ":-ok ${UNSET-defaultValue}", ":-ok defaultValue", NULL },
		{ ":-ok ${BAR-defaultValue}", ":-ok ", NULL },
		{ ":?ok ${BAR-defaultValue}", ":?ok ", NULL },
		{ ":?ok ${BAR:-defaultValue}", ":?ok defaultValue", NULL },
		{ ":+ok ${BAR:-defaultValue}", ":+ok defaultValue", NULL },
		{ "+ok ${BAR-defaultValue}", "+ok ", NULL },
		{ "?ok ${BAR:-defaultValue}", "?ok defaultValue", NULL },
		/* TestDefaultsWithNestedExpansion */
		{ "ok ${UNSET_VAR-$FOO}", "ok first", NULL },
		{ "ok ${UNSET_VAR-${FOO}}", "ok first", NULL },
		{ "ok ${UNSET_VAR-${FOO} ${FOO}}", "ok first first", NULL },
		{ "ok ${BAR:-$FOO}", "ok first", NULL },
		{ "ok ${BAR:-${FOO}}", "ok first", NULL },
		{ "ok ${BAR:-${FOO} ${FOO}}", "ok first first", NULL },
		{ "ok ${BAR+$FOO}", "ok first", NULL },
		{ "ok ${BAR+$FOO ${FOO:+second}}", "ok first second", NULL },
		/* TestMandatoryVariableErrors (+ WithNestedExpansion) */
		{ "not ok ${UNSET_VAR:?Mandatory Variable Unset}", NULL,
		  "required variable UNSET_VAR is missing a value: Mandatory "
		  "Variable Unset" },
		{ "not ok ${BAR:?Mandatory Variable Empty}", NULL,
		  "required variable BAR is missing a value: Mandatory Variable "
		  "Empty" },
		{ "not ok ${UNSET_VAR:?}", NULL,
		  "required variable UNSET_VAR is missing a value" },
		{ "not ok ${UNSET_VAR?Mandatory Variable Unset}", NULL,
		  "required variable UNSET_VAR is missing a value: Mandatory "
		  "Variable Unset" },
		{ "not ok ${UNSET_VAR?}", NULL,
		  "required variable UNSET_VAR is missing a value" },
		{ "not ok ${UNSET_VAR:?Mandatory Variable ${FOO}}", NULL,
		  "required variable UNSET_VAR is missing a value: Mandatory "
		  "Variable first" },
		{ "not ok ${UNSET_VAR?Mandatory Variable ${FOO}}", NULL,
		  "required variable UNSET_VAR is missing a value: Mandatory "
		  "Variable first" },
		/* TestDefaultsForMandatoryVariables */
		{ "ok ${FOO:?err}", "ok first", NULL },
		{ "ok ${FOO?err}", "ok first", NULL },
		{ "ok ${BAR?err}", "ok ", NULL },
		{ "ok ${SUBDOMAIN:-redis}.${FOO:?}", "ok redis.first", NULL },
		/* TestPrecedence */
		{ "${UNSET_VAR?bar-baz}", NULL,
		  "required variable UNSET_VAR is missing a value: bar-baz" },
		{ "${UNSET_VAR-myerror?msg}", "myerror?msg", NULL },
		{ "${FOO?bar-baz}", "first", NULL },
		{ "${BAR:-default_value_for_empty_var}",
		  "default_value_for_empty_var", NULL },
		{ "${UNSET_VAR-default_value_for_unset_var}",
		  "default_value_for_unset_var", NULL },
		/* TestNoValueWithCurlyBracesDefault, TestValueWith... */
		{ "ok ${missing:-{\"json\":1}}", "ok {\"json\":1}", NULL },
		{ "ok ${missing-{\"json\":1}}", "ok {\"json\":1}", NULL },
		{ "ok ${JSON:-{\"json\":1}}", "ok {\"json\":2}", NULL },
		{ "ok ${JSON-{\"json\":1}}", "ok {\"json\":2}", NULL },
		/* TestInvalid */
		{ "${", NULL, "invalid interpolation format in \"${\": you may "
		  "need to escape any $ with another $" },
		{ "${}", NULL, NULL },
		{ "${ }", NULL, NULL },
		{ "${ foo}", NULL, NULL },
		{ "${foo }", NULL, NULL },
		{ "${foo!}", NULL, NULL },
		/* Not in compose-go's tables, same semantics. */
		{ "${FOO", NULL, NULL },
		{ "${FOO:}", NULL, NULL },
		{ "${FOO:x}", NULL, NULL },
		{ "${FOO:-a\nb}", NULL, NULL },
		{ "$$FOO $FOO$$", "$FOO first$", NULL },
		{ "${FOO}}", "first}", NULL },
		{ "$1 $-", "$1 $-", NULL },
		{ "${foo_Bar9:-x}", "x", NULL },
	};

	(void)state;
	run_table(template_vars, t, ARRAY_SIZE(t));
}

/* interpolation_test.go, TestInterpolate and TestValidExistentInterpolation. */
static void
test_interpolation_existent(void **state)
{
	static const char *const vars[] = {
		"USER", "jenny", "FOO", "bar", "count", "5", "REQUIRED", "true", NULL
	};
	static const struct icase t[] = {
		{ "example:${USER}", "example:jenny", NULL },
		{ "$FOO:/target", "bar:/target", NULL },
		{ "${FOO}", "bar", NULL },
		{ "$USER", "jenny", NULL },
		{ "$count", "5", NULL },
		{ "{{{ ${FOO:-foo_} }}}", "{{{ bar }}}", NULL },
		{ "{{{ ${FOO:-foo-bar-value} }}}", "{{{ bar }}}", NULL },
		{ "{{{ ${FOO:-foo} ${BAR:-DEFAULT_VALUE} }}}",
		  "{{{ bar DEFAULT_VALUE }}}", NULL },
		{ "{{{ ${BAR} }}}", "{{{  }}}", NULL },
		{ "${FOO:-baz} }}}", "bar }}}", NULL },
		{ "${FOO-baz} }}}", "bar }}}", NULL },
		{ "{{{ ${FOO:-foo} ${USER:-bar} }}}", "{{{ bar jenny }}}", NULL },
		{ "{{{ ${USER} }}}", "{{{ jenny }}}", NULL },
		{ "${", NULL, NULL },
	};

	(void)state;
	run_table(vars, t, ARRAY_SIZE(t));
}

/* interpolation_test.go, TestValidUnexistentInterpolation (no variables). */
static void
test_interpolation_unexistent(void **state)
{
	static const char *const vars[] = { NULL };
#define REQ "required variable FOO is missing a value: "
	static const struct icase t[] = {
		{ "{{{ ${FOO:-foo_} }}}", "{{{ foo_ }}}", NULL },
		{ "{{{ ${FOO:-foo-bar-value} }}}", "{{{ foo-bar-value }}}", NULL },
		{ "{{{ ${FOO:-foo?bar?value} }}}", "{{{ foo?bar?value }}}", NULL },
		{ "{{{ ${FOO:-foo:?bar:?value} }}}", "{{{ foo:?bar:?value }}}",
		  NULL },
		{ "{{{ ${FOO:-foo} ${BAR:-DEFAULT_VALUE} }}}",
		  "{{{ foo DEFAULT_VALUE }}}", NULL },
		{ "{{{ ${BAR} }}}", "{{{  }}}", NULL },
		{ "${FOO:-baz} }}}", "baz }}}", NULL },
		{ "${FOO-baz} }}}", "baz }}}", NULL },
		{ "{{{ ${FOO:?foo_} }}}", NULL, REQ "foo_" },
		{ "{{{ ${FOO:?foo-bar-value} }}}", NULL, REQ "foo-bar-value" },
		{ "{{{ ${FOO:?foo} ${BAR:-DEFAULT_VALUE} }}}", NULL, REQ "foo" },
		{ "${FOO:?foo} ${BAR:?bar}", NULL, REQ "foo" },
		{ "${FOO:?baz} }}}", NULL, REQ "baz" },
		{ "${FOO?baz} }}}", NULL, REQ "baz" },
		{ "${FOO:-${BAR:-${ZOT:-qix}}}", "qix", NULL },
		{ "${FOO:-${BAR:-x}_test_${BAR:-y}}", "x_test_y", NULL },
		{ "${FOO:-${BAR:-x}_test}", "x_test", NULL },
		{ "${FOO:-${BAR:-${ZOT:-x}}_test}", "x_test", NULL },
	};
#undef REQ

	(void)state;
	run_table(vars, t, ARRAY_SIZE(t));
}

/* Unset variables are reported once each; used defaults are not. */
static void
test_unset_names(void **state)
{
	static const struct {
		const char *in;
		const char *unset;  /* space-separated names, in order */
	} t[] = {
		{ "This ${missing} var", "missing" },
		{ "$A $A ${A} $B", "A B" },
		{ "${A:+${A},}B", "" },             /* TestLazyDefaultDoesNotWarn */
		{ "${A:-${B}}", "B" },              /* TestLazyDefaultWarnsWhenUsed */
		{ "${FOO?${B}}", "" },              /* TestLazyRequiredMessage... */
		{ "${BAR} $FOO", "" },
		{ "${X-} ${Y:-} ${Z+a}", "" },
	};
	struct kvlist vars = KVLIST_INIT;
	size_t i, j;

	(void)state;
	vars_from(&vars, template_vars);
	for (i = 0; i < ARRAY_SIZE(t); i++) {
		struct strv unset = STRV_INIT;
		struct buf names = BUF_INIT;
		char *got = interp_string(t[i].in, &vars, &unset);

		assert_non_null(got);
		for (j = 0; j < unset.n; j++)
			buf_addf(&names, "%s%s", j ? " " : "", unset.v[j]);
		if (strcmp(names.buf, t[i].unset) != 0)
			fail_msg("\"%s\": unset \"%s\", want \"%s\"", t[i].in,
			    names.buf, t[i].unset);
		buf_release(&names);
		strv_clear(&unset);
		free(got);
	}
	kvlist_clear(&vars);
}

/* A NULL value in the list ("set, no value") counts as unset. */
static void
test_null_value_is_unset(void **state)
{
	struct kvlist vars = KVLIST_INIT;
	char *s;

	(void)state;
	kvlist_set(&vars, "A", NULL);
	s = interp_string("${A-unset}", &vars, NULL);
	assert_string_equal(s, "unset");
	free(s);
	s = interp_string("x$A", NULL, NULL);
	assert_string_equal(s, "x");
	free(s);
	kvlist_clear(&vars);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_template),
		cmocka_unit_test(test_interpolation_existent),
		cmocka_unit_test(test_interpolation_unexistent),
		cmocka_unit_test(test_unset_names),
		cmocka_unit_test(test_null_value_is_unset),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
