/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The spillway authors
 *
 * sets: named prefix sets, their elements and files.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "prefixfile.h"
#include "config_private.h"

static int
parse_family(const char *v, uint8_t *f)
{
	if (strcmp(v, "ipv4") == 0)
		*f = 4;
	else if (strcmp(v, "ipv6") == 0)
		*f = 6;
	else if (strcmp(v, "any") == 0)
		*f = 0;
	else
		return -EINVAL;
	return 0;
}

/*
 * What the file is before it is read: a later stat that differs says
 * it changed since (show sets). A failure here is the read's to report.
 */
static int
file_stat(struct sw_set_conf *sc)
{
	struct stat st;

	if (stat(sc->path, &st) != 0)
		return 0;
	sc->file_size = (uint64_t)st.st_size;
	sc->file_ino = (uint64_t)st.st_ino;
	sc->file_mtime_ns = (int64_t)st.st_mtim.tv_sec * 1000000000 +
			    st.st_mtim.tv_nsec;
	return 0;
}

/* sets.NAME.elements: prefixes of the set's family, in order. */
static int
load_elements(struct ctx *c, const config_setting_t *e, const char *p,
	      struct sw_set_conf *sc)
{
	const config_setting_t *s_el;
	char q[160], why[SW_ERR_MAX];
	uint32_t cap = 0;
	int i, n, rc;

	rc = typed_member(c, e, p, "elements", CONFIG_TYPE_LIST, &s_el, q,
			  sizeof(q));
	if (rc)
		return rc;
	n = s_el ? config_setting_length(s_el) : 0;
	for (i = 0; i < n; i++) {
		const config_setting_t *el =
			config_setting_get_elem(s_el, (unsigned int)i);
		const char *t = config_setting_get_string(el);
		struct sw_acl_cidr cidr;

		snprintf(q, sizeof(q), "%s.elements[%d]", p, i);
		if (t == NULL)
			return fail(c, el, q, "expected a prefix string");
		if (sw_acl_parse_cidr(t, &cidr, why, sizeof(why)))
			return fail(c, el, q, "%s", why);
		if (cidr.family == 0 ||
		    (sc->family && cidr.family != sc->family))
			return fail(c, el, q, "'%s' is not an IPv%u prefix", t,
				    sc->family ? sc->family : 4);
		if (sc->nb_prefixes == cap) {
			void *np;

			cap = cap ? 2 * cap : 64;
			np = realloc(sc->prefixes, sizeof(cidr) * cap);
			if (np == NULL)
				return -ENOMEM;
			sc->prefixes = np;
		}
		sc->prefixes[sc->nb_prefixes++] = cidr;
		sc->content = sw_digest(sc->content, &cidr, sizeof(cidr));
	}
	return 0;
}

/* One set: definition, elements and file, read now. */
static int
load_set(struct ctx *c, const config_setting_t *e, struct sw_set_conf *sc)
{
	static const char *const keys[] = {
		"family", "file", "elements", "max", "max_nets", "timeout",
		NULL
	};
	const config_setting_t *s_fam, *s_file, *s_to;
	const char *fam = NULL, *file = NULL;
	char p[128], q[160], why[SW_ERR_MAX];
	bool max_given, nets_given;
	int i, n, rc;

	snprintf(p, sizeof(p), "sets.%s", config_setting_name(e));
	rc = want_type(c, e, p, CONFIG_TYPE_GROUP);
	if (rc == 0)
		rc = check_keys(c, e, p, keys);
	if (rc == 0)
		rc = get_str(c, e, p, "family", &fam, &s_fam);
	if (rc == 0)
		rc = get_str(c, e, p, "file", &file, &s_file);
	if (rc)
		return rc;
	if (strlen(config_setting_name(e)) >= SW_SET_NAME_MAX)
		return fail(c, e, p, "name longer than %d characters",
			    SW_SET_NAME_MAX - 1);
	snprintf(sc->name, sizeof(sc->name), "%s", config_setting_name(e));
	sc->line = (uint32_t)config_setting_source_line(e);
	sc->family = 4;
	if (fam != NULL && parse_family(fam, &sc->family)) {
		join(q, sizeof(q), p, "family");
		return fail(c, s_fam, q, "'%s' is not ipv4, ipv6 or any", fam);
	}
	rc = get_int(c, e, p, "max", 1, 64u << 20, &sc->max);
	if (rc == 0)
		rc = get_int(c, e, p, "max_nets", 1, 64u << 20, &sc->max_nets);
	if (rc == 0)
		rc = get_int(c, e, p, "timeout", 0, SW_PREFIX_TIMEOUT_MAX,
			     &sc->timeout);
	if (rc)
		return rc;
	/* A timeout, even 0, makes a set whose elements may carry one. */
	s_to = config_setting_get_member(e, "timeout");
	sc->timeouts = s_to != NULL;
	sc->digest = sw_digest(0xcbf29ce484222325ull, &sc->family, 1);
	sc->digest = sw_digest(sc->digest, &sc->max, sizeof(sc->max));
	sc->digest = sw_digest(sc->digest, &sc->max_nets,
			       sizeof(sc->max_nets));
	sc->digest = sw_digest(sc->digest, &sc->timeouts,
			       sizeof(sc->timeouts));
	sc->digest = sw_digest(sc->digest, &sc->timeout, sizeof(sc->timeout));
	sc->content = 0xcbf29ce484222325ull;
	max_given = sc->max != 0;
	nets_given = sc->max_nets != 0;
	rc = load_elements(c, e, p, sc);
	if (rc)
		return rc;
	if (file != NULL) {
		join(q, sizeof(q), p, "file");
		if (strlen(file) >= sizeof(sc->file) || file[0] == '\0')
			return fail(c, s_file, q, "bad path");
		snprintf(sc->file, sizeof(sc->file), "%s", file);
		snprintf(sc->path, sizeof(sc->path), "%s%s",
			 file[0] == '/' ? "" : c->dir, file);
		sc->content = sw_digest(sc->content, sc->path,
					strlen(sc->path));
		rc = file_stat(sc);
		if (rc == 0)
			rc = sw_prefix_file_read(sc->path, sc->family,
						 &sc->prefixes, sc->timeouts ?
						 &sc->timeouts_of : NULL,
						 &sc->nb_prefixes, &sc->content,
						 why, sizeof(why));
		if (rc == -ENOMEM)
			return rc;
		if (rc)
			return fail(c, s_file, q, "%s", why);
	}
	sc->digest = sw_digest(sc->digest, &sc->content, sizeof(sc->content));
	/*
	 * Sized at start: by default with room for twice what the set
	 * holds now (at least 4,096 prefixes, 1,024 of them networks).
	 */
	for (i = 0, n = 0; i < (int)sc->nb_prefixes; i++)
		n += sc->prefixes[i].plen != (sc->prefixes[i].family == 4 ?
					      32 : 128);
	if (!max_given)
		sc->max = sc->nb_prefixes > 2048 ? 2 * sc->nb_prefixes : 4096;
	if (!nets_given)
		sc->max_nets = n > 512 ? 2 * (uint32_t)n : 1024;
	if (sc->max_nets > sc->max)
		sc->max_nets = sc->max;
	if (sc->nb_prefixes > sc->max * (sc->family ? 1u : 2u))
		return fail(c, e, p, "%u prefixes, max is %u", sc->nb_prefixes,
			    sc->max);
	return 0;
}

int
load_sets(struct ctx *c, const config_setting_t *root, struct sw_config *cfg)
{
	const config_setting_t *g = config_setting_get_member(root, "sets");
	int i, n, rc, bad = 0;

	if (g == NULL)
		return 0;
	rc = want_type(c, g, "sets", CONFIG_TYPE_GROUP);
	if (rc)
		return rc;
	n = config_setting_length(g);
	if (n > SW_ACL_MAX_SETS)
		return fail(c, g, "sets", "%d sets, at most %d", n,
			    SW_ACL_MAX_SETS);
	/* Each set on its own: one bad set hides no other's error. */
	for (i = 0; i < n; i++) {
		rc = load_set(c, config_setting_get_elem(g, (unsigned int)i),
			      &cfg->sets[i]);
		cfg->nb_sets = (unsigned int)i + 1;
		if (rc == -ENOMEM)
			return rc;
		bad = bad ? bad : rc;
	}
	return bad;
}
