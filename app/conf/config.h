/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The spillway authors
 */
#ifndef SW_CONFIG_H
#define SW_CONFIG_H

/*
 * The spillway configuration: one libconfig file. Every setting has a
 * default (see config/spillway.conf and README.md); unknown settings and
 * bad values are errors that name the file, the line and the setting.
 *
 * Thread-safety: control thread only. A loaded struct sw_config is
 * read-only afterwards and may be shared.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "l2filter.h"
#include "sw_acl.h"
#include "sw_ft.h"

#define SW_MAX_PORTS		16
/* Kernel ring sockets of one net_af_packet port (one per queue). */
#define SW_PORT_MAX_RING_FDS	64
#define SW_MAX_WORKERS		64
#define SW_MAX_EAL_ARGS		64
#define SW_PORT_NAME_MAX	32
#define SW_PORT_DEV_MAX		256
#define SW_ERR_MAX		512
/* Room for a config's errors, one line each (sw_config_load). */
#define SW_CONF_ERR_MAX		8192
#define SW_MAX_FILES		64	/* config file and its includes */
#define SW_SET_NAME_MAX		32

/* A port's NIC settings when the file gives none. */
#define SW_PORT_MTU		1500
#define SW_PORT_DESC		1024

struct sw_port_conf {
	char name[SW_PORT_NAME_MAX];
	char dev[SW_PORT_DEV_MAX];	/* PCI address or vdev string */
	uint8_t peer;			/* index of the paired port */
	bool link_propagate;		/* its pair's link follows: pairs[] */
	uint16_t mtu;			/* largest IP packet (L3), bytes */
	uint16_t rx_desc;		/* descriptors per rx queue */
	uint16_t tx_desc;		/* per tx queue */
	uint16_t queues;		/* rx/tx queue pairs: workers 0..q-1 */
};

/*
 * A named prefix set (sets.NAME). Its prefixes (elements, then the
 * file's) are read with the config, so --check validates them and a
 * reload can tell from the digest whether the set changed.
 */
struct sw_set_conf {
	char name[SW_SET_NAME_MAX];
	uint8_t family;			/* 0: both, 4, 6 */
	uint32_t max;			/* prefixes per family */
	uint32_t max_nets;		/* of which networks; 0: default */
	bool timeouts;			/* elements may carry a timeout */
	uint32_t timeout;		/* seconds an element given none gets;
					 * 0: it stays until deleted */
	char file[256];			/* as written; "": none */
	char path[512];			/* resolved next to the config */
	struct sw_acl_cidr *prefixes;	/* malloc'd */
	uint32_t *timeouts_of;		/* malloc'd, parallel, or NULL: none
					 * given (SW_PREFIX_NO_TIMEOUT: that
					 * element gave none) */
	uint32_t nb_prefixes;
	uint64_t digest;		/* definition and content */
	uint64_t content;		/* content only: elements and file */
	/* The file as read, to tell later whether it changed since. */
	uint64_t file_size;
	uint64_t file_ino;
	int64_t file_mtime_ns;
	uint32_t line;
};

/* A rule group (rules.groups.NAME): what jump and goto rules name. */
struct sw_group_conf {
	char name[SW_ACL_GROUP_NAME_MAX];
	struct sw_acl_rule *rules;	/* malloc'd */
	unsigned int nb;
	uint32_t line;
};

struct sw_rules_conf {
	struct sw_acl_rule *rules[SW_ACL_NB_SETS];	/* malloc'd */
	unsigned int nb[SW_ACL_NB_SETS];
	unsigned int nb_groups;
	struct sw_group_conf groups[SW_ACL_MAX_GROUPS];
	uint8_t default_action[SW_ACL_NB_SETS];
	struct sw_acl_pool pool;	/* prefixes of address lists */
	bool fallback_from_policy;	/* derive fallback from the policy */
	unsigned int nb_written_fallback;	/* then the derived ones */
	char *files[SW_MAX_FILES];	/* files rules came from (@include) */
	unsigned int nb_files;
	bool allow_ndp;			/* ND passes before the policy */
	bool allow_mld;			/* MLD too */
	bool allow_source_route;	/* LSRR/SSRR, RH0 not dropped */
	unsigned int reject_rate;	/* replies/s per worker; 0: none */
	unsigned int reject_rate_per_dest; /* to one /24, /64; 0: no limit */
	bool default_log[SW_ACL_NB_SETS];	/* log.*_default */
};

struct sw_flowtable_conf {
	bool enabled;			/* false: fully stateless */
	/*
	 * flowtable.state_file: written at a clean stop, loaded at the
	 * next start (path as written, and resolved next to the config);
	 * "": none.
	 */
	char state_file[256];
	char state_path[512];
	bool zone_vlan;			/* the outer VLAN id is part of a flow */
	bool revalidate_on_reload;	/* drop flows the new policy denies */
	bool src_over_fallback;		/* over a quota: fallback, else drop */
	unsigned int synproxy_mss;	/* MSS the proxy offers; 0: by family */
	/*
	 * What lib/flowtable is created with, from sw_ft_conf_defaults():
	 * size, options, timeouts (seconds), the SYN proxy, per-source
	 * quotas (firewall-wide here; spillway gives each worker's shard
	 * its share). nb_shards, hz and socket_id are set at start.
	 */
	struct sw_ft_conf ft;
};

/* The control socket unless control.socket says otherwise. */
#define SW_CONTROL_SOCKET	"/run/spillway/control.sock"

struct sw_control_conf {
	char socket[108];		/* unix socket path; "": none */
	char socket_group[32];		/* group let in; "": none */
	unsigned int socket_gid;
	char listen[80];		/* TCP "ADDR:PORT"; "": none */
	char password[128];		/* required with listen */
	bool tcp_admin;			/* TCP may change state */
	int family;			/* AF_INET / AF_INET6 */
	uint8_t addr[16];		/* network order */
	uint16_t port;			/* host order; 0: any free port */
	unsigned int idle_timeout;	/* seconds */
	unsigned int max_clients;
};

struct sw_fragments_conf {
	unsigned int timeout;		/* seconds a datagram is kept */
	unsigned int per_source;	/* datagrams one /32, /64 may hold */
};

/* Sources the metrics endpoint answers (stats.prometheus_allow). */
#define SW_PROM_ALLOW_MAX	16

struct sw_stats_conf {
	char file[256];			/* "": no file */
	unsigned int interval_ms;
	char prom_listen[80];		/* "ADDR:PORT"; "": no endpoint */
	int prom_family;		/* AF_INET / AF_INET6 */
	uint8_t prom_addr[16];		/* network order */
	uint16_t prom_port;		/* host order; 0: any free port */
	unsigned int nb_prom_allow;
	struct sw_acl_cidr prom_allow[SW_PROM_ALLOW_MAX];
	bool rules_in_file;		/* per-rule counters in the file */
};

/* How the drop log writes a line (log.format). */
enum sw_log_format {
	SW_LOG_FORMAT_TEXT = 0,		/* iptables LOG's fields */
	SW_LOG_FORMAT_JSON,		/* one JSON object a line */
};

/* ha.mode: what the two nodes do (an absent ha group: no HA). */
enum sw_ha_mode {
	SW_HA_ACTIVE_STANDBY = 0,	/* one forwards, the other waits */
	SW_HA_ACTIVE_ACTIVE,		/* both forward, each knows all */
};

/* ha.role: whether this node forwards. */
enum sw_ha_role {
	SW_HA_ROLE_ACTIVE = 0,
	SW_HA_ROLE_STANDBY,
};

/*
 * ha: state sync with one peer over UDP (app/ha). The key file's bytes
 * are read at start; the loader checks that it exists, holds 16 bytes
 * or more and is readable by nobody but its owner.
 */
struct sw_ha_conf {
	bool enabled;			/* an ha group is there */
	uint8_t mode;			/* enum sw_ha_mode */
	uint8_t role;			/* enum sw_ha_role, at start */
	char local[80];			/* "ADDR:PORT" as written */
	char peer[80];
	int family;			/* AF_INET / AF_INET6, both alike */
	uint8_t local_addr[16];		/* network order */
	uint16_t local_port;		/* host order */
	uint8_t peer_addr[16];
	uint16_t peer_port;
	char key_file[256];		/* as written */
	char key_path[512];		/* resolved next to the config */
	uint32_t max_updates_per_s;	/* flow updates sent; 0: no limit */
};

/* The drop log (log.*); the defaults' switches are in the rules. */
struct sw_log_conf {
	unsigned int rate;		/* lines a second in all; 0: none */
	bool invalid;			/* invalid packets, by reason */
	bool spill;			/* a spill episode's first packet */
	uint8_t format;			/* enum sw_log_format */
};

struct sw_config {
	char file[256];

	unsigned int eal_argc;
	char *eal_argv[SW_MAX_EAL_ARGS];

	unsigned int nb_ports;
	struct sw_port_conf ports[SW_MAX_PORTS];

	unsigned int nb_workers;
	unsigned int lcores[SW_MAX_WORKERS];
	unsigned int burst;

	bool l2_passthrough;		/* some non-IP frames pass */
	struct sw_l2_conf l2;		/* which */
	bool checksum_verify;		/* bad checksums are invalid */

	unsigned int nb_sets;
	struct sw_set_conf sets[SW_ACL_MAX_SETS];

	struct sw_rules_conf rules;
	struct sw_flowtable_conf flowtable;
	struct sw_fragments_conf fragments;
	struct sw_control_conf control;
	struct sw_stats_conf stats;
	struct sw_log_conf log;
	struct sw_ha_conf ha;
};

/*
 * Parse "192.0.2.1:9023", "[2001:db8::1]:9023", "localhost:9023".
 * Returns 0, or -EINVAL.
 */
int sw_config_parse_listen(const char *s, int *family, uint8_t *addr,
			   uint16_t *port);

/*
 * Load and validate `path` into a zeroed *cfg. Returns 0, or -EINVAL
 * (bad file: err holds a line "FILE:LINE: SETTING: what is wrong" for
 * each error found, up to 20, and how many more; SW_CONF_ERR_MAX bytes
 * hold them) or -ENOENT (cannot read). On error *cfg holds nothing to
 * free.
 */
int sw_config_load(const char *path, struct sw_config *cfg,
		   char *err, size_t errlen);

/* The same from an open stream; `path` names it in errors. */
int sw_config_load_file(FILE *f, const char *path, struct sw_config *cfg,
			char *err, size_t errlen);

/*
 * The control socket of the instance that runs the config at path, for
 * the tools that talk to it (client.h): the file's syntax, its
 * top-level setting names and its control group, each checked as a
 * load checks them, and nothing else (a set file the instance will
 * refuse must still reach that instance, which says why and counts
 * the failure). 0 with sock filled ("" when control.socket is ""), or
 * -ENOENT (cannot read) / -EINVAL (err: "FILE:LINE: SETTING: ...").
 */
int sw_config_socket(const char *path, char *sock, size_t len, char *err,
		     size_t errlen);

/* Release what sw_config_load allocated. NULL is a no-op. */
void sw_config_free(struct sw_config *cfg);

/* Index of the port named `name`, or -1. */
int sw_config_port_index(const struct sw_config *cfg, const char *name);

/*
 * Free a set's elements (and their timeouts), once its set holds them:
 * the definition stays. NULL-safe on both arrays.
 */
void sw_set_conf_drop_elements(struct sw_set_conf *sc);

/* Index of the set named `name`, or -1. */
int sw_config_set_index(const struct sw_config *cfg, const char *name);

/* Port and set names by index, for sw_acl_match_text(). */
void sw_config_names(const struct sw_config *cfg,
		     const char *ports[SW_MAX_PORTS],
		     const char *sets[SW_ACL_MAX_SETS]);


#endif /* SW_CONFIG_H */
