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
 * Any of them may jump to named rule groups (jump / goto / return, as
 * iptables' user chains), and a rule may carry conditions that hold
 * state: a rate limit, a per-source meter and a connection limit. A
 * rule whose condition fails does not match: evaluation goes on below
 * it, as nftables does (lib/acl/DESIGN.md).
 *
 * Usage:
 *   - Parse rule fields from text with sw_acl_parse_*() (each returns 0
 *     or -EINVAL with a one-line reason in `err`) into struct
 *     sw_acl_rule. A source or destination may also be a list of
 *     prefixes (kept in the conf's prefix pool), named sets ("@feed"),
 *     or any of these negated; ports may be negated too.
 *   - Sets are looked up outside this library: the worker fills
 *     key->sets with one bit per set the build uses (sw_acl_set_map()),
 *     and rte_acl tests those bits like any other field.
 *   - sw_acl_create() compiles all three sets into rte_acl contexts (one
 *     IPv4 and one IPv6 layout per set) with per-worker hit counters.
 *     The result is immutable.
 *   - Workers classify with sw_acl_classify() per set, on the build
 *     their caller publishes (spillway: in a rule-set snapshot, swapped
 *     under RCU and freed once every worker has been quiescent, see
 *     app/rules/ruleset.h).
 *
 * Thread-safety: parsers are pure. sw_acl_create() is control-thread
 * only (rte_acl_build is not thread-safe).
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
	/*
	 * 44: set membership, network order: bit b (of the host-order
	 * value) is set when the source is in the build's source set b
	 * (b < 16) or the destination in its destination set b - 16
	 * (sw_acl_set_map()). Zero when the build uses no set.
	 */
	uint32_t sets;
};

/* Sets a build may test: per direction, bits of sw_acl_key.sets. */
#define SW_ACL_SET_BITS 16
/* Named sets a configuration may define (ids 0..31 in a rule). */
#define SW_ACL_MAX_SETS 32


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

/* The same with a leading "!" allowed: *neg set, ranges as written. */
int sw_acl_parse_ports_neg(const char *s, struct sw_acl_range *r,
			   unsigned int *nb, uint8_t *neg, char *err,
			   size_t errlen);

/* Prefixes of address lists, shared by the rules of a configuration. */
struct sw_acl_pool {
	struct sw_acl_cidr *v;
	unsigned int n;
	unsigned int cap;
};

void sw_acl_pool_free(struct sw_acl_pool *pool);

struct sw_acl_addr;

/*
 * A source or destination: "any", a prefix, "@set", a list ("a, b",
 * "{a, @set}"), or any of these negated by one leading "!" ("!a",
 * "!{a, @set}"); a "!" before a later element is an error (negate the
 * whole list). Set names resolve through names[0..nb_sets-1]. A single
 * plain prefix fills *one and leaves *x zero; anything else goes to
 * *x, its prefixes appended to the pool. Returns 0 or -EINVAL (err),
 * -ENOMEM.
 */
int sw_acl_parse_addr(const char *s, const char *const *names,
		      unsigned int nb_sets, struct sw_acl_pool *pool,
		      struct sw_acl_cidr *one, struct sw_acl_addr *x,
		      char *err, size_t errlen);

/*
 * Families an address can match: bit 0 IPv4, bit 1 IPv6 (3: both).
 * set_family[i] is set i's family (0: both).
 */
unsigned int sw_acl_addr_families(const struct sw_acl_cidr *one,
				  const struct sw_acl_addr *x,
				  const struct sw_acl_cidr *pool,
				  const uint8_t *set_family);

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
	/*
	 * The list ends here without a verdict: the packet gets what no
	 * rule of the list would give it (notrack: none, it goes on to be
	 * tracked; policy and fallback: the list's default). Rules only;
	 * sw_acl_classify() never reports it.
	 */
	SW_ACL_RETURN,
	/*
	 * Evaluate group r->group; if it ends without a verdict (a return
	 * rule, or no rule of it matched) go on below the jump rule.
	 */
	SW_ACL_JUMP,
	/* The same, but the group's end is this list's end (iptables -g). */
	SW_ACL_GOTO,
	SW_ACL_NB_ACTIONS
};

enum sw_acl_set {
	SW_ACL_NOTRACK = 0,
	SW_ACL_POLICY,
	SW_ACL_FALLBACK,
	SW_ACL_NB_SETS
};

/*
 * Rule groups: lists that rules jump to. Every function below that
 * takes an enum sw_acl_set also takes a group as SW_ACL_GROUP(g), its
 * index in sw_acl_conf.groups: the three sets and the groups are the
 * build's lists, 0 .. sw_acl_nb_lists() - 1.
 */
#define SW_ACL_MAX_GROUPS 64
#define SW_ACL_GROUP(g) ((enum sw_acl_set)(SW_ACL_NB_SETS + (g)))
/* Groups a packet may be inside at once (jumps within jumps). */
#define SW_ACL_MAX_DEPTH 16
#define SW_ACL_GROUP_NAME_MAX 32

/* Rules per set; each may expand to nb_sport * nb_dport rte_acl rules. */
#define SW_ACL_MAX_RULES 65536
#define SW_ACL_COMMENT_MAX 64
/* A log prefix, as iptables' --log-prefix: 29 characters. */
#define SW_ACL_LOG_PREFIX_MAX 30

/*
 * A source or destination beyond one prefix: the prefixes pool[list ..
 * list + nb) of the conf, the sets named in `sets` (bit i: set id i),
 * matched when the address is in any of them, or, with `neg`, in none.
 * A negated address matches only the families of its elements (as in
 * nftables and pf: "!192.0.2.0/24" is an IPv4 match). When nb, sets
 * and neg are all 0, the rule's single cidr is the match.
 */
struct sw_acl_addr {
	uint32_t list;
	uint16_t nb;
	uint8_t neg;
	uint8_t pad;
	uint32_t sets;
};

/*
 * A packet rate, as nftables' `limit rate 10/second burst 20`: the rule
 * matches while a token bucket of `burst` tokens, refilled with
 * `packets` every `seconds`, holds one (and takes it); with `over`, it
 * matches the packets over the rate instead (`limit rate over`).
 * packets == 0: no such condition.
 */
struct sw_acl_rate {
	uint32_t packets;
	uint32_t seconds;
	uint32_t burst;
	uint8_t over;
};

/*
 * A per-source meter, as iptables' hashlimit or an nftables meter: the
 * rate holds for each source (by_dst: destination) prefix apart, in a
 * bounded table of `size` entries keyed with a secret hash.
 */
struct sw_acl_meter {
	struct sw_acl_rate rate;
	uint8_t by_dst;
	uint8_t v4_prefix;
	uint8_t v6_prefix;
	uint32_t size;
};

/*
 * A connection limit, as iptables' connlimit or nftables' `ct count`:
 * the rule matches while the live flows it let through number fewer
 * than `max` (with `over`: once they would be more than max). Counted
 * by the caller (sw_acl_eval's conn callback: spillway's flow table,
 * across all workers), per rule, or per source prefix when v4_prefix
 * is set. max == 0: no such condition.
 */
struct sw_acl_conn {
	uint32_t max;
	uint8_t over;
	uint8_t v4_prefix;	/* 0: the rule's flows, whatever source */
	uint8_t v6_prefix;
	uint16_t tag;		/* the caller's (sw_acl_set_conn_tag) */
};

/* Where a rule came from. */
enum sw_acl_origin {
	SW_ACL_WRITTEN = 0,	/* the config's own rule */
	SW_ACL_DERIVED,		/* fallback rule from a policy accept */
	SW_ACL_DERIVED_REPLY,	/* the stateless reply rule of one */
	SW_ACL_DERIVED_COPY,	/* a policy drop/reject/return, in order */
};

/* One rule as the admin wrote it. -1 in an int field means any. */
struct sw_acl_rule {
	struct sw_acl_cidr src;		/* one prefix (or any) */
	struct sw_acl_cidr dst;
	struct sw_acl_addr srcx;	/* or more: lists, sets, negation */
	struct sw_acl_addr dstx;
	struct sw_acl_range sport[SW_ACL_MAX_RANGES];
	struct sw_acl_range dport[SW_ACL_MAX_RANGES];
	uint8_t nb_sport;		/* 0: any */
	uint8_t nb_dport;
	uint8_t sport_neg;		/* match ports outside the ranges */
	uint8_t dport_neg;
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
	uint8_t log_level;		/* its lines' level (RTE_LOG_*);
					 * 0: the drop log's (notice) */
	uint8_t origin;			/* enum sw_acl_origin */
	uint16_t file;			/* config file index (listings) */
	uint32_t line;			/* config line, for messages */
	uint32_t from;			/* derived: the policy rule */
	uint16_t group;			/* jump / goto: the group */
	uint8_t reject_with;		/* reject: the caller's reply kind
					 * (0: its default) */
	uint8_t pad;
	struct sw_acl_rate limit;	/* conditions with state: */
	struct sw_acl_meter meter;
	struct sw_acl_conn conn;
	uint32_t state;			/* lib/acl's own: the rule's rate
					 * state (set by sw_acl_create) */
	char comment[SW_ACL_COMMENT_MAX];
	char log_prefix[SW_ACL_LOG_PREFIX_MAX];	/* "": none */
};

/* A rule with every field "any" and the given action. */
void sw_acl_rule_init(struct sw_acl_rule *r, uint8_t action);

/*
 * "accept" / "drop" / "reject" / "return" -> enum; -EINVAL else (jump
 * and goto name a group: the caller sets them).
 */
int sw_acl_parse_action(const char *s, uint8_t *action);

/* "accept", "drop", "reject", "return", "jump", "goto", "none". */
const char *sw_acl_action_name(uint8_t action);

/*
 * "10/second", "600/minute", "5/s", "100/hour", "1000/day" (also sec,
 * min, m, h, d): packets and seconds of a rate. 0 or -EINVAL (err).
 */
int sw_acl_parse_rate(const char *s, struct sw_acl_rate *r, char *err,
		      size_t errlen);

/* True when the rule has a condition with state (limit, meter, conn). */
bool sw_acl_rule_stateful(const struct sw_acl_rule *r);

/*
 * True when prefix c holds address a (network order, of c's family);
 * "any" holds everything.
 */
bool sw_acl_cidr_holds(const struct sw_acl_cidr *c, uint8_t family,
		       const uint8_t *a);

/* "192.0.2.0/24", "2001:db8::/32", "192.0.2.1" for a /32, "any". */
void sw_acl_cidr_format(const struct sw_acl_cidr *c, char *buf, size_t len);

/*
 * A rule's match as text, in the config's own words and a fixed
 * order: "in=outside proto=tcp src=!@feed dst=192.0.2.80 dport=80,443".
 * Equal matches give equal text (hit counters are carried across a
 * reload by it). `pool` is the prefix pool of lists; `ports` and `sets`
 * name port and set indexes (NULL entries print as numbers). Returns
 * the length it would have (as snprintf).
 */
int sw_acl_match_text(const struct sw_acl_rule *r,
		      const struct sw_acl_cidr *pool,
		      const char *const *ports, const char *const *sets,
		      char *buf, size_t len);

/* "notrack", "policy", "fallback". */
const char *sw_acl_set_name(enum sw_acl_set set);

struct sw_acl_set_conf {
	const struct sw_acl_rule *rules;
	unsigned int nb_rules;
	uint8_t default_action;		/* NONE for notrack */
	bool default_log;		/* log what the default drops */
};

struct sw_acl_group_conf {
	char name[SW_ACL_GROUP_NAME_MAX];
	const struct sw_acl_rule *rules;
	unsigned int nb_rules;
};

struct sw_acl_conf {
	struct sw_acl_set_conf set[SW_ACL_NB_SETS];
	/* Groups jump and goto rules name (rule.group: their index). */
	const struct sw_acl_group_conf *groups;
	unsigned int nb_groups;
	/*
	 * Rate limits and meters: ticks of `now` a second (sw_acl_eval),
	 * and the keyed hash a meter's table is indexed by (spillway:
	 * the flow table's SipHash); both needed only when a rule has a
	 * limit or a meter.
	 */
	uint64_t hz;
	uint64_t (*hash)(const void *data, size_t len);
	const struct sw_acl_cidr *pool;	/* prefixes of address lists */
	unsigned int nb_pool;
	/* Family of each named set (0: both); ids the rules use. */
	uint8_t set_family[SW_ACL_MAX_SETS];
	unsigned int nb_workers;	/* hit counter banks, >= 1 */
	int socket_id;
};

struct sw_acl;

/*
 * Compile the three rule sets and the groups. Control thread only.
 * Returns the build, or NULL with rte_errno set (EINVAL: a rule the
 * classifier cannot express, a jump to no group, groups that jump in a
 * circle or deeper than SW_ACL_MAX_DEPTH; ENOMEM) and a reason in err.
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

/*
 * A connection limit's count, asked by sw_acl_eval for packet i (its
 * index in keys[]) when rule r matched it otherwise: true while r's
 * flows number fewer than r->conn.max with this one (the callback may
 * then reserve the place for the flow the packet opens).
 */
typedef bool (*sw_acl_conn_cb)(void *arg, uint16_t i,
			       const struct sw_acl_rule *r);

/* What an evaluation with state needs, and what it counts. */
struct sw_acl_ctx {
	uint64_t now;		/* ticks of sw_acl_conf.hz */
	sw_acl_conn_cb conn;	/* NULL: connection limits are not over */
	void *arg;
	uint32_t limited;	/* out, added: rules a rate or meter kept */
	uint32_t conn_limited;	/* out, added: rules a conn limit kept */
};

/*
 * sw_acl_classify with the rules' conditions: limits and meters take
 * their tokens at ctx->now, connection limits ask ctx->conn. The rule a
 * packet gets may be in a group: rule[i] then says which (pass it, less
 * 1, to sw_acl_get_rule with the set it was classified in). With ctx
 * NULL, conditions are judged as met without spending anything (what
 * sw_acl_classify does: revalidation, checks that are no packet's).
 */
void sw_acl_eval(const struct sw_acl *acl, enum sw_acl_set set,
		 unsigned int worker, const struct sw_acl_key *const *keys,
		 uint16_t nb, uint8_t *action, uint32_t *rule,
		 struct sw_acl_ctx *ctx);

/*
 * The list a rule id of sw_acl_eval (its rule[i] - 1, with the set it
 * was classified in) lies in, and its index there.
 */
enum sw_acl_set sw_acl_rule_list(enum sw_acl_set set, uint32_t id,
				 unsigned int *index);

/* Lists of a build: the three sets, then its groups. */
unsigned int sw_acl_nb_lists(const struct sw_acl *acl);
/* "policy", or a group's name. */
const char *sw_acl_list_name(const struct sw_acl *acl, enum sw_acl_set list);

/*
 * The caller's counter of rule i's connection limit (r->conn.tag),
 * before the build is published. Control thread.
 */
void sw_acl_set_conn_tag(struct sw_acl *acl, enum sw_acl_set list,
			 unsigned int i, uint16_t tag);

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

/*
 * The sets this build tests, for the worker that fills key->sets:
 * ids[b] is the set id behind source bit b (dir 0) or destination bit b
 * (dir 1). Returns how many bits of that direction are used (0-16).
 */
unsigned int sw_acl_set_map(const struct sw_acl *acl, int dir,
			    uint8_t ids[SW_ACL_SET_BITS]);

/* The prefix pool the build keeps (for listings). */
const struct sw_acl_cidr *sw_acl_pool(const struct sw_acl *acl);

/*
 * DPDK memory the build took (rte_acl contexts, rules and counters),
 * and the expanded rte_acl rules it holds: the measure a reload uses to
 * tell what the next build will need.
 */
size_t sw_acl_memory(const struct sw_acl *acl);
unsigned int sw_acl_nb_expanded_all(const struct sw_acl *acl);

/*
 * Expanded rte_acl rules the conf would give (both families, all
 * sets), without building: to check memory before building. Returns
 * the count, or 0 with err set when a rule expands beyond what one
 * build may hold.
 */
uint64_t sw_acl_count_expanded(const struct sw_acl_conf *conf, char *err,
			       size_t errlen);

/*
 * Hits counted before this build: rule i of `set` starts from `hits`
 * (a reload keeps the count of a rule whose match and action did not
 * change). Control thread, before or after publishing.
 */
void sw_acl_set_hits_base(struct sw_acl *acl, enum sw_acl_set set,
			  unsigned int i, uint64_t hits);

/*
 * True when the list has a rule that jumps, goes to a group, or has a
 * condition with state: its packets need sw_acl_eval with a context.
 */
bool sw_acl_stateful(const struct sw_acl *acl, enum sw_acl_set set);

/* True when the set has no rule (every packet gets its default). */
bool sw_acl_empty(const struct sw_acl *acl, enum sw_acl_set set);
/*
 * Rule i of a list, or NULL; i may also be a rule id sw_acl_eval gave
 * for that set (rule[i] - 1), which names the group it lies in.
 */
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

#endif /* SW_ACL_H */
