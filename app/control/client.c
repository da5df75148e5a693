/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The spillway authors
 *
 * The tools that talk to a running instance (client.h): which socket,
 * the reload request, the interactive CLI.
 */
#include <errno.h>
#include <poll.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "client.h"
#include "config.h"

int
sw_client_socket(const char *conf_path, const char *sock_opt, char *sock,
		 size_t len, char *err, size_t errlen)
{
	char why[SW_ERR_MAX];

	if (sock_opt != NULL) {
		snprintf(sock, len, "%s", sock_opt);
		return 0;
	}
	if (sw_config_socket(conf_path, sock, len, why, sizeof(why)) != 0) {
		snprintf(err, errlen, "%s (no instance asked; --socket PATH "
			 "names one)", why);
		return -1;
	}
	if (sock[0] == '\0') {
		snprintf(err, errlen, "%s: control.socket is \"\": its "
			 "instance has no unix socket (--socket PATH names "
			 "one)", conf_path);
		return -1;
	}
	return 0;
}

static int
connect_to(const char *opt, const char *path)
{
	struct sockaddr_un sa;
	int fd;

	memset(&sa, 0, sizeof(sa));
	sa.sun_family = AF_UNIX;
	if (strlen(path) >= sizeof(sa.sun_path)) {
		fprintf(stderr, "spillway: %s: %s: path too long\n", opt, path);
		return -1;
	}
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", path);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0 || connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		fprintf(stderr, "spillway: %s: %s: %s%s\n", opt, path,
			strerror(errno), errno == EACCES ? " (root, or a "
			"member of control.socket_group, may connect)" : "");
		if (fd >= 0)
			close(fd);
		return -1;
	}
	return fd;
}

/* Does a reply's text hold an error line? */
static bool
has_error(const char *text)
{
	return strncmp(text, "error:", 6) == 0 ||
	       strstr(text, "\nerror:") != NULL;
}

int
sw_client_reload(const char *sock)
{
	char buf[65536], *text = NULL, *end;
	size_t len = 0, greet = 0;
	bool refused;
	ssize_t n;
	int fd = connect_to("--reload", sock);

	if (fd < 0)
		return 1;
	if (write(fd, "reload\n", 7) != 7) {
		close(fd);
		return 1;
	}
	/* The greeting, then the reply: each ends with a "." line. */
	for (;;) {
		char *t;

		n = read(fd, buf, sizeof(buf));
		if (n <= 0)
			break;
		t = realloc(text, len + (size_t)n + 1);
		if (t == NULL)
			break;
		text = t;
		memcpy(text + len, buf, (size_t)n);
		len += (size_t)n;
		text[len] = '\0';
		if (greet == 0 && (end = strstr(text, "\n.\n")) != NULL)
			greet = (size_t)(end - text) + 3;
		if (greet && strstr(text + greet, "\n.\n") != NULL)
			break;
	}
	close(fd);
	if (text == NULL || greet == 0 ||
	    strstr(text + greet, "\n.\n") == NULL) {
		fprintf(stderr, "spillway: --reload: %s: no answer\n", sock);
		free(text);
		return 1;
	}
	*strstr(text + greet, "\n.\n") = '\0';
	refused = has_error(text + greet);
	fprintf(refused ? stderr : stdout, "%s\n", text + greet);
	free(text);
	return refused ? 1 : 0;
}

/*
 * Watches the replies for error lines as they stream by: a line that
 * starts "error:" makes the exit status 1. Replies may arrive cut
 * anywhere, so the start of the current line is kept across reads.
 */
struct err_watch {
	char head[7];		/* the current line's first bytes */
	size_t n;
	bool seen;
};

static void
watch(struct err_watch *w, const char *p, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++) {
		if (p[i] == '\n') {
			w->n = 0;
			continue;
		}
		if (w->n < 6) {
			w->head[w->n++] = p[i];
			if (w->n == 6 && memcmp(w->head, "error:", 6) == 0)
				w->seen = true;
		}
	}
}

int
sw_client_cli(const char *sock)
{
	struct err_watch ew = { .n = 0 };
	struct pollfd pfd[2];
	char buf[65536];
	bool in_open = true, lost = false;
	ssize_t n;
	int fd = connect_to("--cli", sock);

	if (fd < 0)
		return 1;
	pfd[0].fd = STDIN_FILENO;
	pfd[1].fd = fd;
	pfd[1].events = POLLIN;
	for (;;) {
		pfd[0].events = in_open ? POLLIN : 0;
		if (poll(pfd, 2, -1) < 0) {
			if (errno == EINTR)
				continue;
			lost = true;
			break;
		}
		if (pfd[1].revents & (POLLIN | POLLHUP | POLLERR)) {
			n = read(fd, buf, sizeof(buf));
			if (n < 0)
				lost = true;
			if (n <= 0)
				break;
			watch(&ew, buf, (size_t)n);
			if (fwrite(buf, 1, (size_t)n, stdout) != (size_t)n) {
				lost = true;
				break;
			}
			fflush(stdout);
		}
		if (in_open && (pfd[0].revents & (POLLIN | POLLHUP))) {
			n = read(STDIN_FILENO, buf, sizeof(buf));
			if (n <= 0) {
				/* No more commands: spillway answers, then
				 * closes. */
				in_open = false;
				shutdown(fd, SHUT_WR);
			} else if (write(fd, buf, (size_t)n) != n) {
				lost = true;
				break;
			}
		}
	}
	close(fd);
	return lost || ew.seen ? 1 : 0;
}
