/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * bs_rbd: ALUA for an image served by several gateways - the pure parts
 * (bs_rbd_alua.c): registry entries, who is Active/Optimized, and the
 * bytes of REPORT TARGET PORT GROUPS and of the VPD 0x83 port designators.
 *
 * Each gateway (a tgtd, named by bsopts gateway=) serving an image is one
 * target port group with one target port; both are numbered by the id it
 * got in the image's gateway registry (bs_rbd_gateway.c).
 */
#ifndef BS_RBD_ALUA_H
#define BS_RBD_ALUA_H

#include <stddef.h>
#include <stdint.h>

/* Most gateways one image lists */
#define BS_RBD_ALUA_MAX_PORTS 64
/* A client address as librados prints it, with room to spare */
#define BS_RBD_ADDR_LEN 128

/* SPC-4 asymmetric access states used */
#define BS_RBD_ALUA_AO 0x0  /* active/optimized */
#define BS_RBD_ALUA_ANO 0x1 /* active/non-optimized */

struct bs_rbd_alua_port {
	uint16_t id; /* target port group id = relative target port id */
	uint8_t state;
	char addr[BS_RBD_ADDR_LEN]; /* the gateway's client */
};

/* A registry value: "ID ADDR".  0, or -1 if it is not one. */
int bs_rbd_alua_parse(const char *val, size_t len, struct bs_rbd_alua_port *p);
/* The value for p, in buf; its length, or 0 if it does not fit. */
size_t bs_rbd_alua_format(const struct bs_rbd_alua_port *p, char *buf,
			  size_t len);
/* The smallest id from 1 up that none of the n ports has (0: none left) */
uint16_t bs_rbd_alua_free_id(const struct bs_rbd_alua_port *ports, int n);

/*
 * Set each port's state: the port whose client owns the image's
 * exclusive lock (owner, an address, or NULL) is Active/Optimized, the
 * others Active/Non-optimized; with no owner among them, the lowest id.
 * Sorts the ports by id, so every gateway gives the same answer.
 */
void bs_rbd_alua_states(struct bs_rbd_alua_port *ports, int n,
			const char *owner);

/*
 * REPORT TARGET PORT GROUPS parameter data (SPC-4 6.36), in the length
 * only format or, with extended, with the extended header: written up to
 * len bytes of out; returns its whole length.
 */
size_t bs_rbd_alua_rtpg(const struct bs_rbd_alua_port *ports, int n,
			int extended, uint8_t *out, size_t len);

/* The relative target port and target port group designators of port id */
#define BS_RBD_ALUA_VPD83_LEN 16
void bs_rbd_alua_vpd83(uint16_t id, uint8_t out[BS_RBD_ALUA_VPD83_LEN]);

#endif
