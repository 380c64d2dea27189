/*
 * json.c - jansson through the aborting allocator; strings that are an
 * error, never a silent NULL, when they are not valid UTF-8.
 */
#include "lib/json.h"
#include "lib/util.h"

void
jsonx_alloc_init(void)
{
	json_set_alloc_funcs(xmalloc, free);
}

json_t *
jsonx_string(const char *what, const char *s)
{
	json_t *j = json_string(s);

	if (j == NULL)
		error_set("%s is not valid UTF-8", what);
	return j;
}
