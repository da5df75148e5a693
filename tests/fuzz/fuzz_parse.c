/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The spillway authors
 *
 * libFuzzer target: the packet parser on raw frame bytes. The frame is
 * copied into a buffer of exactly its size, so ASan catches any read
 * past it. Invariants: what the parser reports lies inside the frame.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "parse.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t *f = malloc(size ? size : 1);
	struct sw_pkt p;
	struct sw_inner in;
	int r;

	memcpy(f, data, size);
	r = sw_parse(f, (uint32_t)size, &p);
	if (r == SW_PARSE_IP) {
		if ((uint32_t)p.l3_off + p.l3_len > size)
			abort();
		if (p.l4_off && (uint32_t)p.l4_off + p.l4_len > size)
			abort();
		if (p.k.family != SW_AF_INET && p.k.family != SW_AF_INET6)
			abort();
		sw_parse_icmp_error(f, &p, &in);
	} else if (r < 0 || r >= SW_PARSE_MAX) {
		abort();
	}
	free(f);
	return 0;
}
