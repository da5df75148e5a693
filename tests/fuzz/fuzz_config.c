/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The spillway authors
 *
 * libFuzzer target: the config and rule parser on arbitrary text. A
 * refused file must come with an error message naming the file; an
 * accepted one must be internally consistent.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct sw_config cfg;
	char err[SW_ERR_MAX] = "";
	unsigned int i, k;
	FILE *f;
	int rc;

	if (size == 0)
		return 0;
	f = fmemopen((void *)(uintptr_t)data, size, "r");
	if (f == NULL)
		return 0;
	rc = sw_config_load_file(f, "fuzz.conf", &cfg, err, sizeof(err));
	fclose(f);
	if (rc != 0) {
		if (strncmp(err, "fuzz.conf", 9) != 0)
			abort();
		return 0;
	}
	if (cfg.nb_ports < 2 || cfg.nb_ports > SW_MAX_PORTS ||
	    cfg.nb_workers < 1 || cfg.burst < 1 || cfg.burst > 64)
		abort();
	for (i = 0; i < cfg.nb_ports; i++)
		if (cfg.ports[i].peer >= cfg.nb_ports ||
		    cfg.ports[cfg.ports[i].peer].peer != i)
			abort();
	for (k = 0; k < SW_ACL_NB_SETS; k++)
		for (i = 0; i < cfg.rules.nb[k]; i++) {
			const struct sw_acl_rule *r = &cfg.rules.rules[k][i];

			if (r->action < SW_ACL_ACCEPT ||
			    r->action > SW_ACL_GOTO ||
			    r->in_port >= (int)cfg.nb_ports ||
			    (r->src.family && r->dst.family &&
			     r->src.family != r->dst.family) ||
			    r->srcx.list + r->srcx.nb > cfg.rules.pool.n ||
			    r->dstx.list + r->dstx.nb > cfg.rules.pool.n)
				abort();
		}
	sw_config_free(&cfg);
	return 0;
}
