/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The spillway authors
 *
 * The flow commands: show flows (streamed), flush flows (the workers
 * delete in their sweep; the reply waits for them and counts).
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "app.h"
#include "buf.h"
#include "cli_private.h"
#include "flowfilter.h"
#include "policy.h"
#include "prefixfile.h"
#include "report.h"

#define FLOWS_DEFAULT 1000

static bool
no_table(const struct sw_app *app, struct sw_cli_session *s,
	 struct sw_buf *out)
{
	if (app->ft != NULL)
		return false;
	cli_fail(s, out, "the flow table is disabled (flowtable.enabled = "
		 "false)");
	return true;
}

/* show flows [detail] [N] [FILTER...] */
int
cli_show_flows(struct sw_app *app, struct sw_cli_session *s, int argc,
	       char **argv, struct sw_buf *out)
{
	struct sw_flow_filter f;
	char err[200];
	int i = 2, detail = 0;
	long long n = FLOWS_DEFAULT;

	if (i < argc && strcmp(argv[i], "detail") == 0) {
		detail = 1;
		i++;
	}
	if (i < argc && strchr(argv[i], '=') == NULL) {
		n = sw_decimal(argv[i], UINT32_MAX);
		if (n < 0) {
			cli_fail(s, out, "show flows [detail] [N] [FILTER...]: "
				 "'%.40s' is not a count", argv[i]);
			return SW_CLI_OK;
		}
		i++;
	}
	if (sw_flow_filter_parse(&f, argc - i, argv + i, err, sizeof(err))) {
		cli_fail(s, out, "%s", err);
		return SW_CLI_OK;
	}
	if (no_table(app, s, out))
		return SW_CLI_OK;
	sw_report_flows_begin(app, &s->flows, (uint64_t)n, detail,
			      i < argc ? &f : NULL);
	s->stream = SW_STREAM_FLOWS;
	s->streaming = true;
	return SW_CLI_MORE;
}

/*
 * flush flows [FILTER...]: asked of the workers, which delete in their
 * sweep; the reply comes when every one has swept its shard, with the
 * count. One flush at a time: a second waits for the first (its reply
 * too), never the control loop.
 */
int
cli_flush_flows(struct sw_app *app, struct sw_cli_session *s, int argc,
		char **argv, struct sw_buf *out)
{
	struct sw_flow_filter f;
	char err[200];

	if (sw_flow_filter_parse(&f, argc - 2, argv + 2, err, sizeof(err))) {
		cli_fail(s, out, "%s", err);
		return SW_CLI_OK;
	}
	if (no_table(app, s, out))
		return SW_CLI_OK;
	/* The filter waits in the session until the flush may start. */
	s->flows.filter = f;
	s->flush_filtered = argc > 2;
	s->flush = NULL;
	s->stream = SW_STREAM_FLUSH;
	s->streaming = true;
	return SW_CLI_MORE;
}

int
cli_flush_more(struct sw_app *app, struct sw_cli_session *s,
	       struct sw_buf *out)
{
	uint64_t n;

	if (s->flush == NULL) {
		if (app->flush != NULL)
			return SW_CLI_WAIT;	/* another one's */
		s->flush = sw_app_flush_start(app, s->flush_filtered ?
					      &s->flows.filter : NULL);
		if (s->flush == NULL) {
			cli_fail(s, out, "out of memory");
			return SW_CLI_OK;
		}
	}
	if (!sw_flush_done(s->flush, &n))
		return SW_CLI_WAIT;
	sw_flush_release(app, s->flush);
	s->flush = NULL;
	if (cli_json(s)) {
		s->json_out = true;
		sw_buf_printf(out, "{\"flushed\":%" PRIu64 "}\n", n);
	} else {
		sw_buf_printf(out, "flushed %" PRIu64 " flows%s (every worker "
			      "has swept its shard)\n", n, s->flush_filtered ?
			      " that match" : "");
	}
	return SW_CLI_OK;
}
