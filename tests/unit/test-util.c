/*
 * test-util.c - buffers and their cap, the error slot, redaction of secrets
 * in output, paths, and the app variable store.
 */
#include <dirent.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "unit.h"
#include "lib/state.h"
#include "lib/util.h"

static void
test_buf_cap(void **state)
{
	struct buf b = BUF_INIT;

	(void)state;
	assert_string_equal(b.buf, "");
	buf_init(&b, 5);
	buf_adds(&b, "abc");
	assert_false(b.overflow);
	buf_adds(&b, "defg");
	assert_true(b.overflow);
	assert_int_equal(b.len, 5);
	assert_string_equal(b.buf, "abcde");
	buf_release(&b);
	buf_addf(&b, "%d-%s", 7, "x");
	assert_string_equal(b.buf, "7-x");
	buf_release(&b);
}

static void
test_error_wraps_last(void **state)
{
	(void)state;
	assert_int_equal(error_set("inner %d\nsecond line", 1), -1);
	error_set("outer: %s", error_last());
	assert_string_equal(error_last(), "outer: inner 1 second line");
	error_clear();
	assert_string_equal(error_last(), "unknown error");
}

static struct buf captured = BUF_INIT;

static void
capture(void *ctx, int is_warning, const char *line)
{
	(void)ctx;
	buf_addf(&captured, "%c%s\n", is_warning ? '!' : '>', line);
}

static void
test_redaction(void **state)
{
	(void)state;
	out_set_sink(capture, NULL);
	out_redact("hunter2");
	out_redact("hunter2-longer");
	out_redact("ab"); /* too short to redact safely */
	out_info("password=%s and %s", "hunter2", "hunter2-longer!");
	out_warn("ab stays");
	assert_string_equal(captured.buf,
	    ">password=****** and ******!\n!ab stays\n");
	out_redact_clear();
	out_set_sink(NULL, NULL);
	buf_release(&captured);
}

static void
count_line(void *ctx, int is_warning, const char *line)
{
	(void)is_warning;
	if (strstr(line, "value-") != NULL)
		(*(int *)ctx)++;
}

static volatile int printing;

static void *
printer(void *arg)
{
	(void)arg;
	while (printing)
		out_info("line with value-%d in it", 7);
	return NULL;
}

/* Values added while another thread prints (parallel creates do). */
static void
test_redaction_threads(void **state)
{
	pthread_t t;
	char v[32];
	int leaked = 0, i;

	(void)state;
	out_set_sink(count_line, &leaked);
	printing = 1;
	assert_int_equal(pthread_create(&t, NULL, printer, NULL), 0);
	for (i = 0; i < 300; i++) {
		snprintf(v, sizeof v, "value-%d", i);
		out_redact(v);
	}
	printing = 0;
	pthread_join(t, NULL);
	leaked = 0;
	out_info("line with value-%d in it", 7);
	assert_int_equal(leaked, 0);
	out_redact_clear();
	out_set_sink(NULL, NULL);
}

/* The forms a value takes in engine output: quoted, escaped, split. */
static void
test_redaction_forms(void **state)
{
	static const char *const lines[] = {
		"raw: pa\"ss\\wd\nline2-of-it",
		"go %q: \"pa\\\"ss\\\\wd\\nline2-of-it\"",
		"json: {\"message\":\"pa\\\"ss\\\\wd\\nline2-of-it\"}",
		"json of %q: \"\\\"pa\\\\\\\"ss\\\\\\\\wd\\\\nline2-of-it\\\"\"",
	};
	char *e;
	size_t i;

	(void)state;
	out_set_sink(capture, NULL);
	out_redact("pa\"ss\\wd\nline2-of-it");
	out_redact("a<b>&c-d");
	for (i = 0; i < ARRAY_SIZE(lines); i++)
		out_info("%s", lines[i]);
	error_set("engine: %s", "pa\"ss\\wd\nline2-of-it");
	out_warn("error: %s", error_last());
	out_info("html-escaped: a\\u003cb\\u003e\\u0026c-d");
	/* a value split over two lines of output: each line is hidden */
	out_info("pa\"ss\\wd");
	out_info("line2-of-it");
	assert_null(strstr(captured.buf, "ss\\"));
	assert_null(strstr(captured.buf, "line2-of-it"));
	assert_null(strstr(captured.buf, "u003cb"));
	e = strstr(captured.buf, ">raw: ");
	assert_non_null(e);
	assert_string_equal(captured.buf, ">raw: ******\n"
	    ">go %q: \"******\"\n>json: {\"message\":\"******\"}\n"
	    ">json of %q: \"\\\"******\\\"\"\n!error: engine: ******\n"
	    ">html-escaped: ******\n>******\n>******\n");
	out_redact_clear();
	out_set_sink(NULL, NULL);
	buf_release(&captured);
}

/*
 * Encodings a build step or an error may print a value in: hex, base64
 * (standard and URL-safe, at any offset in the encoded stream), %-escapes.
 */
static void
test_redaction_encodings(void **state)
{
	(void)state;
	out_set_sink(capture, NULL);
	out_redact("hunter2-secret-value");
	out_info("hex %s", "68756e746572322d7365637265742d76616c7565");
	out_info("HEX %s", "68756E746572322D7365637265742D76616C7565");
	out_info("b64 %s", "aHVudGVyMi1zZWNyZXQtdmFsdWU=");
	/* "x" + value + "\n", and "xy" + value: the value at offsets 1, 2 */
	out_info("b64+1 %s", "eGh1bnRlcjItc2VjcmV0LXZhbHVlCg==");
	out_info("b64+2 %s", "eHlodW50ZXIyLXNlY3JldC12YWx1ZQ==");
	out_info("url %s", "hunter2%2Dsecret%2dvalue");
	assert_null(strstr(captured.buf, "68756e7465"));
	assert_null(strstr(captured.buf, "68756E7465"));
	assert_null(strstr(captured.buf, "aHVudGVy"));
	assert_null(strstr(captured.buf, "bnRlcjItc2Vj"));
	assert_null(strstr(captured.buf, "ZXIyLXNlY3Jl"));
	assert_null(strstr(captured.buf, "hunter2%2"));
	out_redact_clear();
	out_set_sink(NULL, NULL);
	buf_release(&captured);
	/* wrapped as base64 (76), openssl (64) and xxd -p (60) wrap them,
	 * the value alone or inside a longer blob */
	out_set_sink(capture, NULL);
	out_redact("a-value-of-72-bytes-0123456789-0123456789-0123456789-"
	    "0123456789-abcdefgh");
	{
		static const char *const lines[] = {
			/* base64 of the value, wrapped at 76 */
			"YS12YWx1ZS1vZi03Mi1ieXRlcy0wMTIzNDU2Nzg5LTAxMjM0NTY3ODkt"
			"MDEyMzQ1Njc4OS0wMTIz",
			"NDU2Nzg5LWFiY2RlZmdo",
			/* xxd -p of "xy" + the value, wrapped at 60 */
			"7879612d76616c75652d6f662d37322d62797465732d303132333435"
			"3637",
			"38392d303132333435363738392d303132333435363738392d303132"
			"3334",
			"35363738392d6162636465666768",
			/* openssl base64 of "z" + the value, wrapped at 64 */
			"emEtdmFsdWUtb2YtNzItYnl0ZXMtMDEyMzQ1Njc4OS0wMTIzNDU2Nzg5"
			"LTAxMjM0",
			"NTY3ODktMDEyMzQ1Njc4OS1hYmNkZWZnaA==",
		};
		size_t i;

		for (i = 0; i < ARRAY_SIZE(lines); i++)
			out_info("%s", lines[i]);
		assert_string_equal(captured.buf, ">******\n>******\n>******\n"
		    ">******\n>******\n>******\n>******\n");
		assert_int_equal(ARRAY_SIZE(lines), 7);
	}
	/* ordinary output is left alone */
	buf_release(&captured);
	out_info("Step 3/7 : RUN make -j2 && sha256sum dist/app.tar.gz "
	    "0123456789abcdef0123456789abcdef");
	assert_string_equal(captured.buf, ">Step 3/7 : RUN make -j2 && "
	    "sha256sum dist/app.tar.gz 0123456789abcdef0123456789abcdef\n");
	out_redact_clear();
	out_set_sink(NULL, NULL);
	buf_release(&captured);
	/* a short value's base64 core would mask ordinary words: left out */
	out_set_sink(capture, NULL);
	out_redact("abcd");
	out_info("YWJj and more");
	assert_string_equal(captured.buf, ">YWJj and more\n");
	out_redact_clear();
	out_set_sink(NULL, NULL);
	buf_release(&captured);
}

/*
 * Terminal controls a build step or an engine answer carries (an OSC 52
 * clipboard write, a carriage return hiding the line) reach no terminal:
 * shown as ^X, as git shows them in sideband lines.
 */
static void
test_output_controls(void **state)
{
	char *p;

	(void)state;
	out_set_sink(capture, NULL);
	out_info("a\033]52;c;eA==\007b\rc\td\x7f\xc2\x9b" "e \xc3\xa9");
	assert_string_equal(captured.buf,
	    ">a^[]52;c;eA==^Gb^Mc\td^??e \xc3\xa9\n");
	out_set_sink(NULL, NULL);
	buf_release(&captured);
	/* text of several lines (JSON, status) keeps its newlines */
	out_set_sink(capture, NULL);
	out_info("[\n  1\n]");
	out_info("crlf\r");
	assert_string_equal(captured.buf, ">[\n  1\n]\n>crlf\n");
	out_set_sink(NULL, NULL);
	buf_release(&captured);
	p = out_printable("line 1\033[2K\nline 2\n", 1);
	assert_string_equal(p, "line 1^[[2K\nline 2\n");
	free(p);
	/* raw 8-bit controls (0x9b is CSI to an 8-bit terminal) and bytes
	 * that start no UTF-8 character: '?'; characters stay whole */
	p = out_printable("a\x9b" "2Jb caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80 "
	    "\xc3 \xe2\x82 \xff", 0);
	assert_string_equal(p, "a?2Jb caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80 "
	    "? ?? ?");
	free(p);
}

static void
test_utf8(void **state)
{
	(void)state;
	assert_int_equal(utf8_valid_prefix("", 0), 0);
	assert_int_equal(utf8_valid_prefix("abc", 3), 3);
	assert_int_equal(utf8_valid_prefix("caf\xc3\xa9", 5), 5);
	assert_int_equal(utf8_valid_prefix("\xe2\x82\xac!", 4), 4);
	assert_int_equal(utf8_valid_prefix("\xf0\x9f\x98\x80", 4), 4);
	assert_int_equal(utf8_valid_prefix("ab\xe9", 3), 2);
	assert_int_equal(utf8_valid_prefix("a\xc0\xaf", 3), 1);	/* overlong */
	assert_int_equal(utf8_valid_prefix("\xe0\x80\xaf", 3), 0);
	assert_int_equal(utf8_valid_prefix("\xed\xa0\x80", 3), 0); /* surrogate */
	assert_int_equal(utf8_valid_prefix("\xf4\x90\x80\x80", 4), 0);
	assert_int_equal(utf8_valid_prefix("\xe2\x82", 2), 0);	/* cut short */
	assert_int_equal(utf8_valid_prefix("\x80", 1), 0);
}

static void
test_paths(void **state)
{
	char *p;

	(void)state;
	p = path_join("/a/b/", "/c");
	assert_string_equal(p, "/a/b/c");
	free(p);
	p = path_join("/", "x");
	assert_string_equal(p, "/x");
	free(p);
	assert_true(ends_with("app.git", ".git"));
	assert_false(starts_with("ab", "abc"));
	/* make analyze: mkdir_p("") read past the string's end */
	assert_int_equal(mkdir_p("", 0700), -1);
	/* a directory the commit holds only these of is data (binds.c) */
	assert_true(placeholder_name(".gitkeep"));
	assert_true(placeholder_name(".keep"));
	assert_true(placeholder_name(".gitignore"));
	assert_false(placeholder_name("gitkeep"));
	assert_false(placeholder_name(".gitkeep.bak"));
	assert_false(placeholder_name(".gitattributes"));
}

static void
test_appvars_roundtrip(void **state)
{
	char tmpl[] = "/tmp/slipway-util-XXXXXX";
	struct config cfg;
	struct kvlist v = KVLIST_INIT, back = KVLIST_INIT;
	struct stat st;
	char *path;

	(void)state;
	memset(&cfg, 0, sizeof cfg);
	assert_non_null(mkdtemp(tmpl));
	cfg.state_dir = tmpl;
	assert_int_equal(appvars_load(&cfg, "app", &back), 0);
	assert_int_equal(back.n, 0);
	kvlist_set(&v, "DATABASE_URL", "postgres://u:p@db/x");
	kvlist_set(&v, "QUOTE", "a \"b\"\n'c'");
	assert_int_equal(appvars_save(&cfg, "app", &v), 0);
	path = xasprintf("%s/apps/app/env.json", tmpl);
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
	assert_int_equal(appvars_load(&cfg, "app", &back), 0);
	assert_int_equal(back.n, 2);
	assert_string_equal(kvlist_find(&back, "QUOTE")->value, "a \"b\"\n'c'");
	assert_int_equal(appvars_check_key("OK_1"), 0);
	assert_int_equal(appvars_check_key("1BAD"), -1);
	assert_int_equal(appvars_check_key("BAD-KEY"), -1);
	assert_int_equal(appvars_check_key(""), -1);
	/* A value jansson cannot encode is refused; the file is unchanged. */
	kvlist_set(&v, "BAD", "caf\xe9");
	assert_int_equal(appvars_save(&cfg, "app", &v), -1);
	assert_string_equal(error_last(), "the value of \"BAD\" is not valid UTF-8");
	kvlist_clear(&back);
	assert_int_equal(appvars_load(&cfg, "app", &back), 0);
	assert_int_equal(back.n, 2);
	kvlist_clear(&v);
	kvlist_clear(&back);
	assert_int_equal(remove_tree(tmpl), 0);
	free(path);
}

/* Entries of dir other than . and .. */
static int
count_entries(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	int n = 0;

	assert_non_null(d);
	while ((de = readdir(d)) != NULL)
		n += strcmp(de->d_name, ".") != 0 && strcmp(de->d_name, "..") != 0;
	closedir(d);
	return n;
}

static void
test_write_file_atomic(void **state)
{
	char tmpl[] = "/tmp/slipway-atomic-XXXXXX";
	char *path, *other, *link;
	struct buf b = BUF_INIT;
	struct stat st;

	(void)state;
	assert_non_null(mkdtemp(tmpl));
	path = xasprintf("%s/file", tmpl);
	other = xasprintf("%s/other", tmpl);
	link = xasprintf("%s/link", tmpl);
	assert_int_equal(write_file_atomic(path, "one\n", 4, 0640), 0);
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0640);
	assert_int_equal(count_entries(tmpl), 1);	/* no temporary left */
	/* A replaced file keeps its owner (when we may set it: root). */
	if (geteuid() == 0) {
		assert_int_equal(chown(path, 4321, 4322), 0);
		assert_int_equal(write_file_atomic(path, "two\n", 4, 0600), 0);
		assert_int_equal(stat(path, &st), 0);
		assert_int_equal(st.st_uid, 4321);
		assert_int_equal(st.st_gid, 4322);
		assert_int_equal(st.st_mode & 0777, 0600);
	}
	/* A symlink at path is replaced, never written through. */
	assert_int_equal(write_file_atomic(other, "keep\n", 5, 0644), 0);
	assert_int_equal(symlink(other, link), 0);
	assert_int_equal(write_file_atomic(link, "new\n", 4, 0644), 0);
	assert_int_equal(lstat(link, &st), 0);
	assert_true(S_ISREG(st.st_mode));
	assert_int_equal(read_file(other, &b, 100), 0);
	assert_string_equal(b.buf, "keep\n");
	buf_release(&b);
	/* A failure leaves nothing behind. */
	assert_int_equal(write_file_atomic(tmpl, "x", 1, 0644), -1);
	assert_int_equal(count_entries(tmpl), 3);
	assert_int_equal(remove_tree(tmpl), 0);
	free(path);
	free(other);
	free(link);
}

/* The child runs with default signal dispositions and nothing blocked. */
static void
test_run_command_resets_signals(void **state)
{
	struct buf out = BUF_INIT;
	struct sigaction ign, old_term;
	sigset_t block, old_mask;
	unsigned long long blk, ign_mask;
	struct sigaction saved[NSIG];
	char *end;
	int sig;

	(void)state;
	memset(&ign, 0, sizeof ign);
	ign.sa_handler = SIG_IGN;
	assert_int_equal(sigaction(SIGTERM, &ign, &old_term), 0);
	sigemptyset(&block);
	sigaddset(&block, SIGUSR1);
	assert_int_equal(sigprocmask(SIG_BLOCK, &block, &old_mask), 0);
	assert_int_equal(run_command("grep -E ^Sig(Blk|Ign): /proc/self/status",
	    &out), 0);
	/* glibc keeps its own signals 32 and 33 (SIGCANCEL, SIGSETXID) out of
	 * reach of sigaction(): a shell may pass them ignored; look at ours. */
	assert_true(starts_with(out.buf, "SigBlk:\t"));
	blk = strtoull(out.buf + 8, &end, 16);
	assert_true(starts_with(end, "\nSigIgn:\t"));
	ign_mask = strtoull(end + 9, NULL, 16);
	assert_int_equal(blk, 0);
	assert_int_equal(ign_mask & (1ull << (SIGTERM - 1)), 0);
	assert_int_equal(ign_mask & ~(3ull << 31), 0);
	buf_release(&out);
	assert_int_equal(sigprocmask(SIG_SETMASK, &old_mask, NULL), 0);
	assert_int_equal(sigaction(SIGTERM, &old_term, NULL), 0);
	/* Exit status and output come back; a missing program is an error. */
	assert_int_equal(run_command("false", &out), 1);
	buf_release(&out);
	assert_int_equal(run_command("no-such-program-here x", &out), -1);
	assert_string_equal(error_last(), "cannot run \"no-such-program-here\": "
	    "not found in PATH");
	assert_int_equal(run_command("  ", &out), -1);
	buf_release(&out);

	/* signals_reset() itself, as the ssh forced command calls it (every
	 * disposition is put back afterwards: cmocka has its own). */
	for (sig = 1; sig < NSIG; sig++)
		sigaction(sig, NULL, &saved[sig]);
	assert_int_equal(sigaction(SIGPIPE, &ign, NULL), 0);
	assert_int_equal(sigprocmask(SIG_BLOCK, &block, &old_mask), 0);
	signals_reset();
	assert_int_equal(sigaction(SIGPIPE, NULL, &ign), 0);
	assert_true(ign.sa_handler == SIG_DFL);
	assert_int_equal(sigprocmask(SIG_SETMASK, NULL, &block), 0);
	assert_false(sigismember(&block, SIGUSR1));
	for (sig = 1; sig < NSIG; sig++)
		sigaction(sig, &saved[sig], NULL);
	assert_int_equal(sigprocmask(SIG_SETMASK, &old_mask, NULL), 0);
}

static int waited;

static void
count_wait(void *ctx)
{
	(void)ctx;
	waited++;
}

/*
 * state_lock() waits for the holder: a child takes the lock and holds it
 * until told; the parent's state_lock() calls waiting() once and returns
 * only after the child closed it.
 */
static void
test_lock_waits(void **state)
{
	char tmpl[] = "/tmp/slipway-lock-XXXXXX";
	struct config cfg;
	int go[2], ready[2], fd, status;
	char c;
	pid_t pid;
	long long t0;

	(void)state;
	memset(&cfg, 0, sizeof cfg);
	assert_non_null(mkdtemp(tmpl));
	cfg.state_dir = tmpl;
	assert_int_equal(pipe(go), 0);
	assert_int_equal(pipe(ready), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		int held = state_trylock(&cfg, "app");

		c = held >= 0 ? 'y' : 'n';
		if (write(ready[1], &c, 1) != 1 || read(go[0], &c, 1) != 1)
			_exit(1);
		sleep_ms(200);	/* the parent is blocked in flock() by now */
		close(held);
		_exit(0);
	}
	assert_int_equal(read(ready[0], &c, 1), 1);
	assert_int_equal(c, 'y');
	assert_int_equal(state_trylock(&cfg, "app"), STATE_LOCK_HELD);
	waited = 0;
	assert_int_equal(write(go[1], "g", 1), 1);
	t0 = now_ms();
	fd = state_lock(&cfg, "app", count_wait, NULL);
	assert_true(fd >= 0);
	assert_true(now_ms() - t0 >= 150);
	assert_int_equal(waited, 1);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	/* Uncontended: no waiting() call. */
	close(fd);
	waited = 0;
	fd = state_lock(&cfg, "app", count_wait, NULL);
	assert_true(fd >= 0);
	assert_int_equal(waited, 0);
	close(fd);
	close(go[0]), close(go[1]), close(ready[0]), close(ready[1]);
	assert_int_equal(remove_tree(tmpl), 0);
}

static void
test_lock_is_exclusive(void **state)
{
	char tmpl[] = "/tmp/slipway-lock-XXXXXX";
	struct config cfg;
	int fd, fd2;

	(void)state;
	memset(&cfg, 0, sizeof cfg);
	assert_non_null(mkdtemp(tmpl));
	cfg.state_dir = tmpl;
	fd = state_trylock(&cfg, "app");
	assert_true(fd >= 0);
	assert_int_equal(state_trylock(&cfg, "app"), STATE_LOCK_HELD);
	fd2 = state_trylock(&cfg, "other");
	assert_true(fd2 >= 0);
	close(fd);
	fd = state_trylock(&cfg, "app");
	assert_true(fd >= 0);
	close(fd);
	close(fd2);
	assert_int_equal(remove_tree(tmpl), 0);
}

static struct strv *
hosts(const char *a, const char *b)
{
	static struct strv v = STRV_INIT;

	strv_clear(&v);
	if (a != NULL)
		strv_push(&v, a);
	if (b != NULL)
		strv_push(&v, b);
	return &v;
}

/* A host belongs to one app, wildcards included; replace drops the rest. */
static void
test_host_claims(void **state)
{
	char tmpl[] = "/tmp/slipway-hosts-XXXXXX";
	struct config cfg;

	(void)state;
	memset(&cfg, 0, sizeof cfg);
	assert_non_null(mkdtemp(tmpl));
	cfg.state_dir = tmpl;
	assert_int_equal(state_claim_hosts(&cfg, "b", hosts("shop.example.com",
	    "*.b.example.org"), 0), 0);
	/* B again, and what no one has */
	assert_int_equal(state_claim_hosts(&cfg, "b", hosts("shop.example.com",
	    NULL), 0), 0);
	assert_int_equal(state_claim_hosts(&cfg, "a", hosts("a.example.com",
	    NULL), 0), 0);
	/* exact, case, under B's wildcard, a wildcard over B's name */
	assert_int_equal(state_claim_hosts(&cfg, "a", hosts("SHOP.example.com",
	    NULL), 0), -1);
	assert_string_equal(error_last(), "http host \"SHOP.example.com\" "
	    "belongs to app \"b\" (shop.example.com): an app may only serve "
	    "the hosts no other app claimed");
	assert_int_equal(state_claim_hosts(&cfg, "a", hosts("x.b.example.org",
	    NULL), 0), -1);
	assert_int_equal(state_claim_hosts(&cfg, "a", hosts("*.example.com",
	    NULL), 0), -1);
	assert_int_equal(state_claim_hosts(&cfg, "a", hosts(".example.com",
	    NULL), 0), -1);
	assert_int_equal(state_claim_hosts(&cfg, "a", hosts("shop.example.*",
	    NULL), 0), -1);
	/* a refused claim took nothing: a's own still there, b's too */
	assert_int_equal(state_claim_hosts(&cfg, "b", hosts("a.example.com",
	    NULL), 0), -1);
	/* b.example.org itself is not under *.b.example.org */
	assert_int_equal(state_claim_hosts(&cfg, "a", hosts("b.example.org",
	    NULL), 0), 0);
	/* replace: b gives shop up, a may take it */
	assert_int_equal(state_claim_hosts(&cfg, "b", hosts("*.b.example.org",
	    NULL), 1), 0);
	assert_int_equal(state_claim_hosts(&cfg, "a", hosts("shop.example.com",
	    NULL), 0), 0);
	/* destroy: an empty list with replace frees them all */
	assert_int_equal(state_claim_hosts(&cfg, "b", hosts(NULL, NULL), 1), 0);
	assert_int_equal(state_claim_hosts(&cfg, "a", hosts("x.b.example.org",
	    NULL), 0), 0);
	hosts(NULL, NULL);
	assert_int_equal(remove_tree(tmpl), 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_buf_cap),
		cmocka_unit_test(test_error_wraps_last),
		cmocka_unit_test(test_redaction),
		cmocka_unit_test(test_redaction_threads),
		cmocka_unit_test(test_utf8),
		cmocka_unit_test(test_redaction_forms),
		cmocka_unit_test(test_redaction_encodings),
		cmocka_unit_test(test_output_controls),
		cmocka_unit_test(test_host_claims),
		cmocka_unit_test(test_paths),
		cmocka_unit_test(test_appvars_roundtrip),
		cmocka_unit_test(test_write_file_atomic),
		cmocka_unit_test(test_run_command_resets_signals),
		cmocka_unit_test(test_lock_is_exclusive),
		cmocka_unit_test(test_lock_waits),
	};
	int rc = cmocka_run_group_tests_name("util", tests, NULL, NULL);

	error_clear();
	return rc;
}
