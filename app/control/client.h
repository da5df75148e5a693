/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The spillway authors
 */
#ifndef SW_CLIENT_H
#define SW_CLIENT_H

/*
 * The tools that talk to a running spillway (--reload, --cli, and any
 * later one): which instance, and what its answer means for the exit
 * status.
 *
 * An instance is named by its config (its control.socket, the
 * default when the file sets none) or by --socket PATH. A config that
 * cannot be read, does not parse, or whose top-level names or control
 * group are wrong (a misspelt "socket" would leave the default) names
 * no instance: the tool says why and exits non-zero, and never asks a
 * default socket in its place. Another instance may be there: before
 * issue 24 a file that could not be read reloaded whichever spillway
 * answered the default socket, and systemctl reload reported success.
 * The rest of the file is the instance's to judge (it refuses a file
 * it cannot use, says why and counts the failure).
 *
 * Thread-safety: a client process's main thread; no EAL.
 */

#include <stddef.h>

/*
 * The control socket of the instance to ask, into sock[len]: sock_opt
 * (--socket) when given, else the control.socket of the config at
 * conf_path (sw_config_socket). Returns 0, or -1 with err holding why
 * (the loader's FILE:LINE: SETTING: ... error).
 */
int sw_client_socket(const char *conf_path, const char *sock_opt,
		     char *sock, size_t len, char *err, size_t errlen);

/*
 * --reload: ask the instance on sock to reload, wait for its answer and
 * print it. Returns the exit status: 0 when it took, 1 when it was
 * refused or could not be asked.
 */
int sw_client_reload(const char *sock);

/*
 * --cli: standard input to the instance on sock, its replies to
 * standard output, until the input ends and the replies due are read.
 * Returns the exit status: 0, or 1 when the connection failed or any
 * reply was an error (a line starting "error:").
 */
int sw_client_cli(const char *sock);

#endif /* SW_CLIENT_H */
