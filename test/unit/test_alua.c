// SPDX-License-Identifier: GPL-2.0-only
/*
 * Unit tests of the ALUA pure parts: registry values, states, and the
 * bytes SPC-4 asks for in REPORT TARGET PORT GROUPS and VPD 0x83.
 */
#include <string.h>

#include "bs_rbd_alua.h"
#include "unit.h"

static struct bs_rbd_alua_port port(uint16_t id, const char *addr)
{
	struct bs_rbd_alua_port p = { id, 0xff, "" };

	strcpy(p.addr, addr);
	return p;
}

static void parse_and_format(void)
{
	struct bs_rbd_alua_port p;
	char buf[64];
	static const char *const bad[] = { "",	 "0 a",	 "65536 a", "x a", "1",
					   "1 ", " 1 a", "-1 a",    "1a b" };
	unsigned int i;

	CHECK(bs_rbd_alua_parse("3 127.0.0.1:0/42", 16, &p) == 0);
	CHECK(p.id == 3);
	CHECK_STR(p.addr, "127.0.0.1:0/42");
	CHECK(bs_rbd_alua_format(&p, buf, sizeof(buf)) == 16);
	CHECK_STR(buf, "3 127.0.0.1:0/42");
	CHECK(bs_rbd_alua_format(&p, buf, 10) == 0);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		CHECK(bs_rbd_alua_parse(bad[i], strlen(bad[i]), &p) == -1);
	/* not NUL-terminated: only len bytes count */
	CHECK(bs_rbd_alua_parse("7 a;garbage", 3, &p) == 0 && p.id == 7 &&
	      !strcmp(p.addr, "a"));
}

static void free_ids(void)
{
	struct bs_rbd_alua_port p[3] = { port(1, "a"), port(3, "b"),
					 port(2, "c") };

	CHECK(bs_rbd_alua_free_id(NULL, 0) == 1);
	CHECK(bs_rbd_alua_free_id(p, 1) == 2);
	CHECK(bs_rbd_alua_free_id(p, 2) == 2);
	CHECK(bs_rbd_alua_free_id(p, 3) == 4);
}

/* Exactly one group Active/Optimized: the lock owner's, else the lowest */
static void states(void)
{
	struct bs_rbd_alua_port p[3] = { port(5, "a"), port(2, "b"),
					 port(9, "c") };
	int i, ao;

	bs_rbd_alua_states(p, 3, "c");
	CHECK(p[0].id == 2 && p[1].id == 5 && p[2].id == 9);
	CHECK(p[2].state == BS_RBD_ALUA_AO);
	CHECK(p[0].state == BS_RBD_ALUA_ANO && p[1].state == BS_RBD_ALUA_ANO);
	bs_rbd_alua_states(p, 3, "somebody else");
	for (i = 0, ao = 0; i < 3; i++)
		ao += p[i].state == BS_RBD_ALUA_AO;
	CHECK(ao == 1 && p[0].state == BS_RBD_ALUA_AO);
	bs_rbd_alua_states(p, 3, NULL);
	CHECK(p[0].state == BS_RBD_ALUA_AO);
	bs_rbd_alua_states(p, 0, NULL); /* nothing to do, no crash */
}

/* SPC-4 6.36: header, then per group 8 bytes and 4 per port */
static void rtpg_bytes(void)
{
	struct bs_rbd_alua_port p[2] = { port(1, "a"), port(2, "b") };
	uint8_t out[64], small[10];

	memset(out, 0xee, sizeof(out));
	bs_rbd_alua_states(p, 2, "b");
	CHECK(bs_rbd_alua_rtpg(p, 2, 0, out, sizeof(out)) == 28);
	CHECK(out[0] == 0 && out[1] == 0 && out[2] == 0 && out[3] == 24);
	CHECK(out[4] == BS_RBD_ALUA_ANO && out[5] == 0x83);
	CHECK(out[6] == 0 && out[7] == 1 && out[11] == 1);
	CHECK(out[14] == 0 && out[15] == 1);
	CHECK(out[16] == BS_RBD_ALUA_AO && out[19] == 2 && out[27] == 2);
	CHECK(out[28] == 0xee);
	/* a short allocation length: cut, but the length is the whole */
	memset(small, 0, sizeof(small));
	CHECK(bs_rbd_alua_rtpg(p, 2, 0, small, sizeof(small)) == 28);
	CHECK(small[3] == 24 && small[5] == 0x83);
	/* the extended header: format 1, a transition time, 8 bytes */
	memset(out, 0xee, sizeof(out));
	CHECK(bs_rbd_alua_rtpg(p, 2, 1, out, sizeof(out)) == 32);
	CHECK(out[3] == 28 && out[4] == 0x10 && out[5] > 0);
	CHECK(out[6] == 0 && out[7] == 0);
	CHECK(out[8] == BS_RBD_ALUA_ANO && out[11] == 1 && out[20] == 0);
	/* allocation length 0: nothing written, not an error */
	CHECK(bs_rbd_alua_rtpg(p, 2, 0, NULL, 0) == 28);
}

/* SPC-4 7.8.6: iSCSI, binary, PIV, target port; types 4 and 5 */
static void vpd83_port_designators(void)
{
	uint8_t d[BS_RBD_ALUA_VPD83_LEN];

	bs_rbd_alua_vpd83(0x0102, d);
	CHECK(d[0] == 0x51 && d[1] == 0x94 && d[3] == 4);
	CHECK(d[6] == 1 && d[7] == 2);
	CHECK(d[8] == 0x51 && d[9] == 0x95 && d[11] == 4);
	CHECK(d[14] == 1 && d[15] == 2);
}

int main(void)
{
	RUN(parse_and_format);
	RUN(free_ids);
	RUN(states);
	RUN(rtpg_bytes);
	RUN(vpd83_port_designators);
	return unit_report("unit/alua");
}
