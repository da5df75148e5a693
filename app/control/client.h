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
 * An instance is named by its config (its control.socket, the default
 * when the file sets none) or by --socket PATH. A config that cannot
 * be read, does not parse, or whose top-level names or control group
 * are wrong names no instance: the tool says why and exits non-zero,
 * and never asks a default socket in its place. The rest of the file
 * is the instance's to judge.
 *
 * Thread-safety: these run instead of the firewall, alone.
 */

#include <stddef.h>

/*
 * The control socket of the instance to ask, into sock[len]: sock_opt
 * (--socket) when given, else the control.socket of the config at
 * conf_path (sw_config_socket). Returns 0, or -1 with err holding why
 * (the loader's FILE:LINE: SETTING: ... error). ctl, --cli and
 * --reload all find their instance with it.
 */
int sw_client_socket(const char *conf_path, const char *sock_opt,
		     char *sock, size_t len, char *err, size_t errlen);

/* spillway ctl ARGS (argv[0] is "ctl"); `conf`: the default config. */
int sw_client_ctl(int argc, char **argv, const char *conf);

/*
 * spillway --cli and --reload on the instance at sock. Exit statuses:
 * --reload 0 only when the reload took in full; --cli from a pipe 0,
 * or 1 when the connection failed or any reply was an error.
 */
int sw_client_cli(const char *sock);
int sw_client_reload(const char *sock);

#endif /* SW_CLIENT_H */
