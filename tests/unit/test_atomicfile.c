/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The spillway authors
 *
 * sw_file_replace, the stats file's writer, and sw_afile_*, the state
 * file's.
 *
 * Regression: "stats file clobbers any file through a planted symlink":
 * the file was written as root to the fixed name FILE.tmp with
 * O_CREAT|O_TRUNC, so a symlink planted there truncated and overwrote
 * its target. Fixed by "main: write the stats file with mkstemp, fsync,
 * rename".
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include "atomicfile.h"

static char dir[64];

static int
setup(void **state)
{
	(void)state;
	snprintf(dir, sizeof(dir), "/tmp/sw-test-atomic-XXXXXX");
	return mkdtemp(dir) == NULL;
}

static int
teardown(void **state)
{
	char cmd[128];

	(void)state;
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	return system(cmd);
}

static void
path(char *buf, const char *name)
{
	snprintf(buf, PATH_MAX, "%s/%s", dir, name);
}

static void
put(const char *p, const char *text)
{
	FILE *f = fopen(p, "w");

	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

static void
expect(const char *p, const char *text)
{
	char buf[256] = { 0 };
	FILE *f = fopen(p, "r");

	assert_non_null(f);
	assert_true(fread(buf, 1, sizeof(buf) - 1, f) < sizeof(buf));
	fclose(f);
	assert_string_equal(buf, text);
}

/* Entries in the directory: no temporary file is ever left behind. */
static int
entries(const char *d)
{
	DIR *dp = opendir(d);
	struct dirent *e;
	int n = 0;

	assert_non_null(dp);
	while ((e = readdir(dp)) != NULL)
		n += e->d_name[0] != '.' || (e->d_name[1] != '\0' &&
		     strcmp(e->d_name, "..") != 0);
	closedir(dp);
	return n;
}

static void
test_atomic_writes_whole_file_0644(void **state)
{
	char p[PATH_MAX];
	struct stat st;

	(void)state;
	path(p, "stats.json");
	assert_int_equal(sw_file_replace(p, "{\"a\":1}\n", 8, 0644), 0);
	expect(p, "{\"a\":1}\n");
	assert_int_equal(sw_file_replace(p, "{}\n", 3, 0644), 0);
	expect(p, "{}\n");
	assert_int_equal(stat(p, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0644);
	assert_int_equal(entries(dir), 1);
}

static void
test_atomic_planted_symlinks_not_followed(void **state)
{
	char p[PATH_MAX], tmp[PATH_MAX], victim[PATH_MAX];
	struct stat st;

	(void)state;
	path(p, "stats.json");
	path(tmp, "stats.json.tmp");
	path(victim, "victim");
	put(victim, "precious\n");
	/* The old fixed temporary name, and the target itself. */
	assert_int_equal(symlink(victim, tmp), 0);
	assert_int_equal(sw_file_replace(p, "{}\n", 3, 0644), 0);
	expect(victim, "precious\n");
	expect(p, "{}\n");
	unlink(p);
	assert_int_equal(symlink(victim, p), 0);
	assert_int_equal(sw_file_replace(p, "{}\n", 3, 0644), 0);
	expect(victim, "precious\n");
	/* The symlink itself was replaced by the file. */
	assert_int_equal(lstat(p, &st), 0);
	assert_true(S_ISREG(st.st_mode));
}

static void
test_atomic_directory_symlink_refused(void **state)
{
	char real[PATH_MAX], link[PATH_MAX], p[PATH_MAX + 16];
	int rc;

	(void)state;
	path(real, "real");
	path(link, "link");
	assert_int_equal(mkdir(real, 0755), 0);
	assert_int_equal(symlink(real, link), 0);
	snprintf(p, sizeof(p), "%s/stats.json", link);
	/* O_DIRECTORY | O_NOFOLLOW on a symlink: ENOTDIR (or ELOOP). */
	rc = sw_file_replace(p, "{}\n", 3, 0644);
	assert_true(rc == -ENOTDIR || rc == -ELOOP);
	assert_int_equal(entries(real), 0);
}

static void
test_atomic_makes_missing_directory_0755(void **state)
{
	char d[PATH_MAX], p[PATH_MAX + 16];
	struct stat st;
	mode_t old = umask(022);

	(void)state;
	path(d, "run");
	snprintf(p, sizeof(p), "%s/stats.json", d);
	assert_int_equal(sw_file_replace(p, "x", 1, 0644), 0);
	umask(old);
	assert_int_equal(stat(d, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0755);
	expect(p, "x");
	assert_int_equal(sw_file_replace("/nonexistent-sw/a/b", "x", 1,
					 0644), -ENOENT);
}

/*
 * The streaming writer (the state file's): pieces make one file, an
 * abort or a failed write leaves the old one whole and no temporary
 * file behind.
 */
static void
test_atomic_pieces_commit_or_abort(void **state)
{
	struct sw_afile f;
	char p[PATH_MAX];
	struct stat st;
	int n;

	(void)state;
	path(p, "flows.state");
	put(p, "old");
	n = entries(dir);
	assert_int_equal(sw_afile_open(&f, p, 0600), 0);
	assert_int_equal(sw_afile_write(&f, "ne", 2), 0);
	assert_int_equal(sw_afile_write(&f, "w", 1), 0);
	expect(p, "old");		/* nothing shows before the commit */
	assert_int_equal(sw_afile_commit(&f), 0);
	expect(p, "new");
	assert_int_equal(stat(p, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0600);
	assert_int_equal(sw_afile_open(&f, p, 0600), 0);
	assert_int_equal(sw_afile_write(&f, "half", 4), 0);
	sw_afile_abort(&f);
	expect(p, "new");
	assert_int_equal(entries(dir), n);
	/* A write that fails is remembered: the commit fails, nothing moves. */
	assert_int_equal(sw_afile_open(&f, p, 0600), 0);
	close(f.fd);
	f.fd = open("/dev/null", O_RDONLY);
	assert_true(sw_afile_write(&f, "x", 1) < 0);
	assert_true(sw_afile_commit(&f) < 0);
	expect(p, "new");
	assert_int_equal(entries(dir), n);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_atomic_writes_whole_file_0644),
		cmocka_unit_test(test_atomic_planted_symlinks_not_followed),
		cmocka_unit_test(test_atomic_directory_symlink_refused),
		cmocka_unit_test(test_atomic_makes_missing_directory_0755),
		cmocka_unit_test(test_atomic_pieces_commit_or_abort),
	};

	return cmocka_run_group_tests_name("atomicfile", tests, setup,
					   teardown);
}
