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

#if defined(__x86_64__)
#include <immintrin.h>
#endif

#include <rte_byteorder.h>
#include <rte_common.h>

#include "ft_private.h"

/* The process's secret; written once before any table exists. */
static uint64_t sip_k0, sip_k1;
static int sip_ready;
/* sw_ft_key_hash_burst may use SIMD when the CPU has it (tests: off). */
static bool hash_vector = true;
/* SipHash's state after FT_COOKIE_TAG under the secret (cookie_prefix). */
static uint64_t ck_v[4];

#define ROTL(x, b) (uint64_t)(((x) << (b)) | ((x) >> (64 - (b))))

#define SIPROUND do { \
	v0 += v1; v1 = ROTL(v1, 13); v1 ^= v0; v0 = ROTL(v0, 32); \
	v2 += v3; v3 = ROTL(v3, 16); v3 ^= v2; \
	v0 += v3; v3 = ROTL(v3, 21); v3 ^= v0; \
	v2 += v1; v1 = ROTL(v1, 17); v1 ^= v2; v2 = ROTL(v2, 32); \
} while (0)

/* SipHash-1-3's last block b (the length byte) and its finalization. */
#define SIP13_FINAL(b) do { \
	v3 ^= (b); SIPROUND; v0 ^= (b); \
	v2 ^= 0xff; SIPROUND; SIPROUND; SIPROUND; \
} while (0)

/* The cookie MAC's first compression round: the same for every cookie. */
static void
cookie_prefix(void)
{
	uint64_t v0 = sip_k0 ^ 0x736f6d6570736575ull;
	uint64_t v1 = sip_k1 ^ 0x646f72616e646f6dull;
	uint64_t v2 = sip_k0 ^ 0x6c7967656e657261ull;
	uint64_t v3 = sip_k1 ^ 0x7465646279746573ull;

	v3 ^= FT_COOKIE_TAG;
	SIPROUND;
	v0 ^= FT_COOKIE_TAG;
	ck_v[0] = v0;
	ck_v[1] = v1;
	ck_v[2] = v2;
	ck_v[3] = v3;
}

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
	cookie_prefix();
	__atomic_store_n(&sip_ready, 1, __ATOMIC_RELEASE);
	return 0;
}

void
sw_ft_hash_set_secret(uint64_t k0, uint64_t k1)
{
	sip_k0 = k0;
	sip_k1 = k1;
	cookie_prefix();
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

/* An IPv4 key's two message words (see sw_ft_key_hash). */
static inline void
key_words(const struct sw_ft_key *k, uint64_t *m0, uint64_t *m1)
{
	uint32_t lo, hi;

	memcpy(&lo, k->lo, 4);
	memcpy(&hi, k->hi, 4);
	memcpy(m1, &k->lo_port, 8);
	*m0 = rte_le_to_cpu_64((uint64_t)rte_cpu_to_le_32(hi) << 32 |
			       rte_cpu_to_le_32(lo));
	*m1 = rte_le_to_cpu_64(*m1);
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
	SIP13_FINAL(b);
	return v0 ^ v1 ^ v2 ^ v3;
}

uint32_t
sw_ft_key_hash(const struct sw_ft_key *k)
{
	uint64_t m0, m1;

	if (k->family == 4) {
		/* The same bytes, in the same order, as the 16-byte message
		 * (addresses, then ports, protocol, family, zone). */
		key_words(k, &m0, &m1);
		return (uint32_t)siphash13_2w(sip_k0, sip_k1, m0, m1);
	}
	return (uint32_t)siphash(sip_k0, sip_k1, (const uint8_t *)k,
				 sizeof(*k), 1, 3);
}

#if defined(__x86_64__)
/*
 * Four IPv4 keys at once, one in each 64-bit lane of AVX2 registers:
 * the same SipHash-1-3 of two words as siphash13_2w, bit for bit (the
 * flowtable suite checks it against the scalar one). AVX2 has no 64-bit
 * rotate: 32 and 16 are byte shuffles, the others two shifts.
 */
#define V_ROTL(x, b) _mm256_or_si256(_mm256_slli_epi64(x, b), \
				     _mm256_srli_epi64(x, 64 - (b)))
#define V_ROT32(x) _mm256_shuffle_epi32(x, _MM_SHUFFLE(2, 3, 0, 1))
#define V_ROT16(x) _mm256_shuffle_epi8(x, rot16)

#define V_SIPROUND do { \
	v0 = _mm256_add_epi64(v0, v1); v1 = V_ROTL(v1, 13); \
	v1 = _mm256_xor_si256(v1, v0); v0 = V_ROT32(v0); \
	v2 = _mm256_add_epi64(v2, v3); v3 = V_ROT16(v3); \
	v3 = _mm256_xor_si256(v3, v2); \
	v0 = _mm256_add_epi64(v0, v3); v3 = V_ROTL(v3, 21); \
	v3 = _mm256_xor_si256(v3, v0); \
	v2 = _mm256_add_epi64(v2, v1); v1 = V_ROTL(v1, 17); \
	v1 = _mm256_xor_si256(v1, v2); v2 = V_ROT32(v2); \
} while (0)

/* The last block (fin: the length byte) and finalization, four lanes. */
__attribute__((target("avx2"))) static inline __m256i
v_sip_final(__m256i v0, __m256i v1, __m256i v2, __m256i v3, __m256i fin,
	    __m256i rot16)
{
	v3 = _mm256_xor_si256(v3, fin);
	V_SIPROUND;
	v0 = _mm256_xor_si256(v0, fin);
	v2 = _mm256_xor_si256(v2, _mm256_set1_epi64x(0xff));
	V_SIPROUND;
	V_SIPROUND;
	V_SIPROUND;
	return _mm256_xor_si256(_mm256_xor_si256(v0, v1),
				_mm256_xor_si256(v2, v3));
}

__attribute__((target("avx2"))) static void
hash4_avx2(const struct sw_ft_key *const *k, uint32_t *out)
{
	const __m256i rot16 = _mm256_setr_epi8(
		6, 7, 0, 1, 2, 3, 4, 5, 14, 15, 8, 9, 10, 11, 12, 13,
		6, 7, 0, 1, 2, 3, 4, 5, 14, 15, 8, 9, 10, 11, 12, 13);
	uint64_t a0, a1, a2, a3, b0, b1, b2, b3, r[4];
	__m256i v0, v1, v2, v3, m0, m1, fin;
	unsigned int i;

	/*
	 * The lanes are put together from registers (8-byte loads at
	 * most): a 32-byte load of four words just stored one by one
	 * waits for the stores to retire (store forwarding fails).
	 */
	key_words(k[0], &a0, &b0);
	key_words(k[1], &a1, &b1);
	key_words(k[2], &a2, &b2);
	key_words(k[3], &a3, &b3);
	m0 = _mm256_set_epi64x((long long)a3, (long long)a2, (long long)a1,
			       (long long)a0);
	m1 = _mm256_set_epi64x((long long)b3, (long long)b2, (long long)b1,
			       (long long)b0);
	fin = _mm256_set1_epi64x((long long)((uint64_t)16 << 56));
	v0 = _mm256_set1_epi64x((long long)(sip_k0 ^ 0x736f6d6570736575ull));
	v1 = _mm256_set1_epi64x((long long)(sip_k1 ^ 0x646f72616e646f6dull));
	v2 = _mm256_set1_epi64x((long long)(sip_k0 ^ 0x6c7967656e657261ull));
	v3 = _mm256_set1_epi64x((long long)(sip_k1 ^ 0x7465646279746573ull));
	v3 = _mm256_xor_si256(v3, m0);
	V_SIPROUND;
	v0 = _mm256_xor_si256(v0, m0);
	v3 = _mm256_xor_si256(v3, m1);
	V_SIPROUND;
	v0 = _mm256_xor_si256(v0, m1);
	v0 = v_sip_final(v0, v1, v2, v3, fin, rot16);
	_mm256_storeu_si256((__m256i *)(void *)r, v0);
	for (i = 0; i < 4; i++)
		out[i] = (uint32_t)r[i];
}

/* ft_cookie_sip of four messages, one in each lane (ft_cookie_sip4). */
#define S FT_COOKIE_WORDS_MAX
__attribute__((target("avx2"))) static void
cookie4_avx2(const uint64_t *w, unsigned int nw, uint64_t *out)
{
	const __m256i rot16 = _mm256_setr_epi8(
		6, 7, 0, 1, 2, 3, 4, 5, 14, 15, 8, 9, 10, 11, 12, 13,
		6, 7, 0, 1, 2, 3, 4, 5, 14, 15, 8, 9, 10, 11, 12, 13);
	__m256i v0 = _mm256_set1_epi64x((long long)ck_v[0]);
	__m256i v1 = _mm256_set1_epi64x((long long)ck_v[1]);
	__m256i v2 = _mm256_set1_epi64x((long long)ck_v[2]);
	__m256i v3 = _mm256_set1_epi64x((long long)ck_v[3]);
	__m256i m;
	unsigned int j;

	/* Word j of each lane, 8 bytes a load (see hash4_avx2). */
	for (j = 0; j < nw; j++) {
		m = _mm256_set_epi64x((long long)w[3 * S + j],
				      (long long)w[2 * S + j],
				      (long long)w[S + j], (long long)w[j]);
		v3 = _mm256_xor_si256(v3, m);
		V_SIPROUND;
		v0 = _mm256_xor_si256(v0, m);
	}
	m = _mm256_set1_epi64x((long long)((uint64_t)(8 * (nw + 1)) << 56));
	v0 = v_sip_final(v0, v1, v2, v3, m, rot16);
	_mm256_storeu_si256((__m256i *)(void *)out, v0);
}
#undef S

/* AVX2 on this CPU: decided once (the build targets a generic x86-64). */
static int
have_avx2(void)
{
	static int have = -1;

	if (have < 0)
		have = __builtin_cpu_supports("avx2") ? 1 : 0;
	return have;
}
#endif

void
sw_ft_key_hash_burst(const struct sw_ft_key *const *keys, uint32_t *hash,
		     uint16_t n)
{
	uint16_t i = 0;
#if defined(__x86_64__)
	if (have_avx2() && hash_vector) {
		const struct sw_ft_key *four[4];
		uint16_t idx[4], nf = 0, j;
		uint32_t h[4];

		for (i = 0; i < n; i++) {
			if (keys[i]->family != 4) {
				hash[i] = sw_ft_key_hash(keys[i]);
				continue;
			}
			four[nf] = keys[i];
			idx[nf++] = i;
			if (nf == 4) {
				hash4_avx2(four, h);
				for (j = 0; j < 4; j++)
					hash[idx[j]] = h[j];
				nf = 0;
			}
		}
		for (j = 0; j < nf; j++)
			hash[idx[j]] = sw_ft_key_hash(four[j]);
		return;
	}
#endif
	for (; i < n; i++)
		hash[i] = sw_ft_key_hash(keys[i]);
}

uint64_t
ft_cookie_sip(const uint64_t *w, unsigned int nw)
{
	uint64_t v0 = ck_v[0], v1 = ck_v[1], v2 = ck_v[2], v3 = ck_v[3];
	uint64_t b = (uint64_t)(8 * (nw + 1)) << 56;
	unsigned int j;

	for (j = 0; j < nw; j++) {
		v3 ^= w[j];
		SIPROUND;
		v0 ^= w[j];
	}
	SIP13_FINAL(b);
	return v0 ^ v1 ^ v2 ^ v3;
}

bool
ft_hash_simd(void)
{
#if defined(__x86_64__)
	return have_avx2() && hash_vector;
#else
	return false;
#endif
}

void
ft_cookie_sip4(const uint64_t *w, unsigned int nw, uint64_t out[4])
{
	unsigned int i;

#if defined(__x86_64__)
	if (have_avx2() && hash_vector) {
		cookie4_avx2(w, nw, out);
		return;
	}
#endif
	for (i = 0; i < 4; i++)
		out[i] = ft_cookie_sip(&w[i * FT_COOKIE_WORDS_MAX], nw);
}

void
sw_ft_hash_vector(bool on)
{
	__atomic_store_n(&hash_vector, on, __ATOMIC_RELAXED);
}

/* rte_hash's hash_func: the same function, for calls that hash inside. */
uint32_t
ft_hash_func(const void *key, uint32_t key_len, uint32_t init_val)
{
	RTE_SET_USED(key_len);
	RTE_SET_USED(init_val);
	return sw_ft_key_hash(key);
}
