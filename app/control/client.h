/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The spillway authors
 */
#ifndef SW_CLIENT_H
#define SW_CLIENT_H

/*
 * The other end of the control socket, in the spillway binary: what an
 * operator and a script run against a running spillway.
 *
 *   spillway ctl [-c FILE | --socket PATH] [--json] [-f FILE] [CMD...]
 *     one command (CMD), or the commands of FILE (- or a pipe on stdin:
 *     its lines), over the machine mode of the control socket: the
 *     reply's body on stdout, or on stderr when it is an error; exit 0
 *     only when every command succeeded, and the commands of a file stop
 *     at the first that fails. --json: each reply as one JSON document
 *     (the command's own JSON, or {"output": TEXT}). Without CMD on a
 *     terminal: the interactive mode (below).
 *   spillway --cli: on a terminal, the interactive mode; from a pipe,
 *     the text protocol as it is (greeting, "." lines), for the scripts
 *     of old.
 *   spillway --reload: reload and wait; exit 0 only when it took in full.
 *
 * The interactive mode edits lines with libedit: a prompt, history
 * (kept in ~/.spillway_history), and completion of command words, set
 * names and timeout names from the CLI's command table (cli.h). Arrow
 * keys and other escape sequences stay in the editor: a line holding
 * a control character is never sent.
 *
 * The socket is the config's control.socket (the config given, or the
 * default path), never another: the config is read for that setting
 * only, and one that does not parse names no instance.
 *
 * Thread-safety: these run instead of the firewall, alone.
 */

/* spillway ctl ARGS (argv[0] is "ctl"); `conf`: the default config. */
int sw_client_ctl(int argc, char **argv, const char *conf);

/* spillway --cli, --reload: the socket `sock`, else the config's. */
int sw_client_cli(const char *conf, const char *sock);
int sw_client_reload(const char *conf, const char *sock);

#endif /* SW_CLIENT_H */
