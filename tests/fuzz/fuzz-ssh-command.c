/*
 * fuzz-ssh-command.c - SSH_ORIGINAL_COMMAND as the gateway checks it: split
 * into words, parsed against the command grammar, quoted back.
 */
#include "fuzz.h"
#include "gateway/gateway.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct gateway_cmd cmd;
	struct strv words = STRV_INIT;
	struct buf q = BUF_INIT;
	char *s = fuzz_str(data, size);
	size_t i;

	fuzz_quiet();
	if (gateway_split(s, &words) == 0) {
		for (i = 0; i < words.n; i++) {
			buf_adds(&q, i ? " " : "");
			gateway_quote(&q, words.v[i]);
		}
	}
	memset(&cmd, 0, sizeof cmd);
	(void)gateway_parse(s, "/srv/slipway/repos", &cmd);
	gateway_cmd_dispose(&cmd);
	buf_release(&q);
	strv_clear(&words);
	free(s);
	return 0;
}
