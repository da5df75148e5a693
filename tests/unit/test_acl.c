/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The spillway authors
 *
 * lib/acl unit tests: rule field parsing.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "sw_acl.h"

static char err[256];

static void
test_acl_cidr_v4_v6_any(void **state)
{
	struct sw_acl_cidr c;

	(void)state;
	assert_int_equal(sw_acl_parse_cidr("any", &c, err, sizeof(err)), 0);
	assert_int_equal(c.family, 0);
	assert_int_equal(sw_acl_parse_cidr("192.0.2.77/24", &c, err,
					   sizeof(err)), 0);
	assert_int_equal(c.family, 4);
	assert_int_equal(c.plen, 24);
	assert_int_equal(c.addr[3], 0);		/* host bits cleared */
	assert_int_equal(c.addr[2], 2);
	assert_int_equal(sw_acl_parse_cidr("198.51.100.7", &c, err,
					   sizeof(err)), 0);
	assert_int_equal(c.plen, 32);
	assert_int_equal(c.addr[3], 7);
	assert_int_equal(sw_acl_parse_cidr("2001:db8:ff00::1/33", &c, err,
					   sizeof(err)), 0);
	assert_int_equal(c.family, 6);
	assert_int_equal(c.plen, 33);
	assert_int_equal(c.addr[4], 0x80);	/* 0xff, first bit kept */
	assert_int_equal(c.addr[15], 0);
}

static void
test_acl_cidr_errors(void **state)
{
	static const char *const bad[] = {
		"", "192.0.2.0/33", "2001:db8::/129", "192.0.2.0/", "300.1.1.1",
		"192.0.2.0/24x", "192.0.2.0/-1", "host", "/24",
	};
	struct sw_acl_cidr c;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (sw_acl_parse_cidr(bad[i], &c, err, sizeof(err)) != -EINVAL)
			fail_msg("'%s' accepted", bad[i]);
}

static void
test_acl_ports_lists_and_ranges(void **state)
{
	struct sw_acl_range r[SW_ACL_MAX_RANGES];
	unsigned int n;

	(void)state;
	assert_int_equal(sw_acl_parse_ports("80", r, &n, err, sizeof(err)),
			 0);
	assert_int_equal(n, 1);
	assert_int_equal(r[0].lo, 80);
	assert_int_equal(r[0].hi, 80);
	assert_int_equal(sw_acl_parse_ports("22, 80,8000-8080", r, &n, err,
					    sizeof(err)), 0);
	assert_int_equal(n, 3);
	assert_int_equal(r[2].lo, 8000);
	assert_int_equal(r[2].hi, 8080);
	assert_int_equal(sw_acl_parse_ports("any", r, &n, err, sizeof(err)),
			 0);
	assert_int_equal(n, 0);
	assert_int_equal(sw_acl_parse_ports("0-65535", r, &n, err,
					    sizeof(err)), 0);
	assert_int_equal(r[0].hi, 65535);
}

static void
test_acl_ports_errors(void **state)
{
	static const char *const bad[] = {
		"", "80,", ",80", "80,,443", "65536", "90-80", "http", "1-",
		"-5", "1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17",
	};
	struct sw_acl_range r[SW_ACL_MAX_RANGES];
	unsigned int n;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (sw_acl_parse_ports(bad[i], r, &n, err, sizeof(err)) !=
		    -EINVAL)
			fail_msg("'%s' accepted", bad[i]);
	sw_acl_parse_ports("90-80", r, &n, err, sizeof(err));
	assert_non_null(strstr(err, "upside down"));
}

static void
test_acl_proto(void **state)
{
	int p;

	(void)state;
	assert_int_equal(sw_acl_parse_proto("tcp", &p, err, sizeof(err)), 0);
	assert_int_equal(p, 6);
	assert_int_equal(sw_acl_parse_proto("ICMPv6", &p, err, sizeof(err)),
			 0);
	assert_int_equal(p, 58);
	assert_int_equal(sw_acl_parse_proto("any", &p, err, sizeof(err)), 0);
	assert_int_equal(p, -1);
	assert_int_equal(sw_acl_parse_proto("132", &p, err, sizeof(err)), 0);
	assert_int_equal(p, 132);
	assert_int_equal(sw_acl_parse_proto("256", &p, err, sizeof(err)),
			 -EINVAL);
	assert_int_equal(sw_acl_parse_proto("tcpp", &p, err, sizeof(err)),
			 -EINVAL);
}

static void
test_acl_tcp_flags(void **state)
{
	uint8_t v, m;

	(void)state;
	assert_int_equal(sw_acl_parse_tcp_flags("syn,!ack", &v, &m, err,
						sizeof(err)), 0);
	assert_int_equal(v, 0x02);
	assert_int_equal(m, 0x12);
	assert_int_equal(sw_acl_parse_tcp_flags("ack", &v, &m, err,
						sizeof(err)), 0);
	assert_int_equal(v, 0x10);
	assert_int_equal(m, 0x10);
	assert_int_equal(sw_acl_parse_tcp_flags("syn,bogus", &v, &m, err,
						sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "unknown TCP flag 'bogus'"));
	assert_int_equal(sw_acl_parse_tcp_flags("syn,!syn", &v, &m, err,
						sizeof(err)), -EINVAL);
	assert_int_equal(sw_acl_parse_tcp_flags("", &v, &m, err,
						sizeof(err)), -EINVAL);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_acl_cidr_v4_v6_any),
		cmocka_unit_test(test_acl_cidr_errors),
		cmocka_unit_test(test_acl_ports_lists_and_ranges),
		cmocka_unit_test(test_acl_ports_errors),
		cmocka_unit_test(test_acl_proto),
		cmocka_unit_test(test_acl_tcp_flags),
	};

	return cmocka_run_group_tests_name("acl", tests, NULL, NULL);
}
