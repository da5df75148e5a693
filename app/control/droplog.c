/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The spillway authors
 *
 * The drop log's writer: records the workers made (logq.c), handed
 * over on one ring per worker, written by the control thread under a
 * rate limit (see droplog.h).
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include <rte_cycles.h>
#include <rte_errno.h>
#include <rte_lcore.h>
#include <rte_ring.h>
#include <rte_ring_elem.h>

#include "app.h"
#include "droplog.h"
#include "stats.h"
#include "log.h"
#include "parse.h"
#include "ring_copy.h"
#include "worker.h"
#include "clock.h"
#include "counters.h"

/* Records a worker may have queued; the control thread drains often. */
#define RING_SIZE 1024
/* Records the control thread takes from a ring at a time. */
#define DRAIN_BURST 32

struct sw_droplog {
	struct sw_app *app;
	unsigned int nb;
	struct rte_ring *ring[SW_MAX_WORKERS];
	uint64_t hz;
	uint64_t tsc0;		/* the TSC at wall0: records carry TSC */
	double wall0;		/* CLOCK_REALTIME seconds */
	double credit;		/* lines the writer may write now */
	double last;		/* monotonic seconds of the last refill */
	double next_report;
	uint64_t held;		/* suppressed by the writer since a report */
	uint64_t limited;	/* workers' log_limited at the last report */
	uint64_t full;		/* workers' log_ring_full at the last report */
};

struct sw_droplog *
sw_droplog_create(struct sw_app *app)
{
	struct sw_droplog *d = calloc(1, sizeof(*d));
	struct timespec ts;
	char name[RTE_RING_NAMESIZE];
	unsigned int i;

	RTE_BUILD_BUG_ON(sizeof(struct sw_log_rec) % 4 != 0);
	if (d == NULL)
		return NULL;
	d->app = app;
	d->hz = rte_get_tsc_hz();
	d->nb = app->cfg.nb_workers;
	for (i = 0; i < d->nb; i++) {
		struct sw_worker *w = app->workers[i];

		snprintf(name, sizeof(name), "sw_log%u", i);
		d->ring[i] = rte_ring_create_elem(name, sizeof(struct sw_log_rec),
			RING_SIZE, (int)rte_lcore_to_socket_id(w->lcore),
			RING_F_SP_ENQ | RING_F_SC_DEQ);
		if (d->ring[i] == NULL) {
			SW_LOG(WARNING, "log: no ring for worker %u: %s; its "
			       "drops are not logged\n", i,
			       rte_strerror(rte_errno));
			continue;
		}
		w->log.ring = d->ring[i];
		w->log.last = rte_rdtsc();
		w->log.credit = d->hz;		/* a full bucket */
		sw_logq_set(&w->log, app->cfg.log.rate, app->cfg.log.invalid,
			    app->cfg.log.spill, d->hz);
	}
	clock_gettime(CLOCK_REALTIME, &ts);
	d->tsc0 = rte_rdtsc();
	d->wall0 = (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
	d->last = sw_now_s();
	d->credit = app->cfg.log.rate;
	d->next_report = d->last + 1;
	return d;
}

void
sw_droplog_apply(struct sw_droplog *d)
{
	unsigned int i;

	if (d == NULL)
		return;
	for (i = 0; i < d->nb; i++)
		if (d->ring[i] != NULL)
			sw_logq_set(&d->app->workers[i]->log,
				    d->app->cfg.log.rate, d->app->cfg.log.invalid,
				    d->app->cfg.log.spill, d->hz);
}

/* A line being written: text or JSON, into a fixed buffer. */
struct line {
	char b[1024];
	size_t n;
	bool json;
	bool first;		/* JSON: no comma before the first member */
};

static void
put(struct line *l, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void
put(struct line *l, const char *fmt, ...)
{
	va_list ap;
	int k;

	if (l->n >= sizeof(l->b))
		return;
	va_start(ap, fmt);
	k = vsnprintf(l->b + l->n, sizeof(l->b) - l->n, fmt, ap);
	va_end(ap);
	if (k > 0)
		l->n = RTE_MIN(l->n + (size_t)k, sizeof(l->b) - 1);
}

/*
 * A field: NAME=VALUE in the text (iptables LOG's way), "name": value
 * in JSON (lower case; strings quoted: the values here never hold a
 * quote or a backslash, printable ASCII only).
 */
static void
field(struct line *l, const char *name, bool str, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static void
field(struct line *l, const char *name, bool str, const char *fmt, ...)
{
	char v[200], key[24];
	va_list ap;
	size_t i;

	va_start(ap, fmt);
	vsnprintf(v, sizeof(v), fmt, ap);
	va_end(ap);
	if (!l->json) {
		put(l, " %s=%s", name, v);
		return;
	}
	for (i = 0; name[i] && i < sizeof(key) - 1; i++)
		key[i] = (char)(name[i] >= 'A' && name[i] <= 'Z' ?
				name[i] + 32 : name[i]);
	key[i] = '\0';
	put(l, "%s\"%s\":%s%s%s", l->first ? "" : ",", key, str ? "\"" : "",
	    v, str ? "\"" : "");
	l->first = false;
}

/* A word iptables writes alone (DF, SYN): a flag in JSON. */
static void
word(struct line *l, const char *w)
{
	if (l->json)
		field(l, w, false, "true");
	else
		put(l, " %s", w);
}

static uint16_t
be16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

/* MAC=: the frame's destination, source and type, as the kernel. */
static void
mac_field(struct line *l, const struct sw_log_rec *r)
{
	char m[3 * 14];
	unsigned int i;
	size_t n = 0;

	m[0] = '\0';
	for (i = 0; i < r->nb_mac && n < sizeof(m); i++)
		n += (size_t)snprintf(m + n, sizeof(m) - n, "%s%02x",
				      i ? ":" : "", r->mac[i]);
	field(l, "MAC", true, "%s", m);
}

/* SRC= DST= LEN= and the IP header's fields, in iptables' order. */
static void
ip_fields(struct line *l, const struct sw_log_rec *r)
{
	char src[INET6_ADDRSTRLEN], dst[INET6_ADDRSTRLEN];
	int af = r->family == 6 ? AF_INET6 : AF_INET;
	const uint8_t *h = r->l3;
	uint16_t fo;

	inet_ntop(af, r->src, src, sizeof(src));
	inet_ntop(af, r->dst, dst, sizeof(dst));
	field(l, "SRC", true, "%s", src);
	field(l, "DST", true, "%s", dst);
	field(l, "LEN", false, "%u", r->l3_len);
	if (r->nb_l3 == 0)
		return;
	if (r->family == 6) {
		uint32_t w = (uint32_t)h[0] << 24 | (uint32_t)h[1] << 16 |
			     (uint32_t)h[2] << 8 | h[3];

		field(l, "TC", false, "%u", (w >> 20) & 0xff);
		field(l, "HOPLIMIT", false, "%u", h[7]);
		field(l, "FLOWLBL", false, "%u", w & 0xfffff);
		if (r->frag != SW_FRAG_NONE)
			word(l, r->frag == SW_FRAG_FIRST ? "FRAG" : "FRAGLATER");
		return;
	}
	field(l, "TOS", false, l->json ? "%u" : "0x%02X", h[1] & 0x1e);
	field(l, "PREC", false, l->json ? "%u" : "0x%02X", h[1] & 0xe0);
	field(l, "TTL", false, "%u", h[8]);
	field(l, "ID", false, "%u", be16(h + 4));
	fo = be16(h + 6);
	if (fo & 0x8000)
		word(l, "CE");
	if (fo & 0x4000)
		word(l, "DF");
	if (fo & 0x2000)
		word(l, "MF");
	if (fo & 0x1fff)
		field(l, "FRAG", false, "%u", fo & 0x1fff);
}

/* PROTO= and what follows it, as nf_log_dump_tcp_header and its kin. */
static void
l4_fields(struct line *l, const struct sw_log_rec *r)
{
	static const char *const tcp_flags[] = {
		"CWR", "ECE", "URG", "ACK", "PSH", "RST", "SYN", "FIN"
	};
	const uint8_t *h = r->l4;
	const char *name = r->proto == IPPROTO_TCP ? "TCP" :
			   r->proto == IPPROTO_UDP ? "UDP" :
			   r->proto == IPPROTO_ICMP ? "ICMP" :
			   r->proto == IPPROTO_ICMPV6 ? "ICMPv6" : NULL;
	unsigned int i;
	bool echo;

	if (name != NULL)
		field(l, "PROTO", true, "%s", name);
	else
		field(l, "PROTO", false, "%u", r->proto);
	/* A later fragment has no L4 header: iptables stops here too. */
	if (name == NULL || r->frag == SW_FRAG_LATER)
		return;
	if (r->proto == IPPROTO_ICMP || r->proto == IPPROTO_ICMPV6) {
		field(l, "TYPE", false, "%u", r->icmp_type);
		field(l, "CODE", false, "%u", r->icmp_code);
		echo = r->proto == IPPROTO_ICMP ?
		       r->icmp_type == 0 || r->icmp_type == 8 :
		       r->icmp_type == 128 || r->icmp_type == 129;
		if (echo && r->nb_l4 >= 8) {
			field(l, "ID", false, "%u", be16(h + 4));
			field(l, "SEQ", false, "%u", be16(h + 6));
		}
		return;
	}
	field(l, "SPT", false, "%u", ntohs(r->sport));
	field(l, "DPT", false, "%u", ntohs(r->dport));
	if (r->proto == IPPROTO_UDP) {
		field(l, "LEN", false, "%u", r->nb_l4 >= 8 ? be16(h + 4) :
		      r->l4_len);
		return;
	}
	if (r->nb_l4 < 20)
		return;
	field(l, "WINDOW", false, "%u", be16(h + 14));
	field(l, "RES", false, l->json ? "%u" : "0x%02x",
	      (unsigned int)(h[12] & 0x0f) << 2);
	for (i = 0; i < 8; i++)
		if (h[13] & (0x80u >> i))
			word(l, tcp_flags[i]);
	field(l, "URGP", false, "%u", be16(h + 18));
}

/* The prefix, its trailing blanks cut: one space follows it. */
static size_t
prefix_len(const char *p)
{
	size_t n = strnlen(p, SW_ACL_LOG_PREFIX_MAX);

	while (n > 0 && p[n - 1] == ' ')
		n--;
	return n;
}

/*
 * One line, as iptables LOG writes one: the prefix, then IN= OUT= MAC=
 * SRC= DST= LEN= TOS= PREC= TTL= ID= flags PROTO= SPT= DPT= WINDOW= RES=
 * flags URGP= (those that apply), then spillway's own: RULE= VERDICT=
 * REASON= WORKER=. Or the same as one JSON object (log.format).
 */
static void
write_line(const struct sw_droplog *d, const struct sw_log_rec *r)
{
	const struct sw_config *cfg = &d->app->cfg;
	struct line l = { .json = cfg->log.format == SW_LOG_FORMAT_JSON,
			  .first = true };
	double t = d->wall0 + ((double)r->tsc - (double)d->tsc0) / d->hz;
	time_t sec = (time_t)t;
	char when[40], rule[48];
	size_t pl = prefix_len(r->prefix);
	struct tm tm;

	gmtime_r(&sec, &tm);
	strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(when + strlen(when), sizeof(when) - strlen(when), ".%06uZ",
		 (unsigned int)((t - (double)sec) * 1e6) % 1000000u);
	if (r->set == SW_LOG_NO_SET)
		snprintf(rule, sizeof(rule), "-");
	else if (r->rule == SW_LOG_NO_RULE)
		snprintf(rule, sizeof(rule), "%s_default",
			 sw_acl_set_name(r->set));
	else if (r->set >= SW_ACL_NB_SETS && sw_app_acl(d->app) != NULL)
		snprintf(rule, sizeof(rule), "group:%s[%u]",
			 sw_acl_list_name(sw_app_acl(d->app), r->set),
			 r->rule);
	else
		snprintf(rule, sizeof(rule), "%s[%u]", sw_acl_set_name(r->set),
			 r->rule);
	if (l.json) {
		put(&l, "{");
		field(&l, "time", true, "%s", when);
		field(&l, "prefix", true, "%.*s", (int)pl, r->prefix);
	} else {
		put(&l, "%s %.*s%s", when, (int)pl, r->prefix, pl ? " " : "");
		/* iptables: "IN=" follows the prefix's one space. */
		l.n--;
	}
	field(&l, "IN", true, "%s", r->port < cfg->nb_ports ?
	      cfg->ports[r->port].name : "?");
	field(&l, "OUT", true, "%s", r->port < cfg->nb_ports ?
	      cfg->ports[cfg->ports[r->port].peer].name : "");
	mac_field(&l, r);
	ip_fields(&l, r);
	l4_fields(&l, r);
	field(&l, "RULE", true, "%s", rule);
	field(&l, "VERDICT", true, "%s", sw_acl_action_name(r->verdict));
	field(&l, "REASON", true, "%s", r->reason == SW_LOG_RULE ? "rule" :
	      r->reason == SW_LOG_DEFAULT ? "default" :
	      r->reason == SW_LOG_SPILL ? "spill" :
	      r->why < SW_CNT_MAX ? sw_worker_stats[r->why].name : "invalid");
	field(&l, "WORKER", false, "%u", r->worker);
	if (l.json)
		put(&l, "}");
	/* The rule's level, else notice; JSON lines carry no type tag. */
	if (l.json)
		rte_log(r->level ? r->level : RTE_LOG_NOTICE, sw_drop_logtype,
			"%s\n", l.b);
	else
		rte_log(r->level ? r->level : RTE_LOG_NOTICE, sw_drop_logtype,
			"SPILLWAY_DROP: %s\n", l.b);
}

/* Once a second with something held back: say how much, and where. */
static void
report(struct sw_droplog *d, double now)
{
	uint64_t limited = 0, full = 0, dl, df;
	unsigned int i;

	d->next_report = now + 1;
	for (i = 0; i < d->nb; i++) {
		const uint64_t *c = d->app->workers[i]->cnt.c;

		limited += __atomic_load_n(&c[SW_CNT_log_limited],
					   __ATOMIC_RELAXED);
		full += __atomic_load_n(&c[SW_CNT_log_ring_full],
					__ATOMIC_RELAXED);
	}
	dl = limited - d->limited;
	df = full - d->full;
	if (dl + df + d->held != 0 &&
	    d->app->cfg.log.format == SW_LOG_FORMAT_JSON)
		rte_log(RTE_LOG_NOTICE, sw_drop_logtype, "{\"log\":"
			"\"suppressed\",\"records\":%" PRIu64 ",\"rate\":%u,"
			"\"workers\":%" PRIu64 ",\"writer\":%" PRIu64 ","
			"\"ring_full\":%" PRIu64 "}\n", dl + df + d->held,
			d->app->cfg.log.rate, dl, d->held, df);
	else if (dl + df + d->held != 0)
		RTE_LOG(NOTICE, SPILLWAY_DROP, "log: %" PRIu64 " records "
			"suppressed in the last second (log.rate %u a "
			"second): %" PRIu64 " over the rate on the workers, %"
			PRIu64 " at the writer, %" PRIu64 " lost to a full "
			"ring\n", dl + df + d->held, d->app->cfg.log.rate, dl,
			d->held, df);
	d->limited = limited;
	d->full = full;
	d->held = 0;
}

void
sw_droplog_drain(struct sw_droplog *d)
{
	struct sw_log_rec r[DRAIN_BURST];
	unsigned int i, k, n;
	double now, rate;

	if (d == NULL)
		return;
	now = sw_now_s();
	rate = d->app->cfg.log.rate;
	d->credit = RTE_MIN(rate, d->credit + (now - d->last) * rate);
	d->last = now;
	for (i = 0; i < d->nb; i++) {
		if (d->ring[i] == NULL)
			continue;
		do {
			n = sw_ring_take(d->ring[i], r, sizeof(r[0]),
					 DRAIN_BURST);
			for (k = 0; k < n; k++) {
				if (d->credit < 1) {
					d->held++;
					d->app->log_suppressed++;
					continue;
				}
				d->credit -= 1;
				write_line(d, &r[k]);
				d->app->log_lines++;
			}
		} while (n == DRAIN_BURST);
	}
	if (now >= d->next_report)
		report(d, now);
}

void
sw_droplog_free(struct sw_droplog *d)
{
	unsigned int i;

	if (d == NULL)
		return;
	sw_droplog_drain(d);
	for (i = 0; i < d->nb; i++) {
		if (d->app->workers[i] != NULL)
			d->app->workers[i]->log.ring = NULL;
		rte_ring_free(d->ring[i]);
	}
	free(d);
}
