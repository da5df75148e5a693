/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The spillway authors
 *
 * The config loader's helpers: errors that name the file, the line and
 * the setting; typed members; unknown keys; a group loaded by its
 * table of settings.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "config_private.h"
#include "utf8.h"

int
fail(struct ctx *c, const config_setting_t *s, const char *path,
     const char *fmt, ...)
{
	const char *file = s ? config_setting_source_file(s) : NULL;
	int line = s ? config_setting_source_line(s) : 0;
	char msg[1024];
	size_t n, sep = c->shown > 0;
	va_list ap;
	int k;

	c->nb_err++;
	if (c->shown >= SW_CONF_ERRORS || c->full || c->errlen == 0)
		return -EINVAL;
	k = snprintf(msg, sizeof(msg), "%s:%d: %s: ", file ? file : c->file,
		     line, path);
	if (k > 0 && (size_t)k < sizeof(msg)) {
		va_start(ap, fmt);
		vsnprintf(msg + k, sizeof(msg) - (size_t)k, fmt, ap);
		va_end(ap);
	}
	n = strlen(msg);
	/* The first error always (cut if it must be); later ones whole. */
	if (c->shown > 0 && c->used + sep + n + 1 > c->errlen) {
		c->full = true;
		return -EINVAL;
	}
	snprintf(c->err + c->used, c->errlen - c->used, "%s%s",
		 sep ? "\n" : "", msg);
	c->used = strlen(c->err);
	c->shown++;
	return -EINVAL;
}

void
join(char *buf, size_t n, const char *parent, const char *name)
{
	if (parent[0] == '\0')
		snprintf(buf, n, "%s", name);
	else
		snprintf(buf, n, "%s.%s", parent, name);
}

const char *
type_name(int t)
{
	switch (t) {
	case CONFIG_TYPE_GROUP: return "a group";
	case CONFIG_TYPE_INT:
	case CONFIG_TYPE_INT64: return "an integer";
	case CONFIG_TYPE_FLOAT: return "a float";
	case CONFIG_TYPE_STRING: return "a string";
	case CONFIG_TYPE_BOOL: return "a boolean";
	case CONFIG_TYPE_ARRAY: return "an array";
	case CONFIG_TYPE_LIST: return "a list";
	default: return "?";
	}
}

/*
 * "a, b, c": a misspelt key is answered with the right spellings, and
 * the reference test (tests/integration/test_reference.py) walks every
 * group's keys through this message, so the man page and the loader
 * cannot drift apart.
 */
static const char *
known_list(const char *const *known, char *buf, size_t n)
{
	size_t used = 0;

	buf[0] = '\0';
	for (; *known != NULL && used < n; known++)
		used += (size_t)snprintf(buf + used, n - used, "%s%s",
					 used ? ", " : "", *known);
	return buf;
}

/* Every member of group g must be named in `known` (NULL-terminated). */
int
check_keys(struct ctx *c, const config_setting_t *g, const char *path,
	   const char *const *known)
{
	char p[256], list[400];
	int i, n = config_setting_length(g), rc = 0;

	for (i = 0; i < n; i++) {
		const config_setting_t *s = config_setting_get_elem(g, i);
		const char *name = config_setting_name(s);
		const char *const *k;

		for (k = known; *k != NULL; k++)
			if (strcmp(*k, name) == 0)
				break;
		if (*k == NULL) {
			join(p, sizeof(p), path, name);
			rc = fail(c, s, p, "unknown setting (known here: %s)",
				  known_list(known, list, sizeof(list)));
		}
	}
	return rc;
}

int
want_type(struct ctx *c, const config_setting_t *s, const char *path,
	  int type)
{
	int t = config_setting_type(s);

	if (t == type || (type == CONFIG_TYPE_INT && t == CONFIG_TYPE_INT64))
		return 0;
	/* A list and an array read the same to a person: take either. */
	if (type == CONFIG_TYPE_LIST && t == CONFIG_TYPE_ARRAY)
		return 0;
	return fail(c, s, path, "expected %s, found %s", type_name(type),
		    type_name(t));
}

/*
 * Optional member `name` of g of the given type: *s is NULL when it is
 * absent; a member of another type is an error. p gets its path.
 */
int
typed_member(struct ctx *c, const config_setting_t *g, const char *gpath,
	     const char *name, int type, const config_setting_t **s,
	     char *p, size_t plen)
{
	*s = config_setting_get_member(g, name);
	if (*s == NULL)
		return 0;
	join(p, plen, gpath, name);
	return want_type(c, *s, p, type);
}

/* Optional integer member `name` of g in [lo, hi]; absent keeps *out. */
int
get_int(struct ctx *c, const config_setting_t *g, const char *gpath,
	const char *name, long long lo, long long hi, unsigned int *out)
{
	const config_setting_t *s;
	char p[256];
	long long v;
	int rc;

	rc = typed_member(c, g, gpath, name, CONFIG_TYPE_INT, &s, p,
			  sizeof(p));
	if (rc || s == NULL)
		return rc;
	v = config_setting_get_int64(s);
	if (v < lo || v > hi)
		return fail(c, s, p, "%lld is out of range %lld..%lld",
			    v, lo, hi);
	*out = (unsigned int)v;
	return 0;
}

int
get_bool(struct ctx *c, const config_setting_t *g, const char *gpath,
	 const char *name, bool *out)
{
	const config_setting_t *s;
	char p[256];
	int rc;

	rc = typed_member(c, g, gpath, name, CONFIG_TYPE_BOOL, &s, p,
			  sizeof(p));
	if (rc == 0 && s != NULL)
		*out = config_setting_get_bool(s) != 0;
	return rc;
}

/* Optional string member; *out NULL when absent. */
int
get_str(struct ctx *c, const config_setting_t *g, const char *gpath,
	const char *name, const char **out, const config_setting_t **set)
{
	char p[256];
	int rc;

	*out = NULL;
	rc = typed_member(c, g, gpath, name, CONFIG_TYPE_STRING, set, p,
			  sizeof(p));
	if (rc == 0 && *set != NULL)
		*out = config_setting_get_string(*set);
	return rc;
}

static int
load_uint(struct ctx *c, const config_setting_t *g, const char *gpath,
	  const struct conf_key *k, uint8_t *dst)
{
	const config_setting_t *s;
	char p[256];
	long long v;
	int rc;

	rc = typed_member(c, g, gpath, k->name, CONFIG_TYPE_INT, &s, p,
			  sizeof(p));
	if (rc || s == NULL)
		return rc;
	v = config_setting_get_int64(s);
	if (v < k->lo || v > k->hi)
		return fail(c, s, p, "%lld is out of range %lld..%lld",
			    v, k->lo, k->hi);
	switch (k->size) {
	case 1:
		*dst = (uint8_t)v;
		break;
	case 2:
		*(uint16_t *)(void *)dst = (uint16_t)v;
		break;
	default:
		*(uint32_t *)(void *)dst = (uint32_t)v;
		break;
	}
	return 0;
}

static int
load_enum(struct ctx *c, const config_setting_t *g, const char *gpath,
	  const struct conf_key *k, uint8_t *dst)
{
	const config_setting_t *s;
	char p[256], all[256] = "";
	const char *w;
	size_t n = 0;
	int i, rc;

	rc = get_str(c, g, gpath, k->name, &w, &s);
	if (rc || w == NULL)
		return rc;
	for (i = 0; k->words[i] != NULL; i++) {
		if (strcmp(w, k->words[i]) == 0) {
			*dst = (uint8_t)i;
			return 0;
		}
		n += (size_t)snprintf(all + n, n < sizeof(all) ?
				      sizeof(all) - n : 0, "%s%s",
				      i == 0 ? "" : k->words[i + 1] ? ", " :
				      " or ", k->words[i]);
	}
	join(p, sizeof(p), gpath, k->name);
	return fail(c, s, p, "'%s' is not %s", w, all);
}

int
conf_load_keys(struct ctx *c, const config_setting_t *g, const char *gpath,
	       const struct conf_key *keys, size_t nb, void *base)
{
	const char *known[64];
	size_t i;
	int rc, bad;

	if (g == NULL)
		return 0;
	rc = want_type(c, g, gpath, CONFIG_TYPE_GROUP);
	if (rc)
		return rc;
	for (i = 0; i < nb && i < 63; i++)
		known[i] = keys[i].name;
	known[i] = NULL;
	/* Each setting on its own: one bad one hides no other. */
	bad = check_keys(c, g, gpath, known);
	for (i = 0; i < nb; i++) {
		const struct conf_key *k = &keys[i];
		uint8_t *dst = (uint8_t *)base + k->off;
		const config_setting_t *s;
		char p[256];

		switch (k->type) {
		case CT_BOOL:
			rc = get_bool(c, g, gpath, k->name, (bool *)dst);
			break;
		case CT_UINT:
			rc = load_uint(c, g, gpath, k, dst);
			break;
		case CT_ENUM:
			rc = load_enum(c, g, gpath, k, dst);
			break;
		default:
			s = config_setting_get_member(g, k->name);
			rc = 0;
			if (s == NULL)
				break;
			join(p, sizeof(p), gpath, k->name);
			rc = k->fn(c, s, p, base);
			break;
		}
		if (rc == -ENOMEM)
			return rc;
		bad = bad ? bad : rc;
	}
	return bad;
}

/*
 * Strings are UTF-8 without control characters: comments, names,
 * prefixes, paths, EAL arguments, every string the file holds, checked
 * here once, whatever reads them later. A Latin-1 comment would
 * otherwise reach the JSON stats and the Prometheus scrape, where one
 * byte makes the whole document unreadable.
 */
int
check_strings(struct ctx *c, const config_setting_t *s, const char *path)
{
	char p[256], why[64];
	const char *v;
	size_t off;
	int i, n, rc;

	switch (config_setting_type(s)) {
	case CONFIG_TYPE_STRING:
		v = config_setting_get_string(s);
		if (sw_utf8_check(v, strlen(v), &off, why, sizeof(why)) == 0)
			return 0;
		return fail(c, s, path, "%s at offset %zu: strings are UTF-8 "
			    "without control characters", why, off);
	case CONFIG_TYPE_GROUP:
	case CONFIG_TYPE_LIST:
	case CONFIG_TYPE_ARRAY:
		n = config_setting_length(s);
		for (i = 0; i < n; i++) {
			const config_setting_t *e =
				config_setting_get_elem(s, (unsigned int)i);

			if (config_setting_type(s) == CONFIG_TYPE_GROUP)
				join(p, sizeof(p), path,
				     config_setting_name(e));
			else
				snprintf(p, sizeof(p), "%s[%d]", path, i);
			rc = check_strings(c, e, p);
			if (rc)
				return rc;
		}
		return 0;
	default:
		return 0;
	}
}
