/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The spillway authors
 *
 * The EAL line and the machine's needs, from the parsed config (boot.h).
 */
#include <stdlib.h>
#include <string.h>

#include <rte_pci.h>

#include "boot.h"
#include "config.h"

bool
sw_boot_is_pci(const char *dev)
{
	struct rte_pci_addr a;
	char name[64];
	size_t n = strcspn(dev, ",");

	if (n >= sizeof(name))
		return false;
	memcpy(name, dev, n);
	name[n] = '\0';
	return rte_pci_addr_parse(name, &a) == 0;
}

void
sw_boot_dev_name(const char *dev, char *name, size_t len)
{
	struct rte_pci_addr a;
	size_t n = strcspn(dev, ",");

	if (n >= len)
		n = len - 1;
	memcpy(name, dev, n);
	name[n] = '\0';
	if (rte_pci_addr_parse(name, &a) == 0)
		rte_pci_device_name(&a, name, len);
}

static bool
has_arg(const struct sw_config *cfg, const char *a)
{
	unsigned int i;

	for (i = 0; i < cfg->eal_argc; i++)
		if (strcmp(cfg->eal_argv[i], a) == 0)
			return true;
	return false;
}

int
sw_boot_eal_argv(const struct sw_config *cfg, char *prog, int extra_argc,
		 char **extra_argv, char **argv)
{
	int argc = 0, i, pci = 0;
	unsigned int p;

	argv[argc++] = prog;
	for (p = 0; p < cfg->eal_argc; p++)
		argv[argc++] = cfg->eal_argv[p];
	for (p = 0; p < cfg->nb_ports; p++) {
		bool is_pci = sw_boot_is_pci(cfg->ports[p].dev);

		argv[argc++] = is_pci ? "-a" : "--vdev";
		argv[argc++] = (char *)(uintptr_t)cfg->ports[p].dev;
		pci += is_pci;
	}
	if (pci == 0 && !has_arg(cfg, "--no-pci") && !has_arg(cfg, "-a") &&
	    !has_arg(cfg, "--allow"))
		argv[argc++] = "--no-pci";
	for (i = 0; i < extra_argc && argc < SW_BOOT_MAX_ARGS; i++)
		argv[argc++] = extra_argv[i];
	argv[argc] = NULL;
	return argc;
}

long
sw_boot_hugepages_mb(int argc, char **argv)
{
	long mb = -1, sum;
	char *s, *end;
	int i;

	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--no-huge") == 0)
			return 0;
		if (i + 1 >= argc)
			continue;
		if (strcmp(argv[i], "-m") == 0) {
			mb = strtol(argv[i + 1], &end, 10);
		} else if (strcmp(argv[i], "--socket-mem") == 0) {
			sum = 0;
			for (s = argv[i + 1]; *s; s = *end ? end + 1 : end)
				sum += strtol(s, &end, 10);
			mb = sum;
		}
	}
	return mb;
}

void
sw_boot_print(const struct sw_config *cfg, FILE *out)
{
	char *argv[SW_BOOT_MAX_ARGS + 1], name[64];
	int argc, i;
	unsigned int p;
	long mb;

	argc = sw_boot_eal_argv(cfg, "spillway", 0, NULL, argv);
	fprintf(out, "config %s\n", cfg->file);
	for (i = 1; i < argc; i++)
		fprintf(out, "eal %s\n", argv[i]);
	mb = sw_boot_hugepages_mb(argc, argv);
	if (mb == 0)
		fprintf(out, "hugepages none\n");
	else if (mb < 0)
		fprintf(out, "hugepages default\n");
	else
		fprintf(out, "hugepages %ld\n", mb);
	for (p = 0; p < cfg->nb_ports; p++) {
		if (sw_boot_is_pci(cfg->ports[p].dev)) {
			sw_boot_dev_name(cfg->ports[p].dev, name, sizeof(name));
			fprintf(out, "pci %s %s\n", cfg->ports[p].name, name);
		} else {
			fprintf(out, "vdev %s %s\n", cfg->ports[p].name,
				cfg->ports[p].dev);
		}
	}
}
