/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The spillway authors
 *
 * ha: state sync with a peer (app/ha). Every setting is checked here,
 * so --check and a reload refuse a bad group with its line: the
 * addresses, and the key file, which must hold a secret nobody else
 * can read.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <sys/socket.h>
#include <sys/stat.h>

#include <rte_common.h>

#include "config_private.h"

#define H struct sw_ha_conf

/* The shortest key accepted: 128 bits, whatever its encoding. */
#define HA_KEY_MIN 16
#define HA_KEY_MAX 4096

static const char *const modes[] = { "active-standby", "active-active",
				     NULL };
static const char *const roles[] = { "active", "standby", NULL };

/* "ADDR:PORT" into the string, address and port fields given. */
static int
load_addr(struct ctx *c, const config_setting_t *s, const char *p,
	  char *text, size_t len, int *family, uint8_t *addr, uint16_t *port)
{
	int rc = want_type(c, s, p, CONFIG_TYPE_STRING);
	const char *v;

	if (rc)
		return rc;
	v = config_setting_get_string(s);
	if (strlen(v) >= len ||
	    sw_config_parse_listen(v, family, addr, port) != 0 || *port == 0)
		return fail(c, s, p, "'%s' is not ADDR:PORT (e.g. "
			    "198.51.100.1:7400, [2001:db8::1]:7400): the "
			    "sync link's address and a port", v);
	snprintf(text, len, "%s", v);
	return 0;
}

static int
load_local(struct ctx *c, const config_setting_t *s, const char *p,
	   void *base)
{
	H *h = base;

	return load_addr(c, s, p, h->local, sizeof(h->local), &h->family,
			 h->local_addr, &h->local_port);
}

static int
load_peer(struct ctx *c, const config_setting_t *s, const char *p,
	  void *base)
{
	H *h = base;
	int fam = 0, rc;

	rc = load_addr(c, s, p, h->peer, sizeof(h->peer), &fam, h->peer_addr,
		       &h->peer_port);
	if (rc == 0 && h->local[0] && fam != h->family)
		return fail(c, s, p, "'%s' is not of local's family (%s)",
			    h->peer, h->local);
	return rc;
}

/*
 * The key file: a regular file of HA_KEY_MIN to HA_KEY_MAX bytes (any
 * bytes: 64 hex characters from `openssl rand -hex 32` do), readable
 * by its owner only: anyone who reads it can forge flows into the
 * table.
 */
static int
load_key_file(struct ctx *c, const config_setting_t *s, const char *p,
	      void *base)
{
	H *h = base;
	struct stat st;
	const char *v;
	int rc = want_type(c, s, p, CONFIG_TYPE_STRING), fd;

	if (rc)
		return rc;
	v = config_setting_get_string(s);
	if (v[0] == '\0' || strlen(v) >= sizeof(h->key_file))
		return fail(c, s, p, "a file name of 1 to %zu characters",
			    sizeof(h->key_file) - 1);
	snprintf(h->key_file, sizeof(h->key_file), "%s", v);
	snprintf(h->key_path, sizeof(h->key_path), "%s%s",
		 v[0] == '/' ? "" : c->dir, v);
	fd = open(h->key_path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0)
		return fail(c, s, p, "%s: %s", h->key_path, strerror(errno));
	rc = fstat(fd, &st);
	close(fd);
	if (rc != 0 || !S_ISREG(st.st_mode))
		return fail(c, s, p, "%s is not a regular file", h->key_path);
	if (st.st_mode & 077)
		return fail(c, s, p, "%s is readable by %s (mode %04o): the "
			    "key must be its owner's only: chmod 600 %s",
			    h->key_path, (st.st_mode & 07) ? "others" :
			    "its group", (unsigned int)(st.st_mode & 07777),
			    h->key_path);
	if (st.st_size < HA_KEY_MIN || st.st_size > HA_KEY_MAX)
		return fail(c, s, p, "%s holds %lld bytes: a key is %d to %d "
			    "(e.g. openssl rand -hex 32 > FILE)", h->key_path,
			    (long long)st.st_size, HA_KEY_MIN, HA_KEY_MAX);
	return 0;
}

static const struct conf_key ha_keys[] = {
	CK_ENUM("mode", H, mode, modes),
	CK_ENUM("role", H, role, roles),
	CK_GROUP("local", load_local),
	CK_GROUP("peer", load_peer),
	CK_GROUP("key_file", load_key_file),
	CK_UINT("max_updates_per_s", H, max_updates_per_s, 0, 100000000),
};

int
load_ha(struct ctx *c, const config_setting_t *root, struct sw_config *cfg)
{
	const config_setting_t *g = config_setting_get_member(root, "ha");
	H *h = &cfg->ha;
	int rc;

	memset(h, 0, sizeof(*h));
	h->max_updates_per_s = 1000000;
	if (g == NULL)
		return 0;
	h->enabled = true;
	/* Unset: active-active forwards on both, a standby waits. */
	h->role = 0xff;
	rc = conf_load_keys(c, g, "ha", ha_keys, RTE_DIM(ha_keys), h);
	if (rc)
		return rc;
	if (h->role == 0xff)
		h->role = h->mode == SW_HA_ACTIVE_ACTIVE ? SW_HA_ROLE_ACTIVE :
			  SW_HA_ROLE_STANDBY;
	if (h->local[0] == '\0')
		return fail(c, g, "ha", "missing 'local' (this node's "
			    "ADDR:PORT on the sync link)");
	if (h->peer[0] == '\0')
		return fail(c, g, "ha", "missing 'peer' (the other node's "
			    "ADDR:PORT on the sync link)");
	if (h->key_file[0] == '\0')
		return fail(c, g, "ha", "missing 'key_file' (the shared "
			    "secret that authenticates every message)");
	if (h->local_port == h->peer_port &&
	    memcmp(h->local_addr, h->peer_addr, 16) == 0)
		return fail(c, config_setting_get_member(g, "peer"), "ha.peer",
			    "is this node's own address (ha.local)");
	if (!cfg->flowtable.enabled)
		return fail(c, g, "ha", "needs the flow table "
			    "(flowtable.enabled = true): there is no state "
			    "to sync without it");
	return 0;
}
