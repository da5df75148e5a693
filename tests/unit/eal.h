/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The spillway authors
 *
 * EAL for unit suites that need DPDK memory: one lcore, no hugepages,
 * no PCI, no telemetry, a file prefix of this process's own.
 */
#ifndef SW_TEST_EAL_H
#define SW_TEST_EAL_H

#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include <rte_eal.h>

/* rte_eal_cleanup() leaves /var/run/dpdk/PREFIX behind: remove it. */
static inline void
test_eal_cleanup(void)
{
	char cmd[512];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", rte_eal_get_runtime_dir());
	rte_eal_cleanup();
	if (system(cmd) != 0)
		fprintf(stderr, "could not remove the EAL runtime directory\n");
}

/*
 * The EAL for test `name`, with nb_null net_null ports (net_null0 ..)
 * for suites that run the packet path. Returns 0 or -1.
 */
static inline int
test_eal_init_ports(const char *name, unsigned int nb_null)
{
	static char prefix[64], vdev[4][16];
	char *argv[12 + 2 * 4 + 1] = {
		(char *)(uintptr_t)name, "-l", "0", "--no-huge", "-m", "512",
		"--no-pci", "--no-telemetry", "--log-level", "lib.eal:error",
		"--file-prefix", prefix,
	};
	int argc = 12;
	unsigned int i;

	snprintf(prefix, sizeof(prefix), "swtest-%s-%d", name, (int)getpid());
	for (i = 0; i < nb_null && i < 4; i++) {
		snprintf(vdev[i], sizeof(vdev[i]), "net_null%u", i);
		argv[argc++] = "--vdev";
		argv[argc++] = vdev[i];
	}
	argv[argc] = NULL;
	return rte_eal_init(argc, argv) < 0 ? -1 : 0;
}

static inline int
test_eal_init(const char *name)
{
	return test_eal_init_ports(name, 0);
}

/*
 * A suite's cmocka group fixtures, eal_setup and eal_teardown: the EAL
 * of test_eal_init(name) around the whole group.
 */
#define TEST_EAL_GROUP(name) \
static int \
eal_setup(void **state) \
{ \
	(void)state; \
	return test_eal_init(name); \
} \
\
static int \
eal_teardown(void **state) \
{ \
	(void)state; \
	test_eal_cleanup(); \
	return 0; \
}

#endif /* SW_TEST_EAL_H */
