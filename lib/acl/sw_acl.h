/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The spillway authors
 */
#ifndef SW_ACL_H
#define SW_ACL_H

/*
 * lib/acl: spillway's rule model and its rte_acl compilation.
 *
 * Three rule sets, each an ordered list where the first match wins:
 * `notrack` (decides a packet before tracking), `policy` (decides new
 * flows) and `fallback` (decides, statelessly, what cannot be tracked).
 *
 * Usage:
 *   - Parse rule fields from text with sw_acl_parse_*() (each returns 0
 *     or -EINVAL with a one-line reason in `err`) into struct
 *     sw_acl_rule.
 *   - sw_acl_create() compiles all three sets into rte_acl contexts (one
 *     IPv4 and one IPv6 layout per set) with per-worker hit counters.
 *     The result is immutable.
 *   - Workers: acl = sw_acl_current(&slot) once per burst, then
 *     sw_acl_classify() per set; report an RCU quiescent state between
 *     bursts.
 *   - Control: sw_acl_publish(&slot, next, qsbr) swaps in a new build
 *     and frees the old one once every worker has been quiescent.
 *
 * Thread-safety: parsers are pure. sw_acl_create() and sw_acl_publish()
 * are control-thread only (rte_acl_build is not thread-safe).
 * sw_acl_classify() may run on any number of workers at once, each with
 * its own worker index. Counters are read (summed) from any thread.
 *
 * Shutdown order: stop the workers, then sw_acl_free() the current set.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * What the classifier reads of a packet, in place (the parser fills it
 * as the head of its packet metadata). Network byte order throughout,
 * as rte_acl wants its input. IPv4 addresses use the first 4 bytes of
 * src/dst. The offsets are the rte_acl field layout (acl_build.c): the
 * first field is one byte, the rest come in groups of 4 bytes.
 */
struct sw_acl_key {
	uint8_t proto;		/*  0: IP protocol / last next header */
	uint8_t family;		/*  1: 4 or 6 (picks the context) */
	uint8_t pad[2];		/*  2 */
	uint8_t in_port;	/*  4: ingress port index */
	uint8_t tcp_flags;	/*  5 */
	uint8_t icmp_type;	/*  6 */
	uint8_t icmp_code;	/*  7 */
	uint16_t sport;		/*  8 */
	uint16_t dport;		/* 10 */
	uint8_t src[16];	/* 12 */
	uint8_t dst[16];	/* 28 */
};

struct rte_rcu_qsbr;

/* Port ranges one rule may list ("80,443,8000-8080"). */
#define SW_ACL_MAX_RANGES 16

struct sw_acl_cidr {
	uint8_t family;		/* 0: any, 4 or 6 */
	uint8_t plen;		/* prefix length */
	uint8_t addr[16];	/* network order, host bits cleared */
};

struct sw_acl_range {
	uint16_t lo;		/* host order, inclusive */
	uint16_t hi;
};

/* "any", "192.0.2.0/24", "192.0.2.1", "2001:db8::/32", "2001:db8::1". */
int sw_acl_parse_cidr(const char *s, struct sw_acl_cidr *out,
		      char *err, size_t errlen);

/*
 * "80", "80,443", "8000-8080", "22,8000-8080", "any". Fills up to
 * SW_ACL_MAX_RANGES ranges; *nb = 0 means any.
 */
int sw_acl_parse_ports(const char *s, struct sw_acl_range *r,
		       unsigned int *nb, char *err, size_t errlen);

/* "tcp", "udp", "icmp", "icmpv6", "any" (-1), or a number 0-255. */
int sw_acl_parse_proto(const char *s, int *proto, char *err, size_t errlen);

/* The name of a protocol number ("tcp", "any" for -1), or NULL. */
const char *sw_acl_proto_name(int proto);

/*
 * "syn", "ack", "syn,!ack", "fin,syn,rst,psh,ack,urg,ece,cwr": flags in
 * *mask must equal their bit in *value; "!" means must be clear.
 */
int sw_acl_parse_tcp_flags(const char *s, uint8_t *value, uint8_t *mask,
			   char *err, size_t errlen);

enum sw_acl_action {
	SW_ACL_NONE = 0,	/* no rule matched (notrack only) */
	SW_ACL_ACCEPT,
	SW_ACL_DROP,
	SW_ACL_REJECT,
	SW_ACL_NB_ACTIONS
};

enum sw_acl_set {
	SW_ACL_NOTRACK = 0,
	SW_ACL_POLICY,
	SW_ACL_FALLBACK,
	SW_ACL_NB_SETS
};

/* Rules per set; each may expand to nb_sport * nb_dport rte_acl rules. */
#define SW_ACL_MAX_RULES 65536
#define SW_ACL_COMMENT_MAX 64
/* A log prefix, as iptables' --log-prefix: 29 characters. */
#define SW_ACL_LOG_PREFIX_MAX 30

/* One rule as the admin wrote it. -1 in an int field means any. */
struct sw_acl_rule {
	struct sw_acl_cidr src;
	struct sw_acl_cidr dst;
	struct sw_acl_range sport[SW_ACL_MAX_RANGES];
	struct sw_acl_range dport[SW_ACL_MAX_RANGES];
	uint8_t nb_sport;		/* 0: any */
	uint8_t nb_dport;
	int16_t in_port;		/* ingress port index */
	int16_t proto;
	int16_t icmp_type;
	int16_t icmp_code;
	uint8_t flags_value;		/* TCP flags under flags_mask */
	uint8_t flags_mask;
	uint8_t action;			/* enum sw_acl_action, not NONE */
	int8_t synproxy;		/* policy accept: -1 the shard's
					 * SYN proxy mode, 0 never, 1 always */
	uint8_t log;			/* what it decides is logged */
	uint32_t line;			/* config line, for messages */
	char comment[SW_ACL_COMMENT_MAX];
	char log_prefix[SW_ACL_LOG_PREFIX_MAX];	/* "": none */
};

/* A rule with every field "any" and the given action. */
void sw_acl_rule_init(struct sw_acl_rule *r, uint8_t action);

/* "accept" / "drop" / "reject" -> enum sw_acl_action; -EINVAL else. */
int sw_acl_parse_action(const char *s, uint8_t *action);

/* "accept", "drop", "reject", "none". */
const char *sw_acl_action_name(uint8_t action);

/* "notrack", "policy", "fallback". */
const char *sw_acl_set_name(enum sw_acl_set set);

struct sw_acl_set_conf {
	const struct sw_acl_rule *rules;
	unsigned int nb_rules;
	uint8_t default_action;		/* NONE for notrack */
	bool default_log;		/* log what the default drops */
};

struct sw_acl_conf {
	struct sw_acl_set_conf set[SW_ACL_NB_SETS];
	unsigned int nb_workers;	/* hit counter banks, >= 1 */
	int socket_id;
};

struct sw_acl;

/*
 * Compile the three rule sets. Control thread only. Returns the build,
 * or NULL with rte_errno set (EINVAL: a rule the classifier cannot
 * express, ENOMEM) and a reason in err.
 */
struct sw_acl *sw_acl_create(const struct sw_acl_conf *conf, char *err,
			     size_t errlen);

/* Free a build nobody uses any more. NULL is a no-op. */
void sw_acl_free(struct sw_acl *acl);

/* Pass as `worker` to classify without counting hits (e.g. revalidation). */
#define SW_ACL_NO_COUNT (~0u)

/*
 * Classify nb (<= 64) packets against one set, as worker `worker`.
 * Writes each packet's action to action[i] (the set's default when no
 * rule matched) and, if rule is not NULL, the matching rule's index + 1
 * (0: default) to rule[i]. Counts a hit per packet.
 */
void sw_acl_classify(const struct sw_acl *acl, enum sw_acl_set set,
		     unsigned int worker, const struct sw_acl_key *const *keys,
		     uint16_t nb, uint8_t *action, uint32_t *rule);

unsigned int sw_acl_nb_rules(const struct sw_acl *acl, enum sw_acl_set set);

/* True when a policy rule says synproxy = true (the SYN proxy may answer). */
bool sw_acl_any_synproxy(const struct sw_acl *acl);

/*
 * Logging: true when some rule of the set says log = true, or its
 * default drops are logged (sw_acl_default_logs). Workers ask once a
 * burst whether to look for the matching rules at all.
 */
bool sw_acl_logs(const struct sw_acl *acl, enum sw_acl_set set);
bool sw_acl_default_logs(const struct sw_acl *acl, enum sw_acl_set set);

/* True when the set has no rule (every packet gets its default). */
bool sw_acl_empty(const struct sw_acl *acl, enum sw_acl_set set);
const struct sw_acl_rule *sw_acl_get_rule(const struct sw_acl *acl,
					  enum sw_acl_set set, unsigned int i);
uint8_t sw_acl_default(const struct sw_acl *acl, enum sw_acl_set set);

/* Hits of rule i summed over workers; i == nb_rules: the default. */
uint64_t sw_acl_hits(const struct sw_acl *acl, enum sw_acl_set set,
		     unsigned int i);

/* Expanded rte_acl rules in a set (both families): for logs, benches. */
unsigned int sw_acl_nb_expanded(const struct sw_acl *acl,
				enum sw_acl_set set);

/* 1 until sw_acl_free(acl): lets tests catch a reader outliving a swap. */
int sw_acl_alive(const struct sw_acl *acl);

/* Worker side: the build in force. Load once per burst. */
static inline struct sw_acl *
sw_acl_current(struct sw_acl *const *slot)
{
	return __atomic_load_n(slot, __ATOMIC_ACQUIRE);
}

/*
 * Control side: make `next` current, wait until every reader registered
 * and online in `qs` has reported a quiescent state (so none still holds
 * the old build), then free the old build. qs may be NULL when no
 * reader runs. Must not be called by a registered reader.
 */
void sw_acl_publish(struct sw_acl **slot, struct sw_acl *next,
		    struct rte_rcu_qsbr *qs);

#endif /* SW_ACL_H */
