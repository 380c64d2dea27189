/*
 * fuzz-ssh-command.c - SSH_ORIGINAL_COMMAND as the gateway checks it: split
 * into words and quoted back, parsed against the command table, and checked
 * against an app key's grant and an admin key's.
 */
#include "fuzz.h"
#include "cmd/cmd.h"
#include "gateway/gateway.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct gateway_grant apps = GATEWAY_GRANT_INIT;
	static struct gateway_grant admin = GATEWAY_GRANT_INIT;
	struct gateway_cmd cmd;
	struct strv words = STRV_INIT;
	struct buf q = BUF_INIT;
	char *s = fuzz_str(data, size);
	size_t i;

	fuzz_quiet();
	if (apps.apps.n == 0 && (gateway_grant_parse(&apps, 2,
	    (char *[]){ "--apps", "web,db" }) < 0 ||
	    gateway_grant_parse(&admin, 1, (char *[]){ "--admin" }) < 0))
		abort();
	if (gateway_split(s, &words) == 0) {
		for (i = 0; i < words.n; i++) {
			buf_adds(&q, i ? " " : "");
			gateway_quote(&q, words.v[i]);
		}
	}
	memset(&cmd, 0, sizeof cmd);
	if (cmd_ssh_parse(s, "/srv/slipway/repos", &cmd) == 0) {
		(void)gateway_permit(&apps, &cmd);
		(void)gateway_permit(&admin, &cmd);
	}
	gateway_cmd_dispose(&cmd);
	buf_release(&q);
	strv_clear(&words);
	free(s);
	return 0;
}
