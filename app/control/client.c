/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The spillway authors
 *
 * spillway ctl, --cli and --reload: the control socket's other end
 * (client.h). The machine mode's framing is the server's (control.c):
 * a reply's lines, those that start with '.' given one more, then
 * ". ok|error text|json".
 */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <poll.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <histedit.h>

#include "buf.h"
#include "cli.h"
#include "client.h"
#include "config.h"

/* Exit statuses: a command that failed; a command that could not be
 * asked (usage, no socket, no answer). */
#define EXIT_FAILED 1
#define EXIT_NOT_ASKED 2

/* Set names offered to complete, at most. */
#define MAX_NAMES SW_ACL_MAX_SETS

struct conn {
	int fd;
	char buf[65536];	/* read, not yet taken */
	size_t off, len;
	bool old;		/* the server has no machine mode */
};

struct reply {
	struct sw_buf body;
	bool failed;
	bool json;
};

static int
connect_unix(const char *opt, const char *path)
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

/* The socket to ask: --socket, else the config's. NULL on error. */
static const char *
socket_of(const char *conf, const char *sock, char *buf, size_t len)
{
	char err[SW_ERR_MAX + 128];

	if (sw_client_socket(conf, sock, buf, len, err, sizeof(err)) < 0) {
		fprintf(stderr, "spillway: %s\n", err);
		return NULL;
	}
	return buf;
}

/* One line into line (no newline): 1, or 0 at the end, -1 on error. */
static int
read_line(struct conn *c, struct sw_buf *line)
{
	char *nl;
	ssize_t n;

	sw_buf_reset(line);
	for (;;) {
		if (c->len > 0) {
			nl = memchr(c->buf + c->off, '\n', c->len);
			if (nl != NULL) {
				size_t k = (size_t)(nl - (c->buf + c->off));

				sw_buf_append(line, c->buf + c->off, k);
				c->off += k + 1;
				c->len -= k + 1;
				sw_buf_append(line, "", 0);
				return line->oom ? -1 : 1;
			}
			sw_buf_append(line, c->buf + c->off, c->len);
			c->len = 0;
		}
		c->off = 0;
		n = read(c->fd, c->buf, sizeof(c->buf));
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return n == 0 && line->len == 0 ? 0 : -1;
		c->len = (size_t)n;
	}
}

static const char *
line_str(const struct sw_buf *b)
{
	return b->p != NULL ? b->p : "";
}

/*
 * A reply, whole: up to ". STATUS KIND" in the machine mode; a line
 * that is "." alone ends a text-mode reply (the greeting, a server
 * without the machine mode), whose first "error:" says it failed.
 * Returns 0, or -1 when the connection ended first.
 */
static int
read_reply(struct conn *c, struct reply *r)
{
	struct sw_buf line;
	const char *l;
	int rc;

	sw_buf_reset(&r->body);
	r->failed = false;
	r->json = false;
	sw_buf_init(&line);
	while ((rc = read_line(c, &line)) == 1) {
		l = line_str(&line);
		if (strcmp(l, ".") == 0) {
			r->failed = r->body.len >= 6 &&
				    strncmp(r->body.p, "error:", 6) == 0;
			break;
		}
		if (strncmp(l, ". ", 2) == 0) {
			r->failed = strncmp(l + 2, "ok", 2) != 0;
			r->json = strstr(l + 2, " json") != NULL;
			break;
		}
		/* A body line that starts with '.' came with one more. */
		if (l[0] == '.')
			l++;
		sw_buf_printf(&r->body, "%s\n", l);
	}
	sw_buf_free(&line);
	return rc == 1 && !r->body.oom ? 0 : -1;
}

static int
send_line(const struct conn *c, const char *line)
{
	size_t n = strlen(line), off = 0;
	ssize_t w;

	while (off <= n) {
		const char *p = off < n ? line + off : "\n";
		size_t k = off < n ? n - off : 1;

		w = send(c->fd, p, k, MSG_NOSIGNAL);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return -1;
		off += (size_t)w;
	}
	return 0;
}

/* Send a command, read its reply. -1: the connection ended. */
static int
ask(struct conn *c, const char *line, struct reply *r)
{
	if (send_line(c, line) != 0)
		return -1;
	return read_reply(c, r);
}

/*
 * Connect, read the greeting (printed to `greet` when not NULL) and ask
 * for the machine mode (JSON replies with json). A server without it
 * (an older spillway still running) is noted in c->old. Returns 0, or
 * an exit status.
 */
static int
session_open(const char *opt, const char *sock, bool json, struct conn *c,
	     FILE *greet)
{
	struct reply r;
	int rc = 0;

	memset(c, 0, sizeof(*c));
	c->fd = connect_unix(opt, sock);
	if (c->fd < 0)
		return EXIT_NOT_ASKED;
	sw_buf_init(&r.body);
	if (read_reply(c, &r) != 0 || r.failed) {
		fprintf(stderr, "spillway: %s: %s: %s", opt, sock,
			r.body.len ? line_str(&r.body) : "no answer\n");
		rc = EXIT_NOT_ASKED;
	} else {
		if (greet != NULL)
			fputs(line_str(&r.body), greet);
		if (ask(c, json ? "mode json" : "mode machine", &r) != 0) {
			fprintf(stderr, "spillway: %s: %s: no answer\n", opt,
				sock);
			rc = EXIT_NOT_ASKED;
		} else if (r.failed) {
			c->old = true;
		}
	}
	sw_buf_free(&r.body);
	if (rc) {
		close(c->fd);
		c->fd = -1;
	}
	return rc;
}

/* A line that must not be sent: a control character, or too long. */
static bool
unfit(const char *line, const char *where)
{
	size_t i;

	for (i = 0; line[i]; i++)
		if (((unsigned char)line[i] < 0x20 && line[i] != '\t') ||
		    line[i] == 0x7f) {
			fprintf(stderr, "spillway: %s: control character "
				"0x%02x at byte %zu: not sent\n", where,
				(unsigned char)line[i], i);
			return true;
		}
	if (i > SW_CLI_LINE_MAX) {
		fprintf(stderr, "spillway: %s: a command longer than %d "
			"bytes\n", where, SW_CLI_LINE_MAX);
		return true;
	}
	return false;
}

static void
json_text(FILE *f, const char *s)
{
	struct sw_buf b;

	sw_buf_init(&b);
	sw_buf_append(&b, "{\"output\":", 10);
	sw_buf_json_str(&b, s);
	sw_buf_append(&b, "}\n", 2);
	fwrite(b.p, 1, b.len, f);
	sw_buf_free(&b);
}

/* A reply's body where it belongs: an error's on stderr. */
static void
print_reply(const struct reply *r, bool json)
{
	const char *body = line_str(&r->body);

	if (r->failed)
		fputs(body, stderr);
	else if (json && !r->json)
		json_text(stdout, body);
	else
		fputs(body, stdout);
	fflush(stdout);
}

/* One command of ctl; its exit status. */
static int
one(struct conn *c, const char *line, bool json, const char *where)
{
	struct reply r;
	int rc;

	if (unfit(line, where))
		return EXIT_NOT_ASKED;
	sw_buf_init(&r.body);
	if (ask(c, line, &r) != 0) {
		fprintf(stderr, "spillway: %s: the connection ended before the "
			"reply\n", where);
		rc = EXIT_NOT_ASKED;
	} else {
		if (r.failed && strcmp(where, "ctl") != 0)
			fprintf(stderr, "spillway: %s: %s: ", where, line);
		print_reply(&r, json);
		rc = r.failed ? EXIT_FAILED : 0;
	}
	sw_buf_free(&r.body);
	return rc;
}

/* The commands of a file (or stdin), stopping at the first failure. */
static int
run_file(struct conn *c, const char *path, bool json)
{
	FILE *f = strcmp(path, "-") == 0 ? stdin : fopen(path, "re");
	char line[SW_CLI_LINE_MAX + 2], where[PATH_MAX + 32];
	unsigned int n = 0;
	int rc = 0;
	size_t len;

	if (f == NULL) {
		fprintf(stderr, "spillway: ctl -f %s: %s\n", path,
			strerror(errno));
		return EXIT_NOT_ASKED;
	}
	while (rc == 0 && fgets(line, sizeof(line), f) != NULL) {
		n++;
		len = strcspn(line, "\r\n");
		if (line[len] == '\0' && !feof(f)) {
			fprintf(stderr, "spillway: %s:%u: a command longer "
				"than %d bytes\n", path, n, SW_CLI_LINE_MAX);
			rc = EXIT_NOT_ASKED;
			break;
		}
		line[len] = '\0';
		if (line[strspn(line, " \t")] == '\0' ||
		    line[strspn(line, " \t")] == '#')
			continue;
		snprintf(where, sizeof(where), "%s:%u",
			 f == stdin ? "stdin" : path, n);
		rc = one(c, line, json, where);
	}
	if (f != stdin)
		fclose(f);
	return rc;
}

/* ---- the interactive mode ---- */

struct term {
	struct conn *c;
	char names[MAX_NAMES][SW_SET_NAME_MAX];
	const char *name_p[MAX_NAMES];
	unsigned int nb_names;
	/* Completion's candidates, for one key press. */
	char cand[64][48];
	unsigned int nb_cand;
};

/* The set names, fresh at each completion (a reload may change them). */
static void
fetch_names(struct term *t)
{
	struct reply r;
	char *l, *save = NULL;

	t->nb_names = 0;
	sw_buf_init(&r.body);
	if (!t->c->old && ask(t->c, "show sets", &r) == 0 && !r.failed &&
	    r.body.p != NULL)
		for (l = strtok_r(r.body.p, "\n", &save);
		     l != NULL && t->nb_names < MAX_NAMES;
		     l = strtok_r(NULL, "\n", &save))
			if (sscanf(l, "set %31s ", t->names[t->nb_names]) == 1)
				t->nb_names++;
	sw_buf_free(&r.body);
	for (unsigned int i = 0; i < t->nb_names; i++)
		t->name_p[i] = t->names[i];
}

static void
add_cand(const char *w, void *arg)
{
	struct term *t = arg;

	if (t->nb_cand < 64)
		snprintf(t->cand[t->nb_cand++], sizeof(t->cand[0]), "%s", w);
}

/* Tab: complete the word under the cursor, or list what may follow. */
static unsigned char
complete(EditLine *el, int ch)
{
	const LineInfo *li = el_line(el);
	char text[SW_CLI_LINE_MAX + 1], *argv[64], *save = NULL, *tok;
	char prefix[SW_CLI_LINE_MAX + 1];
	const char *w;
	struct term *t = NULL;
	size_t n = (size_t)(li->cursor - li->buffer), common, pl;
	unsigned int i;
	int argc = 0;

	(void)ch;
	el_get(el, EL_CLIENTDATA, &t);
	if (t == NULL || n >= sizeof(text))
		return CC_ERROR;
	memcpy(text, li->buffer, n);
	text[n] = '\0';
	/*
	 * The word being typed, if the cursor is in one: a copy, as the
	 * words before it are cut off where it starts.
	 */
	w = n > 0 && text[n - 1] != ' ' ? strrchr(text, ' ') : NULL;
	w = n == 0 || text[n - 1] == ' ' ? "" : w != NULL ? w + 1 : text;
	snprintf(prefix, sizeof(prefix), "%s", w);
	pl = strlen(prefix);
	text[n - pl] = '\0';
	for (tok = strtok_r(text, " \t", &save); tok != NULL && argc < 64;
	     tok = strtok_r(NULL, " \t", &save))
		argv[argc++] = tok;
	fetch_names(t);
	t->nb_cand = 0;
	sw_cli_complete(argc, argv, prefix, t->name_p, t->nb_names, add_cand,
			t);
	if (t->nb_cand == 0)
		return CC_REFRESH_BEEP;
	if (t->nb_cand == 1) {
		el_insertstr(el, t->cand[0] + pl);
		el_insertstr(el, " ");
		return CC_REFRESH;
	}
	/* Several: as far as they agree, else list them. */
	common = strlen(t->cand[0]);
	for (i = 1; i < t->nb_cand; i++)
		while (common > 0 &&
		       strncmp(t->cand[0], t->cand[i], common) != 0)
			common--;
	if (common > pl) {
		char ext[48];

		snprintf(ext, sizeof(ext), "%.*s", (int)(common - pl),
			 t->cand[0] + pl);
		el_insertstr(el, ext);
		return CC_REFRESH;
	}
	fputc('\n', stdout);
	for (i = 0; i < t->nb_cand; i++)
		printf("%s%s", t->cand[i], i + 1 < t->nb_cand ? "  " : "\n");
	fflush(stdout);
	return CC_REDISPLAY;
}

static char *
prompt(EditLine *el)
{
	(void)el;
	return "spillway> ";
}

static void
history_path(char *path, size_t len)
{
	const char *home = getenv("HOME");

	path[0] = '\0';
	if (home != NULL && home[0] != '\0')
		snprintf(path, len, "%s/.spillway_history", home);
}

/*
 * A person at a terminal: a prompt, history, completion; each reply
 * printed as it comes (errors too: they start with "error:").
 */
static int
interactive(struct conn *c)
{
	struct term t = { .c = c };
	char hist[PATH_MAX], *line;
	struct reply r;
	HistEvent ev;
	const char *l;
	EditLine *el;
	History *h;
	int n;

	el = el_init("spillway", stdin, stdout, stderr);
	h = history_init();
	if (el == NULL || h == NULL) {
		fprintf(stderr, "spillway: cannot start the line editor\n");
		return EXIT_NOT_ASKED;
	}
	history(h, &ev, H_SETSIZE, 1000);
	history(h, &ev, H_SETUNIQUE, 1);
	history_path(hist, sizeof(hist));
	if (hist[0])
		history(h, &ev, H_LOAD, hist);
	el_set(el, EL_EDITOR, "emacs");
	el_set(el, EL_PROMPT, prompt);
	el_set(el, EL_HIST, history, h);
	el_set(el, EL_SIGNAL, 1);
	el_set(el, EL_CLIENTDATA, &t);
	el_set(el, EL_ADDFN, "sw-complete", "complete a command or a name",
	       complete);
	el_set(el, EL_BIND, "^I", "sw-complete", NULL);
	el_source(el, NULL);
	sw_buf_init(&r.body);
	while ((l = el_gets(el, &n)) != NULL && n > 0) {
		line = strndup(l, strcspn(l, "\r\n"));
		if (line == NULL)
			break;
		if (line[strspn(line, " \t")] == '\0' ||
		    unfit(line, "not sent")) {
			free(line);
			continue;
		}
		history(h, &ev, H_ENTER, line);
		if (ask(c, line, &r) != 0) {
			fputs(line_str(&r.body), stdout);
			free(line);
			break;
		}
		fputs(line_str(&r.body), stdout);
		fflush(stdout);
		n = strcmp(line, "quit") == 0;
		free(line);
		if (n)
			break;
	}
	if (hist[0])
		history(h, &ev, H_SAVE, hist);
	sw_buf_free(&r.body);
	history_end(h);
	el_end(el);
	return 0;
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

/*
 * --cli from a pipe: the text protocol as it is, both ways. Lines
 * typed go to spillway, replies come back; at the end of the input
 * the replies still due are read before it exits. Exit 1 when the
 * connection failed or any reply held an error line.
 */
static int
passthrough(const char *sock)
{
	struct err_watch ew = { .n = 0 };
	struct pollfd pfd[2];
	char buf[65536];
	bool in_open = true, lost = false;
	ssize_t n;
	int fd = connect_unix("--cli", sock);

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

static int
open_interactive(const char *opt, const char *sock)
{
	struct conn c;
	int rc = session_open(opt, sock, false, &c, stdout);

	if (rc)
		return rc;
	rc = interactive(&c);
	close(c.fd);
	return rc;
}

int
sw_client_cli(const char *sock)
{
	if (!isatty(STDIN_FILENO) || !isatty(STDOUT_FILENO))
		return passthrough(sock);
	return open_interactive("--cli", sock);
}

/*
 * --reload: the unit's ExecReload, so `systemctl reload` fails unless
 * the reload took in full. An older spillway still running (no machine
 * mode) is asked in the text mode, its "error:" lines read as before.
 */
int
sw_client_reload(const char *sock)
{
	struct reply r;
	struct conn c;
	int rc;

	rc = session_open("--reload", sock, false, &c, NULL);
	if (rc)
		return 1;
	sw_buf_init(&r.body);
	if (ask(&c, "reload", &r) != 0) {
		fprintf(stderr, "spillway: --reload: %s: no answer\n", sock);
		rc = 1;
	} else {
		if (c.old && strstr(line_str(&r.body), "\nerror:") != NULL)
			r.failed = true;
		fputs(line_str(&r.body), r.failed ? stderr : stdout);
		rc = r.failed ? 1 : 0;
	}
	sw_buf_free(&r.body);
	close(c.fd);
	return rc;
}

static void
ctl_usage(FILE *f)
{
	fprintf(f,
"Usage: spillway ctl [-c FILE | --socket PATH] [--json] CMD...\n"
"       spillway ctl [-c FILE | --socket PATH] [--json] -f FILE|-\n"
"       spillway ctl [-c FILE | --socket PATH]\n"
"\n"
"Runs a command of the control CLI (spillway ctl help lists them) on\n"
"the spillway that runs the config (its control.socket). The reply goes\n"
"to stdout, or to stderr when it is an error. Exit status: 0 when the\n"
"command succeeded, 1 when it failed, 2 when it could not be asked.\n"
"\n"
"  -c, --config FILE  the config whose spillway to ask (default\n"
"                     /etc/spillway/spillway.conf)\n"
"      --socket PATH  this control socket instead\n"
"  -j, --json         each reply as one JSON document: the command's\n"
"                     own JSON, or {\"output\": TEXT}\n"
"  -f, --file FILE    the commands of FILE, one a line (- : stdin; '#'\n"
"                     starts a comment); the first that fails stops it\n"
"  -h, --help         this text\n"
"\n"
"Without a command: on a terminal, an interactive session (prompt,\n"
"history, Tab completes commands and set names); from a pipe, the\n"
"commands of stdin, as -f -.\n");
}

int
sw_client_ctl(int argc, char **argv, const char *conf)
{
	static const struct option opts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "socket", required_argument, NULL, 'S' },
		{ "json", no_argument, NULL, 'j' },
		{ "file", required_argument, NULL, 'f' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *sock = NULL, *file = NULL;
	char buf[PATH_MAX];
	struct sw_buf line;
	struct conn c;
	bool json = false;
	int opt, rc, i;

	optind = 1;
	while ((opt = getopt_long(argc, argv, "+c:jf:h", opts, NULL)) != -1) {
		switch (opt) {
		case 'c':
			conf = optarg;
			break;
		case 'S':
			sock = optarg;
			break;
		case 'j':
			json = true;
			break;
		case 'f':
			file = optarg;
			break;
		case 'h':
			ctl_usage(stdout);
			return 0;
		default:
			ctl_usage(stderr);
			return EXIT_NOT_ASKED;
		}
	}
	if (file != NULL && optind < argc) {
		fprintf(stderr, "spillway: ctl: a command or -f FILE, not "
			"both\n");
		return EXIT_NOT_ASKED;
	}
	sock = socket_of(conf, sock, buf, sizeof(buf));
	if (sock == NULL)
		return EXIT_NOT_ASKED;
	if (file == NULL && optind == argc && isatty(STDIN_FILENO) &&
	    isatty(STDOUT_FILENO))
		return open_interactive("ctl", sock);
	rc = session_open("ctl", sock, json, &c, NULL);
	if (rc)
		return rc;
	if (c.old) {
		fprintf(stderr, "spillway: ctl: %s: the spillway there has no "
			"machine mode (an older version: restart it)\n", sock);
		close(c.fd);
		return EXIT_NOT_ASKED;
	}
	if (file != NULL || optind == argc) {
		rc = run_file(&c, file != NULL ? file : "-", json);
	} else {
		sw_buf_init(&line);
		for (i = optind; i < argc; i++)
			sw_buf_printf(&line, "%s%s", i > optind ? " " : "",
				      argv[i]);
		rc = line.oom ? EXIT_NOT_ASKED :
		     one(&c, line_str(&line), json, "ctl");
		sw_buf_free(&line);
	}
	close(c.fd);
	return rc;
}
