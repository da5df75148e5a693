/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The spillway authors
 */
#ifndef SW_LISTEN_H
#define SW_LISTEN_H

/*
 * TCP listeners of the control thread (the CLI's control.listen, the
 * metrics endpoint): bind, listen, and name the address bound.
 */

#include <stddef.h>
#include <stdint.h>

struct sockaddr_storage;

/*
 * A non-blocking, close-on-exec TCP listener on addr:port (family
 * AF_INET or AF_INET6, addr in network order, port 0 for any free
 * one). *bound gets the address as bound ("127.0.0.1:9124",
 * "[::1]:9124"). Returns the fd, or -errno.
 */
int sw_listen_tcp(int family, const uint8_t *addr, uint16_t port,
		  char *bound, size_t len);

/* "192.0.2.1:40312" / "[2001:db8::1]:40312" for a peer's address. */
void sw_sockaddr_str(const struct sockaddr_storage *ss, char *out,
		     size_t len);

#endif /* SW_LISTEN_H */
