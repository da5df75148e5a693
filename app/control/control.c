/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The spillway authors
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdarg.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "app.h"
#include "buf.h"
#include "cli.h"
#include "control.h"
#include "linebuf.h"
#include "listen.h"
#include "log.h"
#include "clock.h"

/* A client whose unread replies pass this is not reading: close it. */
#define OUT_MAX (4u << 20)
/* Bytes read from one client per poll: fairness between clients. */
#define READ_CHUNK 4096
/* A streamed reply gets its next chunk when less than this waits. */
#define STREAM_LOW (16u << 10)
#define AUTH_TRIES 3
/*
 * Failed TCP authentication: nothing more from that source is read or
 * answered for 1 s after its first failure, then 2, 4, ... up to 64 s
 * (one guess a minute), forgotten 15 minutes after its last failure.
 */
#define AUTH_DELAY_S 1.0
#define AUTH_DELAY_MAX_S 64.0
#define AUTH_FORGET_S 900.0
#define AUTH_SOURCES 64
/* Unauthenticated TCP connections from one source at once. */
#define TCP_PER_SOURCE 4
/*
 * Seconds from connect to authenticate (idle_timeout if shorter): wall
 * clock, so no source can keep slots by trickling bytes or by serving a
 * back-off it earned on purpose.
 */
#define AUTH_WINDOW_S 10.0

enum endpoint { EP_UNIX, EP_TCP };

/* A TCP source (/32, or /64 for IPv6) and its failed authentications. */
struct auth_src {
	int family;		/* 0: free slot */
	uint8_t addr[16];
	unsigned int fails;
	double until;		/* nothing read or answered before */
	double last_fail;
};

struct client {
	int fd;
	uint8_t ep;		/* enum endpoint */
	bool authed;
	bool closing;		/* close once the output is sent */
	unsigned int auth_fails;
	int src;		/* TCP: index in ctl->src; -1 */
	double last_active;
	double login_by;	/* TCP: closed then unless authenticated */
	char peer[80];		/* for the log */
	struct sw_cli_session sess;
	struct sw_linebuf in;	/* telnet-filtered line assembly */
	uint8_t pend[READ_CHUNK];	/* read, not yet fed */
	size_t pend_off;
	size_t pend_len;
	struct sw_buf out;
	/*
	 * The reply as the CLI writes it, before it is framed into out
	 * (the machine mode marks lines that start with '.'); bol: out
	 * is at the start of a line.
	 */
	struct sw_buf reply;
	bool bol;
	struct sw_ctl *ctl;
};

struct sw_ctl {
	struct sw_app *app;
	int ufd;		/* unix socket listener, -1: none */
	int tfd;		/* TCP listener, -1: none */
	char upath[sizeof(((struct sockaddr_un *)0)->sun_path)];
	dev_t udev;		/* the socket file we made, to remove it */
	ino_t uino;
	char addr[96];
	unsigned int max_clients;
	unsigned int tcp_max;	/* TCP clients at most; the rest: local */
	double idle;
	const char *password;
	bool tcp_admin;
	bool has_group;
	gid_t gid;
	struct auth_src src[AUTH_SOURCES];
	struct client *c;	/* max_clients slots, fd -1 when free */
};

static int
nonblock(int fd)
{
	int fl = fcntl(fd, F_GETFL);

	return fl < 0 ? -1 : fcntl(fd, F_SETFL, fl | O_NONBLOCK);
}

/* True when a listener answers at path: another spillway owns it. */
static bool
in_use(const struct sockaddr_un *sa)
{
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	bool used;

	if (fd < 0)
		return false;
	used = connect(fd, (const struct sockaddr *)sa, sizeof(*sa)) == 0;
	close(fd);
	return used;
}

/*
 * The unix socket: made with a umask that leaves it 0600 (0660 with a
 * group) from its first instant, never chmod'ed by name afterwards (a
 * name can be swapped for a symlink); its group set with lchown. A
 * stale socket of a dead spillway is replaced, anything else at the path
 * is refused. The directory is created 0755 if missing.
 */
static int
unix_listen(struct sw_ctl *ctl, const struct sw_control_conf *cc, char *err,
	    size_t errlen)
{
	struct sockaddr_un sa;
	struct stat st;
	char dir[sizeof(sa.sun_path)], *slash;
	mode_t old;
	int rc;

	memset(&sa, 0, sizeof(sa));
	sa.sun_family = AF_UNIX;
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", cc->socket);
	snprintf(dir, sizeof(dir), "%s", cc->socket);
	slash = strrchr(dir, '/');
	if (slash != NULL && slash != dir) {
		*slash = '\0';
		if (mkdir(dir, 0755) < 0 && errno != EEXIST) {
			snprintf(err, errlen, "control.socket: cannot create "
				 "%s: %s", dir, strerror(errno));
			return -errno;
		}
		if (stat(dir, &st) == 0 && (st.st_mode & S_IWOTH) &&
		    !(st.st_mode & S_ISVTX)) {
			snprintf(err, errlen, "control.socket: %s is writable "
				 "by anyone: refusing to put the control "
				 "socket there", dir);
			return -EPERM;
		}
	}
	if (lstat(cc->socket, &st) == 0) {
		if (!S_ISSOCK(st.st_mode)) {
			snprintf(err, errlen, "control.socket: %s exists and "
				 "is not a socket", cc->socket);
			return -EEXIST;
		}
		if (in_use(&sa)) {
			snprintf(err, errlen, "control.socket: %s is in use "
				 "(another spillway?)", cc->socket);
			return -EADDRINUSE;
		}
		unlink(cc->socket);
	}
	ctl->ufd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (ctl->ufd < 0)
		goto fail;
	old = umask(ctl->has_group ? 0117 : 0177);
	rc = bind(ctl->ufd, (struct sockaddr *)&sa, sizeof(sa));
	umask(old);
	if (rc < 0)
		goto fail;
	if (lstat(cc->socket, &st) == 0) {
		ctl->udev = st.st_dev;
		ctl->uino = st.st_ino;
	}
	snprintf(ctl->upath, sizeof(ctl->upath), "%s", cc->socket);
	if ((ctl->has_group && lchown(cc->socket, (uid_t)-1, ctl->gid) < 0) ||
	    listen(ctl->ufd, 64) < 0 || nonblock(ctl->ufd) < 0)
		goto fail;
	return 0;
fail:
	rc = -errno;
	snprintf(err, errlen, "control.socket %s: %s", cc->socket,
		 strerror(errno));
	return rc;
}

static int
tcp_listen(struct sw_ctl *ctl, const struct sw_control_conf *cc, char *err,
	   size_t errlen)
{
	ctl->tfd = sw_listen_tcp(cc->family, cc->addr, cc->port, ctl->addr,
				 sizeof(ctl->addr));
	if (ctl->tfd < 0) {
		snprintf(err, errlen, "control.listen %s: %s", cc->listen,
			 strerror(-ctl->tfd));
		return ctl->tfd;
	}
	return 0;
}

struct sw_ctl *
sw_ctl_create(struct sw_app *app, char *err, size_t errlen)
{
	const struct sw_control_conf *cc = &app->cfg.control;
	struct sw_ctl *ctl;
	unsigned int i;

	ctl = calloc(1, sizeof(*ctl));
	if (ctl == NULL)
		goto oom;
	ctl->ufd = ctl->tfd = -1;
	ctl->c = calloc(cc->max_clients, sizeof(*ctl->c));
	if (ctl->c == NULL)
		goto oom;
	for (i = 0; i < cc->max_clients; i++)
		ctl->c[i].fd = -1;
	ctl->app = app;
	ctl->max_clients = cc->max_clients;
	/* Keep half the slots for local administrators. */
	ctl->tcp_max = cc->socket[0] ? RTE_MAX(1u, cc->max_clients / 2) :
				       cc->max_clients;
	ctl->idle = cc->idle_timeout;
	ctl->password = cc->password;
	ctl->tcp_admin = cc->tcp_admin;
	ctl->has_group = cc->socket_group[0] != '\0';
	ctl->gid = (gid_t)cc->socket_gid;
	if ((cc->socket[0] && unix_listen(ctl, cc, err, errlen) < 0) ||
	    (cc->listen[0] && tcp_listen(ctl, cc, err, errlen) < 0)) {
		sw_ctl_free(ctl);
		return NULL;
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
	return ctl->tfd >= 0 ? ctl->addr : NULL;
}

const char *
sw_ctl_socket(const struct sw_ctl *ctl)
{
	return ctl->ufd >= 0 ? ctl->upath : NULL;
}

static void
client_close(struct client *cl)
{
	if (cl->fd >= 0)
		close(cl->fd);
	cl->fd = -1;
	if (cl->ctl != NULL)
		sw_cli_end(cl->ctl->app, &cl->sess);
	sw_buf_free(&cl->out);
	sw_buf_free(&cl->reply);
}

void
sw_ctl_free(struct sw_ctl *ctl)
{
	struct stat st;
	unsigned int i;

	if (ctl == NULL)
		return;
	for (i = 0; ctl->c && i < ctl->max_clients; i++)
		client_close(&ctl->c[i]);
	if (ctl->tfd >= 0)
		close(ctl->tfd);
	if (ctl->ufd >= 0) {
		close(ctl->ufd);
		/* Only the socket we made, not one that replaced it. */
		if (lstat(ctl->upath, &st) == 0 && S_ISSOCK(st.st_mode) &&
		    st.st_dev == ctl->udev && st.st_ino == ctl->uino)
			unlink(ctl->upath);
	}
	free(ctl->c);
	free(ctl);
}

/*
 * The reply written so far into out, framed for the session's mode: as
 * it is in the text mode; in the machine modes a line that starts with
 * '.' gets one more, so that no line of a reply can pass for its end.
 */
static void
emit(struct client *cl)
{
	const char *p = cl->reply.p, *end = p + cl->reply.len, *nl;

	if (cl->sess.mode == SW_CLI_TEXT) {
		sw_buf_append(&cl->out, p, cl->reply.len);
		if (cl->reply.len)
			cl->bol = p[cl->reply.len - 1] == '\n';
	} else {
		for (; p < end; p = nl) {
			nl = memchr(p, '\n', (size_t)(end - p));
			nl = nl != NULL ? nl + 1 : end;
			if (cl->bol && *p == '.')
				sw_buf_append(&cl->out, ".", 1);
			sw_buf_append(&cl->out, p, (size_t)(nl - p));
			cl->bol = nl[-1] == '\n';
		}
	}
	cl->out.oom |= cl->reply.oom;
	sw_buf_reset(&cl->reply);
}

/*
 * The end of a reply: a line holding only "." (text mode), or the
 * status line ". ok|error text|json" (machine modes), which says
 * whether the reply is an error and whether its body is JSON.
 */
static void
reply_end(struct client *cl, bool failed, bool json)
{
	emit(cl);
	if (!cl->bol)
		sw_buf_append(&cl->out, "\n", 1);
	if (cl->sess.mode == SW_CLI_TEXT)
		sw_buf_append(&cl->out, ".\n", 2);
	else
		sw_buf_printf(&cl->out, ". %s %s\n", failed ? "error" : "ok",
			      json ? "json" : "text");
	cl->bol = true;
}

/* A reply of the server's own (no command): an error, unless said. */
static void
server_reply(struct client *cl, bool failed, const char *fmt, ...)
{
	va_list ap;
	char msg[256];

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	sw_buf_printf(&cl->reply, "%s", msg);
	reply_end(cl, failed, false);
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

/* While its source pays for a failure, a TCP client is left waiting. */
static bool
held(const struct client *cl, double now)
{
	return cl->ep == EP_TCP && !cl->authed && cl->src >= 0 &&
	       cl->ctl->src[cl->src].until > now;
}

static void
auth_failed(struct client *cl, double now)
{
	struct auth_src *s = &cl->ctl->src[cl->src];
	double delay;

	if (now - s->last_fail > AUTH_FORGET_S)
		s->fails = 0;
	s->fails++;
	s->last_fail = now;
	delay = AUTH_DELAY_S * (double)(1u << RTE_MIN(s->fails - 1, 6u));
	delay = RTE_MIN(delay, AUTH_DELAY_MAX_S);
	s->until = now + delay;
	SW_LOG(WARNING, "control: failed authentication from %s (%u in a "
	       "row from this address; it waits %.0f s)\n", cl->peer,
	       s->fails, delay);
}

static bool
handle_line(const char *line, void *arg)
{
	struct client *cl = arg;
	struct sw_ctl *ctl = cl->ctl;
	struct sw_buf *r = &cl->reply;
	double now = sw_now_s();
	bool failed = true;
	int rc = SW_CLI_OK;

	if (line == NULL) {
		sw_buf_printf(r, "error: line longer than %d bytes, ignored\n",
			      SW_LINEBUF_MAX);
	} else if (!cl->authed && strcmp(line, "quit") == 0) {
		sw_buf_printf(r, "bye\n");
		cl->closing = true;
		failed = false;
	} else if (!cl->authed) {
		bool tried = strncmp(line, "auth ", 5) == 0;

		if (tried && same_secret(line + 5, ctl->password)) {
			cl->authed = true;
			ctl->src[cl->src].fails = 0;
			SW_LOG(INFO, "control: %s authenticated (%s)\n",
			       cl->peer, cl->sess.admin ? "admin" :
			       "read-only");
			sw_buf_printf(r, "authenticated%s\n",
				      cl->sess.admin ? "" : " (read-only)");
			failed = false;
		} else {
			auth_failed(cl, now);
			if (++cl->auth_fails >= AUTH_TRIES) {
				sw_buf_printf(r, "error: authentication "
					      "failed\n");
				cl->closing = true;
			} else {
				sw_buf_printf(r, "error: %s\n", tried ?
					      "wrong password" :
					      "authenticate first: auth "
					      "PASSWORD");
			}
		}
	} else {
		/* Who changed what, for the log (quotes the line, trimmed). */
		if (sw_cli_changes_state(line))
			SW_LOG(NOTICE, "control: %s%s: %.200s\n", cl->peer,
			       cl->sess.admin ? "" : " (read-only)", line);
		rc = sw_cli_exec(ctl->app, &cl->sess, line, r);
		failed = cl->sess.failed;
		if (rc == SW_CLI_QUIT)
			cl->closing = true;
	}
	/* A streamed reply ends with its last chunk. */
	if (rc != SW_CLI_MORE)
		reply_end(cl, failed, cl->sess.json_out && line != NULL &&
			  cl->authed);
	else
		emit(cl);
	/* Read no further line before this one is answered in full. */
	return !cl->closing && rc != SW_CLI_MORE && !held(cl, now);
}

static void
greet(struct client *cl)
{
	server_reply(cl, false, "spillway %s control; %s\n", SW_VERSION,
		     !cl->authed ? "authenticate with: auth PASSWORD" :
				   "'help' lists the commands");
}

static int
free_slot(struct sw_ctl *ctl)
{
	unsigned int i;

	for (i = 0; i < ctl->max_clients; i++)
		if (ctl->c[i].fd < 0)
			return (int)i;
	return -1;
}

static void
refuse(int fd, const char *why)
{
	char msg[160];
	int n = snprintf(msg, sizeof(msg), "error: %s\n.\n", why);

	if (write(fd, msg, (size_t)n) < 0)
		(void)0;
	close(fd);
}

static struct client *
client_init(struct sw_ctl *ctl, int i, int fd, enum endpoint ep, double now)
{
	struct client *cl = &ctl->c[i];

	memset(cl, 0, sizeof(*cl));
	cl->fd = fd;
	cl->ep = (uint8_t)ep;
	cl->ctl = ctl;
	cl->src = -1;
	cl->last_active = now;
	sw_linebuf_init(&cl->in);
	sw_buf_init(&cl->out);
	sw_buf_init(&cl->reply);
	cl->bol = true;
	return cl;
}

/*
 * May this local peer use the socket? The file mode already kept out
 * whoever is neither its owner nor (with socket_group) in its group;
 * this checks again on the credentials the kernel gives, so a socket
 * made readable by mistake (chmod 666) still lets nobody else in.
 */
static bool
peer_allowed(const struct sw_ctl *ctl, const struct ucred *uc)
{
	struct passwd pw, *res = NULL;
	gid_t groups[256];
	int n = 256, i;
	char buf[4096];

	if (uc->uid == 0 || uc->uid == geteuid())
		return true;
	if (!ctl->has_group)
		return false;
	if (uc->gid == ctl->gid)
		return true;
	if (getpwuid_r(uc->uid, &pw, buf, sizeof(buf), &res) != 0 ||
	    res == NULL ||
	    getgrouplist(pw.pw_name, pw.pw_gid, groups, &n) < 0)
		return false;
	for (i = 0; i < n; i++)
		if (groups[i] == ctl->gid)
			return true;
	return false;
}

static void
accept_unix(struct sw_ctl *ctl, double now)
{
	struct ucred uc;
	socklen_t ul = sizeof(uc);
	struct client *cl;
	char why[96];
	int fd, i;

	while ((fd = accept4(ctl->ufd, NULL, NULL,
			     SOCK_NONBLOCK | SOCK_CLOEXEC)) >= 0) {
		if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &uc, &ul) < 0) {
			refuse(fd, "cannot read your credentials");
			continue;
		}
		if (!peer_allowed(ctl, &uc)) {
			SW_LOG(WARNING, "control: refused unix client pid %d "
			       "uid %u gid %u: not root, not uid %u%s\n",
			       (int)uc.pid, (unsigned int)uc.uid,
			       (unsigned int)uc.gid, (unsigned int)geteuid(),
			       ctl->has_group ? ", not in control.socket_group"
					      : "");
			snprintf(why, sizeof(why), "uid %u may not use this "
				 "socket", (unsigned int)uc.uid);
			refuse(fd, why);
			continue;
		}
		i = free_slot(ctl);
		if (i < 0) {
			refuse(fd, "too many clients, try later");
			continue;
		}
		cl = client_init(ctl, i, fd, EP_UNIX, now);
		cl->authed = true;
		cl->sess.admin = true;
		snprintf(cl->peer, sizeof(cl->peer), "unix client pid %d uid "
			 "%u gid %u", (int)uc.pid, (unsigned int)uc.uid,
			 (unsigned int)uc.gid);
		/* Its changes are logged with it; a connect says nothing. */
		SW_LOG(DEBUG, "control: %s connected\n", cl->peer);
		greet(cl);
	}
}

/* The source's slot: /32, or /64 for IPv6 (one host has a whole /64). */
static int
src_slot(struct sw_ctl *ctl, const struct sockaddr_storage *ss, double now)
{
	uint8_t a[16] = { 0 };
	int fam = ss->ss_family, i, best = 0;

	if (fam == AF_INET6)
		memcpy(a, &((const struct sockaddr_in6 *)ss)->sin6_addr, 8);
	else
		memcpy(a, &((const struct sockaddr_in *)ss)->sin_addr, 4);
	for (i = 0; i < AUTH_SOURCES; i++)
		if (ctl->src[i].family == fam &&
		    memcmp(ctl->src[i].addr, a, 16) == 0)
			return i;
	/*
	 * A new source takes a free slot, else the one whose penalty ended
	 * longest ago; one still paying is replaced last.
	 */
	for (i = 0; i < AUTH_SOURCES; i++) {
		const struct auth_src *s = &ctl->src[i], *b = &ctl->src[best];

		if (s->family == 0) {
			best = i;
			break;
		}
		if ((s->until <= now) != (b->until <= now) ?
		    s->until <= now : s->until < b->until)
			best = i;
	}
	memset(&ctl->src[best], 0, sizeof(ctl->src[best]));
	ctl->src[best].family = fam;
	memcpy(ctl->src[best].addr, a, 16);
	return best;
}

static void
accept_tcp(struct sw_ctl *ctl, double now)
{
	struct sockaddr_storage ss;
	socklen_t sl = sizeof(ss);
	char host[INET6_ADDRSTRLEN + 8];
	struct client *cl;
	unsigned int j, tcp, same;
	int fd, i, s;

	while ((fd = accept4(ctl->tfd, (struct sockaddr *)&ss, &sl,
			     SOCK_NONBLOCK | SOCK_CLOEXEC)) >= 0) {
		sl = sizeof(ss);
		s = src_slot(ctl, &ss, now);
		for (j = 0, tcp = 0, same = 0; j < ctl->max_clients; j++) {
			if (ctl->c[j].fd < 0 || ctl->c[j].ep != EP_TCP)
				continue;
			tcp++;
			same += ctl->c[j].src == s && !ctl->c[j].authed;
		}
		i = free_slot(ctl);
		if (i < 0 || tcp >= ctl->tcp_max) {
			refuse(fd, "too many clients, try later");
			continue;
		}
		if (same >= TCP_PER_SOURCE) {
			refuse(fd, "too many connections from your address");
			continue;
		}
		cl = client_init(ctl, i, fd, EP_TCP, now);
		cl->src = s;
		cl->login_by = now + RTE_MIN(ctl->idle, AUTH_WINDOW_S);
		cl->sess.admin = ctl->tcp_admin;
		sw_sockaddr_str(&ss, host, sizeof(host));
		snprintf(cl->peer, sizeof(cl->peer), "tcp client %s", host);
		/* Failures are logged; a connect loop must not flood the log. */
		SW_LOG(DEBUG, "control: %s connected\n", cl->peer);
		greet(cl);
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
	if (cl->closing && !cl->sess.streaming)
		client_close(cl);
}

/* Run the lines read so far, while nothing holds this client back. */
static void
feed(struct client *cl, double now)
{
	size_t n;

	while (cl->pend_len && !cl->closing && !cl->sess.streaming &&
	       !held(cl, now)) {
		n = sw_linebuf_feed(&cl->in, cl->pend + cl->pend_off,
				    cl->pend_len, handle_line, cl);
		cl->pend_off += n;
		cl->pend_len -= n;
	}
	if (cl->pend_len == 0)
		cl->pend_off = 0;
}

/*
 * Top a streamed reply up, one chunk at a time, while little waits; a
 * reply that is not ready (a reload building) is asked again later.
 */
static void
stream(struct client *cl)
{
	int rc;

	while (cl->sess.streaming && cl->out.len < STREAM_LOW) {
		rc = sw_cli_more(cl->ctl->app, &cl->sess, &cl->reply);
		if (rc == SW_CLI_WAIT)
			break;
		if (rc == SW_CLI_OK) {
			reply_end(cl, cl->sess.failed, cl->sess.json_out);
			/* Go on with what it sent meanwhile. */
			feed(cl, sw_now_s());
		} else {
			emit(cl);
		}
	}
}

/* Waiting on the reload thread or the workers: nothing to send yet. */
static bool
waiting(const struct client *cl)
{
	return cl->sess.streaming &&
	       (cl->sess.stream == SW_STREAM_RELOAD ||
		cl->sess.stream == SW_STREAM_FLUSH ||
		cl->sess.stream == SW_STREAM_DEFER);
}

static void
serve(struct client *cl, short revents, double now)
{
	ssize_t r;

	if (revents & (POLLERR | POLLNVAL)) {
		client_close(cl);
		return;
	}
	if ((revents & (POLLIN | POLLHUP)) && cl->pend_len == 0 &&
	    !cl->closing) {
		r = recv(cl->fd, cl->pend, sizeof(cl->pend), 0);
		if (r == 0) {
			/* EOF: answer what it sent, then close. */
			cl->closing = true;
		} else if (r < 0 && errno != EAGAIN && errno != EWOULDBLOCK) {
			client_close(cl);
			return;
		} else if (r > 0) {
			cl->last_active = now;
			cl->pend_len = (size_t)r;
		}
	}
	feed(cl, now);
	stream(cl);
	if (cl->out.len > OUT_MAX || cl->out.oom) {
		/* It is not reading its replies: let it go. */
		client_close(cl);
		return;
	}
	if (!held(cl, now))
		flush_out(cl);
}

/*
 * Its login deadline has passed: close it now, whatever it is waiting
 * on. A back-off's reply still held is dropped, not sent early: the
 * wait is what slows guessing down.
 */
static void
login_expired(struct client *cl, double now)
{
	if (held(cl, now))
		sw_buf_reset(&cl->out);
	server_reply(cl, true, "error: not authenticated within %.0f s, "
		     "closing\n", RTE_MIN(cl->ctl->idle, AUTH_WINDOW_S));
	cl->closing = true;
	/* One try: a client that does not read loses the message. */
	flush_out(cl);
	client_close(cl);
}

void
sw_ctl_poll(struct sw_ctl *ctl, int timeout_ms)
{
	struct pollfd pfd[2 + 256];
	int idx[2 + 256];
	unsigned int i, n = 0;
	double now = sw_now_s();

	if (ctl->ufd >= 0) {
		pfd[n].fd = ctl->ufd;
		pfd[n].events = POLLIN;
		idx[n++] = -1;
	}
	if (ctl->tfd >= 0) {
		pfd[n].fd = ctl->tfd;
		pfd[n].events = POLLIN;
		idx[n++] = -2;
	}
	for (i = 0; i < ctl->max_clients; i++) {
		struct client *cl = &ctl->c[i];
		bool wait = held(cl, now);

		if (cl->fd < 0)
			continue;
		pfd[n].fd = cl->fd;
		/* A client waiting on a reload has nothing to send yet. */
		pfd[n].events = (short)
			((!cl->closing && cl->pend_len == 0 &&
			  !cl->sess.streaming ? POLLIN : 0) |
			 (!wait && (cl->out.len || (cl->sess.streaming &&
						    !waiting(cl))) ?
			  POLLOUT : 0));
		idx[n++] = (int)i;
	}
	if (poll(pfd, n, timeout_ms) < 0)
		return;
	now = sw_now_s();
	for (i = 0; i < n; i++) {
		if (idx[i] >= 0)
			serve(&ctl->c[idx[i]], pfd[i].revents, now);
		else if (pfd[i].revents & POLLIN)
			(idx[i] == -1 ? accept_unix : accept_tcp)(ctl, now);
	}
	for (i = 0; i < ctl->max_clients; i++) {
		struct client *cl = &ctl->c[i];

		if (cl->fd < 0)
			continue;
		/* Released from a wait: go on with what it sent. */
		if (cl->pend_len && !held(cl, now))
			serve(cl, 0, now);
		if (cl->fd < 0)
			continue;
		/* A reload it waits on may have finished. */
		if (waiting(cl)) {
			stream(cl);
			flush_out(cl);
			if (cl->fd < 0)
				continue;
		}
		/*
		 * Nobody holds a TCP slot long without a password: its
		 * deadline was set at connect, and nothing it sends and no
		 * back-off of its source moves it.
		 */
		if (!cl->authed) {
			if (now >= cl->login_by)
				login_expired(cl, now);
			continue;
		}
		/* Time it spends waiting on us is not idle time. */
		if (cl->sess.streaming)
			cl->last_active = now;
		if (!cl->closing && now - cl->last_active > ctl->idle) {
			server_reply(cl, true, "error: idle for %.0f s, "
				     "closing\n", ctl->idle);
			cl->closing = true;
			flush_out(cl);
		}
	}
}
