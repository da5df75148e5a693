/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The spillway authors
 *
 * Structs through an rte_ring of elements, copied with memcpy.
 *
 * rte_ring's own element copy (rte_ring_*_elem) reads and writes the
 * caller's array through uint32_t, uint64_t or 16-byte lvalues. For an
 * array of structs whose members have other types that is type
 * punning: the compiler may keep a member it loaded or stored across
 * the ring's copy (clang, the TSan build, read an event array's old
 * bytes in a unit test). These go through the zero-copy API instead
 * and memcpy between the ring's slots and the caller's structs, which
 * C defines for any type. The ring must be single-producer (put) or
 * single-consumer (take), as every ring of spillway's is.
 */
#ifndef SW_RING_COPY_H
#define SW_RING_COPY_H

#include <string.h>

#include <rte_ring.h>
#include <rte_ring_elem.h>

/* One element of esize bytes into r; 0, or -ENOBUFS when r is full. */
static inline int
sw_ring_put(struct rte_ring *r, const void *obj, unsigned int esize)
{
	struct rte_ring_zc_data zcd;

	if (rte_ring_enqueue_zc_burst_elem_start(r, esize, 1, &zcd,
						 NULL) != 1)
		return -ENOBUFS;
	memcpy(zcd.ptr1, obj, esize);
	rte_ring_enqueue_zc_elem_finish(r, 1);
	return 0;
}

/* Up to n elements of esize bytes out of r into obj; how many. */
static inline unsigned int
sw_ring_take(struct rte_ring *r, void *obj, unsigned int esize,
	     unsigned int n)
{
	struct rte_ring_zc_data zcd;
	unsigned int got;

	got = rte_ring_dequeue_zc_burst_elem_start(r, esize, n, &zcd, NULL);
	if (got == 0)
		return 0;
	memcpy(obj, zcd.ptr1, (size_t)zcd.n1 * esize);
	if (got > zcd.n1)
		memcpy((uint8_t *)obj + (size_t)zcd.n1 * esize, zcd.ptr2,
		       (size_t)(got - zcd.n1) * esize);
	rte_ring_dequeue_zc_elem_finish(r, got);
	return got;
}

#endif /* SW_RING_COPY_H */
