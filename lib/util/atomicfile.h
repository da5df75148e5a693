/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The spillway authors
 */
#ifndef SW_ATOMICFILE_H
#define SW_ATOMICFILE_H

/*
 * Replace a file whole, so that readers see the old or the new content,
 * never half of it, and nobody who can write to its directory can turn
 * the write against another file: the data goes to a temporary file
 * made by mkstemp (O_EXCL, unguessable name) in the target's directory,
 * opened O_NOFOLLOW; it is fsync'ed, then renamed over the target
 * (which replaces a symlink there rather than following it). The
 * directory (the last component only) is made 0755 if missing.
 *
 * Thread-safety: any thread; control thread in spillway (it blocks).
 */

#include <stddef.h>
#include <sys/types.h>

/* Returns 0 or -errno. */
int sw_file_replace(const char *path, const void *data, size_t len,
		    mode_t mode);

#endif /* SW_ATOMICFILE_H */
