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
sw_file_replace(const char *path, const void *data, size_t len, mode_t mode)
{
	char dir[PATH_MAX], tmpl[PATH_MAX];
	const char *base, *tmpbase;
	const char *p = data;
	int dfd, fd, rc = 0;
	ssize_t n;

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
	dfd = open_dir(dir);
	if (dfd < 0)
		return -errno;
	/*
	 * mkstemp in that very directory, reached through its descriptor:
	 * an unguessable name made with O_EXCL (a planted symlink is never
	 * followed), and a symlink swapped in for the directory afterwards
	 * changes nothing.
	 */
	if (snprintf(tmpl, sizeof(tmpl), "/proc/self/fd/%d/.%s.XXXXXX", dfd,
		     base) >= (int)sizeof(tmpl)) {
		close(dfd);
		return -ENAMETOOLONG;
	}
	fd = mkostemp(tmpl, O_CLOEXEC);
	if (fd < 0) {
		rc = -errno;
		close(dfd);
		return rc;
	}
	tmpbase = strrchr(tmpl, '/') + 1;
	if (fchmod(fd, mode) < 0)
		rc = -errno;
	while (rc == 0 && len > 0) {
		n = write(fd, p, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			rc = n < 0 ? -errno : -EIO;
			break;
		}
		p += n;
		len -= (size_t)n;
	}
	if (rc == 0 && fsync(fd) < 0)
		rc = -errno;
	if (close(fd) < 0 && rc == 0)
		rc = -errno;
	/* rename replaces a symlink at the name; it never follows it. */
	if (rc == 0 && renameat(dfd, tmpbase, dfd, base) < 0)
		rc = -errno;
	if (rc != 0)
		unlinkat(dfd, tmpbase, 0);
	else
		fsync(dfd);
	close(dfd);
	return rc;
}
