/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The spillway authors
 *
 * The sync protocol's wire format: headers, flow records, hellos, the
 * MAC (libsodium's keyed BLAKE2b) and the replay window. Every field is
 * written byte by byte in network order: two nodes need not share a
 * compiler's idea of a struct. DESIGN.md draws the layout.
 */
#include <string.h>
#include <netinet/in.h>

#include <sodium.h>

#include "ha_private.h"

void
ha_key_derive(uint8_t *key, const uint8_t *bytes, size_t len)
{
	static const char domain[] = "spillway ha key v1";
	crypto_generichash_state st;

	/* Any bytes make a key: hex, base64 or raw, of any length. */
	crypto_generichash_init(&st, NULL, 0, HA_KEY_LEN);
	crypto_generichash_update(&st, (const uint8_t *)domain,
				  sizeof(domain));
	crypto_generichash_update(&st, bytes, len);
	crypto_generichash_final(&st, key, HA_KEY_LEN);
}

uint32_t
ha_node_id(const uint8_t *addr, uint16_t port)
{
	uint8_t in[18], out[16];

	memcpy(in, addr, 16);
	put16(in + 16, port);
	crypto_generichash(out, sizeof(out), in, sizeof(in), NULL, 0);
	return get32(out) | 1;	/* never 0 */
}

uint64_t
ha_zones_digest(const struct sw_config *cfg)
{
	crypto_generichash_state st;
	uint8_t out[16], b[4];
	unsigned int p;

	/*
	 * A flow's zone is its port pair (and VLAN with zone_vlan), and
	 * its port an index: two nodes' flows mean the same only with the
	 * same ports, in the same order, paired alike. The devices differ
	 * (each node has its own NICs) and do not count.
	 */
	crypto_generichash_init(&st, NULL, 0, sizeof(out));
	put32(b, cfg->nb_ports);
	crypto_generichash_update(&st, b, 4);
	for (p = 0; p < cfg->nb_ports; p++) {
		crypto_generichash_update(&st,
			(const uint8_t *)cfg->ports[p].name,
			strlen(cfg->ports[p].name) + 1);
		b[0] = cfg->ports[p].peer;
		crypto_generichash_update(&st, b, 1);
	}
	b[0] = cfg->flowtable.zone_vlan;
	crypto_generichash_update(&st, b, 1);
	crypto_generichash_final(&st, out, sizeof(out));
	return get64(out);
}

static void
mac(uint8_t *out, const uint8_t *buf, size_t len, const uint8_t *key)
{
	crypto_generichash(out, HA_MAC_LEN, buf, len, key, HA_KEY_LEN);
}

size_t
ha_seal(uint8_t *buf, struct ha_hdr *h, size_t payload_len,
	const uint8_t *key)
{
	size_t len = HA_HDR_LEN + payload_len + HA_MAC_LEN;

	h->len = (uint32_t)len;
	memset(buf, 0, HA_HDR_LEN);
	put32(buf, HA_MAGIC);
	buf[4] = HA_VERSION;
	buf[5] = h->type;
	buf[6] = h->flags;
	put16(buf + 8, h->count);
	put32(buf + 12, h->node);
	put32(buf + 16, h->len);
	put64(buf + 24, h->epoch);
	put64(buf + 32, h->seq);
	put64(buf + 40, h->aux);
	mac(buf + len - HA_MAC_LEN, buf, len - HA_MAC_LEN, key);
	return len;
}

/* The payload a type carries, for a count. */
static size_t
payload_len(uint8_t type, uint16_t count)
{
	switch (type) {
	case HA_HELLO:
		return HA_HELLO_LEN;
	case HA_FLOWS:
		return (size_t)count * HA_REC_LEN;
	case HA_BULK_BEGIN:
	case HA_BULK_END:
		return 8;
	case HA_ACK:
		return (size_t)count * 4;
	default:
		return 0;
	}
}

int
ha_open(const uint8_t *buf, size_t len, struct ha_hdr *h, const uint8_t *key)
{
	uint8_t want[HA_MAC_LEN];

	/*
	 * The MAC first, over whatever came: nothing of a datagram is read
	 * before it is known to come from a holder of the key.
	 */
	if (len < HA_HDR_LEN + HA_MAC_LEN || len > HA_DGRAM_MAX)
		return -1;
	mac(want, buf, len - HA_MAC_LEN, key);
	if (crypto_verify_16(want, buf + len - HA_MAC_LEN) != 0)
		return -1;
	if (get32(buf) != HA_MAGIC || buf[4] != HA_VERSION)
		return -1;
	h->type = buf[5];
	h->flags = buf[6];
	h->count = get16(buf + 8);
	h->node = get32(buf + 12);
	h->len = get32(buf + 16);
	h->epoch = get64(buf + 24);
	h->seq = get64(buf + 32);
	h->aux = get64(buf + 40);
	if (h->type == 0 || h->type >= HA_TYPE_MAX || h->len != len ||
	    len != HA_HDR_LEN + payload_len(h->type, h->count) + HA_MAC_LEN)
		return -1;
	return 0;
}

void
ha_rec_put(uint8_t *p, const struct sw_ft_event *e)
{
	const struct sw_ft_flowstate *fs = &e->fs;
	unsigned int k;

	memset(p, 0, HA_REC_LEN);
	p[0] = e->op;
	p[1] = e->reason;
	put32(p + 4, e->tag);
	memcpy(p + 8, fs->key.lo, 16);
	memcpy(p + 24, fs->key.hi, 16);
	memcpy(p + 40, &fs->key.lo_port, 2);	/* network order already */
	memcpy(p + 42, &fs->key.hi_port, 2);
	p[44] = fs->key.proto;
	p[45] = fs->key.family;
	put16(p + 46, fs->key.zone);
	p[65] = fs->flags;
	/* A deletion's event holds its key and flags only (sw_ft.h). */
	if (e->op == SW_FT_EV_DELETE)
		return;
	put64(p + 48, fs->remaining_ms);
	put32(p + 56, fs->px_delta);
	put32(p + 60, fs->px_tsoff);
	p[64] = fs->state;
	p[66] = fs->port;
	for (k = 0; k < 2; k++) {
		uint8_t *t = p + 68 + 16 * k;

		put32(t, fs->tcp[k].end);
		put32(t + 4, fs->tcp[k].maxend);
		put32(t + 8, fs->tcp[k].maxwin);
		t[12] = fs->tcp[k].scale;
		t[13] = fs->tcp[k].flags;
	}
}

int
ha_rec_get(const uint8_t *p, struct sw_ft_event *e)
{
	struct sw_ft_flowstate *fs = &e->fs;
	static const uint8_t zero[12];
	unsigned int k;

	memset(e, 0, sizeof(*e));
	e->op = p[0];
	e->reason = p[1];
	e->tag = get32(p + 4);
	memcpy(fs->key.lo, p + 8, 16);
	memcpy(fs->key.hi, p + 24, 16);
	memcpy(&fs->key.lo_port, p + 40, 2);
	memcpy(&fs->key.hi_port, p + 42, 2);
	fs->key.proto = p[44];
	fs->key.family = p[45];
	fs->key.zone = get16(p + 46);
	fs->remaining_ms = get64(p + 48);
	fs->px_delta = get32(p + 56);
	fs->px_tsoff = get32(p + 60);
	fs->state = p[64];
	fs->flags = p[65];
	fs->port = p[66];
	for (k = 0; k < 2; k++) {
		const uint8_t *t = p + 68 + 16 * k;

		fs->tcp[k].end = get32(t);
		fs->tcp[k].maxend = get32(t + 4);
		fs->tcp[k].maxwin = get32(t + 8);
		fs->tcp[k].scale = t[12];
		fs->tcp[k].flags = t[13];
	}
	/* A key no table would hold never matches one: refuse it here. */
	if (e->op < SW_FT_EV_UPSERT || e->op > SW_FT_EV_DELETE ||
	    e->reason >= SW_FT_DEL_MAX ||
	    (fs->key.family != 4 && fs->key.family != 6) ||
	    fs->state >= SW_FT_STATE_MAX ||
	    (e->op != SW_FT_EV_DELETE &&
	     (fs->key.proto == IPPROTO_TCP) !=
	     (fs->state <= SW_FT_TCP_SYN_SENT2)) ||
	    (fs->key.family == 4 &&
	     (memcmp(fs->key.lo + 4, zero, 12) != 0 ||
	      memcmp(fs->key.hi + 4, zero, 12) != 0)))
		return -1;
	return 0;
}

void
ha_hello_put(uint8_t *p, const struct ha_hello *h)
{
	memset(p, 0, HA_HELLO_LEN);
	p[0] = h->role;
	p[1] = h->mode;
	p[2] = h->bulk_done;
	put64(p + 8, h->zones);
	put64(p + 16, h->flows);
	put64(p + 24, h->echo);
}

void
ha_hello_get(const uint8_t *p, struct ha_hello *h)
{
	h->role = p[0];
	h->mode = p[1];
	h->bulk_done = p[2];
	h->zones = get64(p + 8);
	h->flows = get64(p + 16);
	h->echo = get64(p + 24);
}

bool
ha_window_take(struct ha_window *w, uint64_t seq)
{
	uint64_t d;

	if (seq == 0)
		return false;
	if (seq > w->top) {
		d = seq - w->top;
		w->bits = d >= 64 ? 1 : (w->bits << d) | 1;
		w->top = seq;
		return true;
	}
	d = w->top - seq;
	if (d >= 64 || (w->bits & (1ull << d)))
		return false;
	w->bits |= 1ull << d;
	return true;
}
