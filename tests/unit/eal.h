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

static inline int
test_eal_init(const char *name)
{
	static char prefix[64];
	char *argv[] = {
		(char *)(uintptr_t)name, "-l", "0", "--no-huge", "-m", "512",
		"--no-pci", "--no-telemetry", "--log-level", "lib.eal:error",
		"--file-prefix", prefix, NULL,
	};

	snprintf(prefix, sizeof(prefix), "swtest-%s-%d", name, (int)getpid());
	return rte_eal_init(12, argv) < 0 ? -1 : 0;
}

#endif /* SW_TEST_EAL_H */
