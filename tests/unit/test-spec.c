/*
 * test-spec.c - compose service -> Engine API bodies: the full create body of
 * a service that uses every field, networks below and from API 1.44, the
 * config hash (stable across releases, sensitive to every field), image
 * references, names, and the network and volume bodies. Projects are built
 * by hand, so these tests need no compose loader.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "unit.h"
#include "reconcile/spec.h"
#include "lib/util.h"

#define SHA "0123456789abcdef0123456789abcdef01234567"
#define SHA2 "fedcba9876543210fedcba9876543210fedcba98"
#define NS 1000000000LL
#define MAX_SERVICES 8

/* Building projects. */

static void
strv_set(struct strv *v, ...)
{
	va_list ap;
	const char *s;

	strv_clear(v);
	va_start(ap, v);
	while ((s = va_arg(ap, const char *)) != NULL)
		strv_push(v, s);
	va_end(ap);
}

static char *
dup_or_null(const char *s)
{
	return s != NULL ? xstrdup(s) : NULL;
}

static void
network_add(struct compose_project *p, const char *key, const char *name)
{
	struct compose_network *n;

	p->networks = xrealloc(p->networks, (p->nnetworks + 1) * sizeof *n);
	n = &p->networks[p->nnetworks++];
	memset(n, 0, sizeof *n);
	n->key = xstrdup(key);
	n->name = xstrdup(name);
}

static void
volume_add(struct compose_project *p, const char *key, const char *name)
{
	struct compose_volume *v;

	p->volumes = xrealloc(p->volumes, (p->nvolumes + 1) * sizeof *v);
	v = &p->volumes[p->nvolumes++];
	memset(v, 0, sizeof *v);
	v->key = xstrdup(key);
	v->name = xstrdup(name);
}

/* A service with every field unset, as the loader leaves it. */
static struct compose_service *
service_add(struct compose_project *p, const char *name, const char *image)
{
	struct compose_service *s;

	assert_true(p->nservices < MAX_SERVICES);
	s = &p->services[p->nservices++];
	s->name = xstrdup(name);
	s->image = dup_or_null(image);
	s->healthcheck.interval = s->healthcheck.timeout = -1;
	s->healthcheck.start_period = s->healthcheck.start_interval = -1;
	s->healthcheck.retries = -1;
	s->stop_grace_period = -1;
	s->init = -1;
	s->replicas = 1;
	return s;
}

/* Project "app" in a release directory, with networks and volumes. */
static struct compose_project *
project_new(const char *release)
{
	struct compose_project *p = xcalloc(1, sizeof *p);

	p->name = xstrdup("app");
	p->dir = xasprintf("/srv/app/releases/%s", release);
	p->file = xasprintf("/srv/app/releases/%s/compose.yaml", release);
	p->services = xcalloc(MAX_SERVICES, sizeof *p->services);
	network_add(p, "default", "app_default");
	network_add(p, "back", "app_back");
	network_add(p, "front", "shared-front");
	volume_add(p, "data", "app_data");
	volume_add(p, "ext", "outside");
	return p;
}

static void
port_add(struct compose_service *s, const char *host_ip,
    const char *published, unsigned target, const char *protocol)
{
	struct compose_port *pt;

	s->ports = xrealloc(s->ports, (s->nports + 1) * sizeof *pt);
	pt = &s->ports[s->nports++];
	pt->host_ip = dup_or_null(host_ip);
	pt->published = dup_or_null(published);
	pt->target = target;
	pt->protocol = dup_or_null(protocol);
}

static struct compose_mount *
mount_add(struct compose_service *s, enum compose_mount_type type,
    const char *source, const char *target, int read_only, int long_syntax)
{
	struct compose_mount *m;

	s->mounts = xrealloc(s->mounts, (s->nmounts + 1) * sizeof *m);
	m = &s->mounts[s->nmounts++];
	memset(m, 0, sizeof *m);
	m->type = type;
	m->source = dup_or_null(source);
	m->target = xstrdup(target);
	m->read_only = read_only;
	m->long_syntax = long_syntax;
	m->bind_create_host_path = !long_syntax;
	return m;
}

static struct compose_service_network *
net_add(struct compose_service *s, const char *name, int priority,
    const char *ipv4)
{
	struct compose_service_network *n;

	s->networks = xrealloc(s->networks, (s->nnetworks + 1) * sizeof *n);
	n = &s->networks[s->nnetworks++];
	memset(n, 0, sizeof *n);
	n->name = xstrdup(name);
	n->priority = priority;
	n->ipv4_address = dup_or_null(ipv4);
	s->networks_set = 1;
	return n;
}

static void
depends_add(struct compose_service *s, const char *service,
    enum compose_condition cond, int restart)
{
	struct compose_depends *d;

	s->depends = xrealloc(s->depends, (s->ndepends + 1) * sizeof *d);
	d = &s->depends[s->ndepends++];
	d->service = xstrdup(service);
	d->condition = cond;
	d->required = 1;
	d->restart = restart;
}

static void
ulimit_add(struct compose_service *s, const char *name, long long soft,
    long long hard)
{
	struct compose_ulimit *u;

	s->ulimits = xrealloc(s->ulimits, (s->nulimits + 1) * sizeof *u);
	u = &s->ulimits[s->nulimits++];
	u->name = xstrdup(name);
	u->soft = soft;
	u->hard = hard;
}


/*
 * The fixture: "web" uses every field the spec maps, next to "db" and
 * "cache". Returns the project; *web points into it.
 */
static struct compose_project *
fixture(const char *release, struct compose_service **web)
{
	struct compose_project *p = project_new(release);
	struct compose_service *s;
	struct compose_service_network *n;
	struct compose_mount *m;

	service_add(p, "db", "postgres:16");
	service_add(p, "cache", "redis:7");
	s = service_add(p, "web", "registry.local:5000/team/web:1.0");
	s->build = xcalloc(1, sizeof *s->build);
	s->build->context = xstrdup(p->dir);
	strv_set(&s->command, "serve", "--port", "80", NULL);
	s->command_set = 1;
	strv_set(&s->entrypoint, "/bin/tini", "--", NULL);
	s->entrypoint_set = 1;
	kvlist_set(&s->environment, "B", "2");
	kvlist_set(&s->environment, "A0", "zero");
	kvlist_set(&s->environment, "A", "1");
	kvlist_set(&s->environment, "C", NULL);
	port_add(s, NULL, "8000", 80, "tcp");
	port_add(s, "127.0.0.1", "8001", 80, "tcp");
	port_add(s, "127.0.0.1", "8443", 443, NULL);
	port_add(s, NULL, NULL, 53, "udp");
	strv_set(&s->expose, "9000", "9100-9101/udp", NULL);
	mount_add(s, MOUNT_BIND, "/srv/app/static", "/static", 1, 0);
	mount_add(s, MOUNT_VOLUME, "data", "/data", 0, 0)->nocopy = 1;
	mount_add(s, MOUNT_VOLUME, NULL, "/anon", 0, 0);
	mount_add(s, MOUNT_VOLUME, "ext", "/ext", 1, 1);
	m = mount_add(s, MOUNT_BIND, "/host", "/host", 0, 1);
	m->bind_propagation = xstrdup("rshared");
	mount_add(s, MOUNT_BIND, "/logs", "/logs", 0, 1)->bind_create_host_path = 1;
	m = mount_add(s, MOUNT_TMPFS, NULL, "/scratch", 0, 1);
	m->tmpfs_size = 1048576;
	m->tmpfs_mode = 01777;
	n = net_add(s, "front", 0, NULL);
	strv_set(&n->aliases, "www", NULL);
	n = net_add(s, "back", 10, "172.20.0.5");
	strv_set(&n->aliases, "api", NULL);
	depends_add(s, "db", COND_HEALTHY, 1);
	depends_add(s, "cache", COND_STARTED, 0);
	s->healthcheck.set = 1;
	strv_set(&s->healthcheck.test, "CMD-SHELL", "curl -f localhost", NULL);
	s->healthcheck.interval = 30 * NS;
	s->healthcheck.timeout = 5 * NS;
	s->healthcheck.start_period = 10 * NS;
	s->healthcheck.start_interval = 2 * NS;
	s->healthcheck.retries = 3;
	s->restart = xstrdup("on-failure:5");
	kvlist_set(&s->labels, "traefik.enable", "true");
	kvlist_set(&s->labels, "flag", NULL);
	s->working_dir = xstrdup("/app");
	s->user = xstrdup("1000:1000");
	s->hostname = xstrdup("web");
	s->domainname = xstrdup("example.org");
	strv_set(&s->extra_hosts, "db.local:10.0.0.2", NULL);
	s->stop_signal = xstrdup("SIGQUIT");
	s->stop_grace_period = 15 * NS + NS / 2;
	s->init = 1;
	strv_set(&s->tmpfs, "/run", "/tmp:size=64m,mode=1777", NULL);
	strv_set(&s->cap_add, "NET_ADMIN", NULL);
	strv_set(&s->cap_drop, "ALL", NULL);
	s->read_only = 1;
	s->tty = 1;
	s->shm_size = 64LL << 20;
	s->mem_limit = 512LL << 20;
	s->mem_reservation = 256LL << 20;
	s->cpus = 1.5;
	s->pids_limit = 100;
	s->logging_driver = xstrdup("json-file");
	kvlist_set(&s->logging_options, "max-size", "10m");
	ulimit_add(s, "nofile", 1024, 2048);
	kvlist_set(&s->sysctls, "net.core.somaxconn", "1024");
	strv_set(&s->dns, "1.1.1.1", NULL);
	strv_set(&s->dns_search, "example.org", NULL);
	strv_set(&s->dns_opt, "ndots:2", NULL);
	strv_set(&s->devices, "/dev/fuse", "/dev/sda:/dev/xvda:r", NULL);
	s->pid = xstrdup("host");
	s->ipc = xstrdup("service:db");
	s->userns_mode = xstrdup("host");
	strv_set(&s->security_opt, "no-new-privileges:true", NULL);
	*web = s;
	return p;
}

/* Checking JSON. */

/* Fail, showing both, unless got equals the JSON text want. */
static void
expect_json(const json_t *got, const char *want_text)
{
	json_error_t err;
	json_t *want = json_loads(want_text, JSON_DECODE_ANY, &err);

	if (want == NULL)
		fail_msg("bad expected JSON: %s: %s", err.text, want_text);
	if (!json_equal((json_t *)got, want)) {
		char *g = got != NULL ? json_dumps(got, JSON_SORT_KEYS |
		    JSON_ENCODE_ANY | JSON_INDENT(1)) : NULL;
		char *w = json_dumps(want, JSON_SORT_KEYS | JSON_ENCODE_ANY |
		    JSON_INDENT(1));

		print_error("got:\n%s\nwant:\n%s\n", g ? g : "(null)", w);
		free(g);
		free(w);
		json_decref(want);
		fail();
	}
	json_decref(want);
}

/* The value at a path of keys, NULL-terminated. */
static json_t *
at(json_t *root, ...)
{
	va_list ap;
	const char *key;

	va_start(ap, root);
	while (root != NULL && (key = va_arg(ap, const char *)) != NULL)
		root = json_object_get(root, key);
	va_end(ap);
	return root;
}

/* The full body. */

static const char web_body_141[] =
	"{"
	" \"Hostname\": \"web\", \"Domainname\": \"example.org\","
	" \"User\": \"1000:1000\","
	" \"Tty\": true, \"OpenStdin\": false, \"StdinOnce\": false,"
	" \"Env\": [\"A=1\", \"A0=zero\", \"B=2\", \"C\"],"
	" \"Cmd\": [\"serve\", \"--port\", \"80\"],"
	" \"Entrypoint\": [\"/bin/tini\", \"--\"],"
	" \"Image\": \"registry.local:5000/team/web:" SHA "\","
	" \"Labels\": {"
	"  \"traefik.enable\": \"true\", \"flag\": \"\","
	"  \"com.docker.compose.project\": \"app\","
	"  \"com.docker.compose.service\": \"web\","
	"  \"com.docker.compose.oneoff\": \"False\","
	"  \"com.docker.compose.container-number\": \"2\","
	"  \"com.docker.compose.version\": \"" SPEC_COMPOSE_VERSION "\","
	"  \"com.docker.compose.config-hash\": \"HASH\","
	"  \"com.docker.compose.project.working_dir\": \"/srv/app/releases/r1\","
	"  \"com.docker.compose.project.config_files\": \"/srv/app/releases/r1/compose.yaml\","
	"  \"com.docker.compose.image\": \"sha256:abc\","
	"  \"com.docker.compose.depends_on\": \"db:service_healthy:true,cache:service_started:false\","
	"  \"slipway.commit\": \"" SHA "\""
	" },"
	" \"WorkingDir\": \"/app\","
	" \"StopSignal\": \"SIGQUIT\","
	" \"StopTimeout\": 15,"
	" \"Healthcheck\": {"
	"  \"Test\": [\"CMD-SHELL\", \"curl -f localhost\"],"
	"  \"Interval\": 30000000000, \"Timeout\": 5000000000,"
	"  \"StartPeriod\": 10000000000, \"Retries\": 3"
	" },"
	" \"ExposedPorts\": {"
	"  \"9000/tcp\": {}, \"9100/udp\": {}, \"9101/udp\": {},"
	"  \"80/tcp\": {}, \"443/tcp\": {}, \"53/udp\": {}"
	" },"
	" \"HostConfig\": {"
	"  \"Binds\": [\"/srv/app/static:/static:ro\","
	"   \"app_data:/data:rw,nocopy\", \"/logs:/logs:rw\"],"
	"  \"Mounts\": ["
	"   {\"Type\": \"volume\", \"Target\": \"/anon\"},"
	"   {\"Type\": \"volume\", \"Source\": \"outside\", \"Target\": \"/ext\","
	"    \"ReadOnly\": true},"
	"   {\"Type\": \"bind\", \"Source\": \"/host\", \"Target\": \"/host\","
	"    \"BindOptions\": {\"Propagation\": \"rshared\"}},"
	"   {\"Type\": \"tmpfs\", \"Target\": \"/scratch\","
	"    \"TmpfsOptions\": {\"SizeBytes\": 1048576, \"Mode\": 1023}}"
	"  ],"
	"  \"Tmpfs\": {\"/run\": \"\", \"/tmp\": \"size=64m,mode=1777\"},"
	"  \"PortBindings\": {"
	"   \"80/tcp\": [{\"HostIp\": \"\", \"HostPort\": \"8000\"},"
	"              {\"HostIp\": \"127.0.0.1\", \"HostPort\": \"8001\"}],"
	"   \"443/tcp\": [{\"HostIp\": \"127.0.0.1\", \"HostPort\": \"8443\"}],"
	"   \"53/udp\": [{\"HostIp\": \"\", \"HostPort\": \"\"}]"
	"  },"
	"  \"RestartPolicy\": {\"Name\": \"on-failure\", \"MaximumRetryCount\": 5},"
	"  \"NetworkMode\": \"app_back\","
	"  \"Init\": true,"
	"  \"ReadonlyRootfs\": true,"
	"  \"CapAdd\": [\"NET_ADMIN\"], \"CapDrop\": [\"ALL\"],"
	"  \"SecurityOpt\": [\"no-new-privileges:true\"],"
	"  \"ShmSize\": 67108864,"
	"  \"Memory\": 536870912, \"MemoryReservation\": 268435456,"
	"  \"NanoCpus\": 1500000000, \"PidsLimit\": 100,"
	"  \"Ulimits\": [{\"Name\": \"nofile\", \"Soft\": 1024, \"Hard\": 2048}],"
	"  \"Devices\": ["
	"   {\"PathOnHost\": \"/dev/fuse\", \"PathInContainer\": \"/dev/fuse\","
	"    \"CgroupPermissions\": \"rwm\"},"
	"   {\"PathOnHost\": \"/dev/sda\", \"PathInContainer\": \"/dev/xvda\","
	"    \"CgroupPermissions\": \"r\"}"
	"  ],"
	"  \"LogConfig\": {\"Type\": \"json-file\", \"Config\": {\"max-size\": \"10m\"}},"
	"  \"Sysctls\": {\"net.core.somaxconn\": \"1024\"},"
	"  \"Dns\": [\"1.1.1.1\"], \"DnsSearch\": [\"example.org\"],"
	"  \"DnsOptions\": [\"ndots:2\"],"
	"  \"ExtraHosts\": [\"db.local:10.0.0.2\"],"
	"  \"PidMode\": \"host\", \"IpcMode\": \"container:app-db-1\","
	"  \"UsernsMode\": \"host\""
	" },"
	" \"NetworkingConfig\": {\"EndpointsConfig\": {"
	"  \"app_back\": {\"Aliases\": [\"app-web-2\", \"web\", \"api\"],"
	"   \"IPAMConfig\": {\"IPv4Address\": \"172.20.0.5\"}}"
	" }}"
	"}";

static void
test_container_every_field(void **state)
{
	struct compose_service *s;
	struct compose_project *p = fixture("r1", &s);
	char *ref = spec_image_ref(p, s, SHA);
	json_t *body = spec_container(p, s, 2, ref, "sha256:abc", SHA, "HASH",
	    141);

	expect_json(body, web_body_141);
	json_decref(body);
	free(ref);
	compose_free(p);
}

/* From 1.44 every network is in the body, and StartInterval is sent. */
static void
test_container_api144(void **state)
{
	struct compose_service *s;
	struct compose_project *p = fixture("r1", &s);
	json_t *body = spec_container(p, s, 2, "x", "sha256:abc", SHA, "HASH",
	    144);

	expect_json(at(body, "NetworkingConfig", NULL),
	    "{\"EndpointsConfig\": {"
	    " \"app_back\": {\"Aliases\": [\"app-web-2\", \"web\", \"api\"],"
	    "  \"IPAMConfig\": {\"IPv4Address\": \"172.20.0.5\"}},"
	    " \"shared-front\": {\"Aliases\": [\"app-web-2\", \"web\", \"www\"]}"
	    "}}");
	expect_json(at(body, "Healthcheck", "StartInterval", NULL), "2000000000");
	expect_json(at(body, "HostConfig", "NetworkMode", NULL), "\"app_back\"");
	json_decref(body);
	compose_free(p);
}

/* Below 1.44 the other networks come from spec_endpoint, in order. */
static void
test_networks_order_and_endpoints(void **state)
{
	struct compose_service *s;
	struct compose_project *p = fixture("r1", &s);
	struct strv names = STRV_INIT;
	json_t *ep;

	/* Equal priority: by key ("back" < "front"), whatever the file order. */
	s->networks[1].priority = 0;
	assert_int_equal(spec_service_networks(p, s, &names), 2);
	assert_string_equal(names.v[0], "app_back");
	assert_string_equal(names.v[1], "shared-front");
	/* A higher priority wins over the name. */
	s->networks[0].priority = 5;
	assert_int_equal(spec_service_networks(p, s, &names), 2);
	assert_string_equal(names.v[0], "shared-front");
	assert_string_equal(names.v[1], "app_back");

	ep = spec_endpoint(p, s, 3, 1);
	expect_json(ep, "{\"Aliases\": [\"app-web-3\", \"web\", \"api\"],"
	    " \"IPAMConfig\": {\"IPv4Address\": \"172.20.0.5\"}}");
	json_decref(ep);
	ep = spec_endpoint(p, s, 3, 0);
	expect_json(ep, "{\"Aliases\": [\"app-web-3\", \"web\", \"www\"]}");
	json_decref(ep);
	assert_null(spec_endpoint(p, s, 3, 2));
	/* a container_name policy_own_names moved keeps resolving */
	s->container_name = xstrdup("app-es");
	s->container_alias = xstrdup("es");
	ep = spec_endpoint(p, s, 1, 1);
	expect_json(ep, "{\"Aliases\": [\"app-es\", \"web\", \"es\","
	    " \"api\"], \"IPAMConfig\": {\"IPv4Address\": \"172.20.0.5\"}}");
	json_decref(ep);
	/* not on a network not named as the app's: others may share it */
	ep = spec_endpoint(p, s, 1, 0);
	expect_json(ep, "{\"Aliases\": [\"app-es\", \"web\", \"www\"]}");
	json_decref(ep);
	/* nor on an external one */
	p->networks[1].external = 1;
	ep = spec_endpoint(p, s, 1, 1);
	expect_json(ep, "{\"Aliases\": [\"app-es\", \"web\", \"api\"],"
	    " \"IPAMConfig\": {\"IPv4Address\": \"172.20.0.5\"}}");
	json_decref(ep);
	strv_clear(&names);
	compose_free(p);
}

/* No networks: the project's default network, with the default aliases. */
static void
test_default_network(void **state)
{
	struct compose_project *p = project_new("r1");
	struct compose_service *s = service_add(p, "worker", "busybox");
	struct strv names = STRV_INIT;
	json_t *body = spec_container(p, s, 1, "busybox", NULL, NULL, NULL, 141);

	assert_int_equal(spec_service_networks(p, s, &names), 1);
	assert_string_equal(names.v[0], "app_default");
	strv_clear(&names);
	expect_json(at(body, "HostConfig", NULL),
	    "{\"NetworkMode\": \"app_default\"}");
	expect_json(at(body, "NetworkingConfig", NULL),
	    "{\"EndpointsConfig\": {\"app_default\":"
	    " {\"Aliases\": [\"app-worker-1\", \"worker\"]}}}");
	/* Nothing unset leaks into the body. */
	expect_json(body,
	    "{\"Tty\": false, \"OpenStdin\": false, \"StdinOnce\": false,"
	    " \"Image\": \"busybox\","
	    " \"Labels\": {\"com.docker.compose.project\": \"app\","
	    "  \"com.docker.compose.service\": \"worker\","
	    "  \"com.docker.compose.oneoff\": \"False\","
	    "  \"com.docker.compose.container-number\": \"1\","
	    "  \"com.docker.compose.version\": \"" SPEC_COMPOSE_VERSION "\","
	    "  \"com.docker.compose.project.working_dir\": \"/srv/app/releases/r1\","
	    "  \"com.docker.compose.project.config_files\": \"/srv/app/releases/r1/compose.yaml\","
	    "  \"com.docker.compose.depends_on\": \"\"},"
	    " \"HostConfig\": {\"NetworkMode\": \"app_default\"},"
	    " \"NetworkingConfig\": {\"EndpointsConfig\": {\"app_default\":"
	    "  {\"Aliases\": [\"app-worker-1\", \"worker\"]}}}}");
	json_decref(body);
	compose_free(p);
}

/* network_mode: no endpoints; "service:x" names x's first container. */
static void
test_network_mode(void **state)
{
	struct compose_project *p = project_new("r1");
	struct compose_service *db = service_add(p, "db", "postgres");
	struct compose_service *s = service_add(p, "side", "busybox");
	struct strv names = STRV_INIT;
	json_t *body;

	db->container_name = xstrdup("the-db");
	net_add(s, "back", 0, NULL);
	s->network_mode = xstrdup("service:db");
	body = spec_container(p, s, 1, "busybox", NULL, NULL, NULL, 144);
	expect_json(at(body, "HostConfig", "NetworkMode", NULL),
	    "\"container:the-db\"");
	assert_null(at(body, "NetworkingConfig", NULL));
	assert_int_equal(spec_service_networks(p, s, &names), 0);
	strv_clear(&names);
	assert_null(spec_endpoint(p, s, 1, 0));
	json_decref(body);

	free(s->network_mode);
	s->network_mode = xstrdup("host");
	body = spec_container(p, s, 1, "busybox", NULL, NULL, NULL, 144);
	expect_json(at(body, "HostConfig", "NetworkMode", NULL), "\"host\"");
	assert_null(at(body, "NetworkingConfig", NULL));
	json_decref(body);

	/* A service that is not in the project stays as written. */
	free(s->network_mode);
	s->network_mode = xstrdup("service:nope");
	body = spec_container(p, s, 1, "busybox", NULL, NULL, NULL, 144);
	expect_json(at(body, "HostConfig", "NetworkMode", NULL),
	    "\"service:nope\"");
	json_decref(body);

	/* No network the project defines: no network at all, like compose. */
	free(s->network_mode);
	s->network_mode = NULL;
	free(s->networks[0].name);
	s->networks[0].name = xstrdup("undefined");
	body = spec_container(p, s, 1, "busybox", NULL, NULL, NULL, 144);
	expect_json(at(body, "HostConfig", "NetworkMode", NULL), "\"none\"");
	assert_null(at(body, "NetworkingConfig", NULL));
	json_decref(body);
	compose_free(p);
}

static void
test_healthcheck_forms(void **state)
{
	struct compose_project *p = project_new("r1");
	struct compose_service *s = service_add(p, "web", "busybox");
	json_t *body;

	/* disable: only Test NONE. */
	s->healthcheck.set = 1;
	s->healthcheck.disable = 1;
	s->healthcheck.interval = 5 * NS;
	body = spec_container(p, s, 1, "busybox", NULL, NULL, NULL, 144);
	expect_json(at(body, "Healthcheck", NULL), "{\"Test\": [\"NONE\"]}");
	json_decref(body);

	/* Only a duration: the test comes from the image. */
	s->healthcheck.disable = 0;
	body = spec_container(p, s, 1, "busybox", NULL, NULL, NULL, 141);
	expect_json(at(body, "Healthcheck", NULL),
	    "{\"Interval\": 5000000000}");
	json_decref(body);

	/* start_interval alone is dropped below 1.44, and so is Healthcheck. */
	s->healthcheck.interval = -1;
	s->healthcheck.start_interval = NS;
	body = spec_container(p, s, 1, "busybox", NULL, NULL, NULL, 141);
	assert_null(at(body, "Healthcheck", NULL));
	json_decref(body);
	body = spec_container(p, s, 1, "busybox", NULL, NULL, NULL, 144);
	expect_json(at(body, "Healthcheck", NULL),
	    "{\"StartInterval\": 1000000000}");
	json_decref(body);
	compose_free(p);
}

static void
test_restart_policies(void **state)
{
	static const struct {
		const char *restart;
		const char *name;
		long long count;
	} cases[] = {
		{ "no", "no", 0 },
		{ "always", "always", 0 },
		{ "unless-stopped", "unless-stopped", 0 },
		{ "on-failure", "on-failure", 0 },
		{ "on-failure:3", "on-failure", 3 },
		{ "none", "no", 0 },
		{ "any", "always", 0 },
	};
	struct compose_project *p = project_new("r1");
	struct compose_service *s = service_add(p, "web", "busybox");
	json_t *body, *want;
	size_t i;

	body = spec_container(p, s, 1, "busybox", NULL, NULL, NULL, 141);
	assert_null(at(body, "HostConfig", "RestartPolicy", NULL));
	json_decref(body);
	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		free(s->restart);
		s->restart = xstrdup(cases[i].restart);
		body = spec_container(p, s, 1, "busybox", NULL, NULL, NULL, 141);
		want = json_pack("{s:s,s:I}", "Name", cases[i].name,
		    "MaximumRetryCount", (json_int_t)cases[i].count);
		if (!json_equal(at(body, "HostConfig", "RestartPolicy", NULL),
		    want))
			fail_msg("restart \"%s\"", cases[i].restart);
		json_decref(want);
		json_decref(body);
	}
	compose_free(p);
}

/* command: [] is sent as [] (set), an unset command is not sent. */
static void
test_command_and_odd_values(void **state)
{
	struct compose_project *p = project_new("r1");
	struct compose_service *s = service_add(p, "web", "busybox");
	json_t *body;

	s->command_set = 1;
	s->entrypoint_set = 1;
	strv_set(&s->entrypoint, "", NULL);
	/* An env file that is not UTF-8 still gives its variable. */
	kvlist_set(&s->environment, "LATIN1", "caf\xe9");
	strv_set(&s->expose, "bogus", NULL);
	/* A device with permissions but no container path. */
	strv_set(&s->devices, "/dev/sdb:rw", NULL);
	body = spec_container(p, s, 1, "busybox", NULL, NULL, NULL, 141);
	expect_json(at(body, "Cmd", NULL), "[]");
	expect_json(at(body, "Entrypoint", NULL), "[\"\"]");
	expect_json(at(body, "Env", NULL), "[\"LATIN1=caf?\"]");
	expect_json(at(body, "ExposedPorts", NULL), "{\"bogus\": {}}");
	expect_json(at(body, "HostConfig", "Devices", NULL),
	    "[{\"PathOnHost\": \"/dev/sdb\", \"PathInContainer\": \"/dev/sdb\","
	    " \"CgroupPermissions\": \"rw\"}]");
	json_decref(body);
	compose_free(p);
}

/*
 * Binds that may create their host path use the Bind API, with their SELinux
 * label; a propagation needs the mount API (compose v2 bindRequiresMountAPI).
 */
static void
test_bind_api(void **state)
{
	struct compose_project *p = project_new("r1");
	struct compose_service *s = service_add(p, "web", "busybox");
	struct compose_mount *m;
	json_t *body;

	mount_add(s, MOUNT_BIND, "/srv/a", "/a", 1, 0)->bind_selinux =
	    xstrdup("z");
	m = mount_add(s, MOUNT_BIND, "/srv/b", "/b", 0, 0);
	m->bind_propagation = xstrdup("rslave");
	m = mount_add(s, MOUNT_VOLUME, "data", "/d", 0, 0);
	m->bind_selinux = xstrdup("Z");
	m->nocopy = 1;
	mount_add(s, MOUNT_BIND, "/srv/c", "/c", 0, 1)->bind_create_host_path = 1;
	body = spec_container(p, s, 1, "busybox", NULL, NULL, NULL, 141);
	expect_json(at(body, "HostConfig", "Binds", NULL),
	    "[\"/srv/a:/a:ro,z\", \"app_data:/d:rw,Z,nocopy\", \"/srv/c:/c:rw\"]");
	expect_json(at(body, "HostConfig", "Mounts", NULL),
	    "[{\"Type\": \"bind\", \"Source\": \"/srv/b\", \"Target\": \"/b\","
	    " \"BindOptions\": {\"Propagation\": \"rslave\"}}]");
	json_decref(body);
	compose_free(p);
}

/* Volumes the service needs, by engine name, once each. */
static void
test_service_volumes(void **state)
{
	struct compose_service *s;
	struct compose_project *p = fixture("r1", &s);
	struct strv names = STRV_INIT;
	int i;

	mount_add(s, MOUNT_VOLUME, "data", "/again", 0, 1);
	mount_add(s, MOUNT_VOLUME, "undeclared", "/u", 0, 0);
	assert_int_equal(spec_service_volumes(p, s, &names), 3);
	assert_string_equal(names.v[0], "app_data");
	assert_string_equal(names.v[1], "outside");
	assert_string_equal(names.v[2], "undeclared");
	assert_int_equal(spec_service_volumes(p, &p->services[0], &names), 0);
	/* No cap: a service with a hundred volumes gets all of them. */
	for (i = 0; i < 100; i++) {
		char key[16], target[16];

		snprintf(key, sizeof key, "v%d", i);
		snprintf(target, sizeof target, "/m%d", i);
		mount_add(s, MOUNT_VOLUME, key, target, 0, 0);
	}
	assert_int_equal(spec_service_volumes(p, s, &names), 103);
	assert_string_equal(names.v[102], "v99");
	strv_clear(&names);
	compose_free(p);
}

/* Names and image references. */

static void
test_container_name(void **state)
{
	struct compose_project *p = project_new("r1");
	struct compose_service *s = service_add(p, "web", "busybox");
	char *name;

	name = spec_container_name(p, s, 1);
	assert_string_equal(name, "app-web-1");
	free(name);
	name = spec_container_name(p, s, 12);
	assert_string_equal(name, "app-web-12");
	free(name);
	s->container_name = xstrdup("my-web");
	name = spec_container_name(p, s, 3);
	assert_string_equal(name, "my-web");
	free(name);
	compose_free(p);
}

static void
test_image_ref(void **state)
{
	static const struct {
		const char *image;
		int build;
		const char *want;
	} cases[] = {
		/* build + image: the image's repository, tagged with the commit */
		{ "web", 1, "web:" SHA },
		{ "web:1.0", 1, "web:" SHA },
		{ "team/web:latest", 1, "team/web:" SHA },
		{ "localhost:5000/web", 1, "localhost:5000/web:" SHA },
		{ "localhost:5000/web:2", 1, "localhost:5000/web:" SHA },
		{ "reg.io:443/a/b/c:tag", 1, "reg.io:443/a/b/c:" SHA },
		{ "web@sha256:" SHA SHA2 "abcd", 1, "web:" SHA },
		{ "localhost:5000/web:3@sha256:00", 1, "localhost:5000/web:" SHA },
		/* no build: the image as written */
		{ "redis:7", 0, "redis:7" },
		{ "localhost:5000/web@sha256:00", 0, "localhost:5000/web@sha256:00" },
		/* build only: <project>-<service>, lowercased */
		{ NULL, 1, "app-web:" SHA },
	};
	struct compose_project *p = project_new("r1");
	struct compose_service *s = service_add(p, "web", NULL);
	struct compose_service *up = service_add(p, "Web.Front", NULL);
	char *ref;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		free(s->image);
		s->image = dup_or_null(cases[i].image);
		free(s->build);
		s->build = cases[i].build ? xcalloc(1, sizeof *s->build) : NULL;
		ref = spec_image_ref(p, s, SHA);
		if (strcmp(ref, cases[i].want) != 0)
			fail_msg("image \"%s\" build %d: got \"%s\", want \"%s\"",
			    cases[i].image ? cases[i].image : "(none)",
			    cases[i].build, ref, cases[i].want);
		free(ref);
	}
	up->build = xcalloc(1, sizeof *up->build);
	ref = spec_image_ref(p, up, SHA2);
	assert_string_equal(ref, "app-web.front:" SHA2);
	free(ref);
	compose_free(p);
}

/* What compose tags, and a service running the image another one builds. */
static void
test_image_name_and_builder(void **state)
{
	struct compose_project *p = project_new("r1");
	struct compose_service *base = service_add(p, "base", "acme/base");
	struct compose_service *web = service_add(p, "web", NULL);
	struct compose_service *worker = service_add(p, "worker", "acme/base:latest");
	struct compose_service *cache = service_add(p, "cache", "redis:7");
	struct compose_service *api = service_add(p, "api", "acme/api:2");
	char *name, *ref;

	(void)state;
	base->build = xcalloc(1, sizeof *base->build);
	web->build = xcalloc(1, sizeof *web->build);
	api->build = xcalloc(1, sizeof *api->build);
	name = spec_image_name(p, base);
	assert_string_equal(name, "acme/base:latest");
	free(name);
	name = spec_image_name(p, web);
	assert_string_equal(name, "app-web:latest");
	free(name);
	name = spec_image_name(p, api);
	assert_string_equal(name, "acme/api:2");
	free(name);
	assert_null(spec_image_name(p, cache));
	assert_true(spec_image_builds(p, base, "acme/base"));
	assert_true(spec_image_builds(p, api, "acme/api:2"));
	assert_false(spec_image_builds(p, api, "acme/api"));
	assert_false(spec_image_builds(p, cache, "redis:7"));
	/* worker names base's image: it runs base's build of the commit */
	assert_ptr_equal(spec_image_builder(p, worker), base);
	ref = spec_image_ref(p, worker, SHA);
	assert_string_equal(ref, "acme/base:" SHA);
	free(ref);
	assert_null(spec_image_builder(p, cache));
	assert_null(spec_image_builder(p, base));
	ref = spec_image_ref(p, cache, SHA);
	assert_string_equal(ref, "redis:7");
	free(ref);
	compose_free(p);
}

/* secrets, configs and the keys that map one to one. */
static void
test_files_and_compat(void **state)
{
	struct compose_project *p = project_new("r1");
	struct compose_service *db = service_add(p, "db", "x");
	struct compose_service *s = service_add(p, "web", "x");
	struct spec_copy c[4];
	json_t *body;
	char *h1, *h2;

	(void)state;
	p->secrets = xcalloc(2, sizeof *p->secrets);
	p->nsecrets = 2;
	p->secrets[0].key = xstrdup("pw");
	p->secrets[0].file = xstrdup("/srv/app/releases/r1/pw.txt");
	p->secrets[1].key = xstrdup("tok");
	p->secrets[1].content = xstrdup("s3cr3t");
	s->secrets = xcalloc(2, sizeof *s->secrets);
	s->nsecrets = 2;
	s->secrets[0].source = xstrdup("pw");
	s->secrets[0].target = xstrdup("/run/secrets/pw");
	s->secrets[0].mode = -1;
	s->secrets[1].source = xstrdup("tok");
	s->secrets[1].target = xstrdup("/run/secrets/tok");
	s->secrets[1].mode = 0400;
	s->cpu_shares = 512;
	strv_set(&s->group_add, "audio", NULL);
	s->oom_score_adj = -100;
	s->mac_address = xstrdup("02:42:ac:11:00:02");
	s->runtime = xstrdup("runc");
	strv_set(&s->volumes_from, "db:ro", NULL);
	strv_set(&s->links, "db:database", NULL);
	db->replicas = 2;

	body = spec_container(p, s, 1, "x", "sha256:x", SHA, "h", 141);
	expect_json(at(body, "HostConfig", "Mounts", NULL),
	    "[{\"Type\": \"bind\", \"Source\": \"/srv/app/releases/r1/pw.txt\","
	    " \"Target\": \"/run/secrets/pw\", \"ReadOnly\": true}]");
	expect_json(at(body, "HostConfig", "VolumesFrom", NULL), "[\"app-db-1:ro\"]");
	expect_json(at(body, "HostConfig", "Links", NULL),
	    "[\"app-db-1:database\", \"app-db-2:database\"]");
	expect_json(at(body, "HostConfig", "CpuShares", NULL), "512");
	expect_json(at(body, "HostConfig", "GroupAdd", NULL), "[\"audio\"]");
	expect_json(at(body, "HostConfig", "OomScoreAdj", NULL), "-100");
	expect_json(at(body, "MacAddress", NULL), "\"02:42:ac:11:00:02\"");
	expect_json(at(body, "HostConfig", "Runtime", NULL), "\"runc\"");
	/* the value is copied in, never in the body */
	assert_null(json_object_get(body, "x-copies"));
	json_decref(body);
	assert_int_equal(spec_copies(p, s, c, ARRAY_SIZE(c)), 1);
	assert_string_equal(c[0].target, "/run/secrets/tok");
	assert_string_equal(c[0].content, "s3cr3t");
	assert_int_equal(c[0].mode, 0400);
	/* a new value recreates the container */
	h1 = spec_config_hash(p, s);
	free(p->secrets[1].content);
	p->secrets[1].content = xstrdup("other");
	h2 = spec_config_hash(p, s);
	assert_string_not_equal(h1, h2);
	free(h1);
	free(h2);
	compose_free(p);
}

/* Networks and volumes. */

static void
test_network_and_volume_bodies(void **state)
{
	struct compose_project *p = project_new("r1");
	struct compose_network *n = &p->networks[1];
	struct compose_volume *v = &p->volumes[0];
	json_t *body;
	char *h1, *h2;

	/* The config hash label: recorded, and it follows the configuration. */
	body = spec_network(p, &p->networks[0]);
	h1 = spec_network_hash(p, &p->networks[0]);
	assert_string_equal(json_string_value(at(body, "Labels", LABEL_HASH,
	    NULL)), h1);
	json_object_del(json_object_get(body, "Labels"), LABEL_HASH);
	p->networks[0].internal = 1;
	h2 = spec_network_hash(p, &p->networks[0]);
	assert_string_not_equal(h1, h2);
	p->networks[0].internal = 0;
	free(h2);
	h2 = spec_network_hash(p, &p->networks[0]);
	assert_string_equal(h1, h2);
	free(h1);
	free(h2);
	expect_json(body, "{\"Name\": \"app_default\", \"Labels\": {"
	    " \"com.docker.compose.network\": \"default\","
	    " \"com.docker.compose.project\": \"app\","
	    " \"com.docker.compose.version\": \"" SPEC_COMPOSE_VERSION "\"},"
	    " \"Internal\": false, \"Attachable\": false,"
	    " \"EnableIPv6\": false, \"CheckDuplicate\": true}");
	json_decref(body);

	n->driver = xstrdup("bridge");
	kvlist_set(&n->driver_opts, "com.docker.network.bridge.name", "br-app");
	kvlist_set(&n->labels, "team", "ops");
	/* A user label cannot take compose's own. */
	kvlist_set(&n->labels, LABEL_PROJECT, "other");
	n->internal = n->attachable = n->enable_ipv6 = 1;
	body = spec_network(p, n);
	json_object_del(json_object_get(body, "Labels"), LABEL_HASH);
	expect_json(body, "{\"Name\": \"app_back\", \"Driver\": \"bridge\","
	    " \"Options\": {\"com.docker.network.bridge.name\": \"br-app\"},"
	    " \"Labels\": {\"team\": \"ops\","
	    "  \"com.docker.compose.network\": \"back\","
	    "  \"com.docker.compose.project\": \"app\","
	    "  \"com.docker.compose.version\": \"" SPEC_COMPOSE_VERSION "\"},"
	    " \"Internal\": true, \"Attachable\": true,"
	    " \"EnableIPv6\": true, \"CheckDuplicate\": true}");
	json_decref(body);

	body = spec_volume(p, v);
	expect_json(body, "{\"Name\": \"app_data\", \"Labels\": {"
	    " \"com.docker.compose.volume\": \"data\","
	    " \"com.docker.compose.project\": \"app\","
	    " \"com.docker.compose.version\": \"" SPEC_COMPOSE_VERSION "\"}}");
	json_decref(body);
	v->driver = xstrdup("local");
	kvlist_set(&v->driver_opts, "type", "tmpfs");
	kvlist_set(&v->driver_opts, "device", "tmpfs");
	kvlist_set(&v->labels, "backup", "daily");
	body = spec_volume(p, v);
	expect_json(body, "{\"Name\": \"app_data\", \"Driver\": \"local\","
	    " \"DriverOpts\": {\"type\": \"tmpfs\", \"device\": \"tmpfs\"},"
	    " \"Labels\": {\"backup\": \"daily\","
	    "  \"com.docker.compose.volume\": \"data\","
	    "  \"com.docker.compose.project\": \"app\","
	    "  \"com.docker.compose.version\": \"" SPEC_COMPOSE_VERSION "\"}}");
	json_decref(body);
	compose_free(p);
}

/* The config hash. */

static char *
web_hash(const char *release, void (*change)(struct compose_project *,
    struct compose_service *))
{
	struct compose_service *s;
	struct compose_project *p = fixture(release, &s);
	char *h;

	if (change != NULL)
		change(p, s);
	h = spec_config_hash(p, s);
	compose_free(p);
	return h;
}

static void
is_hex40(const char *h)
{
	assert_int_equal(strlen(h), 40);
	assert_int_equal(strspn(h, "0123456789abcdef"), 40);
}

/* What varies per release or per container leaves the hash alone. */
static void
ch_release_only(struct compose_project *p, struct compose_service *s)
{
	/* fixture("r2") already moved dir and file; the image moves too. */
	free(s->image);
	s->image = xstrdup("registry.local:5000/team/web:2.0");
}
static void
ch_reorder_env_labels(struct compose_project *p, struct compose_service *s)
{
	struct kv t = s->environment.v[0];

	s->environment.v[0] = s->environment.v[2];
	s->environment.v[2] = t;
	t = s->labels.v[0];
	s->labels.v[0] = s->labels.v[1];
	s->labels.v[1] = t;
}
static void
ch_depends(struct compose_project *p, struct compose_service *s)
{
	s->depends[0].condition = COND_STARTED;
}
static void
ch_runtime_only(struct compose_project *p, struct compose_service *s)
{
	s->replicas = 3;
	strv_set(&s->profiles, "debug", NULL);
	s->release = xstrdup("./migrate");
}

static void
test_hash_stable(void **state)
{
	void (*same[])(struct compose_project *, struct compose_service *) = {
		ch_release_only, ch_reorder_env_labels, ch_depends,
		ch_runtime_only,
	};
	char *base = web_hash("r1", NULL), *h;
	size_t i;

	is_hex40(base);
	h = web_hash("r1", NULL);
	assert_string_equal(h, base);
	free(h);
	for (i = 0; i < ARRAY_SIZE(same); i++) {
		h = web_hash("r2", same[i]);
		if (strcmp(h, base) != 0)
			fail_msg("change %zu altered the hash", i);
		free(h);
	}
	free(base);
}

/* Pinned: a change here recreates every container on upgrade. */
static void
test_hash_pinned(void **state)
{
	struct compose_project *p = project_new("r1");
	struct compose_service *s = service_add(p, "web", "busybox");
	char *h = spec_config_hash(p, s);

	/*
	 * printf '%s' '{"HostConfig":{"NetworkMode":"app_default"},'\
	 * '"Labels":{"com.docker.compose.oneoff":"False",'\
	 * '"com.docker.compose.project":"app","com.docker.compose.service":"web"},'\
	 * '"NetworkingConfig":{"EndpointsConfig":{"app_default":{"Aliases":["web"]}}},'\
	 * '"OpenStdin":false,"StdinOnce":false,"Tty":false}' | git hash-object --stdin
	 */
	assert_string_equal(h, "0ca4a0f55083331acbf61e6943bb5c925cc8cf39");
	free(h);
	compose_free(p);
}

#define CHANGE(name, body) \
	static void name(struct compose_project *p, struct compose_service *s) \
	{ body; }

CHANGE(c_command, strv_push(&s->command, "-v"))
CHANGE(c_command_unset, s->command_set = 0)
CHANGE(c_entrypoint, strv_set(&s->entrypoint, "/bin/sh", NULL))
CHANGE(c_env_value, kvlist_set(&s->environment, "A", "2"))
CHANGE(c_env_add, kvlist_set(&s->environment, "D", "4"))
CHANGE(c_port_published, free(s->ports[0].published);
    s->ports[0].published = xstrdup("8080"))
CHANGE(c_port_target, s->ports[2].target = 444)
CHANGE(c_port_ip, s->ports[0].host_ip = xstrdup("10.0.0.1"))
CHANGE(c_port_proto, free(s->ports[3].protocol);
    s->ports[3].protocol = xstrdup("tcp"))
CHANGE(c_expose, strv_push(&s->expose, "9200"))
CHANGE(c_mount_ro, s->mounts[0].read_only = 0)
CHANGE(c_mount_target, free(s->mounts[1].target);
    s->mounts[1].target = xstrdup("/data2"))
CHANGE(c_mount_volume, free(s->mounts[1].source);
    s->mounts[1].source = xstrdup("ext"))
CHANGE(c_mount_nocopy, s->mounts[1].nocopy = 0)
CHANGE(c_mount_propagation, free(s->mounts[4].bind_propagation);
    s->mounts[4].bind_propagation = xstrdup("rslave"))
CHANGE(c_mount_tmpfs_size, s->mounts[6].tmpfs_size = 2048)
CHANGE(c_mount_add, mount_add(s, MOUNT_VOLUME, NULL, "/more", 0, 0))
CHANGE(c_volume_name, free(p->volumes[0].name);
    p->volumes[0].name = xstrdup("renamed"))
CHANGE(c_tmpfs, strv_push(&s->tmpfs, "/var/tmp"))
CHANGE(c_net_alias, strv_push(&s->networks[0].aliases, "www2"))
CHANGE(c_net_ipv4, free(s->networks[1].ipv4_address);
    s->networks[1].ipv4_address = xstrdup("172.20.0.6"))
CHANGE(c_net_priority, s->networks[0].priority = 20)
CHANGE(c_net_name, free(p->networks[1].name);
    p->networks[1].name = xstrdup("other_back"))
CHANGE(c_hc_interval, s->healthcheck.interval = 31 * NS)
CHANGE(c_hc_timeout, s->healthcheck.timeout = 6 * NS)
CHANGE(c_hc_start_period, s->healthcheck.start_period = 11 * NS)
CHANGE(c_hc_start_interval, s->healthcheck.start_interval = 3 * NS)
CHANGE(c_hc_retries, s->healthcheck.retries = 4)
CHANGE(c_hc_test, strv_set(&s->healthcheck.test, "CMD", "true", NULL))
CHANGE(c_hc_disable, s->healthcheck.disable = 1)
CHANGE(c_restart, free(s->restart); s->restart = xstrdup("always"))
CHANGE(c_label, kvlist_set(&s->labels, "traefik.enable", "false"))
CHANGE(c_working_dir, free(s->working_dir); s->working_dir = xstrdup("/"))
CHANGE(c_user, free(s->user); s->user = xstrdup("root"))
CHANGE(c_hostname, free(s->hostname); s->hostname = xstrdup("web2"))
CHANGE(c_domainname, free(s->domainname); s->domainname = xstrdup("x.org"))
CHANGE(c_extra_hosts, strv_push(&s->extra_hosts, "a:10.0.0.3"))
CHANGE(c_stop_signal, free(s->stop_signal); s->stop_signal = xstrdup("SIGINT"))
CHANGE(c_stop_grace, s->stop_grace_period = 20 * NS)
CHANGE(c_init, s->init = 0)
CHANGE(c_cap_add, strv_push(&s->cap_add, "SYS_TIME"))
CHANGE(c_cap_drop, strv_set(&s->cap_drop, "MKNOD", NULL))
CHANGE(c_read_only, s->read_only = 0)
CHANGE(c_privileged, s->privileged = 1)
CHANGE(c_tty, s->tty = 0)
CHANGE(c_stdin_open, s->stdin_open = 1)
CHANGE(c_shm_size, s->shm_size = 1 << 20)
CHANGE(c_mem_limit, s->mem_limit = 1LL << 30)
CHANGE(c_mem_reservation, s->mem_reservation = 1LL << 20)
CHANGE(c_cpus, s->cpus = 0.5)
CHANGE(c_pids_limit, s->pids_limit = 200)
CHANGE(c_logging_driver, free(s->logging_driver);
    s->logging_driver = xstrdup("local"))
CHANGE(c_logging_opt, kvlist_set(&s->logging_options, "max-file", "3"))
CHANGE(c_ulimit, s->ulimits[0].soft = 512)
CHANGE(c_sysctl, kvlist_set(&s->sysctls, "net.ipv4.ip_forward", "1"))
CHANGE(c_dns, strv_push(&s->dns, "8.8.8.8"))
CHANGE(c_dns_search, strv_set(&s->dns_search, "corp", NULL))
CHANGE(c_dns_opt, strv_push(&s->dns_opt, "rotate"))
CHANGE(c_devices, strv_set(&s->devices, "/dev/fuse", NULL))
CHANGE(c_pid, free(s->pid); s->pid = NULL)
CHANGE(c_ipc, free(s->ipc); s->ipc = xstrdup("shareable"))
CHANGE(c_userns, free(s->userns_mode); s->userns_mode = NULL)
CHANGE(c_security_opt, strv_push(&s->security_opt, "label=disable"))
CHANGE(c_network_mode, s->network_mode = xstrdup("host"))
CHANGE(c_container_name, s->container_name = xstrdup("web"))
CHANGE(c_project_name, free(p->name); p->name = xstrdup("app2"))

static void
test_hash_sensitive(void **state)
{
	void (*changes[])(struct compose_project *, struct compose_service *) = {
		c_command, c_command_unset, c_entrypoint, c_env_value,
		c_env_add, c_port_published, c_port_target, c_port_ip,
		c_port_proto, c_expose, c_mount_ro, c_mount_target,
		c_mount_volume, c_mount_nocopy, c_mount_propagation,
		c_mount_tmpfs_size, c_mount_add, c_volume_name, c_tmpfs,
		c_net_alias, c_net_ipv4, c_net_priority, c_net_name,
		c_hc_interval, c_hc_timeout, c_hc_start_period,
		c_hc_start_interval, c_hc_retries, c_hc_test, c_hc_disable,
		c_restart, c_label, c_working_dir, c_user, c_hostname,
		c_domainname, c_extra_hosts, c_stop_signal, c_stop_grace,
		c_init, c_cap_add, c_cap_drop, c_read_only, c_privileged,
		c_tty, c_stdin_open, c_shm_size, c_mem_limit,
		c_mem_reservation, c_cpus, c_pids_limit, c_logging_driver,
		c_logging_opt, c_ulimit, c_sysctl, c_dns, c_dns_search,
		c_dns_opt, c_devices, c_pid, c_ipc, c_userns, c_security_opt,
		c_network_mode, c_container_name, c_project_name,
	};
	char *hashes[ARRAY_SIZE(changes) + 1];
	size_t i, j, n = ARRAY_SIZE(changes);

	hashes[n] = web_hash("r1", NULL);
	for (i = 0; i < n; i++) {
		hashes[i] = web_hash("r1", changes[i]);
		is_hex40(hashes[i]);
	}
	/* Each change moves the hash, and no two changes meet. */
	for (i = 0; i <= n; i++) {
		for (j = i + 1; j <= n; j++) {
			if (strcmp(hashes[i], hashes[j]) == 0)
				fail_msg("changes %zu and %zu give the same hash",
				    i, j);
		}
	}
	for (i = 0; i <= n; i++)
		free(hashes[i]);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_container_every_field),
		cmocka_unit_test(test_container_api144),
		cmocka_unit_test(test_networks_order_and_endpoints),
		cmocka_unit_test(test_default_network),
		cmocka_unit_test(test_network_mode),
		cmocka_unit_test(test_healthcheck_forms),
		cmocka_unit_test(test_restart_policies),
		cmocka_unit_test(test_command_and_odd_values),
		cmocka_unit_test(test_bind_api),
		cmocka_unit_test(test_service_volumes),
		cmocka_unit_test(test_container_name),
		cmocka_unit_test(test_image_ref),
		cmocka_unit_test(test_image_name_and_builder),
		cmocka_unit_test(test_files_and_compat),
		cmocka_unit_test(test_network_and_volume_bodies),
		cmocka_unit_test(test_hash_stable),
		cmocka_unit_test(test_hash_pinned),
		cmocka_unit_test(test_hash_sensitive),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
