/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The spillway authors
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "prefixfile.h"

uint64_t
sw_digest(uint64_t h, const void *p, size_t len)
{
	const uint8_t *b = p;
	size_t i;

	for (i = 0; i < len; i++) {
		h ^= b[i];
		h *= 0x100000001b3ull;
	}
	return h;
}

static int
grow(struct sw_acl_cidr **v, uint32_t n, uint32_t *cap)
{
	uint32_t c;
	void *p;

	if (n < *cap)
		return 0;
	c = *cap ? *cap * 2 : 1024;
	p = realloc(*v, sizeof(**v) * c);
	if (p == NULL)
		return -ENOMEM;
	*v = p;
	*cap = c;
	return 0;
}

int
sw_prefix_file_read(const char *path, uint8_t family, struct sw_acl_cidr **v,
		    uint32_t *n, uint64_t *digest, char *err, size_t errlen)
{
	char line[256], why[160], *s, *e;
	uint32_t cap = *n, lineno = 0;
	struct sw_acl_cidr c;
	struct stat st;
	FILE *f;
	int fd, rc = 0;

	/*
	 * A FIFO or a device would block or never end: files only. Opened
	 * without blocking, or a FIFO with no writer would hold the reload
	 * thread (or the start, or the control thread's set load) in
	 * open() before the check below ever ran.
	 */
	fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0) {
		rc = -errno;
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return rc;
	}
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
		close(fd);
		snprintf(err, errlen, "%s: not a regular file", path);
		return -EINVAL;
	}
	f = fdopen(fd, "r");
	if (f == NULL) {
		rc = -errno;
		close(fd);
		snprintf(err, errlen, "%s: %s", path, strerror(-rc));
		return rc;
	}
	while (fgets(line, sizeof(line), f) != NULL) {
		lineno++;
		*digest = sw_digest(*digest, line, strlen(line));
		if (strchr(line, '\n') == NULL && !feof(f)) {
			snprintf(err, errlen, "%s:%u: line too long", path,
				 lineno);
			rc = -EINVAL;
			break;
		}
		e = strchr(line, '#');
		if (e != NULL)
			*e = '\0';
		for (s = line; *s == ' ' || *s == '\t'; s++)
			;
		e = s + strcspn(s, " \t\r\n");
		if (e[strspn(e, " \t\r\n")] != '\0') {
			snprintf(err, errlen, "%s:%u: one prefix a line", path,
				 lineno);
			rc = -EINVAL;
			break;
		}
		*e = '\0';
		if (*s == '\0')
			continue;
		if (sw_acl_parse_cidr(s, &c, why, sizeof(why)) != 0 ||
		    c.family == 0) {
			snprintf(err, errlen, "%s:%u: %s", path, lineno,
				 c.family == 0 && strcmp(s, "any") == 0 ?
				 "'any' is not a prefix" : why);
			rc = -EINVAL;
			break;
		}
		if (family != 0 && c.family != family) {
			snprintf(err, errlen, "%s:%u: '%s' is IPv%u, the set "
				 "holds IPv%u", path, lineno, s, c.family,
				 family);
			rc = -EINVAL;
			break;
		}
		if (grow(v, *n, &cap) != 0) {
			snprintf(err, errlen, "%s: out of memory", path);
			rc = -ENOMEM;
			break;
		}
		(*v)[(*n)++] = c;
	}
	if (rc == 0 && ferror(f)) {
		rc = -EIO;
		snprintf(err, errlen, "%s: read error", path);
	}
	fclose(f);
	return rc;
}
