/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The spillway authors
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "atomicfile.h"

/* Open the directory itself, never a symlink standing in for it. */
static int
open_dir(const char *dir)
{
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);

	if (fd < 0 && errno == ENOENT) {
		if (mkdir(dir, 0755) < 0 && errno != EEXIST)
			return -1;
		fd = open(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW |
			  O_CLOEXEC);
	}
	return fd;
}

int
sw_afile_open(struct sw_afile *f, const char *path, mode_t mode)
{
	char dir[PATH_MAX], tmpl[PATH_MAX];
	const char *base;
	int rc;

	memset(f, 0, sizeof(*f));
	f->dfd = -1;
	f->fd = -1;
	base = strrchr(path, '/');
	if (base == NULL)
		snprintf(dir, sizeof(dir), ".");
	else if (base == path)
		snprintf(dir, sizeof(dir), "/");
	else
		snprintf(dir, sizeof(dir), "%.*s", (int)(base - path), path);
	base = base == NULL ? path : base + 1;
	if (*base == '\0')
		return -EISDIR;
	if (strlen(base) + 8 > NAME_MAX)
		return -ENAMETOOLONG;
	snprintf(f->base, sizeof(f->base), "%s", base);
	f->dfd = open_dir(dir);
	if (f->dfd < 0)
		return -errno;
	/*
	 * mkstemp in that very directory, reached through its descriptor:
	 * an unguessable name made with O_EXCL (a planted symlink is never
	 * followed), and a symlink swapped in for the directory afterwards
	 * changes nothing.
	 */
	if (snprintf(tmpl, sizeof(tmpl), "/proc/self/fd/%d/.%s.XXXXXX",
		     f->dfd, base) >= (int)sizeof(tmpl)) {
		close(f->dfd);
		return -ENAMETOOLONG;
	}
	f->fd = mkostemp(tmpl, O_CLOEXEC);
	if (f->fd < 0) {
		rc = -errno;
		close(f->dfd);
		return rc;
	}
	snprintf(f->tmp, sizeof(f->tmp), "%s", strrchr(tmpl, '/') + 1);
	if (fchmod(f->fd, mode) < 0)
		f->err = -errno;
	return 0;
}

int
sw_afile_write(struct sw_afile *f, const void *data, size_t len)
{
	const char *p = data;
	ssize_t n;

	while (f->err == 0 && len > 0) {
		n = write(f->fd, p, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			f->err = n < 0 ? -errno : -EIO;
			break;
		}
		p += n;
		len -= (size_t)n;
	}
	return f->err;
}

void
sw_afile_abort(struct sw_afile *f)
{
	if (f->fd >= 0)
		close(f->fd);
	if (f->dfd >= 0) {
		unlinkat(f->dfd, f->tmp, 0);
		close(f->dfd);
	}
	f->fd = -1;
	f->dfd = -1;
}

int
sw_afile_commit(struct sw_afile *f)
{
	int rc = f->err;

	if (rc == 0 && fsync(f->fd) < 0)
		rc = -errno;
	if (close(f->fd) < 0 && rc == 0)
		rc = -errno;
	f->fd = -1;
	/* rename replaces a symlink at the name; it never follows it. */
	if (rc == 0 && renameat(f->dfd, f->tmp, f->dfd, f->base) < 0)
		rc = -errno;
	if (rc != 0)
		unlinkat(f->dfd, f->tmp, 0);
	else
		fsync(f->dfd);
	close(f->dfd);
	f->dfd = -1;
	return rc;
}

int
sw_file_replace(const char *path, const void *data, size_t len, mode_t mode)
{
	struct sw_afile f;
	int rc = sw_afile_open(&f, path, mode);

	if (rc)
		return rc;
	sw_afile_write(&f, data, len);
	return sw_afile_commit(&f);
}
