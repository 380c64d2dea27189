/*
 * test-dockerignore.c - .dockerignore parsing and matching against the test
 * vectors of moby/patternmatcher (patternmatcher_test.go, ignorefile/
 * ignorefile_test.go, commit 5a6d842) and Go's path.Clean (path_test.go
 * cleantests), plus slipway's own cases: line numbers in errors, the
 * directory-skipping rule, Go regexp corner cases.
 */
#include <stdlib.h>
#include <string.h>

#include "unit.h"
#include "engine/dockerignore.h"
#include "lib/util.h"

/*
 * patternmatcher.Matches(file, patterns) as the moby tests call it: the
 * file is cleaned, "." never matches. 1, 0 or -1 (bad pattern).
 */
static int
matches(const char *file, const char *const *patterns, size_t n)
{
	struct ignore *ig;
	char *clean;
	int r = 0;

	if (ignore_from_patterns(&ig, patterns, n) < 0)
		return -1;
	clean = ignore_clean(file);
	if (strcmp(clean, ".") != 0)
		r = ignore_excluded(ig, clean);
	free(clean);
	ignore_free(ig);
	return r;
}

#define MATCHES(file, ...) matches(file, (const char *const[]){ __VA_ARGS__ }, \
    sizeof((const char *const[]){ __VA_ARGS__ }) / sizeof(const char *))

/* patternmatcher_test.go: the small Test* functions before TestMatches. */
static void
test_moby_simple(void **state)
{
	struct ignore *ig;

	(void)state;
	/* TestWildcardMatches, TestPatternMatches */
	assert_int_equal(MATCHES("fileutils.go", "*"), 1);
	assert_int_equal(MATCHES("fileutils.go", "*.go"), 1);
	/* TestExclusionPatternMatchesPatternBefore */
	assert_int_equal(MATCHES("fileutils.go", "!fileutils.go", "*.go"), 1);
	/* TestPatternMatchesFolderExclusions, ...WithSlash..., ...Wildcard... */
	assert_int_equal(MATCHES("docs/README.md", "docs", "!docs/README.md"), 0);
	assert_int_equal(MATCHES("docs/README.md", "docs/", "!docs/README.md"), 0);
	assert_int_equal(MATCHES("docs/README.md", "docs/*", "!docs/README.md"), 0);
	/* TestExclusionPatternMatchesPatternAfter */
	assert_int_equal(MATCHES("fileutils.go", "*.go", "!fileutils.go"), 0);
	/* TestExclusionPatternMatchesWholeDirectory */
	assert_int_equal(MATCHES(".", "*.go"), 0);
	/* TestSingleExclamationError */
	assert_int_equal(MATCHES("fileutils.go", "!"), -1);
	assert_string_equal(error_last(), "illegal exclusion pattern \"!\"");
	/* TestMatchesWithNoPatterns */
	assert_int_equal(ignore_from_patterns(&ig, NULL, 0), 0);
	assert_int_equal(ignore_count(ig), 0);
	assert_int_equal(ignore_excluded(ig, "/any/path/there"), 0);
	ignore_free(ig);
	/* TestMatchesWithMalformedPatterns */
	assert_int_equal(MATCHES("/any/path/there", "["), -1);
	assert_non_null(strstr(error_last(), "bad pattern \"[\""));
}

/* patternmatcher_test.go TestMatches: tests (plus the non-Windows one). */
static const struct {
	const char *pattern;
	const char *text;
	int pass;
} moby_matches[] = {
	{ "**", "file", 1 },
	{ "**", "file/", 1 },
	{ "**/", "file", 1 },
	{ "**/", "file/", 1 },
	{ "**", "/", 1 },
	{ "**/", "/", 1 },
	{ "**", "dir/file", 1 },
	{ "**/", "dir/file", 1 },
	{ "**", "dir/file/", 1 },
	{ "**/", "dir/file/", 1 },
	{ "**/**", "dir/file", 1 },
	{ "**/**", "dir/file/", 1 },
	{ "dir/**", "dir/file", 1 },
	{ "dir/**", "dir/file/", 1 },
	{ "dir/**", "dir/dir2/file", 1 },
	{ "dir/**", "dir/dir2/file/", 1 },
	{ "**/dir", "dir", 1 },
	{ "**/dir", "dir/file", 1 },
	{ "**/dir2/*", "dir/dir2/file", 1 },
	{ "**/dir2/*", "dir/dir2/file/", 1 },
	{ "**/dir2/**", "dir/dir2/dir3/file", 1 },
	{ "**/dir2/**", "dir/dir2/dir3/file/", 1 },
	{ "**file", "file", 1 },
	{ "**file", "dir/file", 1 },
	{ "**/file", "dir/file", 1 },
	{ "**file", "dir/dir/file", 1 },
	{ "**/file", "dir/dir/file", 1 },
	{ "**/file*", "dir/dir/file", 1 },
	{ "**/file*", "dir/dir/file.txt", 1 },
	{ "**/file*txt", "dir/dir/file.txt", 1 },
	{ "**/file*.txt", "dir/dir/file.txt", 1 },
	{ "**/file*.txt*", "dir/dir/file.txt", 1 },
	{ "**/**/*.txt", "dir/dir/file.txt", 1 },
	{ "**/**/*.txt2", "dir/dir/file.txt", 0 },
	{ "**/*.txt", "file.txt", 1 },
	{ "**/**/*.txt", "file.txt", 1 },
	{ "a**/*.txt", "a/file.txt", 1 },
	{ "a**/*.txt", "a/dir/file.txt", 1 },
	{ "a**/*.txt", "a/dir/dir/file.txt", 1 },
	{ "a/*.txt", "a/dir/file.txt", 0 },
	{ "a/*.txt", "a/file.txt", 1 },
	{ "a/*.txt**", "a/file.txt", 1 },
	{ "a[b-d]e", "ae", 0 },
	{ "a[b-d]e", "ace", 1 },
	{ "a[b-d]e", "aae", 0 },
	{ "a[^b-d]e", "aze", 1 },
	{ ".*", ".foo", 1 },
	{ ".*", "foo", 0 },
	{ "abc.def", "abcdef", 0 },
	{ "abc.def", "abc.def", 1 },
	{ "abc.def", "abcZdef", 0 },
	{ "abc?def", "abcZdef", 1 },
	{ "abc?def", "abcdef", 0 },
	{ "a\\\\", "a\\", 1 },
	{ "**/foo/bar", "foo/bar", 1 },
	{ "**/foo/bar", "dir/foo/bar", 1 },
	{ "**/foo/bar", "dir/dir2/foo/bar", 1 },
	{ "abc/**", "abc", 0 },
	{ "abc/**", "abc/def", 1 },
	{ "abc/**", "abc/def/ghi", 1 },
	{ "**/.foo", ".foo", 1 },
	{ "**/.foo", "bar.foo", 0 },
	{ "a(b)c/def", "a(b)c/def", 1 },
	{ "a(b)c/def", "a(b)c/xyz", 0 },
	{ "a.|)$(}+{bc", "a.|)$(}+{bc", 1 },
	{ "dist/proxy.py-2.4.0rc3.dev36+g08acad9-py3-none-any.whl",
	  "dist/proxy.py-2.4.0rc3.dev36+g08acad9-py3-none-any.whl", 1 },
	{ "dist/*.whl",
	  "dist/proxy.py-2.4.0rc3.dev36+g08acad9-py3-none-any.whl", 1 },
	{ "a\\*b", "a*b", 1 },
};

/* patternmatcher_test.go TestMatches: multiPatternTests. */
static const struct {
	const char *patterns[4];
	size_t n;
	const char *text;
	int pass;
} moby_multi[] = {
	{ { "**", "!util/docker/web" }, 2, "util/docker/web/foo", 0 },
	{ { "**", "!util/docker/web", "util/docker/web/foo" }, 3,
	  "util/docker/web/foo", 1 },
	{ { "**", "!dist/proxy.py-2.4.0rc3.dev36+g08acad9-py3-none-any.whl" },
	  2, "dist/proxy.py-2.4.0rc3.dev36+g08acad9-py3-none-any.whl", 0 },
	{ { "**", "!dist/*.whl" }, 2,
	  "dist/proxy.py-2.4.0rc3.dev36+g08acad9-py3-none-any.whl", 0 },
};

/* TestMatches/MatchesOrParentMatches: New() then the method, no Clean. */
static void
test_moby_matches(void **state)
{
	struct ignore *ig;
	size_t i;

	(void)state;
	for (i = 0; i < ARRAY_SIZE(moby_matches); i++) {
		const char *p = moby_matches[i].pattern;

		if (ignore_from_patterns(&ig, &p, 1) < 0)
			fail_msg("pattern %s: %s", p, error_last());
		if (ignore_excluded(ig, moby_matches[i].text) !=
		    moby_matches[i].pass)
			fail_msg("pattern %s text %s: want %d", p,
			    moby_matches[i].text, moby_matches[i].pass);
		ignore_free(ig);
	}
	for (i = 0; i < ARRAY_SIZE(moby_multi); i++) {
		if (ignore_from_patterns(&ig, moby_multi[i].patterns,
		    moby_multi[i].n) < 0)
			fail_msg("case %zu: %s", i, error_last());
		if (ignore_excluded(ig, moby_multi[i].text) !=
		    moby_multi[i].pass)
			fail_msg("multi case %zu: want %d", i,
			    moby_multi[i].pass);
		ignore_free(ig);
	}
}

/*
 * patternmatcher_test.go matchTests (from Go's filepath Match tests), run as
 * TestMatch does: Matches(s, []string{pattern}). ErrBadPattern is -1.
 */
static const struct {
	const char *pattern;
	const char *s;
	int want;
} moby_match[] = {
	{ "abc", "abc", 1 },
	{ "*", "abc", 1 },
	{ "*c", "abc", 1 },
	{ "a*", "a", 1 },
	{ "a*", "abc", 1 },
	{ "a*", "ab/c", 1 },
	{ "a*/b", "abc/b", 1 },
	{ "a*/b", "a/c/b", 0 },
	{ "a*b*c*d*e*/f", "axbxcxdxe/f", 1 },
	{ "a*b*c*d*e*/f", "axbxcxdxexxx/f", 1 },
	{ "a*b*c*d*e*/f", "axbxcxdxe/xxx/f", 0 },
	{ "a*b*c*d*e*/f", "axbxcxdxexxx/fff", 0 },
	{ "a*b?c*x", "abxbbxdbxebxczzx", 1 },
	{ "a*b?c*x", "abxbbxdbxebxczzy", 0 },
	{ "ab[c]", "abc", 1 },
	{ "ab[b-d]", "abc", 1 },
	{ "ab[e-g]", "abc", 0 },
	{ "ab[^c]", "abc", 0 },
	{ "ab[^b-d]", "abc", 0 },
	{ "ab[^e-g]", "abc", 1 },
	{ "a\\*b", "a*b", 1 },
	{ "a\\*b", "ab", 0 },
	{ "a?b", "a☺b", 1 },
	{ "a[^a]b", "a☺b", 1 },
	{ "a???b", "a☺b", 0 },
	{ "a[^a][^a][^a]b", "a☺b", 0 },
	{ "[a-ζ]*", "α", 1 },
	{ "*[a-ζ]", "A", 0 },
	{ "a?b", "a/b", 0 },
	{ "a*b", "a/b", 0 },
	{ "[\\]a]", "]", 1 },
	{ "[\\-]", "-", 1 },
	{ "[x\\-]", "x", 1 },
	{ "[x\\-]", "-", 1 },
	{ "[x\\-]", "z", 0 },
	{ "[\\-x]", "x", 1 },
	{ "[\\-x]", "-", 1 },
	{ "[\\-x]", "a", 0 },
	{ "[]a]", "]", -1 },
	{ "[-]", "-", -1 },
	{ "[x-]", "x", -1 },
	{ "[x-]", "-", -1 },
	{ "[x-]", "z", -1 },
	{ "[-x]", "x", -1 },
	{ "[-x]", "-", -1 },
	{ "[-x]", "a", -1 },
	{ "\\", "a", -1 },
	{ "[a-b-c]", "a", -1 },
	{ "[", "a", -1 },
	{ "[^", "a", -1 },
	{ "[^bc", "a", -1 },
	{ "a[", "a", -1 },
	{ "a[", "ab", -1 },
	{ "*x", "xxx", 1 },
};

static void
test_moby_match(void **state)
{
	size_t i;
	int r;

	(void)state;
	for (i = 0; i < ARRAY_SIZE(moby_match); i++) {
		r = ignore_match_one(moby_match[i].pattern, moby_match[i].s);
		if (r != moby_match[i].want)
			fail_msg("Match(%s, %s) = %d, want %d",
			    moby_match[i].pattern, moby_match[i].s, r,
			    moby_match[i].want);
	}
}

/* patternmatcher_test.go compileTests (the "/" column). */
static const struct {
	const char *pattern;
	const char *want;
} moby_compile[] = {
	{ "*", "^[^/]*$" },
	{ "file*", "^file[^/]*$" },
	{ "*file", "^[^/]*file$" },
	{ "a*/b", "^a[^/]*/b$" },
	{ "**", "suffix" },
	{ "**/**", "^(.*/)?.*$" },
	{ "dir/**", "prefix" },
	{ "**/dir", "suffix" },
	{ "**/dir2/*", "^(.*/)?dir2/[^/]*$" },
	{ "**/dir2/**", "^(.*/)?dir2/.*$" },
	{ "**file", "suffix" },
	{ "**/file*txt", "^(.*/)?file[^/]*txt$" },
	{ "**/**/*.txt", "^(.*/)?(.*/)?[^/]*\\.txt$" },
	{ "a[b-d]e", "^a[b-d]e$" },
	{ ".*", "^\\.[^/]*$" },
	{ "abc.def", "exact" },
	{ "abc?def", "^abc[^/]def$" },
	{ "**/foo/bar", "suffix" },
	{ "a(b)c/def", "exact" },
	{ "a.|)$(}+{bc", "exact" },
	{ "dist/proxy.py-2.4.0rc3.dev36+g08acad9-py3-none-any.whl", "exact" },
};

static void
test_moby_compile(void **state)
{
	size_t i;
	char *d;

	(void)state;
	for (i = 0; i < ARRAY_SIZE(moby_compile); i++) {
		d = ignore_describe(moby_compile[i].pattern);
		assert_non_null(d);
		if (strcmp(d, moby_compile[i].want) != 0)
			fail_msg("compile %s = %s, want %s",
			    moby_compile[i].pattern, d, moby_compile[i].want);
		free(d);
	}
}

/* patternmatcher_test.go TestClean* (Patterns() and Exclusions()). */
static void
test_moby_clean_patterns(void **state)
{
	const char *p1[] = { "docs", "config" };
	const char *p2[] = { "docs", "config", "" };
	const char *p3[] = { "docs", "  !docs/README.md" };
	const char *p4[] = { "docs", "!docs/README.md  " };
	const char *p5[] = { "!" };
	struct ignore *ig;

	(void)state;
	assert_int_equal(ignore_from_patterns(&ig, p1, 2), 0);
	assert_int_equal(ignore_count(ig), 2);
	/* no exclusions: an excluded directory may always be skipped */
	assert_int_equal(ignore_can_skip_dir(ig, "docs"), 1);
	ignore_free(ig);
	assert_int_equal(ignore_from_patterns(&ig, p2, 3), 0);
	assert_int_equal(ignore_count(ig), 2);
	ignore_free(ig);
	assert_int_equal(ignore_from_patterns(&ig, p3, 2), 0);
	assert_string_equal(ignore_pattern(ig, 1), "!docs/README.md");
	assert_int_equal(ignore_can_skip_dir(ig, "docs"), 0);
	ignore_free(ig);
	assert_int_equal(ignore_from_patterns(&ig, p4, 2), 0);
	assert_string_equal(ignore_pattern(ig, 1), "!docs/README.md");
	assert_null(ignore_pattern(ig, 2));
	ignore_free(ig);
	assert_int_equal(ignore_from_patterns(&ig, p5, 1), -1);
	assert_null(ig);
}

/*
 * TestMatchesOrParentMatchesMalformedPatternDoesNotPanicOnRepeatedCall:
 * "[Local-Only]" passes filepath.Match but its regexp has the range "l-O".
 * Go fails on every match; slipway compiles at once and fails when the
 * pattern is added. Matching it keeps failing, every time.
 */
static void
test_moby_malformed_regexp(void **state)
{
	const char *p = "[Local-Only]/";
	struct ignore *ig;

	(void)state;
	assert_int_equal(ignore_from_patterns(&ig, &p, 1), -1);
	assert_string_equal(error_last(),
	    "bad pattern \"[Local-Only]\": invalid character class range");
	assert_int_equal(ignore_match_one(p, "x"), -1);
	assert_int_equal(ignore_match_one(p, "x"), -1);
}

/* ignorefile/ignorefile_test.go TestReadAll. */
static void
test_read_all(void **state)
{
	static const char content[] = "test1\n/test2\n/a/file/here\n\nlastfile\n"
	    "# this is a comment\n! /inverted/abs/path\n!\n! ";
	static const char *const want[] = { "test1", "test2", "a/file/here",
	    "lastfile", "!inverted/abs/path", "!", "!" };
	struct strv v = STRV_INIT;
	struct ignore *ig;
	size_t i;

	(void)state;
	assert_int_equal(ignore_read_all(&v, "", 0), 0);
	assert_int_equal(v.n, 0);
	assert_int_equal(ignore_read_all(&v, content, sizeof content - 1), 0);
	assert_int_equal(v.n, ARRAY_SIZE(want));
	for (i = 0; i < v.n; i++)
		assert_string_equal(v.v[i], want[i]);
	strv_clear(&v);
	/* the same file as a matcher: the bare "!" on line 8 is an error */
	assert_int_equal(ignore_parse(&ig, content, sizeof content - 1,
	    ".dockerignore"), -1);
	assert_null(ig);
	assert_string_equal(error_last(),
	    ".dockerignore:8: illegal exclusion pattern \"!\"");
}

/* ReadAll's line rules beyond the moby test. */
static void
test_read_all_lines(void **state)
{
	static const char text[] = "\xef\xbb\xbf# bom then comment\r\n"
	    "  # not a comment\n\t node_modules/ \r\n./a/../b\n#c\n"
	    "/\n!/\n!  ./x//y/\n\xc2\xa0spaced\xe3\x80\x80\nlast";
	static const char *const want[] = { "# not a comment", "node_modules",
	    "b", "/", "!/", "!x/y", "spaced", "last" };
	struct strv v = STRV_INIT;
	char *big;
	size_t i;

	(void)state;
	assert_int_equal(ignore_read_all(&v, text, sizeof text - 1), 0);
	assert_int_equal(v.n, ARRAY_SIZE(want));
	for (i = 0; i < v.n; i++)
		assert_string_equal(v.v[i], want[i]);
	strv_clear(&v);

	/* a BOM only counts on the first line */
	assert_int_equal(ignore_read_all(&v, "a\n\xef\xbb\xbf#b", 7), 0);
	assert_int_equal(v.n, 2);
	assert_string_equal(v.v[1], "\xef\xbb\xbf#b");
	strv_clear(&v);

	assert_int_equal(ignore_read_all(&v, "a\nb\0c\n", 6), -1);
	assert_string_equal(error_last(), ".dockerignore:2: NUL byte in pattern");
	strv_clear(&v);

	big = xmalloc(70000);
	memset(big, 'x', 70000);
	assert_int_equal(ignore_read_all(&v, big, 70000), -1);
	assert_string_equal(error_last(), ".dockerignore:1: line too long");
	free(big);
	strv_clear(&v);
}

/* Go's path_test.go cleantests. */
static const struct {
	const char *path;
	const char *result;
} go_clean[] = {
	{ "abc", "abc" },
	{ "abc/def", "abc/def" },
	{ "a/b/c", "a/b/c" },
	{ ".", "." },
	{ "..", ".." },
	{ "../..", "../.." },
	{ "../../abc", "../../abc" },
	{ "/abc", "/abc" },
	{ "/", "/" },
	{ "", "." },
	{ "abc/", "abc" },
	{ "abc/def/", "abc/def" },
	{ "a/b/c/", "a/b/c" },
	{ "./", "." },
	{ "../", ".." },
	{ "../../", "../.." },
	{ "/abc/", "/abc" },
	{ "abc//def//ghi", "abc/def/ghi" },
	{ "//abc", "/abc" },
	{ "///abc", "/abc" },
	{ "//abc//", "/abc" },
	{ "abc//", "abc" },
	{ "abc/./def", "abc/def" },
	{ "/./abc/def", "/abc/def" },
	{ "abc/.", "abc" },
	{ "abc/def/ghi/../jkl", "abc/def/jkl" },
	{ "abc/def/../ghi/../jkl", "abc/jkl" },
	{ "abc/def/..", "abc" },
	{ "abc/def/../..", "." },
	{ "/abc/def/../..", "/" },
	{ "abc/def/../../..", ".." },
	{ "/abc/def/../../..", "/" },
	{ "abc/def/../../../ghi/jkl/../../../mno", "../../mno" },
	{ "abc/./../def", "def" },
	{ "abc//./../def", "def" },
	{ "abc/../../././../def", "../../def" },
};

static void
test_clean(void **state)
{
	size_t i;
	char *c;

	(void)state;
	for (i = 0; i < ARRAY_SIZE(go_clean); i++) {
		c = ignore_clean(go_clean[i].path);
		if (strcmp(c, go_clean[i].result) != 0)
			fail_msg("Clean(%s) = %s, want %s", go_clean[i].path, c,
			    go_clean[i].result);
		free(c);
		c = ignore_clean(go_clean[i].result);
		assert_string_equal(c, go_clean[i].result);
		free(c);
	}
}

/* Errors name the file, the line and the pattern. */
static void
test_parse_errors(void **state)
{
	static const char bad_class[] = "ok\n\n# c\nsrc/[a-\n";
	static const char bad_escape[] = "x\nfoo\\";
	struct ignore *ig;

	(void)state;
	assert_int_equal(ignore_parse(&ig, bad_class, sizeof bad_class - 1,
	    "app/.dockerignore"), -1);
	assert_string_equal(error_last(), "app/.dockerignore:4: bad pattern "
	    "\"src/[a-\": unclosed character class");
	assert_int_equal(ignore_parse(&ig, bad_escape, sizeof bad_escape - 1,
	    ".dockerignore"), -1);
	assert_string_equal(error_last(), ".dockerignore:2: bad pattern "
	    "\"foo\\\": trailing backslash");
	/* control bytes are not echoed */
	assert_int_equal(ignore_parse(&ig, "a\x1b[", 3, ".dockerignore"), -1);
	assert_non_null(strstr(error_last(), "\"a?[\""));
	/* Go's regexp refuses \q (filepath.Match accepts it) */
	assert_int_equal(ignore_match_one("a\\q*", "aq"), -1);
	assert_non_null(strstr(error_last(), "unsupported escape"));
	/* an empty file is an empty matcher */
	assert_int_equal(ignore_parse(&ig, "", 0, ".dockerignore"), 0);
	assert_int_equal(ignore_count(ig), 0);
	assert_int_equal(ignore_excluded(ig, "x"), 0);
	ignore_free(ig);
}

/* A .dockerignore as a user writes it: last match wins, parents count. */
static void
test_parse_and_exclude(void **state)
{
	static const char text[] = "# build output\n*.log\nnode_modules\n"
	    "/build/\n!build/keep.txt\ndocs/**\n!docs/**/*.md\n**/.git\n";
	struct ignore *ig;

	(void)state;
	assert_int_equal(ignore_parse(&ig, text, sizeof text - 1,
	    ".dockerignore"), 0);
	assert_int_equal(ignore_count(ig), 7);
	assert_string_equal(ignore_pattern(ig, 2), "build");
	assert_string_equal(ignore_pattern(ig, 3), "!build/keep.txt");
	assert_int_equal(ignore_excluded(ig, "app.log"), 1);
	assert_int_equal(ignore_excluded(ig, "src/app.log"), 0); /* *: one level */
	assert_int_equal(ignore_excluded(ig, "node_modules"), 1);
	assert_int_equal(ignore_excluded(ig, "node_modules/x/y.js"), 1);
	assert_int_equal(ignore_excluded(ig, "src/node_modules"), 0);
	assert_int_equal(ignore_excluded(ig, "build"), 1);
	assert_int_equal(ignore_excluded(ig, "build/out.o"), 1);
	assert_int_equal(ignore_excluded(ig, "build/keep.txt"), 0);
	assert_int_equal(ignore_excluded(ig, "docs"), 0);	/* "docs/" prefix */
	assert_int_equal(ignore_excluded(ig, "docs/a.png"), 1);
	assert_int_equal(ignore_excluded(ig, "docs/a.md"), 0);
	assert_int_equal(ignore_excluded(ig, "docs/x/y/a.md"), 0);
	assert_int_equal(ignore_excluded(ig, ".git"), 1);
	assert_int_equal(ignore_excluded(ig, "sub/.git/HEAD"), 1);
	assert_int_equal(ignore_excluded(ig, "main.c"), 0);
	/* build is excluded but "!build/keep.txt" lies below it */
	assert_int_equal(ignore_can_skip_dir(ig, "build"), 0);
	/* docs: the exclusion "!docs/..." starts with "docs/": walked */
	assert_int_equal(ignore_can_skip_dir(ig, "docs"), 0);
	assert_int_equal(ignore_can_skip_dir(ig, "node_modules"), 1);
	assert_int_equal(ignore_can_skip_dir(ig, "buil"), 1);
	ignore_free(ig);
}

/* moby's skip rule is a literal prefix test, so "!**" never saves a dir. */
static void
test_skip_dir_rule(void **state)
{
	const char *p1[] = { "vendor", "!**/keep" };
	const char *p2[] = { "vendor", "!vendor2/x" };
	const char *p3[] = { "a", "!a/b/c" };
	const char *p4[] = { "a", "!a" };
	struct ignore *ig;

	(void)state;
	assert_int_equal(ignore_from_patterns(&ig, p1, 2), 0);
	assert_int_equal(ignore_excluded(ig, "vendor/keep"), 0);
	assert_int_equal(ignore_can_skip_dir(ig, "vendor"), 1);
	ignore_free(ig);
	assert_int_equal(ignore_from_patterns(&ig, p2, 2), 0);
	assert_int_equal(ignore_can_skip_dir(ig, "vendor"), 1);
	ignore_free(ig);
	assert_int_equal(ignore_from_patterns(&ig, p3, 2), 0);
	assert_int_equal(ignore_can_skip_dir(ig, "a"), 0);
	assert_int_equal(ignore_can_skip_dir(ig, "a/b"), 0);
	assert_int_equal(ignore_can_skip_dir(ig, "a/bc"), 1);
	ignore_free(ig);
	assert_int_equal(ignore_from_patterns(&ig, p4, 2), 0);
	assert_int_equal(ignore_can_skip_dir(ig, "a"), 0);
	assert_int_equal(ignore_excluded(ig, "a/x"), 0);
	ignore_free(ig);
}

/*
 * Corners where patternmatcher's regexp source, read by Go's regexp, gives
 * a result different from filepath.Match; slipway follows the regexp.
 */
static const struct {
	const char *pattern;
	const char *text;
	int want;
} regexp_corners[] = {
	/* "[*]" becomes ^[[^/]*]$: a class of '[' '^' '/' then ']' */
	{ "[*]", "*", 0 },
	{ "[*]", "]", 1 },
	{ "[*]", "[^]", 1 },
	/* a POSIX class, which filepath.Match does not know */
	{ "[[:digit:]]x", "7x", 1 },
	{ "[[:digit:]]x", "ax", 0 },
	{ "[[:^digit:]]x", "ax", 1 },
	/* Go regexp escapes that filepath.Match reads as letters */
	{ "v\\d", "v7", 1 },
	{ "v\\d", "vd", 0 },
	{ "\\w\\s\\W", "a !", 1 },
	{ "\\w\\s\\W", "a b", 0 },
	{ "[\\d]z", "5z", 1 },
	/* '^' is not escaped: an anchor in the middle never matches */
	{ "a^b*", "a^b", 0 },
	{ "a^b", "a^b", 1 },		/* exact, no regexp */
	/* "**" shortcuts are plain string tests */
	{ "**file", "dir/myfile", 1 },
	{ "**/file", "dir/myfile", 0 },
	{ "a.b/**", "a.b/c", 1 },
	{ "a.b/**", "axb/c", 0 },
	/* '.' in the "**" group does not cross a newline */
	{ "**/x/*", "a\nb/x/y", 0 },
	{ "**/x/*", "a/x/y", 1 },
	/* [^/] takes a whole rune, invalid bytes one at a time */
	{ "?", "\xe2\x98\xba", 1 },
	{ "??", "\xff\xfe", 1 },
	{ "?", "\xff\xfe", 0 },
	/* a leading BOM in a pattern is skipped by the regexp (text/scanner) */
	{ "\xef\xbb\xbf*.go", "x.go", 1 },
};

static void
test_regexp_corners(void **state)
{
	size_t i;
	int r;

	(void)state;
	for (i = 0; i < ARRAY_SIZE(regexp_corners); i++) {
		r = ignore_match_one(regexp_corners[i].pattern,
		    regexp_corners[i].text);
		if (r != regexp_corners[i].want)
			fail_msg("%s vs %s: %d, want %d",
			    regexp_corners[i].pattern, regexp_corners[i].text,
			    r, regexp_corners[i].want);
	}
}

/* The VM is linear: a pathological pattern on a long name is quick. */
static void
test_no_backtracking_blowup(void **state)
{
	char name[4001];
	long long t0;

	(void)state;
	memset(name, 'a', sizeof name - 1);
	name[sizeof name - 1] = '\0';
	t0 = now_ms();
	assert_int_equal(ignore_match_one("*a*a*a*a*a*a*a*a*a*a*a*a*b", name), 0);
	assert_true(now_ms() - t0 < 2000);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_moby_simple),
		cmocka_unit_test(test_moby_matches),
		cmocka_unit_test(test_moby_match),
		cmocka_unit_test(test_moby_compile),
		cmocka_unit_test(test_moby_clean_patterns),
		cmocka_unit_test(test_moby_malformed_regexp),
		cmocka_unit_test(test_read_all),
		cmocka_unit_test(test_read_all_lines),
		cmocka_unit_test(test_clean),
		cmocka_unit_test(test_parse_errors),
		cmocka_unit_test(test_parse_and_exclude),
		cmocka_unit_test(test_skip_dir_rule),
		cmocka_unit_test(test_regexp_corners),
		cmocka_unit_test(test_no_backtracking_blowup),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
