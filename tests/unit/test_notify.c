/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The spillway authors
 *
 * systemd readiness and watchdog (app/control/notify.c), against a
 * fake NOTIFY_SOCKET (a unix datagram socket this test reads) and an
 * app of two workers whose poll loop counters the test moves by hand:
 * READY=1 with a STATUS=, WATCHDOG=1 only while every worker has moved
 * since the last ping, RELOADING=1 and READY=1 around a reload.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>
#include <cmocka.h>

#include "app.h"
#include "notify.h"
#include "worker.h"

static struct sw_app app;
static char dir[64], path[96];
static int fd = -1;

/* The next message on the fake socket, or "" when none is waiting. */
static const char *
next_msg(void)
{
	static char buf[512];
	ssize_t n = recv(fd, buf, sizeof(buf) - 1, MSG_DONTWAIT);

	buf[n > 0 ? n : 0] = '\0';
	return buf;
}

static void
move(unsigned int w)
{
	app.workers[w]->loops += 3;
}

static int
setup(void **state)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	unsigned int i;

	(void)state;
	snprintf(dir, sizeof(dir), "/tmp/sw-notify-XXXXXX");
	if (mkdtemp(dir) == NULL)
		return -1;
	snprintf(path, sizeof(path), "%s/notify", dir);
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", path);
	fd = socket(AF_UNIX, SOCK_DGRAM, 0);
	if (fd < 0 || bind(fd, (struct sockaddr *)&sa, sizeof(sa)) != 0)
		return -1;
	setenv("NOTIFY_SOCKET", path, 1);
	setenv("WATCHDOG_USEC", "200000", 1);	/* a ping every 0.1 s */
	unsetenv("WATCHDOG_PID");
	app.cfg.nb_workers = 2;
	app.cfg.nb_ports = 2;
	for (i = 0; i < 2; i++) {
		app.workers[i] = aligned_alloc(64, sizeof(struct sw_worker));
		if (app.workers[i] == NULL)
			return -1;
		memset(app.workers[i], 0, sizeof(struct sw_worker));
	}
	return 0;
}

static int
teardown(void **state)
{
	(void)state;
	free(app.workers[0]);
	free(app.workers[1]);
	close(fd);
	unlink(path);
	rmdir(dir);
	return 0;
}

/* The decision alone, a row per case. */
static void
test_notify_progress_table(void **state)
{
	static const struct {
		uint64_t last[3], now[3];
		bool fed;
		unsigned int stuck;
	} rows[] = {
		{ { 0, 0, 0 }, { 1, 1, 1 }, true, 0 },
		{ { 5, 5, 5 }, { 6, 5, 9 }, false, 1 },
		{ { 5, 5, 5 }, { 5, 5, 5 }, false, 0 },
		{ { 5, 5, 5 }, { 6, 7, 5 }, false, 2 },
		/* A counter that wrapped still moved. */
		{ { UINT64_MAX, 1, 1 }, { 0, 2, 2 }, true, 0 },
	};
	uint64_t last[3];
	unsigned int i, stuck;

	(void)state;
	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		memcpy(last, rows[i].last, sizeof(last));
		stuck = 99;
		assert_int_equal(sw_watchdog_progress(rows[i].now, last, 3,
						      &stuck), rows[i].fed);
		if (!rows[i].fed)
			assert_int_equal(stuck, rows[i].stuck);
		assert_memory_equal(last, rows[i].now, sizeof(last));
	}
}

static void
test_notify_ready_then_watchdog(void **state)
{
	const char *m;

	(void)state;
	assert_string_equal(next_msg(), "");
	sw_notify_ready(&app);
	m = next_msg();
	assert_non_null(strstr(m, "READY=1\n"));
	assert_non_null(strstr(m, "STATUS=running, 2 ports, 2 workers"));
	assert_string_equal(next_msg(), "");

	/* Both workers moved: fed. */
	move(0);
	move(1);
	sw_notify_tick(&app, 100.0);
	assert_string_equal(next_msg(), "WATCHDOG=1");
	/* Not due yet: nothing. */
	move(0);
	sw_notify_tick(&app, 100.05);
	assert_string_equal(next_msg(), "");
	/* Worker 1 stuck: not fed, then not again while it stays so. */
	move(0);
	sw_notify_tick(&app, 100.2);
	assert_string_equal(next_msg(), "");
	move(0);
	sw_notify_tick(&app, 100.4);
	assert_string_equal(next_msg(), "");
	/* It moves again: fed again. */
	move(0);
	move(1);
	sw_notify_tick(&app, 100.6);
	assert_string_equal(next_msg(), "WATCHDOG=1");
}

static void
test_notify_reload(void **state)
{
	static int job;

	(void)state;
	while (next_msg()[0] != '\0')
		;
	app.reload_job = (struct sw_reload *)(void *)&job;
	sw_notify_tick(&app, 200.0);
	assert_string_equal(next_msg(), "RELOADING=1");
	app.reload_job = NULL;
	sw_notify_tick(&app, 200.01);
	assert_string_equal(next_msg(), "READY=1");
	assert_non_null(strstr(next_msg(), "STATUS=running"));
	sw_notify_stopping();
	assert_string_equal(next_msg(), "STOPPING=1");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_notify_progress_table),
		cmocka_unit_test(test_notify_ready_then_watchdog),
		cmocka_unit_test(test_notify_reload),
	};

	return cmocka_run_group_tests_name("notify", tests, setup, teardown);
}
