/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The spillway authors
 *
 * The keyed hash of the flow table (and of every table an attacker fills
 * with keys of his choosing): SipHash-1-3 under a secret drawn from
 * getrandom() once per start.
 *
 * Why not CRC32 or Toeplitz: both are linear over GF(2), so with or
 * without a seed an attacker solves for keys that share a bucket and
 * signature instead of searching for them (16 crafted keys made an
 * unrelated insert fail for good). SipHash is a PRF: without the secret,
 * colliding keys can only be found by trying, and the attacker never
 * sees the hash. Linux keys nf_conntrack's hash the same way (siphash
 * with a boot-time random key).
 */
#include <errno.h>
#include <string.h>
#include <sys/random.h>

#include <rte_byteorder.h>
#include <rte_common.h>

#include "ft_private.h"

/* The process's secret; written once before any table exists. */
static uint64_t sip_k0, sip_k1;
static int sip_ready;

#define ROTL(x, b) (uint64_t)(((x) << (b)) | ((x) >> (64 - (b))))

#define SIPROUND do { \
	v0 += v1; v1 = ROTL(v1, 13); v1 ^= v0; v0 = ROTL(v0, 32); \
	v2 += v3; v3 = ROTL(v3, 16); v3 ^= v2; \
	v0 += v3; v3 = ROTL(v3, 21); v3 ^= v0; \
	v2 += v1; v1 = ROTL(v1, 17); v1 ^= v2; v2 = ROTL(v2, 32); \
} while (0)

int
sw_ft_hash_init(void)
{
	uint64_t k[2];
	size_t got = 0;
	ssize_t r;

	if (__atomic_load_n(&sip_ready, __ATOMIC_ACQUIRE))
		return 0;
	while (got < sizeof(k)) {
		r = getrandom((uint8_t *)k + got, sizeof(k) - got, 0);
		if (r < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		got += (size_t)r;
	}
	sip_k0 = k[0];
	sip_k1 = k[1];
	__atomic_store_n(&sip_ready, 1, __ATOMIC_RELEASE);
	return 0;
}

void
sw_ft_hash_set_secret(uint64_t k0, uint64_t k1)
{
	sip_k0 = k0;
	sip_k1 = k1;
	__atomic_store_n(&sip_ready, 1, __ATOMIC_RELEASE);
}

/*
 * SipHash with c compression rounds and d finalization rounds over
 * nw whole 64-bit words (little-endian loads) and a tail of tlen bytes.
 */
static inline uint64_t
siphash(uint64_t k0, uint64_t k1, const uint8_t *in, size_t len,
	unsigned int c, unsigned int d)
{
	uint64_t v0 = k0 ^ 0x736f6d6570736575ull;
	uint64_t v1 = k1 ^ 0x646f72616e646f6dull;
	uint64_t v2 = k0 ^ 0x6c7967656e657261ull;
	uint64_t v3 = k1 ^ 0x7465646279746573ull;
	uint64_t m, b = (uint64_t)len << 56;
	size_t i, nw = len / 8, tail = len % 8;
	unsigned int r;

	for (i = 0; i < nw; i++) {
		memcpy(&m, in + 8 * i, 8);
		m = rte_le_to_cpu_64(m);
		v3 ^= m;
		for (r = 0; r < c; r++)
			SIPROUND;
		v0 ^= m;
	}
	for (i = 0; i < tail; i++)
		b |= (uint64_t)in[8 * nw + i] << (8 * i);
	v3 ^= b;
	for (r = 0; r < c; r++)
		SIPROUND;
	v0 ^= b;
	v2 ^= 0xff;
	for (r = 0; r < d; r++)
		SIPROUND;
	return v0 ^ v1 ^ v2 ^ v3;
}

uint64_t
sw_ft_siphash(const void *data, size_t len)
{
	return siphash(sip_k0, sip_k1, data, len, 1, 3);
}

uint64_t
sw_ft_siphash_ref(const uint8_t key[16], const void *data, size_t len,
		  unsigned int c, unsigned int d)
{
	uint64_t k0, k1;

	memcpy(&k0, key, 8);
	memcpy(&k1, key + 8, 8);
	return siphash(rte_le_to_cpu_64(k0), rte_le_to_cpu_64(k1), data, len,
		       c, d);
}

/*
 * The flow key's hash. An IPv4 key is zero past the first 4 bytes of
 * each address, so it hashes as two words (addresses; ports, protocol,
 * family, zone) instead of five: same keys, same hash, less work. The
 * family byte is in the last word, so v4 and v6 keys never mix.
 */
/* SipHash-1-3 of exactly two words, straight-line (the IPv4 key). */
static inline uint64_t
siphash13_2w(uint64_t k0, uint64_t k1, uint64_t m0, uint64_t m1)
{
	uint64_t v0 = k0 ^ 0x736f6d6570736575ull;
	uint64_t v1 = k1 ^ 0x646f72616e646f6dull;
	uint64_t v2 = k0 ^ 0x6c7967656e657261ull;
	uint64_t v3 = k1 ^ 0x7465646279746573ull;
	const uint64_t b = (uint64_t)16 << 56;

	v3 ^= m0;
	SIPROUND;
	v0 ^= m0;
	v3 ^= m1;
	SIPROUND;
	v0 ^= m1;
	v3 ^= b;
	SIPROUND;
	v0 ^= b;
	v2 ^= 0xff;
	SIPROUND;
	SIPROUND;
	SIPROUND;
	return v0 ^ v1 ^ v2 ^ v3;
}

uint32_t
sw_ft_key_hash(const struct sw_ft_key *k)
{
	uint32_t lo, hi;
	uint64_t m1;

	if (k->family == 4) {
		/* The same bytes, in the same order, as the 16-byte message
		 * (addresses, then ports, protocol, family, zone). */
		memcpy(&lo, k->lo, 4);
		memcpy(&hi, k->hi, 4);
		memcpy(&m1, &k->lo_port, 8);
		return (uint32_t)siphash13_2w(sip_k0, sip_k1,
			rte_le_to_cpu_64((uint64_t)rte_cpu_to_le_32(hi) << 32 |
					 rte_cpu_to_le_32(lo)),
			rte_le_to_cpu_64(m1));
	}
	return (uint32_t)siphash(sip_k0, sip_k1, (const uint8_t *)k,
				 sizeof(*k), 1, 3);
}

/* rte_hash's hash_func: the same function, for calls that hash inside. */
uint32_t
ft_hash_func(const void *key, uint32_t key_len, uint32_t init_val)
{
	RTE_SET_USED(key_len);
	RTE_SET_USED(init_val);
	return sw_ft_key_hash(key);
}
