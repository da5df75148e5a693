/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The spillway authors
 */
#include <errno.h>
#include <stdbool.h>
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

/* Room for one more element (and its timeout slot, when kept). */
static int
grow(struct sw_acl_cidr **v, uint32_t **t, uint32_t n, uint32_t *cap)
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
	if (t != NULL && *t != NULL) {
		p = realloc(*t, sizeof(**t) * c);
		if (p == NULL)
			return -ENOMEM;
		*t = p;
	}
	*cap = c;
	return 0;
}

long long
sw_decimal(const char *s, long long max)
{
	char *end;
	long long v;

	if (*s < '0' || *s > '9')
		return -1;
	errno = 0;
	v = strtoll(s, &end, 10);
	if (errno || *end != '\0' || v > max)
		return -1;
	return v;
}

int
sw_prefix_words(int argc, char **argv, struct sw_acl_cidr *c,
		uint32_t *timeout, char *err, size_t errlen)
{
	char why[160];
	long long t;

	*timeout = SW_PREFIX_NO_TIMEOUT;
	if (argc < 1)
		return -1;
	if (sw_acl_parse_cidr(argv[0], c, why, sizeof(why)) != 0 ||
	    c->family == 0) {
		snprintf(err, errlen, "'%.60s': %s", argv[0],
			 c->family == 0 && strcmp(argv[0], "any") == 0 ?
			 "'any' is not a prefix" : c->family == 0 ?
			 "not a prefix" : why);
		return -1;
	}
	if (argc < 2 || strcmp(argv[1], "timeout") != 0)
		return 1;
	t = argc > 2 ? sw_decimal(argv[2], SW_PREFIX_TIMEOUT_MAX) : -1;
	if (t < 0) {
		snprintf(err, errlen, "%s: timeout '%.20s' is not a number of "
			 "seconds (0 to %u)", argv[0], argc > 2 ? argv[2] : "",
			 SW_PREFIX_TIMEOUT_MAX);
		return -1;
	}
	*timeout = (uint32_t)t;
	return 3;
}

/*
 * A line's words, split on blanks; a double-quoted word (an ipset
 * comment) is one word. Returns the count, or -1 past max.
 */
static int
words(char *s, char **w, int max)
{
	int n = 0;

	for (;;) {
		while (*s == ' ' || *s == '\t' || *s == '\r' || *s == '\n')
			s++;
		if (*s == '\0')
			return n;
		if (n == max)
			return -1;
		if (*s == '"') {
			w[n++] = ++s;
			s += strcspn(s, "\"");
		} else {
			w[n++] = s;
			s += strcspn(s, " \t\r\n");
		}
		if (*s != '\0')
			*s++ = '\0';
	}
}

/* The state of one file's read: which ipset it holds, if any. */
struct pf_read {
	char set[32];		/* the ipset's name; "": none seen */
	char why[200];
};

/* An ipset name: the first names the file's set, another is refused. */
static int
ipset_name(struct pf_read *r, const char *name)
{
	if (r->set[0] == '\0') {
		snprintf(r->set, sizeof(r->set), "%s", name);
		return 0;
	}
	if (strcmp(r->set, name) == 0)
		return 0;
	snprintf(r->why, sizeof(r->why), "holds more than one ipset ('%.20s' "
		 "and '%.20s'): one file a set (ipset save NAME)", r->set,
		 name);
	return -1;
}

/* "create NAME TYPE ...": an address set's, or refused. */
static int
ipset_create(struct pf_read *r, int argc, char **argv)
{
	static const char *const types[] = {
		"hash:ip", "hash:net", "bitmap:ip", NULL
	};
	int i;

	if (argc < 3) {
		snprintf(r->why, sizeof(r->why), "create: a name and a type");
		return -1;
	}
	if (ipset_name(r, argv[1]))
		return -1;
	for (i = 0; types[i] != NULL; i++)
		if (strcmp(argv[2], types[i]) == 0)
			return 0;
	snprintf(r->why, sizeof(r->why), "ipset type %.30s: only address "
		 "sets (hash:ip, hash:net, bitmap:ip)", argv[2]);
	return -1;
}

/*
 * "add NAME PREFIX [timeout N] [packets N] [bytes N] [comment "..."]":
 * the words of the element (PREFIX [timeout N]) into argv[0..]; the
 * counters and comment are ignored, anything else refused.
 */
static int
ipset_add(struct pf_read *r, int argc, char **argv, int *eargc)
{
	int i;

	if (argc < 3) {
		snprintf(r->why, sizeof(r->why), "add: a name and an entry");
		return -1;
	}
	if (ipset_name(r, argv[1]))
		return -1;
	argv[1] = argv[2];
	*eargc = 1;
	for (i = 3; i < argc; i += 2) {
		bool timeout = strcmp(argv[i], "timeout") == 0;

		if (!timeout && strcmp(argv[i], "packets") != 0 &&
		    strcmp(argv[i], "bytes") != 0 &&
		    strcmp(argv[i], "comment") != 0 &&
		    strcmp(argv[i], "skbmark") != 0 &&
		    strcmp(argv[i], "skbprio") != 0 &&
		    strcmp(argv[i], "skbqueue") != 0) {
			snprintf(r->why, sizeof(r->why), "add: option '%.20s' "
				 "is not supported (%s)", argv[i],
				 strcmp(argv[i], "nomatch") == 0 ?
				 "exceptions: write the rule's negation" :
				 "timeout, packets, bytes and comment are");
			return -1;
		}
		if (i + 1 >= argc) {
			snprintf(r->why, sizeof(r->why), "add: '%.20s' needs a "
				 "value", argv[i]);
			return -1;
		}
		if (timeout) {
			argv[1 + (*eargc)++] = argv[i];
			argv[1 + (*eargc)++] = argv[i + 1];
		}
	}
	/* The element's words start at argv[1]. */
	return 0;
}

/*
 * One line (comment cut): its element into *c and *t. Returns 1 for
 * an element, 0 for none, -1 with r->why.
 */
static int
parse_line(struct pf_read *r, char *line, struct sw_acl_cidr *c,
	   uint32_t *t)
{
	char *w[24], **el = w;
	int n = words(line, w, 24), en;

	if (n < 0) {
		snprintf(r->why, sizeof(r->why), "too many words");
		return -1;
	}
	if (n == 0)
		return 0;
	en = n;
	if (strcmp(w[0], "create") == 0)
		return ipset_create(r, n, w) ? -1 : 0;
	if (strcmp(w[0], "add") == 0) {
		if (ipset_add(r, n, w, &en))
			return -1;
		el = w + 1;
	}
	if (sw_prefix_words(en, el, c, t, r->why, sizeof(r->why)) != en) {
		if (r->why[0] == '\0')
			snprintf(r->why, sizeof(r->why), "one prefix a line "
				 "(and its timeout: PREFIX timeout SECONDS)");
		return -1;
	}
	return 1;
}

int
sw_prefix_file_read(const char *path, uint8_t family, struct sw_acl_cidr **v,
		    uint32_t **timeouts, uint32_t *n, uint64_t *digest,
		    char *err, size_t errlen)
{
	char line[512], *e;
	uint32_t cap = *n, lineno = 0, t;
	struct pf_read r;
	struct sw_acl_cidr c;
	struct stat st;
	FILE *f;
	int fd, rc = 0, k;

	memset(&r, 0, sizeof(r));
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
		r.why[0] = '\0';
		k = parse_line(&r, line, &c, &t);
		if (k < 0) {
			snprintf(err, errlen, "%s:%u: %s", path, lineno, r.why);
			rc = -EINVAL;
			break;
		}
		if (k == 0)
			continue;
		if (family != 0 && c.family != family) {
			char a[64];

			sw_acl_cidr_format(&c, a, sizeof(a));
			snprintf(err, errlen, "%s:%u: '%s' is IPv%u, the set "
				 "holds IPv%u", path, lineno, a, c.family,
				 family);
			rc = -EINVAL;
			break;
		}
		if (t != SW_PREFIX_NO_TIMEOUT && timeouts == NULL) {
			snprintf(err, errlen, "%s:%u: a timeout, but the set "
				 "has none (give it one: sets.NAME.timeout)",
				 path, lineno);
			rc = -EINVAL;
			break;
		}
		if (grow(v, timeouts, *n, &cap) != 0)
			goto oom;
		if (t != SW_PREFIX_NO_TIMEOUT && *timeouts == NULL) {
			uint32_t i;

			*timeouts = malloc(sizeof(**timeouts) * cap);
			if (*timeouts == NULL)
				goto oom;
			for (i = 0; i < *n; i++)
				(*timeouts)[i] = SW_PREFIX_NO_TIMEOUT;
		}
		if (timeouts != NULL && *timeouts != NULL)
			(*timeouts)[*n] = t;
		(*v)[(*n)++] = c;
	}
	if (rc == 0 && ferror(f)) {
		rc = -EIO;
		snprintf(err, errlen, "%s: read error", path);
	}
	fclose(f);
	return rc;
oom:
	snprintf(err, errlen, "%s: out of memory", path);
	fclose(f);
	return -ENOMEM;
}
