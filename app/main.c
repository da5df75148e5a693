/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The spillway authors
 */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <rte_cycles.h>
#include <rte_eal.h>
#include <rte_ethdev.h>
#include <rte_launch.h>
#include <rte_lcore.h>
#include <rte_malloc.h>
#include <rte_mbuf.h>
#include <rte_pci.h>
#include <rte_rcu_qsbr.h>
#include <rte_version.h>

#include "config.h"
#include "flowfmt.h"
#include "log.h"
#include "port.h"
#include "sw_acl.h"
#include "sw_ft.h"
#include "worker.h"

#define SW_DEFAULT_CONFIG "config/spillway.conf"

RTE_LOG_REGISTER(sw_logtype, user.sw.app, INFO);

static volatile bool force_quit;

struct app {
	struct sw_config cfg;
	struct rte_mempool *pool;
	uint16_t port_id[SW_MAX_PORTS];
	bool port_started[SW_MAX_PORTS];
	int link_up[SW_MAX_PORTS];
	struct sw_worker *workers[SW_MAX_WORKERS];
	struct rte_rcu_qsbr *qs;	/* workers are its readers */
	struct sw_acl *acl;		/* published rule sets */
	struct sw_ft *ft;		/* NULL: flowtable.enabled = false */
};

static void
usage(FILE *f)
{
	fprintf(f,
"Usage: spillway [-c FILE] [--check] [--duration S] [--stats S]\n"
"                [--dump-flows] [-- EAL...]\n"
"\n"
"A DPDK userspace firewall: a bump in the wire between port pairs.\n"
"\n"
"  -c, --config FILE  configuration file (default " SW_DEFAULT_CONFIG ")\n"
"  -t, --check        validate the configuration and exit: 0 if good,\n"
"                     1 with the file, line and setting that is wrong\n"
"      --duration S   stop by itself after S seconds (scripts, demos)\n"
"      --stats S      print a counter line every S seconds\n"
"      --dump-flows   at exit, list the flow table (conntrack -L style)\n"
"  -h, --help         this text\n"
"  -V, --version      print the version and exit\n"
"\n"
"Arguments after -- are passed to the DPDK EAL after the config's eal list.\n"
"SIGINT/SIGTERM stop the firewall cleanly and print the totals.\n");
}

static void
on_signal(int sig)
{
	(void)sig;
	force_quit = true;
}

/* "0000:01:00.0" or "01:00.0", optionally followed by ",devargs". */
static bool
is_pci_addr(const char *dev)
{
	struct rte_pci_addr a;
	char name[64];
	size_t n = strcspn(dev, ",");

	if (n >= sizeof(name))
		return false;
	memcpy(name, dev, n);
	name[n] = '\0';
	return rte_pci_addr_parse(name, &a) == 0;
}

static void
dev_name(const char *dev, char *name, size_t len)
{
	struct rte_pci_addr a;
	size_t n = strcspn(dev, ",");

	if (n >= len)
		n = len - 1;
	memcpy(name, dev, n);
	name[n] = '\0';
	if (rte_pci_addr_parse(name, &a) == 0)
		rte_pci_device_name(&a, name, len);
}

static bool
has_arg(const struct sw_config *cfg, const char *a)
{
	unsigned int i;

	for (i = 0; i < cfg->eal_argc; i++)
		if (strcmp(cfg->eal_argv[i], a) == 0)
			return true;
	return false;
}

/*
 * EAL arguments: the config's eal list, then one -a per PCI port (so
 * only the NICs named in the config are taken) or --vdev per virtual
 * port, then whatever followed -- on the command line.
 */
static int
eal_init(struct app *app, char *prog, int extra_argc, char **extra_argv)
{
	struct sw_config *cfg = &app->cfg;
	char *argv[SW_MAX_EAL_ARGS * 2 + 2 * SW_MAX_PORTS + 8];
	int argc = 0, i, pci = 0;
	unsigned int p;

	argv[argc++] = prog;
	for (p = 0; p < cfg->eal_argc; p++)
		argv[argc++] = cfg->eal_argv[p];
	for (p = 0; p < cfg->nb_ports; p++) {
		bool is_pci = is_pci_addr(cfg->ports[p].dev);

		argv[argc++] = is_pci ? "-a" : "--vdev";
		argv[argc++] = cfg->ports[p].dev;
		pci += is_pci;
	}
	if (pci == 0 && !has_arg(cfg, "--no-pci") && !has_arg(cfg, "-a") &&
	    !has_arg(cfg, "--allow"))
		argv[argc++] = "--no-pci";
	for (i = 0; i < extra_argc && i < SW_MAX_EAL_ARGS; i++)
		argv[argc++] = extra_argv[i];
	argv[argc] = NULL;
	return rte_eal_init(argc, argv);
}

static int
check_lcores(const struct sw_config *cfg)
{
	unsigned int i, l;

	for (i = 0; i < cfg->nb_workers; i++) {
		l = cfg->lcores[i];
		if (l >= RTE_MAX_LCORE || !rte_lcore_is_enabled(l)) {
			SW_LOG(ERR, "%s: workers.lcores: lcore %u is not in "
			       "the EAL core list (eal -l)\n", cfg->file, l);
			return -EINVAL;
		}
		if (l == rte_get_main_lcore()) {
			SW_LOG(ERR, "%s: workers.lcores: lcore %u is the "
			       "main lcore, which runs the control thread\n",
			       cfg->file, l);
			return -EINVAL;
		}
	}
	return 0;
}

static int
ports_start(struct app *app)
{
	struct sw_config *cfg = &app->cfg;
	unsigned int p, nb_mbufs;
	char name[RTE_ETH_NAME_MAX_LEN];
	int rc;

	for (p = 0; p < cfg->nb_ports; p++) {
		dev_name(cfg->ports[p].dev, name, sizeof(name));
		if (rte_eth_dev_get_port_by_name(name, &app->port_id[p])) {
			SW_LOG(ERR, "port %s: no DPDK device '%s' (not probed: "
			       "check the device string and the driver)\n",
			       cfg->ports[p].name, name);
			return -ENODEV;
		}
	}
	/* Rx rings full, tx rings full, a burst in flight per worker. */
	nb_mbufs = cfg->nb_ports * cfg->nb_workers * 2048 +
		   cfg->nb_workers * (SW_BURST_MAX + 512) + 4096;
	app->pool = rte_pktmbuf_pool_create("sw_mbuf", nb_mbufs, 256, 0,
					    RTE_MBUF_DEFAULT_BUF_SIZE,
					    rte_socket_id());
	if (app->pool == NULL) {
		SW_LOG(ERR, "cannot create a pool of %u mbufs: %s (more "
		       "memory: eal -m)\n", nb_mbufs, rte_strerror(rte_errno));
		return -ENOMEM;
	}
	for (p = 0; p < cfg->nb_ports; p++) {
		rc = sw_port_start(app->port_id[p], cfg->ports[p].name,
				   (uint16_t)cfg->nb_workers, app->pool);
		if (rc)
			return rc;
		app->port_started[p] = true;
		app->link_up[p] = -1;
	}
	return 0;
}

/* Compile the config's rule sets into a new build. */
static struct sw_acl *
rules_build(const struct sw_config *cfg)
{
	struct sw_acl_conf conf;
	struct sw_acl *acl;
	char err[SW_ERR_MAX];
	unsigned int k;

	memset(&conf, 0, sizeof(conf));
	for (k = 0; k < SW_ACL_NB_SETS; k++) {
		conf.set[k].rules = cfg->rules.rules[k];
		conf.set[k].nb_rules = cfg->rules.nb[k];
		conf.set[k].default_action = cfg->rules.default_action[k];
	}
	conf.nb_workers = cfg->nb_workers;
	conf.socket_id = (int)rte_socket_id();
	acl = sw_acl_create(&conf, err, sizeof(err));
	if (acl == NULL) {
		SW_LOG(ERR, "%s: rules: %s\n", cfg->file, err);
		return NULL;
	}
	SW_LOG(INFO, "rules: notrack %u, policy %u, fallback %u (%u, %u, "
	       "%u classifier entries)\n", cfg->rules.nb[SW_ACL_NOTRACK],
	       cfg->rules.nb[SW_ACL_POLICY], cfg->rules.nb[SW_ACL_FALLBACK],
	       sw_acl_nb_expanded(acl, SW_ACL_NOTRACK),
	       sw_acl_nb_expanded(acl, SW_ACL_POLICY),
	       sw_acl_nb_expanded(acl, SW_ACL_FALLBACK));
	return acl;
}

static int
flowtable_create(struct app *app)
{
	const struct sw_flowtable_conf *f = &app->cfg.flowtable;
	struct sw_ft_conf c;
	unsigned int t;

	if (!f->enabled) {
		SW_LOG(INFO, "flowtable disabled: notrack and fallback rules "
		       "decide every packet\n");
		return 0;
	}
	sw_ft_conf_defaults(&c);
	c.max_flows = f->max_flows;
	c.nb_shards = app->cfg.nb_workers;
	c.tcp_loose = f->tcp_loose;
	c.early_drop = f->early_drop;
	c.high_water = (uint8_t)f->high_water;
	c.adaptive_start = (uint16_t)f->adaptive_start;
	c.adaptive_end = (uint16_t)f->adaptive_end;
	for (t = 0; t < SW_FT_TO_MAX; t++)
		c.timeouts[t] = f->timeouts[t];
	c.hz = rte_get_tsc_hz();
	c.socket_id = (int)rte_socket_id();
	app->ft = sw_ft_create(&c);
	if (app->ft == NULL) {
		SW_LOG(ERR, "flowtable of %u flows: %s (more memory: eal -m)\n",
		       f->max_flows, rte_strerror(rte_errno));
		return -ENOMEM;
	}
	SW_LOG(INFO, "flowtable: %u flows in %u shards of %u, %zu bytes "
	       "allocated, %.1f bytes per flow\n", f->max_flows,
	       app->cfg.nb_workers, sw_ft_shard_max(app->ft),
	       sw_ft_memory(app->ft),
	       (double)sw_ft_memory(app->ft) / f->max_flows);
	return 0;
}

static int
rcu_init(struct app *app)
{
	unsigned int n = app->cfg.nb_workers, i;
	size_t sz = rte_rcu_qsbr_get_memsize(n);

	app->qs = rte_zmalloc("sw_qsbr", sz, RTE_CACHE_LINE_SIZE);
	if (app->qs == NULL || rte_rcu_qsbr_init(app->qs, n) != 0)
		return -ENOMEM;
	for (i = 0; i < n; i++)
		rte_rcu_qsbr_thread_register(app->qs, i);
	return 0;
}

static int
workers_launch(struct app *app)
{
	struct sw_config *cfg = &app->cfg;
	unsigned int i, p;

	for (i = 0; i < cfg->nb_workers; i++) {
		unsigned int lcore = cfg->lcores[i];
		int socket = (int)rte_lcore_to_socket_id(lcore);
		struct sw_worker *w;

		w = rte_zmalloc_socket("sw_worker", sizeof(*w),
				       RTE_CACHE_LINE_SIZE, socket);
		if (w == NULL)
			return -ENOMEM;
		app->workers[i] = w;
		w->id = i;
		w->lcore = lcore;
		w->burst = (uint16_t)cfg->burst;
		w->txq = (uint16_t)i;
		w->quit = &force_quit;
		sw_worker_init(w, cfg, &app->acl, app->qs,
			       app->ft ? sw_ft_shard(app->ft, i) : NULL);
		w->nb_ports = cfg->nb_ports;
		w->nb_rxq = cfg->nb_ports;
		for (p = 0; p < cfg->nb_ports; p++) {
			w->port_id[p] = app->port_id[p];
			w->peer[p] = cfg->ports[p].peer;
			w->rxq[p].port_id = app->port_id[p];
			w->rxq[p].queue = (uint16_t)i;
			w->rxq[p].port = (uint8_t)p;
			w->txb[p] = rte_zmalloc_socket("sw_txb",
				RTE_ETH_TX_BUFFER_SIZE(SW_BURST_MAX), 0,
				socket);
			if (w->txb[p] == NULL)
				return -ENOMEM;
			rte_eth_tx_buffer_init(w->txb[p], w->burst);
			rte_eth_tx_buffer_set_err_callback(w->txb[p],
				rte_eth_tx_buffer_count_callback,
				&w->cnt.c[SW_CNT_tx_dropped]);
		}
	}
	for (i = 0; i < cfg->nb_workers; i++) {
		if (rte_eal_remote_launch(sw_worker_main, app->workers[i],
					  app->workers[i]->lcore) != 0)
			return -EBUSY;
		SW_LOG(INFO, "worker %u on lcore %u: rx/tx queue %u of %u "
		       "ports\n", i, app->workers[i]->lcore, i,
		       cfg->nb_ports);
	}
	return 0;
}

static void
sum_counters(const struct app *app, uint64_t *sum)
{
	unsigned int i, k;

	memset(sum, 0, sizeof(uint64_t) * SW_CNT_MAX);
	for (i = 0; i < app->cfg.nb_workers; i++) {
		if (app->workers[i] == NULL)
			continue;
		for (k = 0; k < SW_CNT_MAX; k++)
			sum[k] += app->workers[i]->cnt.c[k];
	}
}

static void
print_stats_line(const struct app *app)
{
	uint64_t sum[SW_CNT_MAX];
	unsigned int k;

	sum_counters(app, sum);
	printf("stats:");
	for (k = 0; k < SW_CNT_MAX; k++)
		printf(" %s=%" PRIu64, sw_counter_names[k], sum[k]);
	printf("\n");
	fflush(stdout);
}

static void
print_rules(const struct sw_acl *acl)
{
	unsigned int k, i, n;

	for (k = 0; k < SW_ACL_NB_SETS; k++) {
		n = sw_acl_nb_rules(acl, k);
		for (i = 0; i < n; i++) {
			const struct sw_acl_rule *r = sw_acl_get_rule(acl, k, i);

			printf("  rule %s[%u] line %u %s hits=%" PRIu64 " %s\n",
			       sw_acl_set_name(k), i, r->line,
			       sw_acl_action_name(r->action),
			       sw_acl_hits(acl, k, i), r->comment);
		}
		if (k != SW_ACL_NOTRACK)
			printf("  rule %s_default %s hits=%" PRIu64 "\n",
			       sw_acl_set_name(k),
			       sw_acl_action_name(sw_acl_default(acl, k)),
			       sw_acl_hits(acl, k, n));
	}
}

static void
print_flowtable(const struct sw_ft *ft)
{
	struct sw_ft_stats st, sum;
	unsigned int i;

	memset(&sum, 0, sizeof(sum));
	for (i = 0; i < sw_ft_nb_shards(ft); i++) {
		sw_ft_shard_stats(ft, i, &st);
		printf("  flowtable shard %u: flows=%" PRIu64 " inserts=%"
		       PRIu64 " insert_failed=%" PRIu64 " early_drops=%" PRIu64
		       " expired=%" PRIu64 " adaptive_scale=%.3f%s\n", i,
		       st.flows, st.inserts, st.insert_failed, st.early_drops,
		       st.expired, st.adaptive_scale_q10 / 1024.0,
		       st.spilling ? " spilling" : "");
		sum.flows += st.flows;
		sum.inserts += st.inserts;
		sum.insert_failed += st.insert_failed;
		sum.early_drops += st.early_drops;
		sum.expired += st.expired;
	}
	printf("  %-16s %12" PRIu64 "  flows in the table\n", "flows",
	       sum.flows);
	printf("  %-16s %12" PRIu64 "  flows inserted\n", "inserts",
	       sum.inserts);
	printf("  %-16s %12" PRIu64 "  inserts failed: table full, packet "
	       "spilled\n", "insert_failed", sum.insert_failed);
	printf("  %-16s %12" PRIu64 "  unassured flows evicted for new "
	       "ones\n", "early_drops", sum.early_drops);
	printf("  %-16s %12" PRIu64 "  flows timed out\n", "expired",
	       sum.expired);
}

static int
print_flow(const struct sw_ft_key *k, const struct sw_ft_info *info,
	   void *arg)
{
	char line[512];

	(void)arg;
	sw_format_flow(line, sizeof(line), k, info);
	printf("flow: %s\n", line);
	return 0;
}

static void
print_totals(const struct app *app)
{
	uint64_t sum[SW_CNT_MAX];
	struct rte_eth_stats st;
	unsigned int k, p;

	sum_counters(app, sum);
	printf("spillway: totals\n");
	for (k = 0; k < SW_CNT_MAX; k++)
		printf("  %-16s %12" PRIu64 "  %s\n", sw_counter_names[k],
		       sum[k], sw_counter_help[k]);
	if (app->acl != NULL)
		print_rules(app->acl);
	if (app->ft != NULL)
		print_flowtable(app->ft);
	for (p = 0; p < app->cfg.nb_ports; p++) {
		if (!app->port_started[p] ||
		    rte_eth_stats_get(app->port_id[p], &st) != 0)
			continue;
		printf("  port %-10s rx_packets=%" PRIu64 " tx_packets=%"
		       PRIu64 " rx_missed=%" PRIu64 " rx_errors=%" PRIu64
		       " tx_errors=%" PRIu64 "\n", app->cfg.ports[p].name,
		       st.ipackets, st.opackets, st.imissed, st.ierrors,
		       st.oerrors);
	}
	fflush(stdout);
}

static void
watch_links(struct app *app)
{
	struct rte_eth_link link;
	unsigned int p;

	for (p = 0; p < app->cfg.nb_ports; p++) {
		if (rte_eth_link_get_nowait(app->port_id[p], &link) != 0)
			continue;
		if (link.link_status != app->link_up[p]) {
			app->link_up[p] = link.link_status;
			sw_port_log_link(app->port_id[p],
					 app->cfg.ports[p].name);
		}
	}
}

static double
now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* The control thread: for now, links, periodic stats and the deadline. */
static void
control_loop(struct app *app, double duration, double stats_every)
{
	double start = now_s(), next_stats = start + stats_every, t;
	struct timespec tick = { 0, 100 * 1000 * 1000 };

	while (!force_quit) {
		nanosleep(&tick, NULL);
		t = now_s();
		watch_links(app);
		if (stats_every > 0 && t >= next_stats) {
			print_stats_line(app);
			next_stats += stats_every;
		}
		if (duration > 0 && t - start >= duration)
			force_quit = true;
	}
}

static double
parse_seconds(const char *opt, const char *s)
{
	char *end;
	double v = strtod(s, &end);

	if (*s == '\0' || *end != '\0' || !(v > 0) || v > 1e9) {
		fprintf(stderr, "spillway: %s: '%s' is not a number of "
			"seconds\n", opt, s);
		exit(1);
	}
	return v;
}

int
main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "check", no_argument, NULL, 't' },
		{ "duration", required_argument, NULL, 'd' },
		{ "stats", required_argument, NULL, 's' },
		{ "dump-flows", no_argument, NULL, 'f' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	static struct app app;
	const char *path = SW_DEFAULT_CONFIG;
	double duration = 0, stats_every = 0;
	char err[SW_ERR_MAX];
	bool check = false, dump_flows = false;
	unsigned int p, i;
	int opt, rc, status = 0;

	while ((opt = getopt_long(argc, argv, "+c:thV", opts, NULL)) != -1) {
		switch (opt) {
		case 'c':
			path = optarg;
			break;
		case 't':
			check = true;
			break;
		case 'd':
			duration = parse_seconds("--duration", optarg);
			break;
		case 's':
			stats_every = parse_seconds("--stats", optarg);
			break;
		case 'f':
			dump_flows = true;
			break;
		case 'h':
			usage(stdout);
			return 0;
		case 'V':
			printf("spillway %s (%s)\n", SW_VERSION, rte_version());
			return 0;
		default:
			usage(stderr);
			return 1;
		}
	}

	rc = sw_config_load(path, &app.cfg, err, sizeof(err));
	if (rc) {
		fprintf(stderr, "spillway: %s\n", err);
		return 1;
	}
	if (check) {
		printf("spillway: %s: configuration is valid (%u ports, %u "
		       "workers)\n", path, app.cfg.nb_ports,
		       app.cfg.nb_workers);
		sw_config_free(&app.cfg);
		return 0;
	}

	signal(SIGPIPE, SIG_IGN);
	rc = eal_init(&app, argv[0], argc - optind, argv + optind);
	if (rc < 0) {
		fprintf(stderr, "spillway: EAL init failed: %s\n",
			rte_strerror(rte_errno));
		sw_config_free(&app.cfg);
		return 1;
	}
	/* After EAL init: its own handlers must not replace ours. */
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);

	if (check_lcores(&app.cfg) || rcu_init(&app) ||
	    (app.acl = rules_build(&app.cfg)) == NULL ||
	    flowtable_create(&app) || ports_start(&app) ||
	    workers_launch(&app)) {
		status = 1;
		force_quit = true;
	} else {
		SW_LOG(INFO, "running: %u ports, %u workers, burst %u "
		       "(config %s)\n", app.cfg.nb_ports, app.cfg.nb_workers,
		       app.cfg.burst, path);
		control_loop(&app, duration, stats_every);
	}

	force_quit = true;
	rte_eal_mp_wait_lcore();
	for (p = 0; p < app.cfg.nb_ports; p++)
		if (app.port_started[p])
			rte_eth_dev_stop(app.port_id[p]);
	if (status == 0)
		print_totals(&app);
	if (status == 0 && dump_flows && app.ft != NULL)
		sw_ft_walk(app.ft, 0, rte_rdtsc(), print_flow, NULL);
	/* Closing a pcap port completes its output file. */
	for (p = 0; p < app.cfg.nb_ports; p++)
		if (app.port_started[p])
			rte_eth_dev_close(app.port_id[p]);
	for (i = 0; i < app.cfg.nb_workers; i++) {
		if (app.workers[i] == NULL)
			continue;
		for (p = 0; p < app.cfg.nb_ports; p++)
			rte_free(app.workers[i]->txb[p]);
		rte_free(app.workers[i]);
	}
	rte_mempool_free(app.pool);
	sw_ft_free(app.ft);
	sw_acl_free(app.acl);
	rte_free(app.qs);
	sw_config_free(&app.cfg);
	rte_eal_cleanup();
	return status;
}
