/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The spillway authors
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "app.h"
#include "buf.h"
#include "cli.h"
#include "control.h"
#include "linebuf.h"
#include "log.h"

/* A client whose unread replies pass this is not reading: close it. */
#define OUT_MAX (4u << 20)
/* Bytes read from one client per poll: fairness between clients. */
#define READ_CHUNK 4096
#define AUTH_TRIES 3

struct client {
	int fd;
	struct sw_linebuf in;	/* telnet-filtered line assembly */
	bool authed;
	bool closing;		/* close once the output is sent */
	unsigned int auth_fails;
	double last_active;
	struct sw_buf out;
	struct sw_ctl *ctl;
};

struct sw_ctl {
	struct sw_app *app;
	int lfd;
	char addr[96];
	unsigned int max_clients;
	double idle;
	const char *password;
	struct client *c;	/* max_clients slots, fd -1 when free */
};

static int
nonblock(int fd)
{
	int fl = fcntl(fd, F_GETFL);

	return fl < 0 ? -1 : fcntl(fd, F_SETFL, fl | O_NONBLOCK);
}

struct sw_ctl *
sw_ctl_create(struct sw_app *app, char *err, size_t errlen)
{
	const struct sw_control_conf *cc = &app->cfg.control;
	struct sockaddr_storage ss;
	socklen_t sl;
	struct sw_ctl *ctl;
	char host[INET6_ADDRSTRLEN];
	int one = 1;
	unsigned int i;

	ctl = calloc(1, sizeof(*ctl));
	if (ctl == NULL)
		goto oom;
	ctl->c = calloc(cc->max_clients, sizeof(*ctl->c));
	if (ctl->c == NULL)
		goto oom;
	for (i = 0; i < cc->max_clients; i++)
		ctl->c[i].fd = -1;
	ctl->app = app;
	ctl->max_clients = cc->max_clients;
	ctl->idle = cc->idle_timeout;
	ctl->password = cc->password[0] ? cc->password : NULL;

	memset(&ss, 0, sizeof(ss));
	if (cc->family == AF_INET6) {
		struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)&ss;

		s6->sin6_family = AF_INET6;
		s6->sin6_port = htons(cc->port);
		memcpy(&s6->sin6_addr, cc->addr, 16);
		sl = sizeof(*s6);
	} else {
		struct sockaddr_in *s4 = (struct sockaddr_in *)&ss;

		s4->sin_family = AF_INET;
		s4->sin_port = htons(cc->port);
		memcpy(&s4->sin_addr, cc->addr, 4);
		sl = sizeof(*s4);
	}
	ctl->lfd = socket(cc->family, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (ctl->lfd < 0 ||
	    setsockopt(ctl->lfd, SOL_SOCKET, SO_REUSEADDR, &one,
		       sizeof(one)) < 0 ||
	    bind(ctl->lfd, (struct sockaddr *)&ss, sl) < 0 ||
	    listen(ctl->lfd, 64) < 0 || nonblock(ctl->lfd) < 0) {
		snprintf(err, errlen, "control.listen %s: %s", cc->listen,
			 strerror(errno));
		sw_ctl_free(ctl);
		return NULL;
	}
	sl = sizeof(ss);
	getsockname(ctl->lfd, (struct sockaddr *)&ss, &sl);
	if (ss.ss_family == AF_INET6) {
		struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)&ss;

		inet_ntop(AF_INET6, &s6->sin6_addr, host, sizeof(host));
		snprintf(ctl->addr, sizeof(ctl->addr), "[%s]:%u", host,
			 ntohs(s6->sin6_port));
	} else {
		struct sockaddr_in *s4 = (struct sockaddr_in *)&ss;

		inet_ntop(AF_INET, &s4->sin_addr, host, sizeof(host));
		snprintf(ctl->addr, sizeof(ctl->addr), "%s:%u", host,
			 ntohs(s4->sin_port));
	}
	return ctl;
oom:
	snprintf(err, errlen, "out of memory");
	sw_ctl_free(ctl);
	return NULL;
}

const char *
sw_ctl_address(const struct sw_ctl *ctl)
{
	return ctl->addr;
}

static void
client_close(struct client *cl)
{
	if (cl->fd >= 0)
		close(cl->fd);
	cl->fd = -1;
	sw_buf_free(&cl->out);
}

void
sw_ctl_free(struct sw_ctl *ctl)
{
	unsigned int i;

	if (ctl == NULL)
		return;
	for (i = 0; ctl->c && i < ctl->max_clients; i++)
		client_close(&ctl->c[i]);
	if (ctl->lfd > 0)
		close(ctl->lfd);
	free(ctl->c);
	free(ctl);
}

static void
reply_end(struct client *cl)
{
	sw_buf_append(&cl->out, ".\n", 2);
}

/* Compare without an early exit, so timing says nothing of the match. */
static bool
same_secret(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b), i;
	unsigned char d = (unsigned char)(la != lb);

	for (i = 0; i < la; i++)
		d |= (unsigned char)(a[i] ^ b[i % (lb ? lb : 1)]);
	return d == 0;
}

static bool
handle_line(const char *line, void *arg)
{
	struct client *cl = arg;
	struct sw_ctl *ctl = cl->ctl;

	if (line == NULL) {
		sw_buf_printf(&cl->out, "error: line longer than %d bytes, "
			      "ignored\n", SW_LINEBUF_MAX);
	} else if (ctl->password != NULL && !cl->authed) {
		if (strncmp(line, "auth ", 5) == 0 &&
		    same_secret(line + 5, ctl->password)) {
			cl->authed = true;
			sw_buf_printf(&cl->out, "authenticated\n");
		} else if (++cl->auth_fails >= AUTH_TRIES) {
			sw_buf_printf(&cl->out, "error: authentication "
				      "failed\n");
			cl->closing = true;
		} else {
			sw_buf_printf(&cl->out, "error: authenticate first: "
				      "auth PASSWORD\n");
		}
	} else if (sw_cli_exec(ctl->app, line, &cl->out) == SW_CLI_QUIT) {
		cl->closing = true;
	}
	reply_end(cl);
	/* After quit or failed auth, ignore the rest of what it sent. */
	return !cl->closing;
}

static void
greet(struct sw_ctl *ctl, struct client *cl)
{
	sw_buf_printf(&cl->out, "spillway %s control; %s\n", SW_VERSION,
		      ctl->password ? "authenticate with: auth PASSWORD" :
				      "'help' lists the commands");
	reply_end(cl);
}

static void
accept_all(struct sw_ctl *ctl, double now)
{
	unsigned int i;
	int fd;

	while ((fd = accept4(ctl->lfd, NULL, NULL,
			     SOCK_NONBLOCK | SOCK_CLOEXEC)) >= 0) {
		for (i = 0; i < ctl->max_clients; i++)
			if (ctl->c[i].fd < 0)
				break;
		if (i == ctl->max_clients) {
			static const char full[] =
				"error: too many clients, try later\n.\n";

			if (write(fd, full, sizeof(full) - 1) < 0)
				(void)0;
			close(fd);
			continue;
		}
		memset(&ctl->c[i], 0, sizeof(ctl->c[i]));
		ctl->c[i].fd = fd;
		ctl->c[i].ctl = ctl;
		sw_linebuf_init(&ctl->c[i].in);
		ctl->c[i].last_active = now;
		sw_buf_init(&ctl->c[i].out);
		greet(ctl, &ctl->c[i]);
	}
}

static void
flush_out(struct client *cl)
{
	ssize_t n;

	while (cl->out.len) {
		n = send(cl->fd, cl->out.p, cl->out.len, MSG_NOSIGNAL);
		if (n <= 0) {
			if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
				return;
			client_close(cl);
			return;
		}
		sw_buf_consume(&cl->out, (size_t)n);
	}
	if (cl->closing)
		client_close(cl);
}

void
sw_ctl_poll(struct sw_ctl *ctl, int timeout_ms)
{
	struct pollfd pfd[1 + 256];
	int idx[1 + 256];
	uint8_t buf[READ_CHUNK];
	unsigned int i, n = 0;
	double now;
	ssize_t r;

	pfd[n].fd = ctl->lfd;
	pfd[n].events = POLLIN;
	idx[n++] = -1;
	for (i = 0; i < ctl->max_clients; i++) {
		struct client *cl = &ctl->c[i];

		if (cl->fd < 0)
			continue;
		pfd[n].fd = cl->fd;
		pfd[n].events = (short)((cl->closing ? 0 : POLLIN) |
					(cl->out.len ? POLLOUT : 0));
		idx[n++] = (int)i;
	}
	if (poll(pfd, n, timeout_ms) < 0)
		return;
	now = sw_now_s();
	if (pfd[0].revents & POLLIN)
		accept_all(ctl, now);
	for (i = 1; i < n; i++) {
		struct client *cl = &ctl->c[idx[i]];

		if (cl->fd < 0)
			continue;
		if (pfd[i].revents & (POLLERR | POLLNVAL)) {
			client_close(cl);
			continue;
		}
		if (pfd[i].revents & (POLLIN | POLLHUP)) {
			r = recv(cl->fd, buf, sizeof(buf), 0);
			if (r == 0 || (r < 0 && errno != EAGAIN &&
				       errno != EWOULDBLOCK)) {
				client_close(cl);
				continue;
			}
			if (r > 0 && !cl->closing) {
				cl->last_active = now;
				sw_linebuf_feed(&cl->in, buf, (size_t)r,
						handle_line, cl);
			}
		}
		if (cl->out.len > OUT_MAX || cl->out.oom) {
			/* It is not reading its replies: let it go. */
			client_close(cl);
			continue;
		}
		flush_out(cl);
	}
	for (i = 0; i < ctl->max_clients; i++) {
		struct client *cl = &ctl->c[i];

		if (cl->fd >= 0 && !cl->closing &&
		    now - cl->last_active > ctl->idle) {
			sw_buf_printf(&cl->out, "error: idle for %.0f s, "
				      "closing\n", ctl->idle);
			reply_end(cl);
			cl->closing = true;
			flush_out(cl);
		}
	}
}
