/*
 * test-dockerfile.c - the images a Dockerfile reads: FROM and COPY/ADD
 * --from= (ONBUILD too), stages and scratch left out, global ARGs and build
 * args substituted, continuations and the escape directive.
 */
#include <stdlib.h>
#include <string.h>

#include "unit.h"
#include "engine/dockerfile.h"

/* The references of text, joined with blanks. */
static char *
refs(const char *text, const struct kvlist *args)
{
	struct kvlist none = KVLIST_INIT;
	struct strv out = STRV_INIT;
	struct buf b = BUF_INIT;
	size_t i;

	dockerfile_images(text, args != NULL ? args : &none, &out);
	for (i = 0; i < out.n; i++)
		buf_addf(&b, "%s%s", i ? " " : "", out.v[i]);
	strv_clear(&out);
	return buf_detach(&b, NULL);
}

static void
check(const char *text, const struct kvlist *args, const char *want)
{
	char *got = refs(text, args);

	if (strcmp(got, want) != 0)
		fail_msg("got \"%s\", want \"%s\" for:\n%s", got, want, text);
	free(got);
}

static void
test_from_and_copy(void **state)
{
	struct kvlist args = KVLIST_INIT;

	(void)state;
	check("FROM base:1\nRUN x\n", NULL, "base:1");
	check("from --platform=linux/amd64 b-web:abc AS build\n"
	    "FROM scratch\nCOPY --from=build /a /a\nCOPY --from=0 /b /b\n"
	    "copy --chown=1 --from=other-app-web:sha /secret /s\n"
	    "ADD --from=x /y /z\n", NULL, "b-web:abc other-app-web:sha x");
	check("FROM a AS one\nFROM ONE\nCOPY --from=One /x /x\n", NULL, "a");
	check("ONBUILD COPY --from=b-web:sha / /\nFROM base\n", NULL,
	    "b-web:sha base");
	/* continuations, comments inside them, CRLF */
	check("FROM \\\n  b-web:sha\r\nCOPY \\\n# a comment\n  --from=c-web /x /x\n",
	    NULL, "b-web:sha c-web");
	check("# escape=`\nFROM `\n  b-web:sha\n", NULL, "b-web:sha");
	/* global ARGs, build args beat their defaults */
	check("ARG BASE=b-web:sha\nFROM ${BASE}\n", NULL, "b-web:sha");
	check("ARG BASE=x\nARG TAG\nFROM $BASE:${TAG:-latest}\n", NULL,
	    "x:latest");
	kvlist_set(&args, "BASE", "c-web");
	check("ARG BASE=x\nFROM $BASE\n", &args, "c-web");
	check("ARG A=1 B=\"b-web\"\nFROM $B\n", NULL, "b-web");
	/* unknown: the '$' stays for the caller to refuse */
	check("FROM $NOPE\n", NULL, "$NOPE");
	check("FROM base\nARG LATE=b-web\nCOPY --from=$LATE / /\n", NULL,
	    "base $LATE");
	kvlist_clear(&args);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_from_and_copy),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
