/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The spillway authors
 */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/if_packet.h>
#include <linux/if_xdp.h>
#include <net/if.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <sys/stat.h>

#include <sys/ioctl.h>
#include <rte_errno.h>
#include <rte_mbuf.h>
#include <unistd.h>

#include <rte_ethdev.h>
#include <rte_ether.h>
#include "buf.h"
#include "log.h"

#include "port.h"
#include "shardmap.h"

#define PORT_LOG SW_LOG

/* Mbufs in a worker's hands at once (SW_BURST_MAX, worker.h). */
#define SW_PORT_FLIGHT	64

/* What the worker trusts of a port's rx flags (sw_cksum_ok). */
#define RX_CKSUM (RTE_ETH_RX_OFFLOAD_IPV4_CKSUM | \
		  RTE_ETH_RX_OFFLOAD_TCP_CKSUM | RTE_ETH_RX_OFFLOAD_UDP_CKSUM)

/*
 * A key made of one repeated 16-bit pattern makes the Toeplitz hash
 * symmetric: swapping source and destination (addresses and ports)
 * gives the same hash, so both directions of a flow land on one queue
 * and so on one worker's shard (Woo and Park, "Scalable TCP Session
 * Monitoring with Symmetric Receive-side Scaling").
 *
 * The pattern is drawn at random once per process: with the well-known
 * 0x6d5a anyone could compute which queue, so which worker, a tuple
 * reaches, and aim a flood at one of them.
 */
static uint8_t rss_key[SW_PORT_RSS_KEY_MAX];
static uint16_t rss_pattern;
static int rss_ready;
/* Bytes of key each port was given; 0: it does not hash. */
static uint8_t rss_len[RTE_MAX_ETHPORTS];

/*
 * Which patterns are refused, and why. With a key of period 16 every
 * 32-bit window the hash XORs in is the pattern rotated, twice over, so
 * the hash of any input is (h << 16 | h) with h the product, in
 * GF(2)[x]/(x^16 + 1), of the pattern and the XOR of the input's 16-bit
 * words. x^16 + 1 is (x + 1)^16, so the product is a bijection of the
 * 2^16 folded inputs exactly when the pattern is not a multiple of
 * x + 1, that is when its weight (bits set) is odd. An even weight
 * leaves a smaller image, down to 2 values (0xffff) or 1 (0x0000), and
 * so fewer queues used, whatever the traffic; every pattern of a period
 * shorter than 16 (0x5555, 0x0f0f ...) has an even weight. Each bit of h
 * is the XOR of as many folded bits as the pattern has set: 5 to 11
 * keeps each bit of the queue index (h's low bits) from hanging on one
 * or three input bits, and the bits from being near copies of one
 * another (at 15 each is the parity of all but one folded bit). That
 * leaves 31616 of the 65536 patterns.
 *
 * What no pattern can do: the hash sees only the 16-bit fold, so
 * tuples with one fold share a queue whatever the key, and a flood
 * that keeps its fold constant (or matches a known flow's) still lands
 * on one queue. A random pattern only hides which queue a tuple
 * reaches, so no worker can be singled out by its number.
 */
bool
sw_port_rss_pattern_ok(uint16_t pattern)
{
	int w = __builtin_popcount(pattern);

	return (w & 1) && w >= 5 && w <= 11;
}

int
sw_port_rss_draw(uint16_t *pattern)
{
	uint16_t p;
	ssize_t r;

	do {
		r = getrandom(&p, sizeof(p), 0);
		if (r < 0 && errno != EINTR)
			return -errno;
	} while (r != (ssize_t)sizeof(p) || !sw_port_rss_pattern_ok(p));
	*pattern = p;
	return 0;
}

int
sw_port_rss_init(void)
{
	uint16_t p;
	int rc;

	if (__atomic_load_n(&rss_ready, __ATOMIC_ACQUIRE))
		return 0;
	rc = sw_port_rss_draw(&p);
	if (rc < 0)
		return rc;
	rss_pattern = p;
	__atomic_store_n(&rss_ready, 1, __ATOMIC_RELEASE);
	return 0;
}

void
sw_port_rss_key_fill(uint8_t *key, size_t len, uint16_t pattern)
{
	size_t i;

	for (i = 0; i < len; i++)
		key[i] = (uint8_t)(i & 1 ? pattern : pattern >> 8);
}

void
sw_port_rss_key(uint8_t *key, size_t len)
{
	sw_port_rss_key_fill(key, len, rss_pattern);
}

bool
sw_port_rss_key_str(uint16_t port_id, char *s, size_t size)
{
	uint8_t key[sizeof(rss_key)];
	size_t len, i;

	if (port_id >= RTE_MAX_ETHPORTS || rss_len[port_id] == 0 ||
	    size < 2u * rss_len[port_id] + 1)
		return false;
	len = rss_len[port_id];
	sw_port_rss_key(key, len);
	for (i = 0; i < len; i++)
		snprintf(s + 2 * i, 3, "%02x", key[i]);
	return true;
}

/* ethdev's own rule (eth_dev_get_overhead_len): L2 bytes over the MTU. */
static uint32_t
overhead(const struct rte_eth_dev_info *info)
{
	if (info->max_mtu != UINT16_MAX &&
	    info->max_rx_pktlen > info->max_mtu)
		return info->max_rx_pktlen - info->max_mtu;
	return RTE_ETHER_HDR_LEN + RTE_ETHER_CRC_LEN;
}

/*
 * A net_af_packet port copies each frame from a ring frame of framesz
 * bytes (devargs, 2048 by default) into one mbuf, never a chain: its rx
 * queue wants mbufs with room for a whole ring frame's data, and the
 * frames it can carry are what a ring frame holds after the kernel's
 * header (the MAC header starts at TPACKET_ALIGN(hdrlen + 16) - 14).
 */
#define AF_PACKET_MAC_OFF \
	(TPACKET_ALIGN(TPACKET2_HDRLEN + 16) - RTE_ETHER_HDR_LEN)

static bool
af_packet_frames(const char *dev, uint32_t *room, uint32_t *carries)
{
	const char *f = strstr(dev, ",framesz=");
	unsigned long framesz = 2048;

	if (strncmp(dev, "net_af_packet", 13) != 0 &&
	    strncmp(dev, "eth_af_packet", 13) != 0)
		return false;
	if (f != NULL)
		framesz = strtoul(f + 9, NULL, 0);
	*room = (uint32_t)(framesz - (TPACKET2_HDRLEN -
				      sizeof(struct sockaddr_ll)));
	*carries = (uint32_t)(framesz - AF_PACKET_MAC_OFF);
	return true;
}

static int
check_desc(const char *name, const char *what, uint16_t n,
	   const struct rte_eth_desc_lim *lim)
{
	if (n >= lim->nb_min && n <= lim->nb_max &&
	    (lim->nb_align <= 1 || n % lim->nb_align == 0))
		return 0;
	PORT_LOG(ERR, "port %s: %s %u: the device takes %u..%u, a multiple "
		 "of %u\n", name, what, n, lim->nb_min, lim->nb_max,
		 lim->nb_align ? lim->nb_align : 1);
	return -EINVAL;
}

int
sw_port_plan(uint16_t port_id, const struct sw_port_conf *pc,
	     struct sw_port_plan *plan)
{
	struct rte_eth_dev_info info;
	uint32_t room, carries;
	int rc;

	memset(plan, 0, sizeof(*plan));
	rc = rte_eth_dev_info_get(port_id, &info);
	if (rc) {
		PORT_LOG(ERR, "port %s: cannot get device info: %s\n",
			 pc->name, strerror(-rc));
		return rc;
	}
	if (pc->queues > info.max_rx_queues ||
	    pc->queues > info.max_tx_queues) {
		PORT_LOG(ERR, "port %s (%s): %u queues asked, the device has "
			 "%u rx, %u tx (workers poll queue i of each port: "
			 "ports[].queues; for net_af_packet add qpairs=%u to "
			 "the device string)\n", pc->name, info.driver_name,
			 pc->queues, info.max_rx_queues, info.max_tx_queues,
			 pc->queues);
		return -EINVAL;
	}
	rc = check_desc(pc->name, "rx_desc", pc->rx_desc, &info.rx_desc_lim);
	if (rc == 0)
		rc = check_desc(pc->name, "tx_desc", pc->tx_desc,
				&info.tx_desc_lim);
	if (rc)
		return rc;
	plan->frame = pc->mtu + RTE_ETHER_HDR_LEN + 2 * RTE_VLAN_HLEN;
	if (pc->mtu < info.min_mtu) {
		PORT_LOG(ERR, "port %s (%s): mtu %u: the device takes %u at "
			 "least\n", pc->name, info.driver_name, pc->mtu,
			 info.min_mtu);
		return -EINVAL;
	}
	if (pc->mtu > info.max_mtu ||
	    pc->mtu + overhead(&info) > info.max_rx_pktlen) {
		/*
		 * A vdev over a kernel interface (net_tap, net_af_packet)
		 * reports a frame limit of 1518 or 1522 whatever its
		 * interface carries, and ethdev then refuses any larger
		 * MTU: the interface's MTU is the real limit.
		 */
		if (info.if_index == 0) {
			PORT_LOG(ERR, "port %s (%s): mtu %u: the device takes "
				 "%u at most (frames of %u bytes)\n", pc->name,
				 info.driver_name, pc->mtu,
				 RTE_MIN(info.max_mtu, info.max_rx_pktlen -
					 overhead(&info)), info.max_rx_pktlen);
			return -EINVAL;
		}
		plan->kernel_mtu = true;
	}
	if (af_packet_frames(pc->dev, &room, &carries)) {
		if (carries < plan->frame) {
			PORT_LOG(ERR, "port %s: mtu %u needs frames of %u "
				 "bytes; net_af_packet's ring frames hold %u: "
				 "add framesz=%u (and blocksz at least that, a "
				 "multiple of 4096) to its device string\n",
				 pc->name, pc->mtu, plan->frame, carries,
				 (unsigned int)RTE_ALIGN_CEIL(plan->frame +
						AF_PACKET_MAC_OFF, 1024));
			return -EINVAL;
		}
		plan->room = room > SW_PORT_ROOM ? room : 0;
	} else if (plan->frame > SW_PORT_ROOM) {
		if (info.rx_offload_capa & RTE_ETH_RX_OFFLOAD_SCATTER)
			plan->scatter = true;
		else
			plan->room = plan->frame;
	}
	return 0;
}

static struct rte_mempool *
make_pool(const char *name, unsigned int n, uint32_t room)
{
	struct rte_mempool *mp;

	mp = rte_pktmbuf_pool_create(name, n, 256, 0,
				     (uint16_t)(room + RTE_PKTMBUF_HEADROOM),
				     rte_socket_id());
	if (mp == NULL)
		PORT_LOG(ERR, "cannot create a pool of %u mbufs of %u bytes: "
			 "%s (more memory: eal -m)\n", n, room,
			 rte_strerror(rte_errno));
	return mp;
}

int
sw_port_pools(const struct sw_config *cfg, const uint16_t *port_id,
	      unsigned int nb_workers, struct sw_port_plan *plan,
	      struct rte_mempool **pool, struct rte_mempool **big)
{
	/* A burst in flight per worker, its tx buffers, some slack. */
	unsigned int flight = nb_workers * (SW_PORT_FLIGHT + 512);
	unsigned int n = flight + 4096, nbig = flight + 1024, p;
	uint32_t room = 0;
	bool need_big = false;
	int rc;

	*pool = *big = NULL;
	for (p = 0; p < cfg->nb_ports; p++) {
		const struct sw_port_conf *pc = &cfg->ports[p];

		rc = sw_port_plan(port_id[p], pc, &plan[p]);
		if (rc)
			return rc;
		/* Rx rings full; tx rings full (of either pool's mbufs). */
		if (plan[p].room)
			nbig += pc->queues * pc->rx_desc;
		else
			n += pc->queues * pc->rx_desc;
		n += pc->queues * pc->tx_desc;
		nbig += pc->queues * pc->tx_desc;
		room = RTE_MAX(room, plan[p].room);
		if (plan[p].scatter)
			room = RTE_MAX(room, plan[p].frame);
		need_big |= plan[p].room || plan[p].scatter;
	}
	*pool = make_pool("sw_mbuf", n, SW_PORT_ROOM);
	if (*pool == NULL)
		return -ENOMEM;
	if (need_big) {
		*big = make_pool("sw_mbuf_big", nbig, room);
		if (*big == NULL)
			return -ENOMEM;
		PORT_LOG(INFO, "jumbo frames: %u mbufs of %u bytes beside %u "
			 "of %u\n", nbig, room, n, SW_PORT_ROOM);
	}
	return 0;
}

/* The kernel interface's MTU, raised to mtu if below (SIOCSIFMTU). */
static int
kernel_mtu(uint32_t if_index, const char *name, uint16_t mtu)
{
	struct ifreq ifr;
	int fd, rc = 0;

	memset(&ifr, 0, sizeof(ifr));
	if (if_indextoname(if_index, ifr.ifr_name) == NULL)
		return -errno;
	fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	if (ioctl(fd, SIOCGIFMTU, &ifr) == 0 && ifr.ifr_mtu >= mtu) {
		close(fd);
		return 0;
	}
	ifr.ifr_mtu = mtu;
	if (ioctl(fd, SIOCSIFMTU, &ifr) != 0)
		rc = -errno;
	close(fd);
	if (rc)
		PORT_LOG(ERR, "port %s: the driver caps its MTU below %u; "
			 "its kernel interface %s cannot take it: %s\n", name,
			 mtu, ifr.ifr_name, strerror(-rc));
	else
		PORT_LOG(INFO, "port %s: the driver caps its MTU below %u: "
			 "MTU %u set on its kernel interface %s\n", name, mtu,
			 mtu, ifr.ifr_name);
	return rc;
}

/* Offload names, "A,B" (DPDK's), "none" when there is none. */
static void
offload_names(struct sw_buf *b, uint64_t off, bool rx)
{
	uint64_t bit;
	bool first = true;

	for (bit = 1; bit != 0; bit <<= 1) {
		if (!(off & bit))
			continue;
		sw_buf_printf(b, "%s%s", first ? "" : ",",
			      rx ? rte_eth_dev_rx_offload_name(bit) :
				   rte_eth_dev_tx_offload_name(bit));
		first = false;
	}
	if (first)
		sw_buf_printf(b, "none");
}

int
sw_port_start_conf(uint16_t port_id, const struct sw_port_conf *pc,
		   const struct sw_port_plan *plan, struct rte_mempool *pool,
		   bool fast_free)
{
	struct rte_eth_conf conf;
	struct rte_eth_dev_info info;
	struct rte_eth_rxconf rxconf;
	struct rte_eth_txconf txconf;
	uint16_t nb_rxd = pc->rx_desc, nb_txd = pc->tx_desc, q;
	uint16_t nb_queues = pc->queues;
	const char *name = pc->name;
	int socket = rte_eth_dev_socket_id(port_id);
	struct sw_buf b;
	int rc;

	memset(&conf, 0, sizeof(conf));
	rc = rte_eth_dev_info_get(port_id, &info);
	if (rc) {
		PORT_LOG(ERR, "port %s: cannot get device info: %s\n", name,
			 strerror(-rc));
		return rc;
	}
	if (nb_queues > 1 && info.flow_type_rss_offloads != 0) {
		uint8_t len = info.hash_key_size ? info.hash_key_size : 40;

		if (len > sizeof(rss_key))
			len = sizeof(rss_key);
		rc = sw_port_rss_init();
		if (rc) {
			PORT_LOG(ERR, "port %s: no random RSS key: %s\n",
				 name, strerror(-rc));
			return rc;
		}
		sw_port_rss_key(rss_key, len);
		rss_len[port_id] = len;
		conf.rxmode.mq_mode = RTE_ETH_MQ_RX_RSS;
		conf.rx_adv_conf.rss_conf.rss_key = rss_key;
		conf.rx_adv_conf.rss_conf.rss_key_len = len;
		conf.rx_adv_conf.rss_conf.rss_hf =
			(RTE_ETH_RSS_IP | RTE_ETH_RSS_TCP | RTE_ETH_RSS_UDP) &
			info.flow_type_rss_offloads;
		PORT_LOG(INFO, "port %s: symmetric RSS over %u queues\n",
			 name, nb_queues);
	} else if (nb_queues > 1) {
		PORT_LOG(WARNING, "port %s (%s): no RSS; the driver spreads "
			 "%u queues itself and must keep both directions of "
			 "a flow on one queue\n", name, info.driver_name,
			 nb_queues);
	}
	/*
	 * The worker sums in software only what the flags leave unknown
	 * (sw_cksum_ok): ask for every rx checksum the port can check.
	 */
	conf.rxmode.offloads = info.rx_offload_capa & RX_CKSUM;
	if (plan->scatter)
		conf.rxmode.offloads |= RTE_ETH_RX_OFFLOAD_SCATTER;
	conf.rxmode.mtu = plan->kernel_mtu ? 0 : pc->mtu;
	if (fast_free &&
	    (info.tx_offload_capa & RTE_ETH_TX_OFFLOAD_MBUF_FAST_FREE))
		conf.txmode.offloads |= RTE_ETH_TX_OFFLOAD_MBUF_FAST_FREE;

	rc = rte_eth_dev_configure(port_id, nb_queues, nb_queues, &conf);
	if (rc) {
		PORT_LOG(ERR, "port %s: configure failed: %s\n", name,
			 strerror(-rc));
		return rc;
	}
	rc = rte_eth_dev_adjust_nb_rx_tx_desc(port_id, &nb_rxd, &nb_txd);
	if (rc)
		return rc;
	rxconf = info.default_rxconf;
	rxconf.offloads = conf.rxmode.offloads;
	txconf = info.default_txconf;
	txconf.offloads = conf.txmode.offloads;
	for (q = 0; q < nb_queues; q++) {
		rc = rte_eth_rx_queue_setup(port_id, q, nb_rxd, socket, &rxconf,
					    pool);
		if (rc == 0)
			rc = rte_eth_tx_queue_setup(port_id, q, nb_txd, socket,
						    &txconf);
		if (rc) {
			PORT_LOG(ERR, "port %s: queue %u setup failed: %s\n",
				 name, q, strerror(-rc));
			return rc;
		}
	}
	if (plan->kernel_mtu) {
		rc = kernel_mtu(info.if_index, name, pc->mtu);
		if (rc)
			return rc;
	}
	rc = rte_eth_dev_start(port_id);
	if (rc) {
		PORT_LOG(ERR, "port %s: start failed: %s\n", name,
			 strerror(-rc));
		return rc;
	}
	rc = rte_eth_promiscuous_enable(port_id);
	if (rc && rc != -ENOTSUP)
		PORT_LOG(WARNING, "port %s: promiscuous mode: %s\n", name,
			 strerror(-rc));
	/* link_propagate takes this link down and up: can it? */
	if (pc->link_propagate) {
		rc = rte_eth_dev_set_link_up(port_id);
		if (rc) {
			PORT_LOG(ERR, "port %s (%s): pairs[].link_propagate: "
				 "the device cannot set its link up or down "
				 "(%s)\n", name, info.driver_name,
				 strerror(-rc));
			return rc;
		}
	}
	sw_buf_init(&b);
	sw_port_describe(port_id, pc, &b);
	PORT_LOG(INFO, "port %s:%s\n", name, b.p ? b.p : "");
	sw_buf_free(&b);
	return 0;
}

int
sw_port_start(uint16_t port_id, const char *name, uint16_t nb_queues,
	      struct rte_mempool *pool)
{
	struct sw_port_conf pc = {
		.mtu = SW_PORT_MTU, .rx_desc = SW_PORT_DESC,
		.tx_desc = SW_PORT_DESC, .queues = nb_queues,
	};
	struct sw_port_plan plan;
	int rc;

	snprintf(pc.name, sizeof(pc.name), "%s", name);
	rc = sw_port_plan(port_id, &pc, &plan);
	if (rc == 0)
		rc = sw_port_start_conf(port_id, &pc, &plan, pool, true);
	return rc;
}

void
sw_port_describe(uint16_t port_id, const struct sw_port_conf *pc,
		 struct sw_buf *b)
{
	struct rte_eth_conf conf;
	struct rte_eth_link link;
	struct rte_eth_dev_info info;
	uint16_t mtu = 0;

	memset(&link, 0, sizeof(link));
	rte_eth_link_get_nowait(port_id, &link);
	rte_eth_dev_get_mtu(port_id, &mtu);
	memset(&info, 0, sizeof(info));
	rte_eth_dev_info_get(port_id, &info);
	sw_buf_printf(b, " link=%s speed=%u duplex=%s mtu=%u dev_mtu=%u "
		      "queues=%u rx_desc=%u tx_desc=%u",
		      link.link_status ? "up" : "down", link.link_speed,
		      link.link_duplex ? "full" : "half", pc->mtu, mtu,
		      info.nb_rx_queues, pc->rx_desc, pc->tx_desc);
	if (rte_eth_dev_conf_get(port_id, &conf) != 0)
		memset(&conf, 0, sizeof(conf));
	sw_buf_printf(b, " rx_offloads=");
	offload_names(b, conf.rxmode.offloads, true);
	sw_buf_printf(b, " tx_offloads=");
	offload_names(b, conf.txmode.offloads, false);
}

int
sw_port_ring_fds(const char *dev, int *fds, int max)
{
	const char *i = strstr(dev, "iface=");
	char ifname[IF_NAMESIZE];
	unsigned int ifindex;
	struct dirent *d;
	int n = 0;
	DIR *dir;

	if ((strncmp(dev, "net_af_packet", 13) != 0 &&
	     strncmp(dev, "net_af_xdp", 10) != 0) || i == NULL)
		return 0;
	i += 6;
	snprintf(ifname, sizeof(ifname), "%.*s", (int)strcspn(i, ","), i);
	ifindex = if_nametoindex(ifname);
	dir = opendir("/proc/self/fd");
	if (ifindex == 0 || dir == NULL) {
		if (dir)
			closedir(dir);
		return 0;
	}
	while ((d = readdir(dir)) != NULL && n < max) {
		union {
			struct sockaddr_ll ll;
			struct sockaddr_xdp xdp;
		} a;
		socklen_t len = sizeof(a);
		int fd = atoi(d->d_name), domain = 0;
		socklen_t dl = sizeof(domain);
		struct stat st;

		if (d->d_name[0] < '0' || d->d_name[0] > '9' ||
		    fstat(fd, &st) != 0 || !S_ISSOCK(st.st_mode) ||
		    getsockopt(fd, SOL_SOCKET, SO_DOMAIN, &domain, &dl) != 0 ||
		    (domain != AF_PACKET && domain != AF_XDP) ||
		    getsockname(fd, (struct sockaddr *)&a, &len) != 0)
			continue;
		if ((domain == AF_PACKET &&
		     (unsigned int)a.ll.sll_ifindex == ifindex) ||
		    (domain == AF_XDP && a.xdp.sxdp_ifindex == ifindex))
			fds[n++] = fd;
	}
	closedir(dir);
	return n;
}

uint64_t
sw_port_ring_drops(const int *fds, uint64_t *last, int n)
{
	uint64_t drops = 0;
	int k;

	for (k = 0; k < n; k++) {
		struct tpacket_stats st;
		struct xdp_statistics xs;
		socklen_t len = sizeof(st), xl = sizeof(xs);

		/* Reading resets the kernel's counts: the caller adds up. */
		if (getsockopt(fds[k], SOL_PACKET, PACKET_STATISTICS, &st,
			       &len) == 0) {
			drops += st.tp_drops;
		} else if (getsockopt(fds[k], SOL_XDP, XDP_STATISTICS, &xs,
				      &xl) == 0) {
			uint64_t v = xs.rx_ring_full +
				     xs.rx_fill_ring_empty_descs;

			drops += v - last[k];
			last[k] = v;
		}
	}
	return drops;
}

uint64_t
sw_port_xdp_iface_drops(const char *dev, uint64_t *last)
{
	const char *i = strstr(dev, "iface=");
	char path[128];
	unsigned long long v;
	uint64_t d;
	FILE *f;

	if (strncmp(dev, "net_af_xdp", 10) != 0 || i == NULL)
		return 0;
	i += 6;
	snprintf(path, sizeof(path), "/sys/class/net/%.*s/statistics/"
		 "rx_dropped", (int)strcspn(i, ","), i);
	f = fopen(path, "r");
	if (f == NULL)
		return 0;
	if (fscanf(f, "%llu", &v) != 1)
		v = *last;
	fclose(f);
	d = v - *last;
	*last = v;
	return d;
}

/* The redirection table of a port: its size and entries, or 0. */
static uint16_t
port_reta(uint16_t port_id, uint16_t *reta)
{
	struct rte_eth_rss_reta_entry64 conf[SW_SHARDMAP_RETA_MAX /
					     RTE_ETH_RETA_GROUP_SIZE];
	struct rte_eth_dev_info info;
	unsigned int i;

	if (rte_eth_dev_info_get(port_id, &info) != 0 ||
	    info.reta_size == 0 || info.reta_size > SW_SHARDMAP_RETA_MAX ||
	    (info.reta_size & (info.reta_size - 1)) != 0)
		return 0;
	memset(conf, 0, sizeof(conf));
	for (i = 0; i < info.reta_size / RTE_ETH_RETA_GROUP_SIZE; i++)
		conf[i].mask = UINT64_MAX;
	if (rte_eth_dev_rss_reta_query(port_id, conf, info.reta_size) != 0)
		return 0;
	for (i = 0; i < info.reta_size; i++)
		reta[i] = conf[i / RTE_ETH_RETA_GROUP_SIZE].reta[
			i % RTE_ETH_RETA_GROUP_SIZE];
	return info.reta_size;
}

int
sw_port_shardmap(const uint16_t *port_id, unsigned int nb_ports,
		 unsigned int nb_queues, struct sw_shardmap *m, char *why,
		 size_t len)
{
	uint16_t reta[SW_SHARDMAP_RETA_MAX];
	struct rte_eth_rss_conf rc;
	uint8_t key[SW_SHARDMAP_KEY_MAX];
	unsigned int p;
	uint16_t n;

	memset(m, 0, sizeof(*m));
	m->nb_shards = nb_queues;
	if (nb_queues <= 1)
		return 0;
	for (p = 0; p < nb_ports; p++) {
		uint16_t id = port_id[p];

		memset(&rc, 0, sizeof(rc));
		rc.rss_key = key;
		rc.rss_key_len = sizeof(key);
		n = id < RTE_MAX_ETHPORTS && rss_len[id] ? port_reta(id, reta) :
		    0;
		if (n == 0 || rte_eth_dev_rss_hash_conf_get(id, &rc) != 0) {
			snprintf(why, len, "DPDK port %u does not hash with "
				 "spillway's RSS key (net_af_packet's qpairs "
				 "use the kernel's fanout hash, which cannot "
				 "be computed here): with %u workers a flow's "
				 "shard cannot be known", id, nb_queues);
			return -ENOTSUP;
		}
		if (p == 0) {
			m->reta_size = n;
			memcpy(m->reta, reta, sizeof(reta[0]) * n);
			m->rss_hf = rc.rss_hf;
			m->key_len = rss_len[id];
			sw_port_rss_key(m->key, m->key_len);
		} else if (n != m->reta_size || rc.rss_hf != m->rss_hf ||
			   memcmp(reta, m->reta, sizeof(reta[0]) * n) != 0) {
			snprintf(why, len, "DPDK port %u hashes otherwise than "
				 "port %u: a flow's shard cannot be known", id,
				 port_id[0]);
			return -ENOTSUP;
		}
	}
	m->rss = true;
	return 0;
}

void
sw_port_log_link(uint16_t port_id, const char *name)
{
	struct rte_eth_link link;
	char text[RTE_ETH_LINK_MAX_STR_LEN];

	if (rte_eth_link_get_nowait(port_id, &link) != 0)
		return;
	rte_eth_link_to_str(text, sizeof(text), &link);
	PORT_LOG(INFO, "port %s: %s\n", name, text);
}
