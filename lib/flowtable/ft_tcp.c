/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The spillway authors
 *
 * The TCP state machine, as a table in the manner of Linux's
 * nf_conntrack_proto_tcp.c: indexed by (direction, flag class, state).
 * Without sequence-window tracking, so an RST closes whatever its
 * sequence number.
 */
#include "ft_private.h"

#define TCP_FIN 0x01
#define TCP_SYN 0x02
#define TCP_RST 0x04
#define TCP_PSH 0x08
#define TCP_ACK 0x10
#define TCP_URG 0x20

/*
 * Flag sets a TCP stack can send (PSH, ECE and CWR aside). Anything else
 * (SYN+FIN, SYN+RST, FIN without ACK, no flags at all, ...) is invalid
 * whatever the state, as in Linux's tcp_valid_flags.
 */
static const uint8_t valid_flags[64] = {
	[TCP_SYN] = 1,
	[TCP_SYN | TCP_URG] = 1,
	[TCP_SYN | TCP_ACK] = 1,
	[TCP_RST] = 1,
	[TCP_RST | TCP_ACK] = 1,
	[TCP_FIN | TCP_ACK] = 1,
	[TCP_FIN | TCP_ACK | TCP_URG] = 1,
	[TCP_ACK] = 1,
	[TCP_ACK | TCP_URG] = 1,
};

int
ft_tcp_class(uint8_t flags)
{
	uint8_t f = flags & (TCP_FIN | TCP_SYN | TCP_RST | TCP_ACK | TCP_URG);

	if (!valid_flags[f])
		return FT_TCP_CLASS_INVALID;
	if (f & TCP_RST)
		return FT_TCP_RST;
	if (f & TCP_SYN)
		return (f & TCP_ACK) ? FT_TCP_SYNACK : FT_TCP_SYN;
	if (f & TCP_FIN)
		return FT_TCP_FIN;
	if (f & TCP_ACK)
		return FT_TCP_ACK;
	return FT_TCP_NONE;
}

#define sNO SW_FT_TCP_NONE
#define sSS SW_FT_TCP_SYN_SENT
#define sSR SW_FT_TCP_SYN_RECV
#define sES SW_FT_TCP_ESTABLISHED
#define sFW SW_FT_TCP_FIN_WAIT
#define sCW SW_FT_TCP_CLOSE_WAIT
#define sLA SW_FT_TCP_LAST_ACK
#define sTW SW_FT_TCP_TIME_WAIT
#define sCL SW_FT_TCP_CLOSE
#define sS2 SW_FT_TCP_SYN_SENT2
#define sIV FT_TCP_INVALID
#define sIG FT_TCP_IGNORE

static const uint8_t tcp_next[2][FT_TCP_CLASS_MAX][SW_FT_TCP_SYN_SENT2 + 1] = {
	{
/* From the opener.
 *	     sNO  sSS  sSR  sES  sFW  sCW  sLA  sTW  sCL  sS2 */
/*syn*/	   { sSS, sSS, sIG, sIG, sIG, sIG, sIG, sSS, sSS, sS2 },
/*
 *	sSS -> sSS	retransmitted SYN
 *	sSR..sLA -> sIG	a SYN inside a live connection: stale, let it be
 *	sTW, sCL -> sSS	the connection is reopened (RFC 1122 4.2.2.13)
 */
/*synack*/ { sIV, sIV, sSR, sIV, sIV, sIV, sIV, sIV, sIV, sSR },
/*
 *	sSR -> sSR, sS2 -> sSR	simultaneous open: the opener answers a SYN
 */
/*fin*/	   { sIV, sIV, sFW, sFW, sLA, sLA, sLA, sTW, sCL, sIV },
/*
 *	sFW -> sLA	both sides have sent FIN
 */
/*ack*/	   { sES, sIV, sES, sES, sCW, sCW, sTW, sTW, sCL, sIV },
/*
 *	sNO -> sES	picked up mid-stream (tcp_loose)
 *	sSS -> sIV	an ACK before any SYN/ACK came back
 *	sSR -> sES	the handshake completes: the flow becomes assured
 *	sFW -> sCW	the peer's FIN acknowledged, the other half open
 *	sLA -> sTW	the last ACK
 */
/*rst*/	   { sIV, sCL, sCL, sCL, sCL, sCL, sCL, sCL, sCL, sCL },
/*none*/   { sIV, sIV, sIV, sIV, sIV, sIV, sIV, sIV, sIV, sIV },
	},
	{
/* From the other side.
 *	     sNO  sSS  sSR  sES  sFW  sCW  sLA  sTW  sCL  sS2 */
/*syn*/	   { sIV, sS2, sIV, sIV, sIV, sIV, sIV, sSS, sSS, sS2 },
/*
 *	sSS -> sS2	simultaneous open
 *	sTW, sCL -> sSS	reopened from this side (the opener flips)
 */
/*synack*/ { sIV, sSR, sIG, sIG, sIG, sIG, sIG, sIG, sIG, sSR },
/*
 *	sSS -> sSR	the answer to the SYN
 *	sSR.. -> sIG	retransmitted SYN/ACK
 */
/*fin*/	   { sIV, sIV, sFW, sFW, sLA, sLA, sLA, sTW, sCL, sIV },
/*ack*/	   { sIV, sIG, sSR, sES, sCW, sCW, sTW, sTW, sCL, sIG },
/*
 *	sSS -> sIG	an ACK before the SYN/ACK: ignore, as Linux does
 */
/*rst*/	   { sIV, sCL, sCL, sCL, sCL, sCL, sCL, sCL, sCL, sCL },
/*none*/   { sIV, sIV, sIV, sIV, sIV, sIV, sIV, sIV, sIV, sIV },
	},
};

uint8_t
ft_tcp_next(uint8_t state, int reply, uint8_t tcp_flags)
{
	int cls = ft_tcp_class(tcp_flags);

	if (cls == FT_TCP_CLASS_INVALID || state > sS2)
		return FT_TCP_INVALID;
	return tcp_next[reply != 0][cls][state];
}
