/*
 * client.c - the SSH client of `slipway remote`, with libssh2: connect,
 * check the server's host key against a known_hosts file (an unknown,
 * changed or @revoked key is refused), log in with ssh-agent or a private key
 * file, run one command, relay its stdout and stderr, and give its exit
 * status. What to trust and which keys to try come from the caller: nothing
 * here reads the environment.
 */
#include <errno.h>
#include <netdb.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <libssh2.h>

#include "gateway/gateway.h"
#include "lib/util.h"

#define KNOWN_HOSTS_MAX (4u << 20)

static int
tcp_connect(const char *host, int port)
{
	struct addrinfo hints, *res = NULL, *ai;
	char service[16];
	int fd = -1, err, saved = 0;

	memset(&hints, 0, sizeof hints);
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	snprintf(service, sizeof service, "%d", port);
	if ((err = getaddrinfo(host, service, &hints, &res)) != 0)
		return error_set("cannot resolve \"%s\": %s", host,
		    gai_strerror(err));
	for (ai = res; ai != NULL && fd < 0; ai = ai->ai_next) {
		fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC,
		    ai->ai_protocol);
		if (fd >= 0 && connect(fd, ai->ai_addr, ai->ai_addrlen) < 0) {
			saved = errno;
			close(fd);
			fd = -1;
		}
	}
	freeaddrinfo(res);
	if (fd < 0)
		error_set("cannot connect to \"%s\" port %d: %s", host, port,
		    strerror(saved ? saved : errno));
	return fd;
}

static const struct {
	int hostkey;  /* libssh2_session_hostkey() type */
	int known;    /* known_hosts key type */
	const char *name;
} key_types[] = {
	{ LIBSSH2_HOSTKEY_TYPE_RSA, LIBSSH2_KNOWNHOST_KEY_SSHRSA, "ssh-rsa" },
	{ LIBSSH2_HOSTKEY_TYPE_ECDSA_256, LIBSSH2_KNOWNHOST_KEY_ECDSA_256,
	    "ecdsa-sha2-nistp256" },
	{ LIBSSH2_HOSTKEY_TYPE_ECDSA_384, LIBSSH2_KNOWNHOST_KEY_ECDSA_384,
	    "ecdsa-sha2-nistp384" },
	{ LIBSSH2_HOSTKEY_TYPE_ECDSA_521, LIBSSH2_KNOWNHOST_KEY_ECDSA_521,
	    "ecdsa-sha2-nistp521" },
	{ LIBSSH2_HOSTKEY_TYPE_ED25519, LIBSSH2_KNOWNHOST_KEY_ED25519,
	    "ssh-ed25519" },
};

/*
 * Prefer host key algorithms in OpenSSH's order, so that the key `ssh`
 * recorded in known_hosts is the one the server shows. Only names this
 * libssh2 supports are passed: 1.10 corrupts the list while dropping others.
 */
static void
prefer_host_keys(LIBSSH2_SESSION *s)
{
	static const char *order[] = { "ssh-ed25519", "ecdsa-sha2-nistp256",
	    "ecdsa-sha2-nistp384", "ecdsa-sha2-nistp521", "rsa-sha2-512",
	    "rsa-sha2-256", "ssh-rsa" };
	struct buf pref = BUF_INIT;
	const char **algs = NULL;
	int n, i;
	size_t k;

	if ((n = libssh2_session_supported_algs(s, LIBSSH2_METHOD_HOSTKEY,
	    &algs)) <= 0)
		return;
	for (k = 0; k < ARRAY_SIZE(order); k++) {
		for (i = 0; i < n; i++) {
			if (strcmp(algs[i], order[k]) == 0)
				buf_addf(&pref, "%s%s", pref.len ? "," : "",
				    order[k]);
		}
	}
	if (pref.len > 0)
		(void)libssh2_session_method_pref(s, LIBSSH2_METHOD_HOSTKEY,
		    pref.buf);
	libssh2_free(s, algs);
	buf_release(&pref);
}

/*
 * Load known_hosts into kh line by line: a line libssh2 cannot read (a key
 * type it lacks, @cert-authority) is skipped; a @revoked line naming the
 * server's key (b64) refuses it.
 */
static int
load_known_hosts(LIBSSH2_KNOWNHOSTS *kh, const char *file, const char *b64)
{
	struct buf text = BUF_INIT;
	char *line, *next;
	int rc = -1;

	if (!path_exists(file))
		return 0;
	if (read_file(file, &text, KNOWN_HOSTS_MAX) < 0)
		goto done;
	for (line = text.buf; line != NULL && *line != '\0'; line = next) {
		if ((next = strchr(line, '\n')) != NULL)
			*next++ = '\0';
		line += strspn(line, " \t");
		if (*line == '\0' || *line == '#')
			continue;
		if (starts_with(line, "@revoked ")) {
			char *p = line + 9, *blob;

			p += strspn(p, " \t");
			p += strcspn(p, " \t");   /* hosts */
			p += strspn(p, " \t");
			p += strcspn(p, " \t");   /* key type */
			blob = p + strspn(p, " \t");
			if (strncmp(blob, b64, strlen(b64)) == 0 &&
			    strchr(" \t\r", blob[strlen(b64)]) != NULL) {
				error_set("the server's host key is marked "
				    "@revoked in %s", file);
				goto done;
			}
			continue;
		}
		if (*line != '@')
			(void)libssh2_knownhost_readline(kh, line, strlen(line),
			    LIBSSH2_KNOWNHOST_FILE_OPENSSH);
	}
	rc = 0;
done:
	buf_release(&text);
	return rc;
}

static int
check_host_key(LIBSSH2_SESSION *s, const struct gateway_url *u,
    const char *file)
{
	LIBSSH2_KNOWNHOSTS *kh = NULL;
	struct buf b64 = BUF_INIT;
	const char *key, *type_name = NULL;
	char *label;
	size_t len, i;
	int type, known = 0, rc = -1;

	label = u->port == 22 ? xstrdup(u->host) :
	    xasprintf("[%s]:%d", u->host, u->port);
	if ((key = libssh2_session_hostkey(s, &len, &type)) == NULL) {
		error_set("\"%s\" sent no host key", label);
		goto done;
	}
	for (i = 0; i < ARRAY_SIZE(key_types); i++) {
		if (key_types[i].hostkey == type) {
			type_name = key_types[i].name;
			known = key_types[i].known;
		}
	}
	if (type_name == NULL) {
		error_set("\"%s\" offered a host key of an unknown type", label);
		goto done;
	}
	gateway_base64_encode(&b64, (const unsigned char *)key, len);
	if ((kh = libssh2_knownhost_init(s)) == NULL) {
		error_set("cannot check host keys: out of memory");
		goto done;
	}
	if (load_known_hosts(kh, file, b64.buf) < 0)
		goto done;
	switch (libssh2_knownhost_checkp(kh, u->host, u->port, key, len,
	    LIBSSH2_KNOWNHOST_TYPE_PLAIN | LIBSSH2_KNOWNHOST_KEYENC_RAW | known,
	    NULL)) {
	case LIBSSH2_KNOWNHOST_CHECK_MATCH:
		rc = 0;
		break;
	case LIBSSH2_KNOWNHOST_CHECK_MISMATCH:
		error_set("host key of \"%s\" has changed: its %s key does not "
		    "match %s; refusing to connect", label, type_name, file);
		break;
	case LIBSSH2_KNOWNHOST_CHECK_NOTFOUND:
		error_set("unknown host \"%s\": no %s key for it in %s (connect "
		    "once with ssh to check and record it)", label, type_name,
		    file);
		break;
	default:
		error_set("cannot check the host key of \"%s\"", label);
		break;
	}
done:
	if (kh != NULL)
		libssh2_knownhost_free(kh);
	buf_release(&b64);
	free(label);
	return rc;
}

static int
auth_agent(LIBSSH2_SESSION *s, const char *user)
{
	LIBSSH2_AGENT *agent;
	struct libssh2_agent_publickey *id = NULL, *prev = NULL;
	int ok = 0;

	if ((agent = libssh2_agent_init(s)) == NULL)
		return 0;
	if (libssh2_agent_connect(agent) == 0 &&
	    libssh2_agent_list_identities(agent) == 0) {
		while (!ok && libssh2_agent_get_identity(agent, &id, prev) == 0) {
			ok = libssh2_agent_userauth(agent, user, id) == 0;
			prev = id;
		}
	}
	libssh2_agent_disconnect(agent);
	libssh2_agent_free(agent);
	return ok;
}

static int
authenticate(LIBSSH2_SESSION *s, const struct gateway_url *u,
    const struct gateway_client_opts *o)
{
	const char *user = u->user != NULL ? u->user : o->user;
	size_t i;

	if (user == NULL)
		return error_set("no user name: put one in the remote URL");
	if (libssh2_userauth_list(s, user, (unsigned)strlen(user)) == NULL &&
	    libssh2_userauth_authenticated(s))
		return 0;
	if (o->agent && auth_agent(s, user))
		return 0;
	for (i = 0; o->identities[i] != NULL; i++) {
		const char *priv = o->identities[i];
		char *pub = xasprintf("%s.pub", priv);
		int ok = path_exists(priv) &&
		    libssh2_userauth_publickey_fromfile(s, user,
		    path_exists(pub) ? pub : NULL, priv, NULL) == 0;

		free(pub);
		if (ok)
			return 0;
	}
	return error_set("cannot log in as \"%s\" to \"%s\": tried %s", user,
	    u->host, o->tried);
}

static int
write_all(int fd, const char *p, size_t len)
{
	while (len > 0) {
		ssize_t n = write(fd, p, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return error_set("cannot write the output: %s",
			    strerror(errno));
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

static void
wait_socket(int sock, LIBSSH2_SESSION *s)
{
	struct pollfd pfd = { sock, 0, 0 };
	int dir = libssh2_session_block_directions(s);

	if (dir & LIBSSH2_SESSION_BLOCK_INBOUND)
		pfd.events |= POLLIN;
	if (dir & LIBSSH2_SESSION_BLOCK_OUTBOUND)
		pfd.events |= POLLOUT;
	(void)poll(&pfd, 1, pfd.events ? 10000 : 100);
}

/* Send what *in_fd has to the channel; at its end, EOF and *in_fd = -1. */
static int
relay_input(LIBSSH2_SESSION *s, LIBSSH2_CHANNEL *ch, int *in_fd)
{
	struct pollfd pfd = { *in_fd, POLLIN, 0 };
	char data[16384];
	ssize_t n, w;
	size_t off = 0;

	if (poll(&pfd, 1, 0) <= 0)
		return 0;
	n = read(*in_fd, data, sizeof data);
	if (n < 0 && errno == EINTR)
		return 0;
	libssh2_session_set_blocking(s, 1);
	if (n <= 0) {
		libssh2_channel_send_eof(ch);
		*in_fd = -1;
	}
	for (; n > 0 && off < (size_t)n; off += (size_t)w) {
		if ((w = libssh2_channel_write(ch, data + off,
		    (size_t)n - off)) < 0) {
			libssh2_session_set_blocking(s, 0);
			return error_set("connection lost while sending input");
		}
	}
	libssh2_session_set_blocking(s, 0);
	return 0;
}

/* Wait for the session's socket and, when relaying, the input. */
static void
wait_both(int sock, LIBSSH2_SESSION *s, int in_fd)
{
	struct pollfd pfd[2] = { { sock, POLLIN, 0 }, { in_fd, POLLIN, 0 } };

	if (in_fd < 0) {
		wait_socket(sock, s);
		return;
	}
	if (libssh2_session_block_directions(s) & LIBSSH2_SESSION_BLOCK_OUTBOUND)
		pfd[0].events |= POLLOUT;
	(void)poll(pfd, 2, 10000);
}

/*
 * Run command (on a pseudo-terminal when o->term is set), relay o->in_fd to
 * its stdin and its stdout and stderr to ours; its exit status or -1.
 */
static int
run(LIBSSH2_SESSION *s, int sock, const char *command,
    const struct gateway_client_opts *o)
{
	LIBSSH2_CHANNEL *ch;
	char data[16384], *sig = NULL;
	int status = -1, in_fd = o->in_fd;

	if ((ch = libssh2_channel_open_session(s)) == NULL) {
		error_set("cannot open a session channel");
		return -1;
	}
	if (o->term != NULL && libssh2_channel_request_pty_ex(ch, o->term,
	    (unsigned)strlen(o->term), NULL, 0, o->cols ? (int)o->cols : 80,
	    o->rows ? (int)o->rows : 24, 0, 0) != 0) {
		error_set("the server refused a terminal");
		goto done;
	}
	if (libssh2_channel_exec(ch, command) != 0) {
		error_set("the server refused to run a command");
		goto done;
	}
	if (in_fd < 0)
		libssh2_channel_send_eof(ch);
	libssh2_session_set_blocking(s, 0);
	/* Until both streams are at their end (a read of 0, not EAGAIN). */
	for (;;) {
		int stream, progress = 0, ended = 0;

		for (stream = 0; stream <= SSH_EXTENDED_DATA_STDERR; stream +=
		    SSH_EXTENDED_DATA_STDERR) {
			ssize_t n = libssh2_channel_read_ex(ch, stream, data,
			    sizeof data);

			if (n > 0) {
				progress = 1;
				if (write_all(stream ? STDERR_FILENO :
				    STDOUT_FILENO, data, (size_t)n) < 0)
					goto done;
			} else if (n == 0)
				ended++;
			else if (n != LIBSSH2_ERROR_EAGAIN) {
				error_set("connection lost while reading output");
				goto done;
			}
		}
		if (ended == 2 || libssh2_channel_eof(ch))
			break;
		if (in_fd >= 0 && relay_input(s, ch, &in_fd) < 0)
			goto done;
		if (!progress)
			wait_both(sock, s, in_fd);
	}
	libssh2_session_set_blocking(s, 1);
	libssh2_channel_close(ch);
	libssh2_channel_wait_closed(ch);
	if (libssh2_channel_get_exit_signal(ch, &sig, NULL, NULL, NULL, NULL,
	    NULL) == 0 && sig != NULL) {
		error_set("the remote command was killed by SIG%s", sig);
		goto done;
	}
	status = libssh2_channel_get_exit_status(ch);
done:
	libssh2_session_set_blocking(s, 1);
	libssh2_free(s, sig);
	libssh2_channel_free(ch);
	return status;
}

int
gateway_client_run(const struct gateway_url *u,
    const struct gateway_client_opts *o, const char *command)
{
	LIBSSH2_SESSION *s = NULL;
	int sock = -1, status = -1;

	if (libssh2_init(0) != 0) {
		error_set("cannot initialise libssh2");
		goto done;
	}
	if ((sock = tcp_connect(u->host, u->port)) < 0)
		goto done;
	if ((s = libssh2_session_init()) == NULL) {
		error_set("cannot start an SSH session");
		goto done;
	}
	libssh2_session_set_blocking(s, 1);
	prefer_host_keys(s);
	if (libssh2_session_handshake(s, sock) != 0) {
		char *msg = NULL;

		libssh2_session_last_error(s, &msg, NULL, 0);
		error_set("SSH handshake with \"%s\" failed: %s", u->host,
		    msg ? msg : "unknown error");
		goto done;
	}
	if (check_host_key(s, u, o->known_hosts) < 0 ||
	    authenticate(s, u, o) < 0)
		goto done;
	status = run(s, sock, command, o);
done:
	if (s != NULL) {
		libssh2_session_disconnect(s, "done");
		libssh2_session_free(s);
	}
	if (sock >= 0)
		close(sock);
	libssh2_exit();
	return status;
}
