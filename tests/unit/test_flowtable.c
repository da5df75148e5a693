/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The spillway authors
 *
 * lib/flowtable unit tests, one suite a source file (test_ft_*.c), run
 * as one group: keys and hash, TCP, the SYN proxy, quotas, the table,
 * state sync and connection counters.
 */
#include <stdlib.h>
#include <string.h>

#include <rte_common.h>

#include "ft_test.h"

TEST_EAL_GROUP("ft")

int
main(void)
{
	const struct CMUnitTest *suite[] = {
		ft_key_tests, ft_tcp_tests, ft_proxy_tests, ft_source_tests,
		ft_table_tests, ft_sync_tests, ft_tag_tests,
	};
	const size_t nb[] = { ft_key_nb, ft_tcp_nb, ft_proxy_nb, ft_source_nb,
			      ft_table_nb, ft_sync_nb, ft_tag_nb };
	struct CMUnitTest *all;
	size_t i, n = 0;
	int rc;

	all = calloc(ft_key_nb + ft_tcp_nb + ft_proxy_nb + ft_source_nb +
		     ft_table_nb + ft_sync_nb + ft_tag_nb, sizeof(*all));
	if (all == NULL)
		return 1;
	for (i = 0; i < RTE_DIM(suite); i++) {
		memcpy(all + n, suite[i], nb[i] * sizeof(*all));
		n += nb[i];
	}
	rc = _cmocka_run_group_tests("flowtable", all, n, eal_setup,
				     eal_teardown);
	free(all);
	return rc;
}
