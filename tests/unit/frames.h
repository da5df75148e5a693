/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The spillway authors
 *
 * Frame builder for unit tests: append headers to a buffer, then fix up
 * lengths. Checksums are left zero; the parser does not read them.
 */
#ifndef SW_TEST_FRAMES_H
#define SW_TEST_FRAMES_H

#include <stdint.h>
#include <stdio.h>
#include <string.h>

struct frame {
	uint8_t b[2048];
	uint32_t len;
	uint32_t l3;		/* offset of the IP header */
	uint32_t l4;		/* offset of the L4 header */
	int v6;
};

static inline void
put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static inline uint8_t *
fr_put(struct frame *f, uint32_t n)
{
	uint8_t *p = f->b + f->len;

	memset(p, 0, n);
	f->len += n;
	return p;
}

static inline void
fr_eth(struct frame *f, uint16_t type)
{
	static const uint8_t dst[6] = { 2, 0, 0, 0, 0, 2 };
	static const uint8_t src[6] = { 2, 0, 0, 0, 0, 1 };
	uint8_t *p;

	memset(f, 0, sizeof(*f));
	p = fr_put(f, 14);
	memcpy(p, dst, 6);
	memcpy(p + 6, src, 6);
	put16(p + 12, type);
}

/* Insert a VLAN tag: the current ethertype moves behind it. */
static inline void
fr_vlan(struct frame *f, uint16_t tpid, uint16_t vid, uint16_t inner)
{
	uint8_t *p = fr_put(f, 4);

	put16(p - 2, tpid);
	put16(p + 0, vid);
	put16(p + 2, inner);
}

/* IPv4 header with `optlen` bytes of options (multiple of 4). */
static inline void
fr_ip4(struct frame *f, uint8_t proto, const char *src, const char *dst,
       uint32_t optlen)
{
	uint8_t *p;
	unsigned int a[4], i;

	f->l3 = f->len;
	p = fr_put(f, 20 + optlen);
	p[0] = (uint8_t)(0x40 | ((20 + optlen) / 4));
	p[8] = 64;
	p[9] = proto;
	sscanf(src, "%u.%u.%u.%u", &a[0], &a[1], &a[2], &a[3]);
	for (i = 0; i < 4; i++)
		p[12 + i] = (uint8_t)a[i];
	sscanf(dst, "%u.%u.%u.%u", &a[0], &a[1], &a[2], &a[3]);
	for (i = 0; i < 4; i++)
		p[16 + i] = (uint8_t)a[i];
	for (i = 0; i < optlen; i++)
		p[20 + i] = 1;	/* NOP options */
	f->l4 = f->len;
}

static inline void
fr_ip6(struct frame *f, uint8_t nh, uint8_t src_last, uint8_t dst_last)
{
	uint8_t *p;

	f->v6 = 1;
	f->l3 = f->len;
	p = fr_put(f, 40);
	p[0] = 0x60;
	p[6] = nh;
	p[7] = 64;
	p[8] = 0x20; p[9] = 0x01; p[10] = 0x0d; p[11] = 0xb8;
	p[23] = src_last;
	p[24] = 0x20; p[25] = 0x01; p[26] = 0x0d; p[27] = 0xb8;
	p[39] = dst_last;
	f->l4 = f->len;
}

/* IPv6 extension header of 8 * (1 + hlen) bytes. */
static inline void
fr_ip6_ext(struct frame *f, uint8_t nh, uint8_t hlen)
{
	uint8_t *p = fr_put(f, 8u * (1u + hlen));

	p[0] = nh;
	p[1] = hlen;
	f->l4 = f->len;
}

static inline void
fr_ip6_frag(struct frame *f, uint8_t nh, uint16_t off8, int more,
	    uint32_t id)
{
	uint8_t *p = fr_put(f, 8);

	p[0] = nh;
	put16(p + 2, (uint16_t)(off8 << 3 | (more ? 1 : 0)));
	p[4] = (uint8_t)(id >> 24);
	p[5] = (uint8_t)(id >> 16);
	p[6] = (uint8_t)(id >> 8);
	p[7] = (uint8_t)id;
	f->l4 = f->len;
}

static inline void
fr_tcp(struct frame *f, uint16_t sport, uint16_t dport, uint8_t flags,
       uint32_t optlen)
{
	uint8_t *p = fr_put(f, 20 + optlen);

	put16(p, sport);
	put16(p + 2, dport);
	p[12] = (uint8_t)(((20 + optlen) / 4) << 4);
	p[13] = flags;
	put16(p + 14, 65535);
}

static inline void
fr_udp(struct frame *f, uint16_t sport, uint16_t dport)
{
	uint8_t *p = fr_put(f, 8);

	put16(p, sport);
	put16(p + 2, dport);
}

static inline void
fr_icmp(struct frame *f, uint8_t type, uint8_t code, uint16_t id)
{
	uint8_t *p = fr_put(f, 8);

	p[0] = type;
	p[1] = code;
	put16(p + 4, id);
}

static inline void
fr_payload(struct frame *f, uint32_t n)
{
	uint8_t *p = fr_put(f, n);
	uint32_t i;

	for (i = 0; i < n; i++)
		p[i] = (uint8_t)i;
}

/*
 * Set IP and UDP lengths from what was appended, then pad the frame to
 * `min` bytes (Ethernet's 60) without counting the padding in IP.
 */
static inline void
fr_finish(struct frame *f, uint32_t min)
{
	uint32_t iplen = f->len - f->l3;

	if (f->v6)
		put16(f->b + f->l3 + 4, (uint16_t)(iplen - 40));
	else
		put16(f->b + f->l3 + 2, (uint16_t)iplen);
	/* UDP length, when the L4 header is UDP. */
	if ((!f->v6 && f->b[f->l3 + 9] == 17) ||
	    (f->v6 && f->l4 + 8 <= f->len && f->b[f->l3 + 6] == 17))
		put16(f->b + f->l4 + 4, (uint16_t)(f->len - f->l4));
	if (f->len < min)
		fr_put(f, min - f->len);
}

/*
 * Checksums as a sender computes them (RFC 1071, written out here so
 * that the parser's sums are checked against code that is not theirs).
 * fr_sum adds n bytes as big-endian words, an odd last byte padded.
 */
static inline uint32_t
fr_sum(const uint8_t *p, uint32_t n, uint32_t sum)
{
	uint32_t i;

	for (i = 0; i + 1 < n; i += 2)
		sum += (uint32_t)p[i] << 8 | p[i + 1];
	if (n & 1)
		sum += (uint32_t)p[n - 1] << 8;
	return sum;
}

static inline uint16_t
fr_fold(uint32_t sum)
{
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

/* Where proto's checksum sits in its header: TCP 16, UDP 6, ICMP 2. */
static inline uint32_t
fr_cksum_at(uint8_t proto)
{
	return proto == 6 ? 16 : proto == 17 ? 6 : 2;
}

/*
 * Fill in the IPv4 header checksum, and the checksum of the L4 header
 * at f->l4 for proto (6, 17, 1 or 58) over the L4 bytes inside the IP
 * packet, with its pseudo-header (none for ICMP over IPv4). A UDP sum
 * that comes out 0 is sent as 0xffff (RFC 768). After fr_finish(), and
 * after any change to the IPv4 header.
 */
static inline void
fr_cksum(struct frame *f, uint8_t proto)
{
	uint8_t *ip = f->b + f->l3, *l4 = f->b + f->l4;
	uint32_t end, len, sum = 0, at = fr_cksum_at(proto);
	uint16_t c;

	if (f->v6) {
		end = f->l3 + 40 + ((uint32_t)ip[4] << 8 | ip[5]);
	} else {
		end = f->l3 + ((uint32_t)ip[2] << 8 | ip[3]);
		put16(ip + 10, 0);
		put16(ip + 10, fr_fold(fr_sum(ip, (ip[0] & 0xfu) * 4u, 0)));
	}
	len = end - f->l4;
	put16(l4 + at, 0);
	if (f->v6)
		sum = fr_sum(ip + 8, 32, 0) + (len >> 16) + (len & 0xffff) +
		      proto;
	else if (proto != 1)
		sum = fr_sum(ip + 12, 8, 0) + len + proto;
	c = fr_fold(fr_sum(l4, len, sum));
	if (proto == 17 && c == 0)
		c = 0xffff;
	put16(l4 + at, c);
}

#endif /* SW_TEST_FRAMES_H */
