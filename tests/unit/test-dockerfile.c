/*
 * test-dockerfile.c - the images a Dockerfile reads: FROM and COPY/ADD
 * --from= (ONBUILD too), stages and scratch left out, global ARGs and build
 * args substituted, continuations and the escape directive.
 */
#include <stdlib.h>
#include <string.h>

#include "unit.h"
#include "engine/dockerfile.h"

/* The references of text (or, with maybe, what only other readings find),
 * joined with blanks. */
static char *
refs(const char *text, const struct kvlist *args, int maybe)
{
	struct kvlist none = KVLIST_INIT;
	struct strv out = STRV_INIT, more = STRV_INIT;
	const struct strv *v = maybe ? &more : &out;
	struct buf b = BUF_INIT;
	size_t i;

	dockerfile_images(text, args != NULL ? args : &none, &out, &more);
	for (i = 0; i < v->n; i++)
		buf_addf(&b, "%s%s", i ? " " : "", v->v[i]);
	strv_clear(&out);
	strv_clear(&more);
	return buf_detach(&b, NULL);
}

static void
check_which(const char *text, const struct kvlist *args, int maybe,
    const char *want)
{
	char *got = refs(text, args, maybe);

	if (strcmp(got, want) != 0)
		fail_msg("got %s\"%s\", want \"%s\" for:\n%s",
		    maybe ? "maybe " : "", got, want, text);
	free(got);
}

static void
check(const char *text, const struct kvlist *args, const char *want)
{
	check_which(text, args, 0, want);
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

/*
 * What BuildKit reads as an instruction or an image, slipway must read too:
 * a byte-order mark, blanks other than space and tab, a RUN --mount that
 * reads another image, a FROM that is a number (FROM never names a stage by
 * its index).
 */
static void
test_hidden_refs(void **state)
{
	(void)state;
	check("\xef\xbb\xbf" "FROM b-web:sha\n", NULL, "b-web:sha");
	check("FROM\fb-web:sha\n", NULL, "b-web:sha");
	check("FROM\vb-web:sha\vAS\vx\nFROM x\n", NULL, "b-web:sha");
	check("\xc2\xa0" "FROM b-web:sha\n", NULL, "b-web:sha");
	check("FROM base\n\fCOPY\r--from=b-web / /\n", NULL, "base b-web");
	check("FROM base\nRUN --mount=type=bind,from=b-web:sha,target=/b cat "
	    "/b/s\n", NULL, "base b-web:sha");
	check("FROM base\nRUN --network=none --MOUNT=\"FROM=b-web\",target=/b "
	    "x\n", NULL, "base b-web");
	check("FROM base AS st\nFROM base\nRUN --mount=type=cache,target=/c,"
	    "from=st x\nRUN --mount=target=/d,from=c-web x\n", NULL,
	    "base c-web");
	check("FROM base\nRUN --mount=type=bind,target=/b echo from=b-web\n",
	    NULL, "base");
	check("FROM 5\nCOPY --from=0 / /\n", NULL, "5");
}

/*
 * Files written so that a looser reading misses what BuildKit reads: an
 * unknown directive ends the directives (the escape after it is a comment),
 * "\\" and "\\\r " do not continue a line, heredoc bodies are data (a FROM
 * in one names no stage), flags with quotes or escapes in their names,
 * Unicode spaces before an instruction. And what only another builder reads
 * (no heredocs, another escape): in maybe.
 */
static void
test_readings(void **state)
{
	(void)state;
	check("# foo=bar\n# escape=`\nFROM alpine\nRUN echo `\n"
	    "COPY --from=victim-web /secret /x\n", NULL, "alpine victim-web");
	check("FROM a\nRUN echo foo\\\\\nCOPY --from=victim-web / /x\n", NULL,
	    "a victim-web");
	check("FROM a\nRUN echo \\\r \nCOPY --from=victim-web / /x\n", NULL,
	    "a victim-web");
	check("FROM alpine\nRUN <<EOT\nFROM scratch AS victim-web\nEOT\n"
	    "COPY --from=victim-web /secret /x\n", NULL, "alpine victim-web");
	check("FROM a\nCOPY <<'X\\' /x\nbody\nX\\\nCOPY --from=victim-web / /y\n",
	    NULL, "a victim-web");
	check("FROM a\nRUN <<-EOF cat\n\tFROM hidden\n\tEOF\nFROM b\n", NULL,
	    "a b");
	check("FROM a\nCOPY --fr\"om\"=victim-web /s /x\n"
	    "COPY --fr\\om=v2-web /s /x\n"
	    "RUN --mo\"unt\"=type=bind,from=v3-web,target=/v x\n", NULL,
	    "a victim-web v2-web v3-web");
	check("FROM a\n\xe3\x80\x80" "COPY --from=victim-web /s /x\n"
	    "\xe2\x80\x80" "FROM v2-web\n", NULL, "a victim-web v2-web");
	/* what only a builder without heredocs, or another escape, reads */
	check_which("FROM a\nRUN <<EOF\nCOPY --from=victim-web /x /y\nEOF\n",
	    NULL, 1, "victim-web");
	check_which("# escape=`\nFROM a\nRUN x `\nCOPY --from=v-web / /\n"
	    "RUN y \\\nCOPY --from=w-web / /\n", NULL, 0, "a w-web");
	check_which("# escape=`\nFROM a\nRUN x `\nCOPY --from=v-web / /\n"
	    "RUN y \\\nCOPY --from=w-web / /\n", NULL, 1, "v-web");
	/* a plain file: nothing more */
	check_which("FROM golang:1 AS build\nRUN go build \\\n  -o /app\n"
	    "FROM scratch\nCOPY --from=build /app /app\n", NULL, 1, "");
}

/* The frontend a "syntax" parser directive asks for, as BuildKit finds it. */
static void
test_syntax_directive(void **state)
{
	static const struct { const char *text, *want; } cases[] = {
		{ "# syntax=docker/dockerfile:1\nFROM a\n", "docker/dockerfile:1" },
		{ "#syntax = evil/frontend \nFROM a\n", "evil/frontend" },
		{ "\xef\xbb\xbf# SYNTAX=evil/f\nFROM a\n", "evil/f" },
		{ "# escape=`\n# syntax=evil/f\nFROM a\n", "evil/f" },
		{ "\n\n  # syntax=evil/f\nFROM a\n", "evil/f" },
		{ "// syntax=evil/f\nFROM a\n", "evil/f" },
		{ "# a comment\n# syntax=evil/f\nFROM a\n", "evil/f" },
		{ "FROM a\n# syntax=evil/f\n", NULL },
		{ "{\"syntax\": \"evil/frontend\"}", "evil/frontend" },
		{ " \n{\"syntax\": 5}\n", "?" },
		{ "{\"other\": \"x\"}", NULL },
		{ "# syntaxx=evil/f\nFROM a\n", NULL },
		{ "FROM a\n", NULL },
	};
	size_t i;

	(void)state;
	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		char *got = dockerfile_syntax(cases[i].text);

		if ((got == NULL) != (cases[i].want == NULL) ||
		    (got != NULL && strcmp(got, cases[i].want) != 0))
			fail_msg("got \"%s\", want \"%s\" for:\n%s",
			    got ? got : "(none)", cases[i].want ?
			    cases[i].want : "(none)", cases[i].text);
		free(got);
	}
	assert_true(dockerfile_frontend_trusted("docker/dockerfile:1"));
	assert_true(dockerfile_frontend_trusted("docker/dockerfile"));
	assert_true(dockerfile_frontend_trusted("docker.io/docker/dockerfile:1.7-labs"));
	assert_true(dockerfile_frontend_trusted("docker/dockerfile-upstream:master"));
	assert_true(dockerfile_frontend_trusted("docker/dockerfile@sha256:"
	    "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"));
	assert_false(dockerfile_frontend_trusted("evil/dockerfile:1"));
	assert_false(dockerfile_frontend_trusted("docker/dockerfile-evil"));
	assert_false(dockerfile_frontend_trusted("registry.example.com/docker/dockerfile:1"));
	assert_false(dockerfile_frontend_trusted("docker/dockerfile:1 x"));
	assert_false(dockerfile_frontend_trusted("b-web:latest"));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_from_and_copy),
		cmocka_unit_test(test_hidden_refs),
		cmocka_unit_test(test_readings),
		cmocka_unit_test(test_syntax_directive),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
