/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The spillway authors
 *
 * The config loader tests' fixture: a scratch file per test, loaded
 * with sw_config_load, and the check that an error names its file, line
 * and setting. Included by test_config.c and test_config_rules.c.
 */
#ifndef SW_TEST_CONFIG_H
#define SW_TEST_CONFIG_H

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config.h"

struct fx {
	char path[64];
	struct sw_config cfg;
	char err[SW_CONF_ERR_MAX];
};

static int
setup(void **state)
{
	struct fx *fx = calloc(1, sizeof(*fx));
	int fd;

	snprintf(fx->path, sizeof(fx->path), "/tmp/sw-test-config-XXXXXX");
	fd = mkstemp(fx->path);
	if (fd < 0)
		return -1;
	close(fd);
	*state = fx;
	return 0;
}

static int
teardown(void **state)
{
	struct fx *fx = *state;

	sw_config_free(&fx->cfg);
	unlink(fx->path);
	free(fx);
	return 0;
}

static int
load(struct fx *fx, const char *text)
{
	FILE *f = fopen(fx->path, "w");

	assert_non_null(f);
	fputs(text, f);
	fclose(f);
	sw_config_free(&fx->cfg);
	fx->err[0] = '\0';
	return sw_config_load(fx->path, &fx->cfg, fx->err, sizeof(fx->err));
}

/* The error must read "PATH:LINE: SETTING: ..." and mention `what`. */
static void
expect_error(struct fx *fx, const char *text, int line, const char *setting,
	     const char *what)
{
	char head[256];

	assert_int_equal(load(fx, text), -EINVAL);
	snprintf(head, sizeof(head), "%s:%d: %s: ", fx->path, line, setting);
	if (strncmp(fx->err, head, strlen(head)) != 0 ||
	    strstr(fx->err, what) == NULL)
		fail_msg("error '%s', expected '%s...%s'", fx->err, head,
			 what);
}

#endif /* SW_TEST_CONFIG_H */
