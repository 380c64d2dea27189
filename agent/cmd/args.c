/*
 * args.c - the one parser of a verb's words, for main() and for the SSH
 * gateway alike: the entry's forms (templates, see cmd.h) against argv, then
 * every word checked against its type. Words may come from a pusher: no
 * message quotes more than shown() of them.
 */
#include <stdlib.h>
#include <string.h>

#include "cmd/cmd.h"
#include "gateway/gateway.h"
#include "lib/appops.h"
#include "lib/names.h"
#include "lib/state.h"
#include "lib/util.h"

#define COUNT_MAX 100000     /* -n: lines or deploys */
#define VALUE_MAX (64u << 10) /* a config value */
#define ELEMS_MAX 16

static int
check_count(const char *s)
{
	char tmp[SHOWN_MAX + 4];
	long n;

	if (parse_long(s, &n) < 0 || n > COUNT_MAX)
		return error_set("invalid count \"%s\": expected a number from "
		    "0 to %d", shown(s, tmp), COUNT_MAX);
	return 0;
}

static int
check_id(const char *s)
{
	char tmp[SHOWN_MAX + 4];
	long n;

	if (parse_long(s, &n) < 0)
		return error_set("invalid deploy id \"%s\"", shown(s, tmp));
	return 0;
}

static int
check_apps(const char *s)
{
	struct gateway_grant g;
	char *argv[] = { "--apps", (char *)s };

	if (gateway_grant_parse(&g, 2, argv) < 0)
		return -1;
	gateway_grant_dispose(&g);
	return 0;
}

/* A variable name, quoted in messages only when printable. */
static int
check_var_name(const char *key)
{
	char tmp[SHOWN_MAX + 4];

	if (strcmp(shown(key, tmp), key) != 0 || appvars_check_key(key) < 0)
		return error_set("invalid variable name \"%s\"", tmp);
	return 0;
}

/* Does a value of several lines hold one of 1 to OUT_REDACT_MIN - 1? */
static int
short_line(const char *v)
{
	const char *line = v, *end;

	if (strchr(v, '\n') == NULL)
		return 0;
	for (;; line = end + 1) {
		size_t n;

		end = line + strcspn(line, "\n");
		n = (size_t)(end - line);
		if (n > 0 && line[n - 1] == '\r')
			n--;
		if (n > 0 && n < OUT_REDACT_MIN)
			return 1;
		if (*end == '\0')
			return 0;
	}
}

static int
check_assignment(const char *s)
{
	char tmp[SHOWN_MAX + 4], *key;
	const char *eq = strchr(s, '=');
	int rc;

	if (eq == NULL)
		return error_set("expected KEY=VALUE, got \"%s\"",
		    shown(s, tmp));
	key = xstrndup(s, (size_t)(eq - s));
	rc = check_var_name(key);
	if (rc == 0 && strlen(eq + 1) > VALUE_MAX)
		rc = error_set("value of \"%s\" is longer than %u bytes", key,
		    VALUE_MAX);
	/* A value slipway can store and hide in deploy output. */
	else if (rc == 0 &&
	    utf8_valid_prefix(eq + 1, strlen(eq + 1)) != strlen(eq + 1))
		rc = error_set("value of \"%s\" is not valid UTF-8", key);
	else if (rc == 0 && eq[1] != '\0' && strlen(eq + 1) < OUT_REDACT_MIN)
		rc = error_set("value of \"%s\" is shorter than %d characters: "
		    "too short to hide in deploy output (empty is allowed)", key,
		    OUT_REDACT_MIN);
	/* Output is hidden line by line: so is each line of a value. */
	else if (rc == 0 && short_line(eq + 1))
		rc = error_set("value of \"%s\" has a line shorter than %d "
		    "characters: too short to hide in deploy output (empty lines "
		    "are allowed)", key, OUT_REDACT_MIN);
	free(key);
	return rc;
}

static int
check_verb(const char *s)
{
	char tmp[SHOWN_MAX + 4];

	if (s[0] == '-' || s[0] == '\0')
		return error_set("invalid command \"%s\"", shown(s, tmp));
	return 0;
}

/* SERVICE=N: a replica count (lib/appops.h). */
static int
check_scale(const char *s)
{
	char *service = NULL;
	long n;

	if (app_ops_parse_scale(s, &service, &n) < 0)
		return -1;
	free(service);
	return 0;
}

/* --since: 30s, 10m, 2h, 1d or unix seconds (cmd-logs.c reads it). */
static int
check_when(const char *s)
{
	char tmp[SHOWN_MAX + 4];
	size_t n = strspn(s, "0123456789");

	if (n == 0 || n > 12 || (s[n] != '\0' && (strchr("smhd", s[n]) == NULL ||
	    s[n + 1] != '\0')))
		return error_set("invalid --since \"%s\": use 30s, 10m, 2h, 1d "
		    "or unix seconds", shown(s, tmp));
	return 0;
}

static const struct word_type {
	const char *name;
	int (*check)(const char *s); /* NULL: any word */
} word_types[] = {
	{ "APP", name_check_app },
	{ "APPS", check_apps },
	{ "SERVICE", name_check_service },
	{ "SERVICE=N", check_scale },
	{ "WHEN", check_when },
	{ "REV", name_check_rev },
	{ "COUNT", check_count },
	{ "ID", check_id },
	{ "NAME", gateway_check_key_name },
	{ "KEY=VALUE", check_assignment },
	{ "KEY", check_var_name },
	{ "REMOTE", NULL },
	{ "VERB", check_verb },
	{ "ARG", NULL },
};

static const struct word_type *
word_type(const char *name)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(word_types); i++) {
		if (strcmp(word_types[i].name, name) == 0)
			return &word_types[i];
	}
	return NULL;
}

int
cmd_is_word_type(const char *name)
{
	return word_type(name) != NULL;
}

int
cmd_check_word(const char *type, const char *s)
{
	const struct word_type *t = word_type(type);

	if (t == NULL)
		return error_set("unknown word type \"%s\"", type);
	return t->check != NULL ? t->check(s) : 0;
}

/* One element of a template. */
struct elem {
	char name[32];   /* "APP", "list", "--json", "-n" */
	char value[32];  /* an option's value type, or "" */
	int optional;    /* in [brackets] */
	int option;      /* [-x] or [-x VALUE] */
	int rest;        /* NAME...: one or more */
	int placeholder; /* a word of a type, not a literal */
};

static int
is_placeholder(const char *s)
{
	return s[0] >= 'A' && s[0] <= 'Z';
}

static void
copy_name(char *dst, const char *s, size_t len)
{
	if (len > 31)
		len = 31;
	memcpy(dst, s, len);
	dst[len] = '\0';
}

/* Split a template into elements; the number, or -1 when it is malformed. */
static int
template_parse(const char *t, struct elem *e)
{
	const char *p = t;
	int n = 0;

	while (*(p += strspn(p, " ")) != '\0') {
		size_t len = strcspn(p, " ");
		struct elem *x;

		if (n == ELEMS_MAX)
			return -1;
		x = &e[n++];
		memset(x, 0, sizeof *x);
		if (*p == '[') {
			const char *end = strchr(p, ']');

			if (end == NULL)
				return -1;
			x->optional = 1;
			p++;
			len = strcspn(p, " ]");
			x->option = *p == '-';
			copy_name(x->name, p, len);
			p += len;
			if (*p == ' ') {
				if (!x->option)
					return -1;
				p++;
				copy_name(x->value, p, (size_t)(end - p));
			}
			p = end + 1;
		} else {
			copy_name(x->name, p, len);
			p += len;
		}
		len = strlen(x->name);
		if (len > 3 && strcmp(x->name + len - 3, "...") == 0) {
			x->rest = 1;
			x->name[len - 3] = '\0';
		}
		x->placeholder = !x->option && is_placeholder(x->name);
		if ((x->placeholder && !cmd_is_word_type(x->name)) ||
		    (x->value[0] != '\0' && !cmd_is_word_type(x->value)) ||
		    (x->rest && !x->placeholder) || x->name[0] == '\0')
			return -1;
		/* A required word after an optional one could never be told
		 * apart; a word after WORD... would never get one. */
		if (n > 1 && !x->option && (e[n - 2].rest ||
		    (!x->optional && e[n - 2].optional)))
			return -1;
	}
	return n;
}

int
cmd_template_check(const char *t)
{
	struct elem e[ELEMS_MAX];

	if (template_parse(t, e) < 0)
		return error_set("malformed template \"%s\"", t);
	return 0;
}

static struct cmd_slot *
slot_add(struct cmd_args *a, const char *name, const char *type, char *word)
{
	struct cmd_slot *s = NULL;
	int i;

	for (i = 0; i < a->nslots; i++) {
		if (strcmp(a->slot[i].name, name) == 0)
			s = &a->slot[i];
	}
	if (s == NULL) {
		if (a->nslots == CMD_SLOTS_MAX)
			return NULL;
		s = &a->slot[a->nslots++];
		s->name = xstrdup(name);
		s->type = type != NULL && *type != '\0' ? xstrdup(type) : NULL;
	}
	s->v = xrealloc(s->v, ((size_t)s->n + 2) * sizeof *s->v);
	s->v[s->n++] = word;
	s->v[s->n] = NULL;
	return s;
}

static void
slots_clear(struct cmd_args *a)
{
	int i;

	for (i = 0; i < a->nslots; i++) {
		free(a->slot[i].name);
		free(a->slot[i].type);
		free(a->slot[i].v);
		memset(&a->slot[i], 0, sizeof a->slot[i]);
	}
	a->nslots = 0;
}

/* Do the words fit form t? 0, or -1 (then a's slots are cleared). */
static int
match(struct cmd_args *a, const char *t, int argc, char **argv)
{
	struct elem e[ELEMS_MAX], *pos[ELEMS_MAX];
	int ne, npos = 0, lead = -1, pi = 0, rest_n = 0, i, j;

	if ((ne = template_parse(t, e)) < 0)
		return error_set("malformed template \"%s\"", t);
	for (i = 0; i < ne; i++) {
		if (e[i].optional && lead < 0)
			lead = npos;
		if (!e[i].option)
			pos[npos++] = &e[i];
	}
	if (lead < 0)
		lead = npos;
	for (i = 1; i < argc; i++) {
		char *w = argv[i];
		struct elem *x = NULL;

		if (pi < npos && pos[pi]->rest && rest_n > 0 &&
		    strcmp(pos[pi]->name, "ARG") == 0) {
			slot_add(a, "ARG", "ARG", w);
			continue;
		}
		if (pi >= lead && w[0] == '-') {
			for (j = 0; j < ne && x == NULL; j++) {
				if (e[j].option && strcmp(e[j].name, w) == 0)
					x = &e[j];
			}
		}
		if (x != NULL) {
			if (cmd_has(a, x->name))
				goto mismatch;
			if (x->value[0] == '\0')
				slot_add(a, x->name, NULL, w);
			else if (i + 1 < argc)
				slot_add(a, x->name, x->value, argv[++i]);
			else
				goto mismatch;
			continue;
		}
		if (pi >= npos)
			goto mismatch;
		x = pos[pi];
		if (!x->placeholder && strcmp(w, x->name) != 0)
			goto mismatch;
		if (slot_add(a, x->name, x->placeholder ? x->name : NULL,
		    w) == NULL)
			goto mismatch;
		if (x->rest)
			rest_n++;
		else
			pi++;
	}
	if (pi < npos && pos[pi]->rest && rest_n > 0)
		pi++;
	for (; pi < npos; pi++) {
		if (!pos[pi]->optional)
			goto mismatch;
	}
	return 0;
mismatch:
	slots_clear(a);
	return -1;
}

int
cmd_args_parse(const struct cmd_entry *entry, int argc, char **argv,
    struct cmd_args *a)
{
	int f, i, k;

	memset(a, 0, sizeof *a);
	a->entry = entry;
	for (f = 0; f < CMD_FORMS_MAX && entry->forms[f].args != NULL; f++) {
		if (match(a, entry->forms[f].args, argc, argv) < 0)
			continue;
		a->form = f;
		a->flags = entry->flags | entry->forms[f].flags;
		/* The words fit: now each must be of its type. */
		for (i = 0; i < a->nslots; i++) {
			for (k = 0; a->slot[i].type != NULL &&
			    k < a->slot[i].n; k++) {
				if (cmd_check_word(a->slot[i].type,
				    a->slot[i].v[k]) < 0)
					return -1;
			}
		}
		a->app = cmd_arg(a, "APP");
		return 0;
	}
	error_set("usage: %s", entry->usage);
	return CMD_ARGS_USAGE;
}

void
cmd_args_dispose(struct cmd_args *a)
{
	slots_clear(a);
	memset(a, 0, sizeof *a);
}

static const struct cmd_slot *
slot_find(const struct cmd_args *a, const char *name)
{
	int i;

	for (i = 0; i < a->nslots; i++) {
		if (strcmp(a->slot[i].name, name) == 0)
			return &a->slot[i];
	}
	return NULL;
}

const char *
cmd_arg(const struct cmd_args *a, const char *name)
{
	const struct cmd_slot *s = slot_find(a, name);

	return s != NULL ? s->v[0] : NULL;
}

int
cmd_has(const struct cmd_args *a, const char *name)
{
	return slot_find(a, name) != NULL;
}

char **
cmd_arg_list(const struct cmd_args *a, const char *name, int *n)
{
	const struct cmd_slot *s = slot_find(a, name);

	*n = s != NULL ? s->n : 0;
	return s != NULL ? s->v : NULL;
}
