/*
 * test-cutover.c - start-first replacement of a web service, against the
 * fake engine's simulator and a small HTTP server standing in for the
 * containers (every container the simulator runs "publishes" its port).
 * A healthy new container takes over the site and the old one goes; one that
 * never answers is removed and the old one keeps serving, site unchanged.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "unit.h"
#include "fake-engine.h"
#include "compose/compose.h"
#include "engine/engine.h"
#include "lib/config.h"
#include "reconcile/converge.h"

static const char *web =
    "services:\n"
    "  web:\n"
    "    image: busybox\n"
    "    x-slipway:\n"
    "      http: {port: 8080, hosts: [example.com]}\n";

/* The stand-in for the containers' HTTP port: answers with http_status. */
static struct {
	int lfd;
	unsigned port;
	int stop[2];
	pthread_t thread;
	volatile int status;
} srv;

static void *
srv_main(void *arg)
{
	struct pollfd p[2] = { { srv.lfd, POLLIN, 0 }, { srv.stop[0], POLLIN, 0 } };
	char req[4096], *resp;
	int fd;

	(void)arg;
	for (;;) {
		if (poll(p, 2, -1) < 0 || (p[1].revents & POLLIN))
			break;
		if ((fd = accept(srv.lfd, NULL, NULL)) < 0)
			continue;
		if (read(fd, req, sizeof req) > 0) {
			resp = xasprintf("HTTP/1.1 %d X\r\nContent-Length: 0\r\n"
			    "Connection: close\r\n\r\n", srv.status);
			if (write(fd, resp, strlen(resp)) < 0)
				srv.status = -1;
			free(resp);
		}
		close(fd);
	}
	return NULL;
}

static char tmpdir[64];
static struct config cfg;
static struct engine *e;
static struct compose_project *p;
static struct service_image img;
static struct converge_opts opts;

static int
setup(void **state)
{
	struct sockaddr_in sa = { .sin_family = AF_INET };
	socklen_t len = sizeof sa;

	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if ((srv.lfd = socket(AF_INET, SOCK_STREAM, 0)) < 0 ||
	    bind(srv.lfd, (struct sockaddr *)&sa, sizeof sa) < 0 ||
	    listen(srv.lfd, 16) < 0 || pipe(srv.stop) < 0 ||
	    getsockname(srv.lfd, (struct sockaddr *)&sa, &len) < 0)
		return -1;
	srv.port = ntohs(sa.sin_port);
	srv.status = 200;
	if (pthread_create(&srv.thread, NULL, srv_main, NULL) != 0)
		return -1;
	if (fake_setup(state) < 0)
		return -1;
	fake_sim_start();
	fake_sim_add_image("busybox", "sha256:1111");
	fake_sim_set_port(srv.port);
	if (engine_open(&e, fk.host) < 0)
		return -1;
	snprintf(tmpdir, sizeof tmpdir, "/tmp/test-cutover.XXXXXX");
	if (mkdtemp(tmpdir) == NULL)
		return -1;
	memset(&cfg, 0, sizeof cfg);
	cfg.sites_dir = xstrdup(tmpdir);
	cfg.listen = xstrdup("127.0.0.1:8088");
	cfg.check = xstrdup("true");
	cfg.reload = xstrdup("true");
	img.service = "web";
	img.ref = "busybox";
	img.id = "sha256:1111";
	memset(&opts, 0, sizeof opts);
	opts.commit = "0123456789012345678901234567890123456789";
	opts.wait_timeout_ms = 1500;
	opts.cfg = &cfg;
	opts.site_template = "../../templates/nginx-site.conf";
	if (compose_load_string(&p, web, strlen(web), "compose.yaml",
	    "/srv/cut", "cut", NULL) < 0)
		return -1;
	return 0;
}

static int
teardown(void **state)
{
	if (write(srv.stop[1], "x", 1) != 1)
		return -1;
	pthread_join(srv.thread, NULL);
	close(srv.lfd);
	close(srv.stop[0]);
	close(srv.stop[1]);
	compose_free(p);
	p = NULL;
	engine_free(e);
	if (remove_tree(tmpdir) < 0)
		return -1;
	free(cfg.sites_dir);
	free(cfg.listen);
	free(cfg.check);
	free(cfg.reload);
	return fake_teardown(state);
}

static char *
site(void)
{
	struct buf b = BUF_INIT;
	char *path = xasprintf("%s/cut.conf", tmpdir);

	assert_int_equal(read_file(path, &b, 1u << 20), 0);
	free(path);
	return buf_detach(&b, NULL);
}

/* The index of the first request containing s (fake_nreqs() when none). */
static size_t
req_index(const char *s)
{
	size_t i;
	char *r;

	for (i = 0; (r = fake_req(i)) != NULL; i++) {
		int hit = strstr(r, s) != NULL;

		free(r);
		if (hit)
			break;
	}
	return i;
}

/* The first deploy routes the site; a new image cuts over to a new container. */
static void
test_cutover(void **state)
{
	struct sim_container *c;
	char *text, *server, *old_id, *start, *stop;

	assert_int_equal(converge_project(e, p, &img, 1, &opts), 0);
	c = fake_sim_container("cut-web-1");
	assert_non_null(c);
	assert_string_equal(c->state, "running");
	old_id = xstrdup(c->id);
	text = site();
	server = xasprintf("server 127.0.0.1:%u", srv.port);
	assert_non_null(strstr(text, server));
	assert_non_null(strstr(text, "example.com"));
	free(text);

	fake_sim_add_image("app-web:2", "sha256:2222");
	img.ref = "app-web:2";
	img.id = "sha256:2222";
	assert_int_equal(converge_project(e, p, &img, 1, &opts), 0);
	c = fake_sim_container("cut-web-1");
	assert_non_null(c);
	assert_string_not_equal(c->id, old_id);
	assert_string_equal(c->image, "sha256:2222");
	assert_string_equal(c->state, "running");
	assert_null(fake_sim_container(old_id));
	assert_int_equal(fake_sim_ncontainers(), 1);
	/* start-first: the new one started before the old one stopped */
	start = xasprintf("/containers/%s/start", c->id);
	stop = xasprintf("/containers/%s/stop", old_id);
	assert_true(req_index(start) < req_index(stop));
	assert_true(req_index(stop) < fake_nreqs());
	free(start);
	free(stop);
	free(old_id);
	free(server);
}

/* A new container that never answers goes; the old one never stopped. */
static void
test_not_ready_keeps_live(void **state)
{
	struct sim_container *c;
	char *before, *after, *old_id;

	assert_int_equal(converge_project(e, p, &img, 1, &opts), 0);
	old_id = xstrdup(fake_sim_container("cut-web-1")->id);
	before = site();
	srv.status = 503;
	fake_sim_add_image("app-web:3", "sha256:3333");
	img.ref = "app-web:3";
	img.id = "sha256:3333";
	assert_int_equal(converge_project(e, p, &img, 1, &opts), -1);
	assert_non_null(strstr(error_last(), "did not answer / with 2xx/3xx"));
	assert_non_null(strstr(error_last(), "the live release kept serving"));
	c = fake_sim_container("cut-web-1");
	assert_non_null(c);
	assert_string_equal(c->id, old_id);
	assert_string_equal(c->image, "sha256:1111");
	assert_string_equal(c->state, "running");
	assert_int_equal(fake_sim_ncontainers(), 1);
	after = site();
	assert_string_equal(after, before);
	free(before);
	free(after);
	free(old_id);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_cutover, setup, teardown),
		cmocka_unit_test_setup_teardown(test_not_ready_keeps_live, setup,
		    teardown),
	};
	int rc = cmocka_run_group_tests_name("cutover", tests, NULL, NULL);

	error_clear();
	return rc;
}
