/*
 * test-proxy.c - the nginx site: rendering from the real template (default
 * server, hosts, replicas, hostile hosts), and installation with a real
 * `nginx -t`: success, and the failure path that restores the previous file.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "unit.h"
#include "proxy.h"

static char *template_text;

static int
load_template(void **state)
{
	struct buf b = BUF_INIT;

	(void)state;
	if (read_file("../../templates/nginx-site.conf", &b, 1 << 20) < 0)
		return -1;
	template_text = buf_detach(&b, NULL);
	return 0;
}

static int
free_template(void **state)
{
	(void)state;
	free(template_text);
	error_clear();
	return 0;
}

static char *
render1(const char *const *hosts, size_t nh, const char *const *addrs,
    size_t na)
{
	struct strv h = STRV_INIT, a = STRV_INIT;
	struct proxy_backend b;
	size_t i;
	char *text;

	for (i = 0; i < nh; i++)
		strv_push(&h, hosts[i]);
	for (i = 0; i < na; i++)
		strv_push(&a, addrs[i]);
	b.service = "web";
	b.hosts = &h;
	b.addrs = &a;
	text = proxy_render(template_text, "shop", "127.0.0.1:8080", &b, 1);
	strv_clear(&h);
	strv_clear(&a);
	return text;
}

static void
test_default_server(void **state)
{
	const char *addrs[] = { "127.0.0.1:32768" };
	char *t = render1(NULL, 0, addrs, 1);

	(void)state;
	assert_non_null(t);
	assert_non_null(strstr(t, "upstream slipway_shop_web {\n\tserver 127.0.0.1:32768;\n}"));
	assert_non_null(strstr(t, "listen 127.0.0.1:8080 default_server;"));
	assert_non_null(strstr(t, "server_name _;"));
	assert_non_null(strstr(t, "proxy_pass http://slipway_shop_web;"));
	assert_null(strstr(t, "{{"));
	assert_null(strstr(t, "Placeholders")); /* template comments left out */
	free(t);
}

static void
test_hosts_and_replicas(void **state)
{
	const char *hosts[] = { "shop.example.com", "*.shop.example.com" };
	const char *addrs[] = { "127.0.0.1:1001", "127.0.0.1:1002", "127.0.0.1:1003" };
	char *t = render1(hosts, 2, addrs, 3);

	(void)state;
	assert_non_null(t);
	assert_non_null(strstr(t, "server_name shop.example.com *.shop.example.com;"));
	assert_non_null(strstr(t, "listen 127.0.0.1:8080;"));
	assert_non_null(strstr(t, "\tserver 127.0.0.1:1001;\n\tserver 127.0.0.1:1002;\n\tserver 127.0.0.1:1003;\n}"));
	free(t);
}

static void
test_no_replica_keeps_file_valid(void **state)
{
	char *t = render1(NULL, 0, NULL, 0);

	(void)state;
	assert_non_null(strstr(t, "server 127.0.0.1:1 down;"));
	free(t);
}

static void
test_hostile_input_refused(void **state)
{
	const char *bad_hosts[] = { "a;b", "x }", "$host", "a\nb", "", "-x",
	    "a b", "evil.com;\n\tlocation / { root /; }" };
	const char *bad_addrs[] = { "10.0.0.1:80", "127.0.0.1:", "127.0.0.1:80;",
	    "127.0.0.1:80 backup", "localhost:80" };
	const char *ok_addr[] = { "127.0.0.1:80" };
	const char *ok_host[] = { "ok.example.com" };
	size_t i;

	(void)state;
	for (i = 0; i < ARRAY_SIZE(bad_hosts); i++) {
		assert_null(render1(&bad_hosts[i], 1, ok_addr, 1));
		assert_non_null(strstr(error_last(), "invalid http host"));
	}
	for (i = 0; i < ARRAY_SIZE(bad_addrs); i++) {
		assert_null(render1(ok_host, 1, &bad_addrs[i], 1));
		assert_non_null(strstr(error_last(), "invalid upstream address"));
	}
}

static void
test_two_services(void **state)
{
	struct strv h1 = STRV_INIT, h2 = STRV_INIT, a1 = STRV_INIT, a2 = STRV_INIT;
	struct proxy_backend b[2];
	char *t;

	(void)state;
	strv_push(&h1, "www.example.com");
	strv_push(&h2, "api.example.com");
	strv_push(&a1, "127.0.0.1:2001");
	strv_push(&a2, "127.0.0.1:2002");
	b[0].service = "web", b[0].hosts = &h1, b[0].addrs = &a1;
	b[1].service = "api", b[1].hosts = &h2, b[1].addrs = &a2;
	t = proxy_render(template_text, "shop", "80", b, 2);
	assert_non_null(strstr(t, "upstream slipway_shop_web"));
	assert_non_null(strstr(t, "upstream slipway_shop_api"));
	assert_non_null(strstr(t, "server_name api.example.com;"));
	assert_null(strstr(t, "default_server"));
	free(t);
	strv_clear(&h1), strv_clear(&h2), strv_clear(&a1), strv_clear(&a2);
}

static void
test_bad_template(void **state)
{
	struct strv none = STRV_INIT;
	struct proxy_backend b = { "web", &none, &none };

	(void)state;
	assert_null(proxy_render("listen {{LISTEN};", "a", "80", &b, 1));
	assert_null(proxy_render("x {{NOPE}} y", "a", "80", &b, 1));
	assert_non_null(strstr(error_last(), "unknown placeholder \"{{NOPE}}\""));
}

/* A private nginx configuration for the install tests. */
struct world {
	char dir[64];
	struct config cfg;
};

static int
world_setup(void **state)
{
	struct world *w = xcalloc(1, sizeof *w);
	char *conf, *text;

	snprintf(w->dir, sizeof w->dir, "/tmp/slipway-proxy-XXXXXX");
	if (mkdtemp(w->dir) == NULL)
		return -1;
	conf = xasprintf("%s/nginx.conf", w->dir);
	text = xasprintf("pid %s/nginx.pid;\nerror_log %s/error.log;\n"
	    "events {}\nhttp {\n\taccess_log off;\n\tinclude %s/sites/*.conf;\n}\n",
	    w->dir, w->dir, w->dir);
	write_file_atomic(conf, text, strlen(text), 0644);
	w->cfg.sites_dir = xasprintf("%s/sites", w->dir);
	w->cfg.check = xasprintf("nginx -q -c %s -t", conf);
	/* Nothing runs: a reload that succeeds without a master. */
	w->cfg.reload = xstrdup("true");
	free(text);
	free(conf);
	*state = w;
	return 0;
}

static int
world_teardown(void **state)
{
	struct world *w = *state;

	remove_tree(w->dir);
	free(w->cfg.sites_dir);
	free(w->cfg.check);
	free(w->cfg.reload);
	free(w);
	return 0;
}

static char *
site(struct world *w)
{
	struct buf b = BUF_INIT;
	char *path = xasprintf("%s/shop.conf", w->cfg.sites_dir);

	if (read_file(path, &b, 1 << 20) < 0) {
		free(path);
		return NULL;
	}
	free(path);
	return buf_detach(&b, NULL);
}

static void
test_install_and_restore(void **state)
{
	struct world *w = *state;
	const char *addrs[] = { "127.0.0.1:40001" };
	char *good = render1(NULL, 0, addrs, 1), *now;
	const char *broken = "upstream x { server 127.0.0.1:1; }\nserver { listen 80; bogus_directive on; }\n";

	if (access("/usr/sbin/nginx", X_OK) != 0)
		skip();
	assert_int_equal(proxy_install(&w->cfg, "shop", good), 0);
	now = site(w);
	assert_string_equal(now, good);
	free(now);
	/* A site nginx rejects: the error names nginx's message, the previous
	 * file comes back byte for byte. */
	assert_int_equal(proxy_install(&w->cfg, "shop", broken), -1);
	assert_non_null(strstr(error_last(), "nginx check"));
	assert_non_null(strstr(error_last(), "bogus_directive"));
	assert_non_null(strstr(error_last(), "previous site file was kept"));
	now = site(w);
	assert_string_equal(now, good);
	free(now);
	/* A failed reload is an error too. */
	free(w->cfg.reload);
	w->cfg.reload = xstrdup("false");
	assert_int_equal(proxy_install(&w->cfg, "shop", good), -1);
	assert_non_null(strstr(error_last(), "nginx reload (false) failed"));
	free(w->cfg.reload);
	w->cfg.reload = xstrdup("true");
	assert_int_equal(proxy_remove(&w->cfg, "shop"), 0);
	assert_null(site(w));
	assert_int_equal(proxy_remove(&w->cfg, "shop"), 0); /* nothing to do */
	free(good);
}

static void
test_rejected_first_site_removed(void **state)
{
	struct world *w = *state;

	if (access("/usr/sbin/nginx", X_OK) != 0)
		skip();
	assert_int_equal(proxy_install(&w->cfg, "shop", "server { nonsense; }\n"), -1);
	assert_null(site(w));
}

static void
test_http_ready(void **state)
{
	(void)state;
	/* Nothing listens on port 1. */
	assert_int_equal(proxy_http_ready("127.0.0.1:1", "/", 500), 0);
	assert_int_equal(proxy_http_ready("10.0.0.1:80", "/", 500), -1);
	assert_int_equal(proxy_http_ready("127.0.0.1:80", "up", 500), -1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_default_server),
		cmocka_unit_test(test_hosts_and_replicas),
		cmocka_unit_test(test_no_replica_keeps_file_valid),
		cmocka_unit_test(test_hostile_input_refused),
		cmocka_unit_test(test_two_services),
		cmocka_unit_test(test_bad_template),
		cmocka_unit_test_setup_teardown(test_install_and_restore,
		    world_setup, world_teardown),
		cmocka_unit_test_setup_teardown(test_rejected_first_site_removed,
		    world_setup, world_teardown),
		cmocka_unit_test(test_http_ready),
	};

	return cmocka_run_group_tests_name("proxy", tests, load_template,
	    free_template);
}
