/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The spillway authors
 *
 * Private to the config loader (the files of app/conf): the walk's context, the
 * helpers every section uses, the table of a group's settings, and each
 * section's loader.
 */
#ifndef SW_CONFIG_PRIVATE_H
#define SW_CONFIG_PRIVATE_H

#include <stdbool.h>
#include <stddef.h>

#include <libconfig.h>

#include "config.h"

struct ctx {
	const char *file;
	char dir[256];		/* the config's directory, with a '/' */
	char *err;
	size_t errlen;
	size_t used;		/* bytes of err written */
	unsigned int nb_err;	/* errors found, shown or not */
	unsigned int shown;	/* of which err holds a line */
	bool full;		/* err has no room for another */
};

/*
 * Every error of a file is reported, not the first alone: the walk
 * goes on past a bad setting, rule or set (a section that depends on
 * one that failed may add an error of its own), and err gets a line
 * for each of the first SW_CONF_ERRORS.
 */
#define SW_CONF_ERRORS 20

/*
 * Add "FILE:LINE: path: ..." (s's) to c->err as a line of its own;
 * returns -EINVAL.
 */
int fail(struct ctx *c, const config_setting_t *s, const char *path,
	 const char *fmt, ...) __attribute__((format(printf, 4, 5)));

/* "parent.name" (or "name" at the top) into buf. */
void join(char *buf, size_t n, const char *parent, const char *name);

/* "an integer", "a string", ... for libconfig type t. */
const char *type_name(int t);

/* Every member of group g must be named in `known` (NULL-terminated). */
int check_keys(struct ctx *c, const config_setting_t *g, const char *path,
	       const char *const *known);

int want_type(struct ctx *c, const config_setting_t *s, const char *path,
	      int type);

/*
 * Optional member `name` of g of the given type: *s is NULL when it is
 * absent; a member of another type is an error. p gets its path.
 */
int typed_member(struct ctx *c, const config_setting_t *g, const char *gpath,
		 const char *name, int type, const config_setting_t **s,
		 char *p, size_t plen);

/* Optional integer member `name` of g in [lo, hi]; absent keeps *out. */
int get_int(struct ctx *c, const config_setting_t *g, const char *gpath,
	    const char *name, long long lo, long long hi, unsigned int *out);

/* Optional boolean member; absent keeps *out. */
int get_bool(struct ctx *c, const config_setting_t *g, const char *gpath,
	     const char *name, bool *out);

/* Optional string member; *out NULL when absent. */
int get_str(struct ctx *c, const config_setting_t *g, const char *gpath,
	    const char *name, const char **out, const config_setting_t **set);

/*
 * Every string under s (path: its name) must be UTF-8 without control
 * characters; the first that is not is the error.
 */
int check_strings(struct ctx *c, const config_setting_t *s, const char *path);

/*
 * A group's settings as a table (one line a setting: its name, its
 * type, where it goes, its range): conf_load_keys() refuses a member
 * the table does not name and loads every one it does, so a setting
 * exists in one declaration the loader and the key listing
 * (sw_config_keys) both walk.
 */
enum conf_type {
	CT_BOOL,	/* bool */
	CT_UINT,	/* integer in [lo, hi], stored in `size` bytes */
	CT_ENUM,	/* one of `words`, stored as its index (uint8_t) */
	CT_GROUP,	/* a group or list its own function loads */
};

struct conf_key;

/* Loads member s (path p) of a group into base; 0 or -errno. */
typedef int (*conf_fn)(struct ctx *c, const config_setting_t *s,
		       const char *p, void *base);

struct conf_key {
	const char *name;
	uint8_t type;		/* enum conf_type */
	uint8_t size;		/* CT_UINT: 1, 2 or 4 bytes */
	size_t off;		/* in the struct the loader fills */
	long long lo, hi;	/* CT_UINT */
	const char *const *words;	/* CT_ENUM, NULL-terminated */
	conf_fn fn;		/* CT_GROUP */
};

#define CK_BOOL(n, st, f) \
	{ .name = (n), .type = CT_BOOL, .off = offsetof(st, f) }
#define CK_UINT(n, st, f, l, h) \
	{ .name = (n), .type = CT_UINT, .size = sizeof(((st *)0)->f), \
	  .off = offsetof(st, f), .lo = (l), .hi = (h) }
#define CK_ENUM(n, st, f, w) \
	{ .name = (n), .type = CT_ENUM, .off = offsetof(st, f), .words = (w) }
#define CK_GROUP(n, fn_) \
	{ .name = (n), .type = CT_GROUP, .fn = (fn_) }

/*
 * Load group g (path gpath; NULL: absent, nothing to do) by its table
 * keys[nb] into base. Members the table does not name are refused.
 */
int conf_load_keys(struct ctx *c, const config_setting_t *g,
		   const char *gpath, const struct conf_key *keys,
		   size_t nb, void *base);

/* The sections, in the order the walk calls them. */
int load_sets(struct ctx *c, const config_setting_t *root,
	      struct sw_config *cfg);
int load_rules(struct ctx *c, const config_setting_t *root,
	       struct sw_config *cfg);
/* After rules and flowtable: what rules need of the flow table. */
int check_rules_need_table(struct ctx *c, const struct sw_config *cfg);
/* conf_derive.c: rules.fallback_from_policy, once the policy is read. */
int conf_derive_fallback(struct ctx *c, const config_setting_t *g,
			 struct sw_config *cfg);
/*
 * A rule's limit, meter and conn_limit (conf_limits.c); set: the list
 * it is in (a group: SW_ACL_GROUP(g)).
 */
int load_rule_limits(struct ctx *c, const config_setting_t *e, const char *p,
		     enum sw_acl_set set, struct sw_acl_rule *r);
int load_flowtable(struct ctx *c, const config_setting_t *root,
		   struct sw_config *cfg);
int load_fragments(struct ctx *c, const config_setting_t *root,
		   struct sw_config *cfg);
int load_control(struct ctx *c, const config_setting_t *root,
		 struct sw_config *cfg);
int load_stats(struct ctx *c, const config_setting_t *root,
	       struct sw_config *cfg);
int load_log(struct ctx *c, const config_setting_t *root,
	     struct sw_config *cfg);
int load_ha(struct ctx *c, const config_setting_t *root,
	    struct sw_config *cfg);

#endif /* SW_CONFIG_PRIVATE_H */
