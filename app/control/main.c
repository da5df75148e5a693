/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The spillway authors
 *
 * spillway: EAL and port set-up from the config, worker launch, the
 * control thread (CLI, reload, stats), signal handling, clean shutdown.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <rte_cycles.h>
#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_ethdev.h>
#include <rte_launch.h>
#include <rte_lcore.h>
#include <rte_malloc.h>
#include <rte_mbuf.h>
#include <rte_pci.h>
#include <rte_pdump.h>
#include <rte_rcu_qsbr.h>
#include <rte_version.h>

#include "app.h"
#include "atomicfile.h"
#include "boot.h"
#include "buf.h"
#include "client.h"
#include "config.h"
#include "control.h"
#include "droplog.h"
#include "link.h"
#include "log.h"
#include "metrics.h"
#include "notify.h"
#include "policy.h"
#include "port.h"
#include "ruleset.h"
#include "sw_acl.h"
#include "sw_ft.h"
#include "telemetry.h"
#include "pipeline.h"
#include "worker.h"
#include "report.h"
#include "reload.h"
#include "stats.h"
#include "flowfilter.h"
#include "clock.h"
#include "ha.h"
#include "shardmap.h"

#define SW_DEFAULT_CONFIG "/etc/spillway/spillway.conf"

static volatile bool force_quit;
static volatile sig_atomic_t want_reload;

static void
usage(FILE *f)
{
	fprintf(f,
"Usage: spillway [-c FILE] [--check] [--duration S] [--stats S]\n"
"                [--dump-flows] [--socket PATH] [-- EAL...]\n"
"       spillway [-c FILE] [--socket PATH] --cli\n"
"       spillway [-c FILE] [--socket PATH] --reload\n"
"       spillway ctl [-c FILE | --socket PATH] [--json] [-f FILE] [CMD...]\n"
"       spillway [-c FILE] --print-ports\n"
"       spillway import [-4 FILE] [-6 FILE] [--ipset FILE] [-o DIR] ...\n"
"\n"
"A DPDK userspace firewall: a bump in the wire between port pairs.\n"
"\n"
"  -c, --config FILE  configuration file (default " SW_DEFAULT_CONFIG ")\n"
"  -t, --check        validate the configuration and exit: 0 if good,\n"
"                     1 with the file, line and setting that is wrong\n"
"      --duration S   stop by itself after S seconds (scripts, demos)\n"
"      --stats S      print a counter line every S seconds\n"
"      --dump-flows   at exit, list the flow table (conntrack -L style)\n"
"      --socket PATH  the control socket (instead of control.socket)\n"
"      --cli          open the control socket for a person or a script:\n"
"                     what you type goes to spillway, its replies to you\n"
"      --reload       ask the running spillway to reload and wait for the\n"
"                     result: exit 0 if it took, 1 if it was refused or\n"
"                     a setting needs a restart (not applied)\n"
"                     (--cli and --reload ask the instance of the -c\n"
"                     config, or --socket; a config that cannot be read\n"
"                     or parsed names none: exit 1, never a default)\n"
"      --print-ports  print what the machine must provide, as the file\n"
"                     says it: EAL arguments, PCI and virtual devices,\n"
"                     hugepages (for spillway-setup), and exit\n"
"  ctl ...            one command of the CLI, for scripts: exit status 0\n"
"                     only on success (spillway ctl --help)\n"
"  import ...         iptables-save / ip6tables-save / ipset save output as\n"
"                     spillway rules and sets, with a report (exit 2 when\n"
"                     something was left out): spillway import --help\n"
"  -h, --help         this text\n"
"  -V, --version      print the version and exit\n"
"\n"
"Arguments after -- are passed to the DPDK EAL after the config's eal list.\n"
"SIGINT/SIGTERM stop the firewall cleanly and print the totals; SIGHUP\n"
"reloads the configuration. The CLI is on the unix socket control.socket\n"
"(default " SW_CONTROL_SOCKET "): spillway --cli, or\n"
"nc -U " SW_CONTROL_SOCKET ", then 'help'.\n");
}

static void
on_signal(int sig)
{
	if (sig == SIGHUP)
		want_reload = 1;
	else
		force_quit = true;
}

/* One line with the EAL arguments: which devices it was told to take. */
static void
log_eal_args(int argc, char **argv)
{
	char line[1024];
	size_t n = 0;
	int i;

	line[0] = '\0';
	for (i = 1; i < argc && n < sizeof(line); i++)
		n += (size_t)snprintf(line + n, sizeof(line) - n, " %s",
				      argv[i]);
	SW_LOG(INFO, "eal:%s\n", line);
}

/* The EAL line (boot.c), logged, then EAL. */
static int
eal_init(struct sw_app *app, char *prog, int extra_argc, char **extra_argv)
{
	char *argv[SW_BOOT_MAX_ARGS + 1];
	int argc;

	argc = sw_boot_eal_argv(&app->cfg, prog, extra_argc, extra_argv, argv);
	log_eal_args(argc, argv);
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
ports_start(struct sw_app *app)
{
	struct sw_config *cfg = &app->cfg;
	struct sw_port_plan plan[SW_MAX_PORTS];
	unsigned int p;
	char name[RTE_ETH_NAME_MAX_LEN];
	int rc;

	for (p = 0; p < cfg->nb_ports; p++) {
		sw_boot_dev_name(cfg->ports[p].dev, name, sizeof(name));
		if (rte_eth_dev_get_port_by_name(name, &app->port_id[p])) {
			SW_LOG(ERR, "port %s: no DPDK device '%s' (not probed: "
			       "check the device string and the driver)\n",
			       cfg->ports[p].name, name);
			return -ENODEV;
		}
	}
	rc = sw_port_pools(cfg, app->port_id, cfg->nb_workers, plan,
			   &app->pool, &app->big_pool);
	if (rc)
		return rc;
	for (p = 0; p < cfg->nb_ports; p++) {
		/* Fast free wants one pool behind every tx queue. */
		rc = sw_port_start_conf(app->port_id[p], &cfg->ports[p],
					&plan[p], plan[p].room ? app->big_pool :
					app->pool, app->big_pool == NULL);
		if (rc)
			return rc;
		app->port_started[p] = true;
		app->link_up[p] = -1;
		app->nb_ring_fd[p] = sw_port_ring_fds(cfg->ports[p].dev,
						      app->ring_fd[p],
						      SW_PORT_MAX_RING_FDS);
		/* Count from now: what the interface dropped before is not ours. */
		sw_port_xdp_iface_drops(cfg->ports[p].dev, &app->iface_last[p]);
	}
	return 0;
}

/*
 * Capture: DPDK's packet-capture framework, so that dpdk-dumpcap (a
 * secondary process of this primary) can copy what the ports receive
 * and send while spillway runs. Nothing is copied until a capture
 * starts. Secondary processes share the primary's memory through its
 * hugepage files: a --no-huge (or --in-memory) spillway cannot be
 * captured, and says so.
 */
static void
capture_init(const struct sw_app *app)
{
	const char *dir = rte_eal_get_runtime_dir();
	const char *prefix = strrchr(dir, '/');
	char name[RTE_ETH_NAME_MAX_LEN];
	unsigned int p;

	prefix = prefix ? prefix + 1 : dir;
	if (rte_pdump_init() != 0) {
		SW_LOG(WARNING, "capture: rte_pdump_init: %s: dpdk-dumpcap "
		       "will not attach\n", rte_strerror(rte_errno));
		return;
	}
	if (!rte_eal_has_hugepages()) {
		SW_LOG(INFO, "capture: off: dpdk-dumpcap needs spillway on "
		       "hugepages (this run has --no-huge)\n");
		return;
	}
	for (p = 0; p < app->cfg.nb_ports; p++) {
		if (rte_eth_dev_get_name_by_port(app->port_id[p], name) != 0)
			continue;
		SW_LOG(INFO, "capture: port %s is DPDK port %u '%s': "
		       "dpdk-dumpcap --file-prefix=%s -i %s -w FILE\n",
		       app->cfg.ports[p].name, app->port_id[p], name, prefix,
		       name);
	}
}

static int
flowtable_create(struct sw_app *app)
{
	const struct sw_ft_conf *f = &app->cfg.flowtable.ft;

	if (!app->cfg.flowtable.enabled) {
		SW_LOG(INFO, "flowtable disabled: notrack and fallback rules "
		       "decide every packet\n");
		return 0;
	}
	app->ft = sw_pipeline_flowtable(&app->cfg, rte_get_tsc_hz(),
					(int)rte_socket_id());
	if (app->ft == NULL) {
		SW_LOG(ERR, "flowtable of %u flows: %s (more memory: eal -m)\n",
		       f->max_flows, rte_strerror(rte_errno));
		return -ENOMEM;
	}
	sw_app_rules_judge(app);
	SW_LOG(INFO, "flowtable: %u flows in %u shards of %u, %zu bytes "
	       "allocated, %.1f bytes per flow\n", f->max_flows,
	       app->cfg.nb_workers, sw_ft_shard_max(app->ft),
	       sw_ft_memory(app->ft),
	       (double)sw_ft_memory(app->ft) / f->max_flows);
	return 0;
}

static int
rcu_init(struct sw_app *app)
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

/*
 * HA state sync, or the state file's flows: before any worker runs
 * (the shards are the control thread's until then), with the map of
 * which shard a flow's packets reach.
 */
static int
ha_start(struct sw_app *app)
{
	struct sw_shardmap map;
	char why[256];

	if (sw_port_shardmap(app->port_id, app->cfg.nb_ports,
			     app->cfg.nb_workers, &map, why, sizeof(why)) &&
	    (app->cfg.ha.enabled || app->cfg.flowtable.state_path[0]))
		SW_LOG(WARNING, "%s\n", why);
	return sw_ha_start(app, &map) == 0 ? 0 : -EINVAL;
}

static int
workers_launch(struct sw_app *app)
{
	struct sw_config *cfg = &app->cfg;
	unsigned int i;

	for (i = 0; i < cfg->nb_workers; i++) {
		app->workers[i] = sw_pipeline_worker(cfg, i, cfg->lcores[i],
						     app->port_id, &app->rules,
						     app->qs, app->ft,
						     &force_quit);
		if (app->workers[i] == NULL)
			return -ENOMEM;
		app->workers[i]->lin_pool = app->big_pool;
	}
	sw_notify_test_hook(app);
	/* The drop log's rings, before a worker may log. */
	app->droplog = sw_droplog_create(app);
	if (app->droplog == NULL)
		return -ENOMEM;
	if (ha_start(app) != 0)
		return -EINVAL;
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
print_stats_line(const struct sw_app *app)
{
	struct sw_buf b;

	sw_buf_init(&b);
	sw_stats_line(sw_stats_take(app), &b);
	fputs(b.p ? b.p : "", stdout);
	fflush(stdout);
	sw_buf_free(&b);
}

static void
print_totals(const struct sw_app *app)
{
	struct sw_buf b;

	sw_buf_init(&b);
	sw_report_stats(app, &b);
	sw_report_rules(app, &b);
	if (app->ft != NULL)
		sw_report_flowtable(app, &b);
	sw_report_ports(app, &b);
	sw_buf_text_clean(&b, 0);
	printf("spillway: totals\n%s", b.p ? b.p : "");
	fflush(stdout);
	sw_buf_free(&b);
}

/*
 * The SYN proxy engages and lets go per shard, in the worker (auto
 * mode): say so in the log, from here (workers never print).
 */
static void
watch_proxy(struct sw_app *app)
{
	static bool was[SW_MAX_WORKERS];
	struct sw_ft_stats st;
	unsigned int i;

	for (i = 0; app->ft != NULL && i < sw_ft_nb_shards(app->ft); i++) {
		sw_ft_shard_stats(app->ft, i, &st);
		if (st.proxying == was[i])
			continue;
		was[i] = st.proxying;
		SW_LOG(NOTICE, "flowtable shard %u: SYN proxy %s (%" PRIu64
		       " flows, %sspilling; engaged %" PRIu64 " times)\n", i,
		       st.proxying ? "engaged: SYNs answered with cookies" :
		       "idle: SYNs go to the server", st.flows,
		       st.spilling ? "" : "not ", st.proxy_engaged);
	}
}

/* --dump-flows: the table at exit, a chunk at a time, never whole. */
static void
dump_all_flows(const struct sw_app *app)
{
	struct sw_flow_stream fs;
	struct sw_buf b;
	char *line, *save;
	bool more;

	sw_buf_init(&b);
	sw_report_flows_begin(app, &fs, 0, 0, NULL);
	do {
		more = sw_report_flows_more(app, &fs, &b);
		save = NULL;
		for (line = strtok_r(b.p, "\n", &save); line != NULL;
		     line = strtok_r(NULL, "\n", &save))
			printf("flow: %s\n", line);
		sw_buf_reset(&b);
	} while (more);
	sw_buf_free(&b);
}

/*
 * The stats file, replaced whole (sw_file_replace: mkstemp, fsync,
 * rename). A failure is logged when it starts and when it changes, not
 * at every interval.
 */
static void
write_stats_file(const struct sw_app *app)
{
	static int last_rc;
	struct sw_buf b;
	int rc;

	sw_buf_init(&b);
	sw_report_stats_json(app, &b, app->cfg.stats.rules_in_file);
	rc = b.oom ? -ENOMEM : sw_file_replace(app->cfg.stats.file, b.p,
					       b.len, 0644);
	if (rc != 0 && rc != last_rc)
		SW_LOG(WARNING, "stats.file %s: %s\n", app->cfg.stats.file,
		       strerror(-rc));
	else if (rc == 0 && last_rc != 0)
		SW_LOG(INFO, "stats.file %s: written again\n",
		       app->cfg.stats.file);
	last_rc = rc;
	sw_buf_free(&b);
}

/*
 * Set elements whose timeout is due go, about once a second; never
 * while a reload reads the running sets from its own thread.
 */
static void
expire_sets(struct sw_app *app)
{
	uint64_t n;

	if (app->reload_job != NULL)
		return;
	n = sw_ruleset_expire(app->rules, (uint64_t)sw_now_s());
	if (n)
		SW_LOG(DEBUG, "sets: %" PRIu64 " elements timed out\n", n);
}

/* The control thread: CLI, reload on SIGHUP, stats, links, deadline. */
static void
control_loop(struct sw_app *app, struct sw_ctl *ctl, struct sw_metrics *prom,
	     double duration, double stats_every)
{
	double start = sw_now_s(), next_stats = start + stats_every;
	double next_file = start, next_tel = start, next_link = start, t;

	int wait = sw_ha_wait_ms(app, 50);

	while (!force_quit) {
		if (ctl != NULL)
			sw_ctl_poll(ctl, wait);
		if (prom != NULL)
			sw_metrics_poll(prom, ctl != NULL ? 0 : wait);
		if (ctl == NULL && prom == NULL)
			usleep((useconds_t)wait * 1000);
		sw_droplog_drain(app->droplog);
		sw_ha_poll(app);
		t = sw_now_s();
		if (want_reload) {
			want_reload = 0;
			sw_app_reload_ask(app, "SIGHUP");
		}
		if (app->reload_job != NULL) {
			uint64_t done = app->reload_done;

			sw_app_reload_poll(app);
			if (app->reload_done != done)
				sw_telemetry_update(app);
		}
		sw_app_flush_poll(app);
		sw_links_watch(app, t);
		sw_notify_tick(app, t);
		if (t >= next_link) {
			expire_sets(app);
			watch_proxy(app);
			sw_app_poll_rings(app);
			next_link = t + 1;
		}
		if (t >= next_tel) {
			sw_telemetry_update(app);
			next_tel = t + 1;
		}
		if (app->cfg.stats.file[0] && t >= next_file) {
			write_stats_file(app);
			next_file = t + app->cfg.stats.interval_ms / 1000.0;
		}
		if (stats_every > 0 && t >= next_stats) {
			print_stats_line(app);
			next_stats += stats_every;
		}
		if (duration > 0 && t - start >= duration)
			force_quit = true;
	}
}

/*
 * The password is a secret: a config that holds one must not be
 * readable by others (install it 0600). Returns true when it is.
 */
static bool
password_exposed(const char *path, const struct sw_config *cfg,
		 char *why, size_t len)
{
	struct stat st;

	if (cfg->control.password[0] == '\0' || stat(path, &st) != 0)
		return false;
	if (!(st.st_mode & S_IROTH) &&
	    !((st.st_mode & S_IRGRP) && st.st_gid != 0))
		return false;
	snprintf(why, len, "%s holds control.password and is readable by "
		 "%s (mode %04o): chmod 600 %s", path,
		 (st.st_mode & S_IROTH) ? "everyone" : "its group",
		 (unsigned int)(st.st_mode & 07777), path);
	return true;
}

/* Each line of text with the tag: every error of a config says whose. */
static void
print_lines(FILE *f, const char *tag, const char *text)
{
	const char *nl;

	for (; (nl = strchr(text, '\n')) != NULL; text = nl + 1)
		fprintf(f, "%s%.*s\n", tag, (int)(nl - text), text);
	fprintf(f, "%s%s\n", tag, text);
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

/* What the command line asked for. */
struct opts {
	const char *path;
	const char *sock;
	double duration;
	double stats_every;
	bool check;
	bool dump_flows;
	bool cli;
	bool ask;		/* --reload */
	bool print_ports;
};

/*
 * Parse the options into *o; EAL arguments follow at argv[optind].
 * Returns -1 to go on, else the exit status (--help, --version, a bad
 * option).
 */
static int
parse_opts(int argc, char **argv, struct opts *o)
{
	static const struct option opts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "check", no_argument, NULL, 't' },
		{ "duration", required_argument, NULL, 'd' },
		{ "stats", required_argument, NULL, 's' },
		{ "dump-flows", no_argument, NULL, 'f' },
		{ "socket", required_argument, NULL, 'S' },
		{ "cli", no_argument, NULL, 'C' },
		{ "reload", no_argument, NULL, 'R' },
		{ "print-ports", no_argument, NULL, 'P' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	int opt;

	memset(o, 0, sizeof(*o));
	o->path = SW_DEFAULT_CONFIG;
	while ((opt = getopt_long(argc, argv, "+c:thV", opts, NULL)) != -1) {
		switch (opt) {
		case 'c':
			o->path = optarg;
			break;
		case 't':
			o->check = true;
			break;
		case 'd':
			o->duration = parse_seconds("--duration", optarg);
			break;
		case 's':
			o->stats_every = parse_seconds("--stats", optarg);
			break;
		case 'f':
			o->dump_flows = true;
			break;
		case 'S':
			o->sock = optarg;
			break;
		case 'C':
			o->cli = true;
			break;
		case 'R':
			o->ask = true;
			break;
		case 'P':
			o->print_ports = true;
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
	return -1;
}

/* --cli, --reload: talk to the running instance of the config. */
static int
run_client(const struct opts *o)
{
	char sock[PATH_MAX], err[SW_ERR_MAX + 128];

	if (sw_client_socket(o->path, o->sock, sock, sizeof(sock), err,
			     sizeof(err)) < 0) {
		fprintf(stderr, "spillway: %s\n", err);
		return 1;
	}
	return o->ask ? sw_client_reload(sock) : sw_client_cli(sock);
}

/*
 * Everything the running appliance needs, in order: the control
 * server, the metrics endpoint, lcores, RCU, rules, the flow table,
 * ports, workers. Returns 0, or non-zero with the reason logged.
 */
static int
start(struct sw_app *app, struct sw_ctl **ctl, struct sw_metrics **prom)
{
	char err[SW_ERR_MAX];

	if (app->cfg.control.socket[0] || app->cfg.control.listen[0]) {
		*ctl = sw_ctl_create(app, err, sizeof(err));
		if (*ctl == NULL) {
			SW_LOG(ERR, "%s\n", err);
			return -1;
		}
	}
	if (app->cfg.stats.prom_listen[0]) {
		*prom = sw_metrics_create(app, err, sizeof(err));
		if (*prom == NULL) {
			SW_LOG(ERR, "%s\n", err);
			return -1;
		}
	}
	/* The flow table first: conn_limit rules count under its tags. */
	return check_lcores(&app->cfg) || rcu_init(app) ||
	       flowtable_create(app) || sw_app_rules_start(app) ||
	       ports_start(app) || workers_launch(app);
}

/* Where the operator finds it. */
static void
log_running(const struct sw_app *app, const struct sw_ctl *ctl,
	    const struct sw_metrics *prom)
{
	if (ctl != NULL && sw_ctl_socket(ctl) != NULL)
		SW_LOG(INFO, "control: socket %s (mode %s, uid %u%s%s)\n",
		       sw_ctl_socket(ctl),
		       app->cfg.control.socket_group[0] ? "0660" : "0600",
		       (unsigned int)geteuid(),
		       app->cfg.control.socket_group[0] ? ", group " : "",
		       app->cfg.control.socket_group);
	if (ctl != NULL && sw_ctl_address(ctl) != NULL)
		SW_LOG(INFO, "control: listening on %s (TCP, password "
		       "required, %s)\n", sw_ctl_address(ctl),
		       app->cfg.control.tcp_admin ? "admin" : "read-only");
	if (prom != NULL)
		SW_LOG(INFO, "metrics: Prometheus endpoint on http://%s"
		       "/metrics (%u allowed source prefixes)\n",
		       sw_metrics_address(prom), app->cfg.stats.nb_prom_allow);
	SW_LOG(INFO, "running: %u ports, %u workers, burst %u (config %s)\n",
	       app->cfg.nb_ports, app->cfg.nb_workers, app->cfg.burst,
	       app->conf_path);
}

/*
 * Stop everything in the order the workers need: they stop, the drop
 * log is written out, ports stop, totals (and the flows) are printed,
 * ports close (a pcap port's file completes), then memory goes.
 */
static void
stop(struct sw_app *app, bool totals, bool dump_flows)
{
	unsigned int p, i;

	force_quit = true;
	sw_app_reload_cancel(app);
	rte_eal_mp_wait_lcore();
	sw_links_release(app);
	sw_droplog_free(app->droplog);
	app->droplog = NULL;
	/* The state file, then the rings and held packets (mbufs). */
	sw_ha_stop(app, totals);
	app->ports_stopped = true;
	for (p = 0; p < app->cfg.nb_ports; p++)
		if (app->port_started[p])
			rte_eth_dev_stop(app->port_id[p]);
	sw_app_poll_rings(app);
	if (totals)
		print_totals(app);
	if (totals && dump_flows && app->ft != NULL)
		dump_all_flows(app);
	for (p = 0; p < app->cfg.nb_ports; p++) {
		if (app->port_started[p])
			rte_eth_dev_close(app->port_id[p]);
		/* Gone: the last telemetry snapshot must not ask it. */
		app->port_started[p] = false;
	}
	for (i = 0; i < app->cfg.nb_workers; i++) {
		sw_pipeline_worker_free(app->workers[i]);
		app->workers[i] = NULL;
	}
	sw_telemetry_update(app);
	rte_mempool_free(app->pool);
	rte_mempool_free(app->big_pool);
	sw_ft_free(app->ft);
	app->ft = NULL;
	sw_ruleset_free(app->rules, NULL);
	app->rules = NULL;
	/* A flush whose session went: no worker reads it any more. */
	free(app->flush);
	free(app->reload_result);
	rte_free(app->qs);
}

/*
 * spillway import ...: the importer is a program of its own (Python 3's
 * standard library: string work on iptables-save text), installed
 * beside spillway; from a build tree, the source tree's.
 */
static int
run_import(char **argv)
{
	static const char *const where[] = { SW_IMPORT_PATH, SW_IMPORT_SRC };
	unsigned int i;

	for (i = 0; i < RTE_DIM(where); i++) {
		if (access(where[i], X_OK) != 0)
			continue;
		argv[1] = (char *)(uintptr_t)where[i];
		execv(where[i], argv + 1);
		fprintf(stderr, "spillway: import: %s: %s\n", where[i],
			strerror(errno));
		return 1;
	}
	fprintf(stderr, "spillway: import: %s is not installed\n",
		SW_IMPORT_PATH);
	return 1;
}

int
main(int argc, char **argv)
{
	static struct sw_app app;
	struct sw_ctl *ctl = NULL;
	struct sw_metrics *prom = NULL;
	char err[SW_CONF_ERR_MAX];
	struct opts o;
	int rc, status = 0;

	if (argc > 1 && strcmp(argv[1], "ctl") == 0)
		return sw_client_ctl(argc - 1, argv + 1, SW_DEFAULT_CONFIG);
	if (argc > 1 && strcmp(argv[1], "import") == 0)
		return run_import(argv);
	rc = parse_opts(argc, argv, &o);
	if (rc >= 0)
		return rc;
	if (o.cli || o.ask)
		return run_client(&o);
	rc = sw_config_load(o.path, &app.cfg, err, sizeof(err));
	if (rc) {
		print_lines(stderr, "spillway: ", err);
		return 1;
	}
	if (o.sock != NULL)
		snprintf(app.cfg.control.socket, sizeof(app.cfg.control.socket),
			 "%s", o.sock);
	if (password_exposed(o.path, &app.cfg, err, sizeof(err)))
		fprintf(stderr, "spillway: warning: %s\n", err);
	if (o.print_ports) {
		sw_boot_print(&app.cfg, stdout);
		sw_config_free(&app.cfg);
		return 0;
	}
	if (o.check) {
		printf("spillway: %s: configuration is valid (%u ports, %u "
		       "workers)\n", o.path, app.cfg.nb_ports,
		       app.cfg.nb_workers);
		sw_config_free(&app.cfg);
		return 0;
	}
	snprintf(app.conf_path, sizeof(app.conf_path), "%s", o.path);
	if (o.sock != NULL)
		snprintf(app.socket_override, sizeof(app.socket_override),
			 "%s", o.sock);
	app.quit = &force_quit;
	app.start_time = sw_now_s();

	signal(SIGPIPE, SIG_IGN);
	sw_log_open();
	sw_telemetry_init();
	rc = eal_init(&app, argv[0], argc - optind, argv + optind);
	if (rc < 0) {
		fprintf(stderr, "spillway: EAL init failed: %s\n",
			rte_strerror(rte_errno));
		sw_config_free(&app.cfg);
		return 1;
	}
	app.socket_id = (int)rte_socket_id();
	/* After EAL init: its own handlers must not replace ours. */
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	signal(SIGHUP, on_signal);

	if (start(&app, &ctl, &prom) != 0) {
		status = 1;
		force_quit = true;
	} else {
		capture_init(&app);
		log_running(&app, ctl, prom);
		/* Ports up, rules built, workers running: ready. */
		sw_notify_ready(&app);
		control_loop(&app, ctl, prom, o.duration, o.stats_every);
	}
	force_quit = true;
	sw_notify_stopping();
	sw_ctl_free(ctl);
	sw_metrics_free(prom);
	stop(&app, status == 0, o.dump_flows);
	sw_config_free(&app.cfg);
	rte_pdump_uninit();
	rte_eal_cleanup();
	return status;
}
