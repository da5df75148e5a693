/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The spillway authors
 */
#ifndef SW_XORSHIFT_H
#define SW_XORSHIFT_H

/*
 * Marsaglia's xorshift64: a fast, repeatable stream for test and
 * benchmark data (the same seed, the same packets). Never for secrets:
 * the keyed hashes draw theirs from getrandom().
 */

#include <stdint.h>

static inline uint32_t
sw_xorshift(uint64_t *state)
{
	uint64_t x = *state;

	x ^= x << 13;
	x ^= x >> 7;
	x ^= x << 17;
	*state = x;
	return (uint32_t)x;
}

/*
 * A stream of its own: `storage` (static, static __thread) uint32_t
 * name(void), seeded with seed.
 */
#define SW_XORSHIFT_STREAM(storage, name, seed) \
	storage uint64_t name##_state = (seed); \
	static inline uint32_t name(void) \
	{ \
		return sw_xorshift(&name##_state); \
	}

#endif /* SW_XORSHIFT_H */
