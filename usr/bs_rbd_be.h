/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * bs_rbd: big-endian fields of CDBs and parameter lists.
 *
 * tgt's get_unaligned_be32() shifts a promoted (signed) byte by 24, which
 * is undefined for bytes >= 0x80; these widen before shifting.
 */
#ifndef BS_RBD_BE_H
#define BS_RBD_BE_H

#include <stdint.h>

static inline uint16_t bs_rbd_be16(const uint8_t *p)
{
	return (uint16_t)((uint32_t)p[0] << 8 | p[1]);
}

static inline uint32_t bs_rbd_be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	       (uint32_t)p[2] << 8 | p[3];
}

static inline uint64_t bs_rbd_be64(const uint8_t *p)
{
	return (uint64_t)bs_rbd_be32(p) << 32 | bs_rbd_be32(p + 4);
}

#endif
