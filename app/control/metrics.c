/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The spillway authors
 *
 * The Prometheus endpoint: a small HTTP/1.1 server on the control
 * thread that answers GET /metrics and closes (see metrics.h).
 */
#include <errno.h>
#include <inttypes.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "app.h"
#include "buf.h"
#include "listen.h"
#include "log.h"
#include "metrics.h"
#include "stats.h"
#include "clock.h"

/* A request line and headers: Prometheus sends a few hundred bytes. */
#define REQ_MAX 2048
/* Seconds a client has to send its request and read the reply. */
#define CLIENT_S 5.0
/* The reply's head is written into this room before the body. */
#define HEAD_ROOM 192
/* A reply larger than this (a million rules) is refused, not built. */
#define BODY_MAX (32u << 20)

struct prom_client {
	int fd;			/* -1: free */
	double since;
	char req[REQ_MAX];
	size_t req_len;
	bool replying;
	struct sw_buf out;	/* kept between clients: reused */
	size_t off;		/* next byte of out to send */
};

struct sw_metrics {
	struct sw_app *app;
	int fd;
	char addr[96];
	double last_refusal_log;
	uint64_t refused;	/* since the last log line */
	struct prom_client c[SW_METRICS_CLIENTS];
};

struct sw_metrics *
sw_metrics_create(struct sw_app *app, char *err, size_t errlen)
{
	const struct sw_stats_conf *sc = &app->cfg.stats;
	struct sw_metrics *m = calloc(1, sizeof(*m));
	unsigned int i;

	if (m == NULL) {
		snprintf(err, errlen, "stats.prometheus_listen: out of memory");
		return NULL;
	}
	m->app = app;
	for (i = 0; i < SW_METRICS_CLIENTS; i++)
		m->c[i].fd = -1;
	m->fd = sw_listen_tcp(sc->prom_family, sc->prom_addr, sc->prom_port,
			      m->addr, sizeof(m->addr));
	if (m->fd < 0) {
		snprintf(err, errlen, "stats.prometheus_listen %s: %s",
			 sc->prom_listen, strerror(-m->fd));
		free(m);
		return NULL;
	}
	return m;
}

const char *
sw_metrics_address(const struct sw_metrics *m)
{
	return m->addr;
}

static void
client_close(struct prom_client *c)
{
	if (c->fd >= 0)
		close(c->fd);
	c->fd = -1;
	c->req_len = 0;
	c->replying = false;
	sw_buf_reset(&c->out);
}

void
sw_metrics_free(struct sw_metrics *m)
{
	unsigned int i;

	if (m == NULL)
		return;
	for (i = 0; i < SW_METRICS_CLIENTS; i++) {
		client_close(&m->c[i]);
		sw_buf_free(&m->c[i].out);
	}
	if (m->fd >= 0)
		close(m->fd);
	free(m);
}

/* Is the peer in stats.prometheus_allow? IPv4-mapped IPv6 is IPv4. */
static bool
allowed(const struct sw_stats_conf *sc, const struct sockaddr_storage *ss)
{
	static const uint8_t mapped[12] = { [10] = 0xff, [11] = 0xff };
	const uint8_t *a;
	uint8_t f;
	unsigned int i;

	if (ss->ss_family == AF_INET6) {
		a = ((const struct sockaddr_in6 *)ss)->sin6_addr.s6_addr;
		f = 6;
		if (memcmp(a, mapped, sizeof(mapped)) == 0) {
			a += 12;
			f = 4;
		}
	} else {
		a = (const uint8_t *)
			&((const struct sockaddr_in *)ss)->sin_addr.s_addr;
		f = 4;
	}
	for (i = 0; i < sc->nb_prom_allow; i++)
		if (sw_acl_cidr_holds(&sc->prom_allow[i], f, a))
			return true;
	return false;
}

static void
accept_all(struct sw_metrics *m, double now)
{
	struct sockaddr_storage ss;
	socklen_t sl = sizeof(ss);
	char peer[INET6_ADDRSTRLEN + 8];
	unsigned int i;
	int fd;

	while ((fd = accept4(m->fd, (struct sockaddr *)&ss, &sl,
			     SOCK_NONBLOCK | SOCK_CLOEXEC)) >= 0) {
		sl = sizeof(ss);
		if (!allowed(&m->app->cfg.stats, &ss)) {
			/* Logged at most every 10 s: no log flood. */
			m->refused++;
			if (now - m->last_refusal_log >= 10.0) {
				sw_sockaddr_str(&ss, peer, sizeof(peer));
				SW_LOG(WARNING, "metrics: %s is not in "
				       "stats.prometheus_allow: closed (%"
				       PRIu64 " refused since the last such "
				       "line)\n", peer, m->refused);
				m->last_refusal_log = now;
				m->refused = 0;
			}
			close(fd);
			continue;
		}
		for (i = 0; i < SW_METRICS_CLIENTS && m->c[i].fd >= 0; i++)
			;
		if (i == SW_METRICS_CLIENTS) {
			/* Busy: a scraper retries at its next interval. */
			close(fd);
			continue;
		}
		m->c[i].fd = fd;
		m->c[i].since = now;
		m->c[i].req_len = 0;
		m->c[i].replying = false;
		m->c[i].off = 0;
	}
}

/*
 * The reply: head written right before the body, both in c->out, so
 * the body is built once and never copied.
 */
static void
reply(struct sw_metrics *m, struct prom_client *c, int code,
      const char *status, const char *extra, bool head_only, bool metrics)
{
	char head[HEAD_ROOM];
	size_t body;
	int n;

	sw_buf_reset(&c->out);
	sw_buf_printf(&c->out, "%*s", HEAD_ROOM, "");
	if (metrics)
		sw_stats_prom(sw_stats_take(m->app), m->app, &c->out);
	else
		sw_buf_printf(&c->out, "%d %s\n", code, status);
	body = c->out.len - HEAD_ROOM;
	if (c->out.oom || body > BODY_MAX) {
		sw_buf_reset(&c->out);
		reply(m, c, 503, "reply too large", "", head_only, false);
		return;
	}
	n = snprintf(head, sizeof(head), "HTTP/1.1 %d %s\r\nContent-Type: "
		     "text/plain; version=0.0.4; charset=utf-8\r\n"
		     "Content-Length: %zu\r\n%sConnection: close\r\n\r\n",
		     code, status, body, extra);
	if (n < 0 || n >= HEAD_ROOM) {
		client_close(c);
		return;
	}
	memcpy(c->out.p + HEAD_ROOM - n, head, (size_t)n);
	c->off = HEAD_ROOM - (size_t)n;
	if (head_only)
		c->out.len = HEAD_ROOM;
	c->replying = true;
}

/* Answer a whole request (its head ends with an empty line). */
static void
answer(struct sw_metrics *m, struct prom_client *c)
{
	char *sp1, *sp2, *eol = strpbrk(c->req, "\r\n");
	bool head;
	size_t plen;

	if (eol != NULL)
		*eol = '\0';
	sp1 = strchr(c->req, ' ');
	sp2 = sp1 ? strchr(sp1 + 1, ' ') : NULL;
	if (sp1 == NULL || sp2 == NULL || strncmp(sp2 + 1, "HTTP/1.", 7)) {
		reply(m, c, 400, "Bad Request", "", false, false);
		return;
	}
	*sp1 = '\0';
	head = strcmp(c->req, "HEAD") == 0;
	if (!head && strcmp(c->req, "GET") != 0) {
		reply(m, c, 405, "Method Not Allowed",
		      "Allow: GET, HEAD\r\n", false, false);
		return;
	}
	plen = (size_t)(sp2 - sp1 - 1);
	if ((plen == 8 || (plen > 8 && sp1[9] == '?')) &&
	    strncmp(sp1 + 1, "/metrics", 8) == 0)
		reply(m, c, 200, "OK", "", head, true);
	else
		reply(m, c, 404, "Not Found (GET /metrics)", "", head, false);
}

static void
serve(struct sw_metrics *m, struct prom_client *c, short revents)
{
	ssize_t n;

	if (revents & (POLLERR | POLLNVAL)) {
		client_close(c);
		return;
	}
	if (!c->replying && (revents & (POLLIN | POLLHUP))) {
		n = read(c->fd, c->req + c->req_len, REQ_MAX - 1 - c->req_len);
		if (n <= 0) {
			if (n == 0 || (errno != EAGAIN && errno != EINTR))
				client_close(c);
			return;
		}
		c->req_len += (size_t)n;
		c->req[c->req_len] = '\0';
		if (strstr(c->req, "\r\n\r\n") || strstr(c->req, "\n\n"))
			answer(m, c);
		else if (c->req_len == REQ_MAX - 1)
			reply(m, c, 431, "Request Header Fields Too Large", "",
			      false, false);
	}
	if (c->replying && c->fd >= 0) {
		n = send(c->fd, c->out.p + c->off, c->out.len - c->off,
			 MSG_NOSIGNAL);
		if (n < 0 && errno != EAGAIN && errno != EINTR) {
			client_close(c);
			return;
		}
		if (n > 0)
			c->off += (size_t)n;
		if (c->off == c->out.len)
			client_close(c);
	}
}

void
sw_metrics_poll(struct sw_metrics *m, int timeout_ms)
{
	struct pollfd pfd[1 + SW_METRICS_CLIENTS];
	int idx[1 + SW_METRICS_CLIENTS];
	unsigned int i, n = 0;
	double now;

	pfd[n].fd = m->fd;
	pfd[n].events = POLLIN;
	idx[n++] = -1;
	for (i = 0; i < SW_METRICS_CLIENTS; i++) {
		if (m->c[i].fd < 0)
			continue;
		pfd[n].fd = m->c[i].fd;
		pfd[n].events = m->c[i].replying ? POLLOUT : POLLIN;
		idx[n++] = (int)i;
	}
	if (poll(pfd, n, timeout_ms) <= 0 && timeout_ms == 0)
		goto timeouts;
	now = sw_now_s();
	for (i = 0; i < n; i++) {
		if (idx[i] < 0) {
			if (pfd[i].revents & POLLIN)
				accept_all(m, now);
		} else if (pfd[i].revents) {
			serve(m, &m->c[idx[i]], pfd[i].revents);
		}
	}
timeouts:
	now = sw_now_s();
	for (i = 0; i < SW_METRICS_CLIENTS; i++)
		if (m->c[i].fd >= 0 && now - m->c[i].since > CLIENT_S)
			client_close(&m->c[i]);
}
