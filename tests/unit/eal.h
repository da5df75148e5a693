/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The spillway authors
 *
 * EAL for unit suites that need DPDK memory: one lcore, no hugepages,
 * no PCI, no telemetry, a file prefix of this process's own.
 */
#ifndef SW_TEST_EAL_H
#define SW_TEST_EAL_H

#include <sched.h>
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
 * "0@(CPUS)": lcore 0 on every CPU this process may use, not pinned to
 * CPU 0 as "-l 0" pins it. Suites run side by side (meson runs unit
 * tests in parallel), and the threads a test starts inherit the main
 * thread's CPUs: pinned, every suite and every reader thread would
 * share CPU 0 while the others sit idle.
 */
static inline void
test_eal_lcores(char *buf, size_t len)
{
	cpu_set_t set;
	size_t n;
	int cpu;

	n = (size_t)snprintf(buf, len, "0@(");
	if (sched_getaffinity(0, sizeof(set), &set) == 0)
		for (cpu = 0; cpu < CPU_SETSIZE && n + 8 < len; cpu++)
			if (CPU_ISSET(cpu, &set))
				n += (size_t)snprintf(buf + n, len - n, "%s%d",
						      buf[n - 1] == '(' ? "" :
						      ",", cpu);
	if (buf[n - 1] == '(')
		n += (size_t)snprintf(buf + n, len - n, "0");
	snprintf(buf + n, len - n, ")");
}

/*
 * The EAL for test `name`, with nb_null net_null ports (net_null0 ..)
 * for suites that run the packet path. Returns 0 or -1.
 */
static inline int
test_eal_init_ports(const char *name, unsigned int nb_null)
{
	static char prefix[64], vdev[4][16], lcores[512];
	char *argv[12 + 2 * 4 + 1] = {
		(char *)(uintptr_t)name, "--lcores", lcores, "--no-huge", "-m",
		"512", "--no-pci", "--no-telemetry", "--log-level",
		"lib.eal:error", "--file-prefix", prefix,
	};
	int argc = 12;
	unsigned int i;

	test_eal_lcores(lcores, sizeof(lcores));
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
