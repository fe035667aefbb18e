// SPDX-License-Identifier: GPL-2.0-only
/*
 * bs_rbd: ALUA for an image served by several gateways - the pure parts.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bs_rbd_alua.h"

/* SPC-4 6.36: supported states of a group: T_SUP, AN_SUP, AO_SUP */
#define SUPPORTED_STATES 0x83
#define RTPG_HEADER 4
#define RTPG_EXT_HEADER 8
#define FORMAT_EXTENDED 0x10 /* byte 4 of the extended header */
/* implicit transitions take as long as a lock handover: a few seconds */
#define IMPLICIT_TRANSITION_S 10
#define DESC_LEN 8
#define PORT_LEN 4

/* SPC-4 7.8.6 designator header: iSCSI, binary, PIV, target port */
#define PROTO_ISCSI_BINARY 0x51
#define PIV_TARGET_PORT 0x90
#define DESG_REL_PORT 4
#define DESG_TPG 5

int bs_rbd_alua_parse(const char *val, size_t len, struct bs_rbd_alua_port *p)
{
	char buf[16 + BS_RBD_ADDR_LEN], *end;
	unsigned long id;

	if (!len || len >= sizeof(buf) || val[0] < '0' || val[0] > '9')
		return -1;
	memcpy(buf, val, len);
	buf[len] = 0;
	id = strtoul(buf, &end, 10);
	if (end == buf || *end != ' ' || !id || id > 0xffff ||
	    strlen(end + 1) >= sizeof(p->addr) || !end[1])
		return -1;
	p->id = (uint16_t)id;
	p->state = BS_RBD_ALUA_ANO;
	strcpy(p->addr, end + 1);
	return 0;
}

size_t bs_rbd_alua_format(const struct bs_rbd_alua_port *p, char *buf,
			  size_t len)
{
	int n = snprintf(buf, len, "%u %s", p->id, p->addr);

	return n < 0 || (size_t)n >= len ? 0 : (size_t)n;
}

uint16_t bs_rbd_alua_free_id(const struct bs_rbd_alua_port *ports, int n)
{
	unsigned int id;
	int i;

	for (id = 1; id <= 0xffff; id++) {
		for (i = 0; i < n && ports[i].id != id; i++)
			;
		if (i == n)
			return (uint16_t)id;
	}
	return 0;
}

static int by_id(const void *a, const void *b)
{
	const struct bs_rbd_alua_port *x = a, *y = b;

	return (x->id > y->id) - (x->id < y->id);
}

void bs_rbd_alua_states(struct bs_rbd_alua_port *ports, int n,
			const char *owner)
{
	int i, ao = 0;

	qsort(ports, (size_t)n, sizeof(*ports), by_id);
	for (i = 0; i < n; i++) {
		ports[i].state = BS_RBD_ALUA_ANO;
		if (owner && !strcmp(ports[i].addr, owner))
			ao = i;
	}
	if (n)
		ports[ao].state = BS_RBD_ALUA_AO;
}

static void put16(uint8_t *p, unsigned int v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

/* Copy what fits of src (n bytes) to out at offset at, of len. */
static void put(uint8_t *out, size_t len, size_t at, const uint8_t *src,
		size_t n)
{
	if (at < len)
		memcpy(out + at, src, len - at < n ? len - at : n);
}

size_t bs_rbd_alua_rtpg(const struct bs_rbd_alua_port *ports, int n,
			int extended, uint8_t *out, size_t len)
{
	uint8_t d[DESC_LEN + PORT_LEN], head[RTPG_EXT_HEADER] = { 0 };
	size_t hlen = extended ? RTPG_EXT_HEADER : RTPG_HEADER;
	size_t total = hlen + (size_t)n * sizeof(d), at;
	int i;

	/* RETURN DATA LENGTH counts what follows its own 4 bytes */
	for (i = 0; i < RTPG_HEADER; i++)
		head[i] = (uint8_t)((total - RTPG_HEADER) >>
				    (8 * (RTPG_HEADER - 1 - i)));
	if (extended) {
		head[4] = FORMAT_EXTENDED;
		head[5] = IMPLICIT_TRANSITION_S;
	}
	put(out, len, 0, head, hlen);
	for (i = 0, at = hlen; i < n; i++, at += sizeof(d)) {
		memset(d, 0, sizeof(d));
		d[0] = ports[i].state;
		d[1] = SUPPORTED_STATES;
		put16(d + 2, ports[i].id);
		d[7] = 1; /* one target port per gateway */
		put16(d + DESC_LEN + 2, ports[i].id);
		put(out, len, at, d, sizeof(d));
	}
	return total;
}

void bs_rbd_alua_vpd83(uint16_t id, uint8_t out[BS_RBD_ALUA_VPD83_LEN])
{
	memset(out, 0, BS_RBD_ALUA_VPD83_LEN);
	out[0] = PROTO_ISCSI_BINARY;
	out[1] = PIV_TARGET_PORT | DESG_REL_PORT;
	out[3] = 4;
	put16(out + 6, id);
	out[8] = PROTO_ISCSI_BINARY;
	out[9] = PIV_TARGET_PORT | DESG_TPG;
	out[11] = 4;
	put16(out + 14, id);
}
