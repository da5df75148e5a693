/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The spillway authors
 */
#ifndef SW_BOOT_H
#define SW_BOOT_H

/*
 * What the machine needs before spillway starts, from the config as the
 * loader parsed it (never grep): the EAL arguments spillway passes, the
 * PCI devices to bind, the virtual devices, the hugepages. spillway
 * builds its EAL line here, and `spillway --print-ports` prints the
 * same for tools/spillway-setup, so a NIC commented out in the file,
 * or named on a continuation line, is what libconfig says it is.
 *
 * Thread-safety: main thread, before EAL starts; no EAL needed.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

struct sw_config;

/* "0000:01:00.0" or "01:00.0", optionally followed by ",devargs". */
bool sw_boot_is_pci(const char *dev);

/*
 * The DPDK device name of a port's device string, into name[len]: a
 * PCI address in its full form ("0000:01:00.0"), a vdev's name (what
 * precedes the first comma).
 */
void sw_boot_dev_name(const char *dev, char *name, size_t len);

/* Most EAL arguments sw_boot_eal_argv() makes, the -- ones included. */
#define SW_BOOT_MAX_ARGS	(64 * 2 + 2 * 16 + 8)

/*
 * The EAL line: prog, the config's eal list, one -a per PCI port (only
 * the NICs named in the config are taken) or --vdev per virtual port,
 * --no-pci when no port is PCI and the list allows none, then
 * extra_argv (what followed -- on the command line). argv must hold
 * SW_BOOT_MAX_ARGS + 1; it points into cfg and extra_argv. Returns
 * argc (argv[argc] is NULL).
 */
int sw_boot_eal_argv(const struct sw_config *cfg, char *prog, int extra_argc,
		     char **extra_argv, char **argv);

/*
 * Hugepages the EAL line asks for, in MiB: 0 with --no-huge, -m or the
 * sum of --socket-mem when given, -1 when it leaves the amount to DPDK
 * (the set-up reserves its default then).
 */
long sw_boot_hugepages_mb(int argc, char **argv);

/*
 * --print-ports: what tools/spillway-setup needs, one fact a line,
 * "KEY VALUE...":
 *   config PATH
 *   eal ARG             each EAL argument spillway passes, in order
 *   hugepages MB        (none: --no-huge; default: DPDK decides)
 *   pci PORT ADDR       a PCI port, its full address (no devargs)
 *   vdev PORT DEVICE    a virtual port, its device string
 */
void sw_boot_print(const struct sw_config *cfg, FILE *out);

#endif /* SW_BOOT_H */
