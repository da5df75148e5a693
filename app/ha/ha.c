/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The spillway authors
 *
 * State sync with the HA peer, on the control thread: the socket, the
 * messages in (authenticated, fresh, then handed to the owning worker)
 * and out (the workers' events, bulks, hellos, acknowledgements), the
 * role, and the reports. DESIGN.md says why it is built this way.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <rte_cycles.h>
#include <rte_malloc.h>
#include <rte_mbuf.h>
#include <rte_ring.h>
#include <rte_ring_elem.h>
#include <sodium.h>

#include "app.h"
#include "buf.h"
#include "clock.h"
#include "ha_private.h"
#include "log.h"
#include "worker.h"

/* How long a worker holds a new flow's first packet (active-active). */
#define HOLD_MS		8
/* A reported flow that saw packets is reported again this often. */
#define REFRESH_S	10

static const char *const mode_names[] = {
	[SW_HA_ACTIVE_STANDBY] = "active-standby",
	[SW_HA_ACTIVE_ACTIVE] = "active-active",
};
static const char *const role_names[] = {
	[SW_HA_ROLE_ACTIVE] = "active",
	[SW_HA_ROLE_STANDBY] = "standby",
};

const char *
sw_ha_mode_name(const struct sw_app *app)
{
	return app->ha ? mode_names[app->ha->mode & 1] : "off";
}

const char *
sw_ha_role_name(const struct sw_app *app)
{
	return app->ha ? role_names[app->ha->role & 1] : "active";
}

static uint64_t
realtime_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000;
}

static void
addr_of(int family, const uint8_t *addr, uint16_t port,
	struct sockaddr_storage *ss, socklen_t *len)
{
	memset(ss, 0, sizeof(*ss));
	if (family == AF_INET) {
		struct sockaddr_in *s = (struct sockaddr_in *)ss;

		s->sin_family = AF_INET;
		memcpy(&s->sin_addr, addr, 4);
		s->sin_port = htons(port);
		*len = sizeof(*s);
	} else {
		struct sockaddr_in6 *s = (struct sockaddr_in6 *)ss;

		s->sin6_family = AF_INET6;
		memcpy(&s->sin6_addr, addr, 16);
		s->sin6_port = htons(port);
		*len = sizeof(*s);
	}
}

/* ---- the pass ---- */

static void
set_defer(struct sw_ha *ha, double now)
{
	bool on = ha->mode == SW_HA_ACTIVE_ACTIVE &&
		  ha->role == SW_HA_ROLE_ACTIVE && ha_peer_up(ha, now);
	unsigned int w;

	if (on == ha->defer_on)
		return;
	ha->defer_on = on;
	for (w = 0; w < ha->nb_workers; w++)
		__atomic_store_n(&ha->q[w]->defer, on, __ATOMIC_RELAXED);
}

void
sw_ha_poll(struct sw_app *app)
{
	struct sw_ha *ha = app->ha;
	double now;

	if (ha == NULL)
		return;
	now = sw_now_s();
	ha->sent_pass = 0;
	ha_rx(ha, now);
	ha_send_acks(ha);
	if (now >= ha->next_hello)
		ha_send_hello(ha, now);
	ha_ask_bulk(ha, now);
	ha_send_updates(ha, now);
	ha_bulk_step(ha);
	ha_seal_flows(ha);
	ha_flush_tx(ha);
	set_defer(ha, now);
}

int
sw_ha_wait_ms(const struct sw_app *app, int def)
{
	return app->ha != NULL ? SW_HA_WAIT_MS : def;
}

/* ---- start, stop ---- */

static int
read_key(struct sw_ha *ha, const char *path)
{
	uint8_t buf[4096 + 1];
	ssize_t n;
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);

	if (fd < 0)
		return -errno;
	n = read(fd, buf, sizeof(buf));
	close(fd);
	if (n < 16 || n > 4096) {
		sodium_memzero(buf, sizeof(buf));
		return -EINVAL;
	}
	ha_key_derive(ha->key, buf, (size_t)n);
	sodium_memzero(buf, sizeof(buf));
	return 0;
}

static int
open_socket(struct sw_ha *ha, const struct sw_ha_conf *c)
{
	struct sockaddr_storage ss;
	socklen_t len;
	int buf = 8 << 20, fd;

	fd = socket(c->family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	/*
	 * Room for a bulk's burst while the control thread is busy: above
	 * the system's limit when root may (SO_RCVBUFFORCE).
	 */
	if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &buf, sizeof(buf)) < 0)
		setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &buf, sizeof(buf));
	if (setsockopt(fd, SOL_SOCKET, SO_SNDBUFFORCE, &buf, sizeof(buf)) < 0)
		setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &buf, sizeof(buf));
	addr_of(c->family, c->local_addr, c->local_port, &ss, &len);
	if (bind(fd, (struct sockaddr *)&ss, len) < 0) {
		int e = errno;

		close(fd);
		return -e;
	}
	ha->fd = fd;
	addr_of(c->family, c->peer_addr, c->peer_port, &ha->peer_sa,
		&ha->peer_len);
	return 0;
}

static void
free_queues(struct sw_ha *ha)
{
	unsigned int w, k;

	for (w = 0; w < ha->nb_workers; w++) {
		struct sw_syncq *q = ha->q[w];

		if (q == NULL)
			continue;
		for (k = 0; k < SW_SYNCQ_HOLD_MAX; k++)
			rte_pktmbuf_free(q->held[k].m);
		rte_ring_free(q->in);
		rte_ring_free(q->out);
		rte_free(q);
		ha->q[w] = NULL;
	}
}

/* The workers (stopped, or never started) let go of the queues. */
static void
detach(struct sw_app *app, struct sw_ha *ha)
{
	unsigned int w;

	for (w = 0; w < ha->nb_workers; w++) {
		if (app->workers[w] == NULL)
			continue;
		app->workers[w]->sync = NULL;
		if (app->workers[w]->ft != NULL)
			sw_ft_set_events_ring(app->workers[w]->ft, NULL);
	}
}

static int
make_queues(struct sw_ha *ha, struct sw_app *app)
{
	char name[RTE_RING_NAMESIZE];
	unsigned int w;

	for (w = 0; w < ha->nb_workers; w++) {
		struct sw_syncq *q;

		q = rte_zmalloc("sw_syncq", sizeof(*q), RTE_CACHE_LINE_SIZE);
		if (q == NULL)
			return -ENOMEM;
		ha->q[w] = q;
		snprintf(name, sizeof(name), "sw_ha_out%u", w);
		q->out = rte_ring_create_elem(name, sizeof(struct sw_ft_event),
					      SW_SYNCQ_RING, SOCKET_ID_ANY,
					      RING_F_SP_ENQ | RING_F_SC_DEQ);
		snprintf(name, sizeof(name), "sw_ha_in%u", w);
		q->in = rte_ring_create_elem(name, sizeof(struct sw_ft_event),
					     SW_SYNCQ_RING, SOCKET_ID_ANY,
					     RING_F_SP_ENQ | RING_F_SC_DEQ);
		if (q->out == NULL || q->in == NULL)
			return -ENOMEM;
		/* The shard writes its events in q->out's slots: no copy. */
		if (app->workers[w]->ft != NULL &&
		    sw_ft_set_events_ring(app->workers[w]->ft, q->out) != 0)
			return -ENOMEM;
		q->hold_ticks = rte_get_tsc_hz() * HOLD_MS / 1000;
		q->next_id = 1;
		q->standby = ha->role == SW_HA_ROLE_STANDBY;
		app->workers[w]->sync = q;
	}
	return 0;
}

int
sw_ha_start(struct sw_app *app, const struct sw_shardmap *map)
{
	const struct sw_ha_conf *c = &app->cfg.ha;
	char a[INET6_ADDRSTRLEN];
	struct sw_ha *ha;
	int rc;

	if (!c->enabled)
		return app->ft != NULL ? ha_state_load(app, map) : 0;
	if (map->nb_shards > 1 && !map->rss) {
		SW_LOG(ERR, "ha: %u workers on ports whose RSS spillway cannot "
		       "compute: the shard of a flow from the peer cannot be "
		       "known (use one worker, or NICs that take spillway's "
		       "RSS key)\n", map->nb_shards);
		return -1;
	}
	if (sodium_init() < 0) {
		SW_LOG(ERR, "ha: libsodium does not start\n");
		return -1;
	}
	ha = calloc(1, sizeof(*ha));
	if (ha == NULL)
		return -1;
	ha->app = app;
	ha->fd = -1;
	ha->map = *map;
	ha->mode = c->mode;
	ha->role = c->role;
	ha->nb_workers = app->cfg.nb_workers;
	ha->node = ha_node_id(c->local_addr, c->local_port);
	ha->peer_node = ha_node_id(c->peer_addr, c->peer_port);
	ha->epoch = realtime_us();
	ha->zones = ha_zones_digest(&app->cfg);
	ha->refilled = sw_now_s();
	rc = read_key(ha, c->key_path);
	if (rc) {
		SW_LOG(ERR, "ha.key_file %s: %s\n", c->key_path,
		       rc == -EINVAL ? "not 16 to 4096 bytes" :
		       strerror(-rc));
		goto err;
	}
	rc = open_socket(ha, c);
	if (rc) {
		SW_LOG(ERR, "ha.local %s: %s\n", c->local, strerror(-rc));
		goto err;
	}
	if (make_queues(ha, app) != 0 ||
	    sw_ft_set_sync(app->ft, ha->mode == SW_HA_ACTIVE_ACTIVE ?
			   SW_FT_SYNC_ALL : SW_FT_SYNC_KEEP, REFRESH_S) != 0) {
		SW_LOG(ERR, "ha: out of memory for the sync rings\n");
		goto err;
	}
	app->ha = ha;
	inet_ntop(c->family, c->peer_addr, a, sizeof(a));
	SW_LOG(NOTICE, "ha: %s, role %s; sync from %s to %s (node %08x, run "
	       "%" PRIu64 ")\n", mode_names[ha->mode & 1],
	       role_names[ha->role & 1], c->local, c->peer, ha->node,
	       ha->epoch);
	if (app->cfg.flowtable.state_path[0])
		SW_LOG(INFO, "flowtable.state_file %s: not loaded: with an HA "
		       "peer, the flows come from its bulk\n",
		       app->cfg.flowtable.state_path);
	return 0;
err:
	detach(app, ha);
	free_queues(ha);
	if (ha->fd >= 0)
		close(ha->fd);
	sodium_memzero(ha->key, sizeof(ha->key));
	free(ha);
	return -1;
}

void
sw_ha_stop(struct sw_app *app, bool clean)
{
	struct sw_ha *ha = app->ha;

	if (clean && app->ft != NULL && app->cfg.flowtable.state_path[0])
		ha_state_save(app);
	if (ha == NULL)
		return;
	detach(app, ha);
	free_queues(ha);
	close(ha->fd);
	sodium_memzero(ha->key, sizeof(ha->key));
	free(ha);
	app->ha = NULL;
}

/* ---- the CLI ---- */

void
sw_ha_set_role(struct sw_app *app, uint8_t role, const char *who,
	       struct sw_buf *out)
{
	struct sw_ha *ha = app->ha;
	unsigned int w;
	uint8_t was;

	if (ha == NULL) {
		sw_buf_printf(out, "error: no HA (the config has no ha "
			      "group)\n");
		return;
	}
	was = ha->role;
	if (was == role) {
		sw_buf_printf(out, "role %s (unchanged)\n", role_names[role]);
		return;
	}
	ha->role = role;
	for (w = 0; w < ha->nb_workers; w++)
		__atomic_store_n(&ha->q[w]->standby,
				 role == SW_HA_ROLE_STANDBY, __ATOMIC_RELAXED);
	ha_send_hello(ha, sw_now_s());
	ha_flush_tx(ha);
	SW_LOG(NOTICE, "ha: role %s -> %s (%s)\n", role_names[was],
	       role_names[role], who);
	sw_buf_printf(out, "role %s (was %s): %s\n", role_names[role],
		      role_names[was], role == SW_HA_ROLE_ACTIVE ?
		      "this node forwards, with the flows it holds" :
		      "this node forwards nothing and keeps the peer's flows");
}

void
sw_ha_resync(struct sw_app *app, struct sw_buf *out)
{
	struct sw_ha *ha = app->ha;

	if (ha == NULL) {
		sw_buf_printf(out, "error: no HA (the config has no ha "
			      "group)\n");
		return;
	}
	if (!ha_peer_up(ha, sw_now_s())) {
		sw_buf_printf(out, "error: the peer is not up: it is asked "
			      "for a bulk when it comes\n");
		ha->bulk_in = HA_BULK_IDLE;
		return;
	}
	ha->bulk_in = HA_BULK_IDLE;
	ha_ask_bulk(ha, sw_now_s());
	ha_flush_tx(ha);
	sw_buf_printf(out, "asked the peer for a bulk of its flows (show ha "
		      "shows its progress)\n");
}

/* ---- reports ---- */

static const struct {
	const char *name;
	const char *help;
	uint8_t kind;
} ha_stat_desc[SW_HA_STAT_MAX] = {
#define HA_DESC(n, k, d) [SW_HA_STAT_##n] = { #n, d, SW_HA_##k },
	SW_HA_STATS(HA_DESC)
#undef HA_DESC
};

const char *
sw_ha_stat_name(unsigned int i)
{
	return i < SW_HA_STAT_MAX ? ha_stat_desc[i].name : "?";
}

const char *
sw_ha_stat_help(unsigned int i)
{
	return i < SW_HA_STAT_MAX ? ha_stat_desc[i].help : "";
}

int
sw_ha_stat_kind(unsigned int i)
{
	return i < SW_HA_STAT_MAX ? ha_stat_desc[i].kind : 0;
}

bool
sw_ha_values(const struct sw_app *app, uint64_t v[SW_HA_STAT_MAX])
{
	const struct sw_ha *ha = app->ha;
	struct sw_ft_stats st;
	double now = sw_now_s();
	unsigned int i, w;

	if (ha == NULL)
		return false;
	memcpy(v, ha->cnt, sizeof(ha->cnt));
	v[SW_HA_STAT_active] = ha->role == SW_HA_ROLE_ACTIVE;
	v[SW_HA_STAT_peer_up] = ha_peer_up(ha, now);
	v[SW_HA_STAT_epoch] = ha->epoch;
	v[SW_HA_STAT_peer_epoch] = ha->peer.epoch;
	v[SW_HA_STAT_bulk_received] = ha->bulk_in_got;
	v[SW_HA_STAT_bulk_expected] = ha->bulk_in_total;
	v[SW_HA_STAT_bulk_done] = ha->bulk_in == HA_BULK_DONE;
	v[SW_HA_STAT_flows_applied] = 0;
	for (i = 0; app->ft != NULL && i < sw_ft_nb_shards(app->ft); i++) {
		sw_ft_shard_stats(app->ft, i, &st);
		v[SW_HA_STAT_flows_applied] += st.sync_applied;
	}
	for (i = 0; i < SW_SYNCQ_CNT_MAX; i++) {
		uint64_t sum = 0;

		for (w = 0; w < ha->nb_workers; w++)
			sum += __atomic_load_n(&ha->q[w]->cnt[i],
					       __ATOMIC_RELAXED);
		v[SW_HA_STAT_events_queued + i] = sum;
	}
	return true;
}

static const char *
bulk_text(const struct sw_ha *ha, char *b, size_t len)
{
	switch (ha->bulk_in) {
	case HA_BULK_ASKED:
		snprintf(b, len, "asked, no answer yet");
		break;
	case HA_BULK_RECEIVING:
		snprintf(b, len, "receiving: %" PRIu64 " of %" PRIu64 " flows",
			 ha->bulk_in_got, ha->bulk_in_total);
		break;
	case HA_BULK_DONE:
		snprintf(b, len, "done: %" PRIu64 " flows (the peer had %"
			 PRIu64 ") in %.2f s", ha->bulk_in_got,
			 ha->bulk_in_total, ha->bulk_took);
		break;
	default:
		snprintf(b, len, "not asked yet (waiting for the peer)");
		break;
	}
	return b;
}

void
sw_ha_report(const struct sw_app *app, struct sw_buf *out)
{
	const struct sw_ha *ha = app->ha;
	uint64_t v[SW_HA_STAT_MAX];
	double now = sw_now_s();
	char b[160];
	unsigned int i;

	if (ha == NULL) {
		sw_buf_printf(out, "ha: off (no ha group in the config)\n");
		return;
	}
	sw_ha_values(app, v);
	sw_buf_printf(out, "mode      %s\nrole      %s\n",
		      mode_names[ha->mode & 1], role_names[ha->role & 1]);
	sw_buf_printf(out, "local     %s  node %08x  epoch %" PRIu64 "\n",
		      app->cfg.ha.local, ha->node, ha->epoch);
	if (ha->peer.heard == 0)
		sw_buf_printf(out, "peer      %s  never heard from\n",
			      app->cfg.ha.peer);
	else
		sw_buf_printf(out, "peer      %s  %s, seen %.1f s ago, role "
			      "%s, epoch %" PRIu64 ", %" PRIu64 " flows\n",
			      app->cfg.ha.peer, ha_peer_up(ha, now) ? "up" :
			      !ha->peer.zones_ok ? "refused (zones or mode "
			      "differ)" : ha->peer.live ? "down" :
			      "not yet verified", now - ha->peer.heard,
			      role_names[ha->peer.hello.role & 1],
			      ha->peer.epoch, ha->peer.hello.flows);
	sw_buf_printf(out, "bulk      %s\n", bulk_text(ha, b, sizeof(b)));
	if (ha->bulk_out)
		sw_buf_printf(out, "          sending one to the peer: %" PRIu64
			      " flows so far\n", ha->bulk_out_sent);
	for (i = 0; i < SW_HA_STAT_MAX; i++)
		sw_buf_printf(out, "  %-24s %14" PRIu64 "  %s\n",
			      ha_stat_desc[i].name, v[i], ha_stat_desc[i].help);
}
