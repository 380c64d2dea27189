/*
 * test-stream.c - the hijacked stream of run and exec (engine_stream_pump):
 * the engine's multiplexed frames split at any byte still reach stdout and
 * stderr whole and apart, the bytes that came with the HTTP head come first,
 * a TTY stream is copied raw, and input is sent on, then the write side
 * closed at its end.
 */
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "unit.h"
#include "engine/engine.h"
#include "lib/util.h"

static void
frame(struct buf *b, int stream, const char *text)
{
	size_t n = strlen(text);
	unsigned char hdr[8] = { (unsigned char)stream, 0, 0, 0,
	    (unsigned char)(n >> 24), (unsigned char)(n >> 16),
	    (unsigned char)(n >> 8), (unsigned char)n };

	buf_add(b, hdr, 8);
	buf_add(b, text, n);
}

static char *
drain(int fd)
{
	struct buf b = BUF_INIT;
	char chunk[4096];
	ssize_t n;

	while ((n = read(fd, chunk, sizeof chunk)) > 0)
		buf_add(&b, chunk, (size_t)n);
	close(fd);
	return buf_detach(&b, NULL);
}

/* Pump data (the first `early` bytes as the head's leftovers, the rest sent
 * in pieces of `piece` bytes) and return what reached stdout and stderr. */
static void
pump(const struct buf *data, size_t early_len, size_t piece, int tty,
    char **out, char **err)
{
	struct buf early = BUF_INIT;
	int sv[2], o[2], e[2];
	size_t off;
	pid_t pid;

	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
	assert_int_equal(pipe(o), 0);
	assert_int_equal(pipe(e), 0);
	buf_add(&early, data->buf, early_len);
	if ((pid = fork()) == 0) {
		close(sv[0]);
		close(o[0]);
		close(o[1]);
		close(e[0]);
		close(e[1]);
		for (off = early_len; off < data->len; off += piece) {
			size_t n = data->len - off < piece ? data->len - off : piece;

			if (write(sv[1], data->buf + off, n) != (ssize_t)n)
				_exit(1);
			usleep(1000);
		}
		_exit(0);
	}
	close(sv[1]);
	assert_int_equal(engine_stream_pump(sv[0], &early, -1, o[1], e[1],
	    tty, NULL), 0);
	close(sv[0]);
	close(o[1]);
	close(e[1]);
	*out = drain(o[0]);
	*err = drain(e[0]);
	waitpid(pid, NULL, 0);
	buf_release(&early);
}

static void
test_demux(void **state)
{
	struct buf data = BUF_INIT;
	size_t pieces[] = { 1, 3, 7, 8, 9, 4096 }, early[] = { 0, 5, 12 }, i, k;
	char *out, *err;

	frame(&data, 1, "hello ");
	frame(&data, 2, "oops\n");
	frame(&data, 1, "world\n");
	frame(&data, 2, "");
	for (i = 0; i < ARRAY_SIZE(pieces); i++) {
		for (k = 0; k < ARRAY_SIZE(early); k++) {
			pump(&data, early[k], pieces[i], 0, &out, &err);
			assert_string_equal(out, "hello world\n");
			assert_string_equal(err, "oops\n");
			free(out);
			free(err);
		}
	}
	buf_release(&data);
}

static void
test_tty_raw(void **state)
{
	struct buf data = BUF_INIT;
	char *out, *err;

	/* A TTY stream has no frames: every byte is output. */
	buf_add(&data, "\x01\x00\x00\x00 raw \r\n", 11);
	pump(&data, 3, 2, 1, &out, &err);
	assert_int_equal(memcmp(out, "\x01\x00\x00\x00 raw \r\n", 11), 0);
	assert_string_equal(err, "");
	free(out);
	free(err);
	buf_release(&data);
}

static void
test_input(void **state)
{
	struct buf early = BUF_INIT;
	int sv[2], in[2], o[2];
	char *got;
	pid_t pid;

	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
	assert_int_equal(pipe(in), 0);
	assert_int_equal(pipe(o), 0);
	if ((pid = fork()) == 0) {
		/* The engine's side: echo what comes until the write side
		 * closes, as one stdout frame, then hang up. */
		struct buf b = BUF_INIT, f = BUF_INIT;
		char chunk[256];
		ssize_t n;

		close(sv[0]);
		close(in[0]);
		close(in[1]);
		close(o[0]);
		close(o[1]);
		while ((n = read(sv[1], chunk, sizeof chunk)) > 0)
			buf_add(&b, chunk, (size_t)n);
		frame(&f, 1, b.buf);
		_exit(write(sv[1], f.buf, f.len) == (ssize_t)f.len ? 0 : 1);
	}
	close(sv[1]);
	assert_int_equal(write(in[1], "typed\n", 6), 6);
	close(in[1]);
	assert_int_equal(engine_stream_pump(sv[0], &early, in[0], o[1], o[1],
	    0, NULL), 0);
	close(sv[0]);
	close(in[0]);
	close(o[1]);
	got = drain(o[0]);
	waitpid(pid, NULL, 0);
	assert_string_equal(got, "typed\n");
	free(got);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_demux),
		cmocka_unit_test(test_tty_raw),
		cmocka_unit_test(test_input),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
