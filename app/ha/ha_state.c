/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The spillway authors
 *
 * flowtable.state_file: the flows, written at a clean stop and loaded
 * at the next start, aged by the time spillway was down. A file is
 * checked whole before a single flow goes in: another format, another
 * config's zones, a length or digest that does not add up, or a record
 * no table holds, and it is refused with its reason (never half
 * loaded). DESIGN.md draws the layout.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <sys/stat.h>

#include <rte_cycles.h>
#include <sodium.h>

#include "app.h"
#include "atomicfile.h"
#include "clock.h"
#include "ha_private.h"
#include "log.h"

#define ST_MAGIC	"SWFLOWST"
#define ST_END		"SWFLOWEN"
#define ST_FORMAT	1
#define ST_HDR		64
#define ST_TRAILER	32
#define ST_DIGEST	16
#define ST_CHUNK	(10000 * HA_REC_LEN)	/* read and written a chunk */

static uint64_t
realtime_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

/* ---- writing, at a clean stop ---- */

struct writer {
	struct sw_afile f;
	crypto_generichash_state st;
	uint8_t *buf;
	size_t len;
	uint64_t count;
};

static void
w_flush(struct writer *w)
{
	crypto_generichash_update(&w->st, w->buf, w->len);
	sw_afile_write(&w->f, w->buf, w->len);
	w->len = 0;
}

static int
save_cb(const struct sw_ft_key *key, const struct sw_ft_info *info, void *arg)
{
	struct writer *w = arg;
	struct sw_ft_event e;

	if (info->remaining_ms == 0)
		return 0;
	memset(&e, 0, sizeof(e));
	e.op = SW_FT_EV_UPSERT;
	sw_ft_info_state(key, info, &e.fs);
	ha_rec_put(w->buf + w->len, &e);
	w->len += HA_REC_LEN;
	w->count++;
	if (w->len == ST_CHUNK)
		w_flush(w);
	return 0;
}

void
ha_state_save(struct sw_app *app)
{
	const char *path = app->cfg.flowtable.state_path;
	uint8_t hdr[ST_HDR], tr[ST_TRAILER];
	struct sw_ft_cursor cur = { 0 };
	struct writer w;
	double t0 = sw_now_s();
	int rc;

	memset(&w, 0, sizeof(w));
	w.buf = malloc(ST_CHUNK);
	if (w.buf == NULL) {
		SW_LOG(ERR, "flowtable.state_file %s: not written: out of "
		       "memory\n", path);
		return;
	}
	rc = sw_afile_open(&w.f, path, 0600);
	if (rc) {
		SW_LOG(ERR, "flowtable.state_file %s: not written: %s\n", path,
		       strerror(-rc));
		free(w.buf);
		return;
	}
	memset(hdr, 0, sizeof(hdr));
	memcpy(hdr, ST_MAGIC, 8);
	hdr[11] = ST_FORMAT;
	hdr[15] = HA_REC_LEN;
	put64(hdr + 16, ha_zones_digest(&app->cfg));
	put64(hdr + 24, realtime_ms());
	snprintf((char *)hdr + 32, 16, "%s", SW_VERSION);
	crypto_generichash_init(&w.st, NULL, 0, ST_DIGEST);
	crypto_generichash_update(&w.st, hdr, sizeof(hdr));
	sw_afile_write(&w.f, hdr, sizeof(hdr));
	/* The workers have stopped: the walk sees every flow as it is. */
	while (!sw_ft_walk_done(app->ft, &cur))
		sw_ft_walk_from(app->ft, HA_WALK_READER, &cur, 1u << 20,
				rte_rdtsc(), save_cb, &w);
	if (w.len)
		w_flush(&w);
	memset(tr, 0, sizeof(tr));
	memcpy(tr, ST_END, 8);
	put64(tr + 8, w.count);
	crypto_generichash_final(&w.st, tr + 16, ST_DIGEST);
	sw_afile_write(&w.f, tr, sizeof(tr));
	rc = sw_afile_commit(&w.f);
	free(w.buf);
	if (rc)
		SW_LOG(ERR, "flowtable.state_file %s: not written: %s\n", path,
		       strerror(-rc));
	else
		SW_LOG(NOTICE, "flowtable.state_file %s: %" PRIu64 " flows "
		       "written in %.2f s\n", path, w.count, sw_now_s() - t0);
}

/* ---- loading, at start ---- */

struct loader {
	int fd;
	uint64_t count;
	uint64_t written_ms;
	uint8_t *buf;
};

/*
 * Everything about the file before a flow goes in; 0, or -1 with the
 * reason in why.
 */
static int
check(struct sw_app *app, const struct sw_shardmap *map, struct loader *l,
      char *why, size_t len)
{
	uint8_t hdr[ST_HDR], tr[ST_TRAILER], digest[ST_DIGEST];
	crypto_generichash_state st;
	struct sw_ft_event e;
	struct stat sb;
	uint64_t left, i;
	size_t n, k;

	if (fstat(l->fd, &sb) != 0 || !S_ISREG(sb.st_mode) ||
	    (uint64_t)sb.st_size < ST_HDR + ST_TRAILER ||
	    pread(l->fd, hdr, sizeof(hdr), 0) != (ssize_t)sizeof(hdr) ||
	    memcmp(hdr, ST_MAGIC, 8) != 0) {
		snprintf(why, len, "not a spillway state file");
		return -1;
	}
	if (get64(hdr + 8) >> 32 != ST_FORMAT ||
	    (uint32_t)get64(hdr + 8) != HA_REC_LEN) {
		snprintf(why, len, "written by another version of spillway "
			 "(%.16s; state file format %u, this one reads %u)",
			 (const char *)hdr + 32,
			 (unsigned int)(get64(hdr + 8) >> 32), ST_FORMAT);
		return -1;
	}
	if (get64(hdr + 16) != ha_zones_digest(&app->cfg)) {
		snprintf(why, len, "written under another config's zones "
			 "(ports, pairs or flowtable.zone_vlan differ)");
		return -1;
	}
	if (pread(l->fd, tr, sizeof(tr), sb.st_size - ST_TRAILER) !=
	    (ssize_t)sizeof(tr) || memcmp(tr, ST_END, 8) != 0 ||
	    (uint64_t)sb.st_size != ST_HDR + ST_TRAILER +
	    get64(tr + 8) * HA_REC_LEN) {
		snprintf(why, len, "corrupted: truncated or extended (%lld "
			 "bytes)", (long long)sb.st_size);
		return -1;
	}
	l->count = get64(tr + 8);
	l->written_ms = get64(hdr + 24);
	crypto_generichash_init(&st, NULL, 0, ST_DIGEST);
	crypto_generichash_update(&st, hdr, sizeof(hdr));
	for (left = l->count, i = 0; left > 0; left -= n / HA_REC_LEN) {
		n = (size_t)RTE_MIN(left * HA_REC_LEN, (uint64_t)ST_CHUNK);
		if (pread(l->fd, l->buf, n, (off_t)(ST_HDR + i * HA_REC_LEN)) !=
		    (ssize_t)n) {
			snprintf(why, len, "unreadable: %s", strerror(errno));
			return -1;
		}
		crypto_generichash_update(&st, l->buf, n);
		for (k = 0; k < n; k += HA_REC_LEN, i++)
			if (ha_rec_get(l->buf + k, &e) != 0 ||
			    e.op != SW_FT_EV_UPSERT ||
			    sw_shardmap_owner(map, &e.fs.key) < 0)
				break;
		if (k < n) {
			snprintf(why, len, "flow %" PRIu64 " is not one a table "
				 "holds%s", i, map->nb_shards > 1 && !map->rss ?
				 " here (several workers on ports whose RSS "
				 "spillway cannot compute)" : "");
			return -1;
		}
	}
	crypto_generichash_final(&st, digest, sizeof(digest));
	if (sodium_memcmp(digest, tr + 16, sizeof(digest)) != 0) {
		snprintf(why, len, "corrupted: its digest does not match its "
			 "content");
		return -1;
	}
	return 0;
}

int
ha_state_load(struct sw_app *app, const struct sw_shardmap *map)
{
	const char *path = app->cfg.flowtable.state_path;
	uint64_t now_ms, down_ms, i, left, expired = 0, loaded = 0, full = 0;
	struct loader l = { .fd = -1 };
	struct sw_ft_event e;
	double t0 = sw_now_s();
	char why[256];
	size_t n, k;
	int owner, rc;

	if (path[0] == '\0')
		return 0;
	if (sodium_init() < 0) {
		SW_LOG(ERR, "flowtable.state_file %s: refused: libsodium does "
		       "not start\n", path);
		return 0;
	}
	l.fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (l.fd < 0) {
		if (errno == ENOENT)
			SW_LOG(INFO, "flowtable.state_file %s: none: the flow "
			       "table starts empty\n", path);
		else
			SW_LOG(ERR, "flowtable.state_file %s: refused: %s\n",
			       path, strerror(errno));
		return 0;
	}
	l.buf = malloc(ST_CHUNK);
	if (l.buf == NULL || check(app, map, &l, why, sizeof(why)) != 0) {
		SW_LOG(ERR, "flowtable.state_file %s: refused: %s; the flow "
		       "table starts empty (the file is left as it is)\n",
		       path, l.buf == NULL ? "out of memory" : why);
		free(l.buf);
		close(l.fd);
		return 0;
	}
	now_ms = realtime_ms();
	down_ms = now_ms > l.written_ms ? now_ms - l.written_ms : 0;
	/* Before the workers run, this thread is the shards' only writer. */
	for (left = l.count, i = 0; left > 0; left -= n / HA_REC_LEN) {
		n = (size_t)RTE_MIN(left * HA_REC_LEN, (uint64_t)ST_CHUNK);
		if (pread(l.fd, l.buf, n, (off_t)(ST_HDR + i * HA_REC_LEN)) !=
		    (ssize_t)n)
			break;
		for (k = 0; k < n; k += HA_REC_LEN, i++) {
			ha_rec_get(l.buf + k, &e);
			if (e.fs.remaining_ms <= down_ms) {
				expired++;
				continue;
			}
			e.fs.remaining_ms -= down_ms;
			owner = sw_shardmap_owner(map, &e.fs.key);
			rc = sw_ft_import(sw_ft_shard(app->ft,
						      (unsigned int)owner),
					  &e.fs, rte_rdtsc());
			if (rc >= 0)
				loaded++;
			else
				full++;
		}
	}
	free(l.buf);
	close(l.fd);
	/* Taken: a crash later must not bring these flows back again. */
	unlink(path);
	SW_LOG(NOTICE, "flowtable.state_file %s: %" PRIu64 " flows loaded in "
	       "%.2f s (%" PRIu64 " expired while spillway was down %.1f s, %"
	       PRIu64 " found no room)\n", path, loaded, sw_now_s() - t0,
	       expired, down_ms / 1000.0, full);
	return 0;
}
