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

#include <limits.h>
#include <stddef.h>
#include <sys/types.h>

/* Returns 0 or -errno. */
int sw_file_replace(const char *path, const void *data, size_t len,
		    mode_t mode);

/*
 * The same, written in pieces (a file too big to hold in memory whole):
 * sw_afile_open, sw_afile_write as often as needed, then sw_afile_commit
 * (fsync, rename: the file is replaced) or sw_afile_abort (the target is
 * untouched). A failed write is remembered: the commit then fails with
 * it and removes the temporary file. Each returns 0 or -errno.
 */
struct sw_afile {
	int dfd;		/* the target's directory */
	int fd;			/* the temporary file */
	int err;		/* the first error, -errno */
	char base[NAME_MAX + 1];	/* the target's name in dfd */
	char tmp[NAME_MAX + 1];		/* the temporary file's */
};

int sw_afile_open(struct sw_afile *f, const char *path, mode_t mode);
int sw_afile_write(struct sw_afile *f, const void *data, size_t len);
int sw_afile_commit(struct sw_afile *f);
void sw_afile_abort(struct sw_afile *f);

#endif /* SW_ATOMICFILE_H */
