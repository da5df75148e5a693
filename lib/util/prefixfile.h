/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The spillway authors
 */
#ifndef SW_PREFIXFILE_H
#define SW_PREFIXFILE_H

/*
 * Prefix files: what a set's `file` holds, what `set load` reads and
 * what `set save` writes. A line holds one element, in either form:
 *
 *   192.0.2.0/24                 a prefix ("198.51.100.7" is a /32,
 *   2001:db8::/32 timeout 600    "2001:db8::1" a /128), optionally
 *                                with its timeout in seconds
 *   create feed hash:net family inet hashsize 1024 maxelem 65536
 *   add feed 192.0.2.0/24 timeout 600 packets 3 bytes 180
 *                                `ipset save` output, as it comes: the
 *                                create line is checked for an address
 *                                type and otherwise ignored; add lines
 *                                give the prefix and its timeout
 *                                (counters and comments are ignored)
 *
 * Blank lines and everything after a '#' are ignored. One file is one
 * set: `ipset save` of several sets is refused (save one: ipset save
 * NAME). Errors name the file and the line.
 *
 * Thread-safety: any thread (reload builds sets off the control thread).
 */

#include <stddef.h>
#include <stdint.h>

#include "sw_acl.h"

/* A timeout slot of an element that gave none: the set's default. */
#define SW_PREFIX_NO_TIMEOUT UINT32_MAX
/* The longest timeout a line may give (ipset's: 2147483 s). */
#define SW_PREFIX_TIMEOUT_MAX 2147483u

/*
 * Append the elements of `path` to *v (a malloc'd array of *n, grown
 * as needed). family 4 or 6 refuses prefixes of the other family (0
 * takes both). timeouts: NULL refuses a line that gives a timeout
 * (the set has none); else *timeouts is kept parallel to *v (made when
 * the first timeout is read; SW_PREFIX_NO_TIMEOUT where a line gave
 * none). *digest is mixed with the file's bytes (FNV-1a), so two reads
 * of an unchanged file give the same digest. Returns 0, or -EINVAL
 * with "FILE:LINE: ..." in err, or -errno.
 */
int sw_prefix_file_read(const char *path, uint8_t family,
			struct sw_acl_cidr **v, uint32_t **timeouts,
			uint32_t *n, uint64_t *digest, char *err,
			size_t errlen);

/*
 * One element as words: a prefix, then optionally "timeout" SECONDS
 * (argv[1], argv[2]). Returns how many words it took (1 or 3), or -1
 * with why in err. *timeout is SW_PREFIX_NO_TIMEOUT when none is given.
 */
int sw_prefix_words(int argc, char **argv, struct sw_acl_cidr *c,
		    uint32_t *timeout, char *err, size_t errlen);

/* Mix bytes into an FNV-1a digest. */
uint64_t sw_digest(uint64_t h, const void *p, size_t len);

/*
 * A decimal word of digits only, 0 to max (a count, seconds), or -1:
 * no sign, no space, no suffix, nothing past max.
 */
long long sw_decimal(const char *s, long long max);

#endif /* SW_PREFIXFILE_H */
