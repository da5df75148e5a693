/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The spillway authors
 */
#ifndef SW_PREFIXFILE_H
#define SW_PREFIXFILE_H

/*
 * Prefix files: what a set's `file` holds and what `set save` writes.
 * One prefix per line ("192.0.2.0/24", "198.51.100.7",
 * "2001:db8::/32"); blank lines and everything after a '#' are
 * ignored. Errors name the file and the line.
 *
 * Thread-safety: any thread (reload builds sets off the control thread).
 */

#include <stddef.h>
#include <stdint.h>

#include "sw_acl.h"

/*
 * Append the prefixes of `path` to *v (a malloc'd array of *n, grown
 * as needed). family 4 or 6 refuses prefixes of the other family (0
 * takes both). *digest is mixed with the file's bytes (FNV-1a), so two
 * reads of an unchanged file give the same digest. Returns 0, or
 * -EINVAL with "FILE:LINE: ..." in err, or -errno.
 */
int sw_prefix_file_read(const char *path, uint8_t family,
			struct sw_acl_cidr **v, uint32_t *n, uint64_t *digest,
			char *err, size_t errlen);

/* Mix bytes into an FNV-1a digest. */
uint64_t sw_digest(uint64_t h, const void *p, size_t len);

#endif /* SW_PREFIXFILE_H */
