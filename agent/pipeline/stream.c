/*
 * stream.c - a bounded queue of lines and one writer thread. Each queued line
 * is one byte naming its fd ('1' or '2'), the text, and '\n'.
 */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "pipeline/stream.h"
#include "lib/util.h"

struct stream {
	pthread_mutex_t mu;
	pthread_cond_t cv;
	pthread_t thread;
	struct buf q;
	size_t max;
	size_t dropped;       /* lines not queued since the last note */
	size_t dropped_total;
	int closing;          /* no more lines: drain and exit */
	int exited;
	int dead;             /* the pusher is gone: write nothing more */
};

static void
write_all(int fd, const char *p, size_t n, int *dead)
{
	while (n > 0 && !*dead) {
		ssize_t w = write(fd, p, n);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0) {
			*dead = 1;
			return;
		}
		p += w;
		n -= (size_t)w;
	}
}

static void *
writer(void *arg)
{
	struct stream *s = arg;
	struct buf out = BUF_INIT;

	pthread_mutex_lock(&s->mu);
	for (;;) {
		const char *p, *end, *nl;
		int dead = s->dead;

		while (s->q.len == 0 && !s->closing)
			pthread_cond_wait(&s->cv, &s->mu);
		if (s->q.len == 0)
			break;
		buf_reset(&out);
		buf_add(&out, s->q.buf, s->q.len);
		buf_reset(&s->q);
		pthread_cond_broadcast(&s->cv);
		pthread_mutex_unlock(&s->mu);
		for (p = out.buf, end = out.buf + out.len; p < end; p = nl + 1) {
			nl = memchr(p, '\n', (size_t)(end - p));
			write_all(*p == '2' ? 2 : 1, p + 1, (size_t)(nl - p), &dead);
		}
		pthread_mutex_lock(&s->mu);
		s->dead = dead;
	}
	s->exited = 1;
	pthread_cond_broadcast(&s->cv);
	pthread_mutex_unlock(&s->mu);
	buf_release(&out);
	return NULL;
}

struct stream *
stream_start(size_t max)
{
	struct stream *s = xcalloc(1, sizeof *s);

	pthread_mutex_init(&s->mu, NULL);
	pthread_cond_init(&s->cv, NULL);
	buf_init(&s->q, 0);
	s->max = max;
	if (pthread_create(&s->thread, NULL, writer, s) != 0) {
		/* No thread: write directly, as before. */
		s->exited = 1;
	}
	return s;
}

/* Queue fd, text and a newline; the caller holds the lock. */
static void
enqueue(struct stream *s, int is_warning, const char *text, size_t len)
{
	buf_addch(&s->q, is_warning ? '2' : '1');
	buf_add(&s->q, text, len);
	buf_addch(&s->q, '\n');
}

void
stream_line(struct stream *s, int is_warning, const char *line)
{
	size_t len = strcspn(line, "\n");
	char *note;

	if (s->exited) {
		int dead = 0;
		char *text = xasprintf("%.*s\n", (int)len, line);

		write_all(is_warning ? 2 : 1, text, strlen(text), &dead);
		free(text);
		return;
	}
	pthread_mutex_lock(&s->mu);
	if (s->dead) {
		pthread_mutex_unlock(&s->mu);
		return;
	}
	if (s->dropped > 0 && s->q.len + 160 + len + 2 <= s->max) {
		note = xasprintf("       [%zu line%s not shown: the connection "
		    "was too slow; `history --log` has them all]", s->dropped,
		    s->dropped == 1 ? "" : "s");
		enqueue(s, 1, note, strlen(note));
		free(note);
		s->dropped = 0;
	}
	if (s->dropped > 0 || s->q.len + len + 2 > s->max) {
		s->dropped++;
		s->dropped_total++;
	} else
		enqueue(s, is_warning, line, len);
	pthread_cond_signal(&s->cv);
	pthread_mutex_unlock(&s->mu);
}

size_t
stream_dropped(struct stream *s)
{
	size_t n;

	pthread_mutex_lock(&s->mu);
	n = s->dropped_total;
	pthread_mutex_unlock(&s->mu);
	return n;
}

void
stream_finish(struct stream *s, long timeout_ms)
{
	struct timespec ts;
	char *note;
	int exited;

	if (s == NULL)
		return;
	if (s->exited && s->q.len == 0)
		goto free;
	pthread_mutex_lock(&s->mu);
	if (s->dropped > 0) {
		note = xasprintf("       [%zu line%s not shown: the connection "
		    "was too slow; `history --log` has them all]", s->dropped,
		    s->dropped == 1 ? "" : "s");
		enqueue(s, 1, note, strlen(note));
		free(note);
	}
	s->closing = 1;
	pthread_cond_broadcast(&s->cv);
	clock_gettime(CLOCK_REALTIME, &ts);
	ts.tv_sec += timeout_ms / 1000;
	ts.tv_nsec += (timeout_ms % 1000) * 1000000L;
	if (ts.tv_nsec >= 1000000000L) {
		ts.tv_sec++;
		ts.tv_nsec -= 1000000000L;
	}
	while (!s->exited) {
		if (pthread_cond_timedwait(&s->cv, &s->mu, &ts) == ETIMEDOUT)
			break;
	}
	exited = s->exited;
	pthread_mutex_unlock(&s->mu);
	if (!exited) {
		/* Stuck writing to the pusher: leave it (and s) to exit(). */
		pthread_detach(s->thread);
		return;
	}
	pthread_join(s->thread, NULL);
free:
	buf_release(&s->q);
	pthread_cond_destroy(&s->cv);
	pthread_mutex_destroy(&s->mu);
	free(s);
}
