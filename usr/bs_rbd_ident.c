// SPDX-License-Identifier: GPL-2.0-only
/*
 * bs_rbd: a LU's SCSI identity, derived from the image.
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "bs_rbd_ident.h"

/* SPC-4 7.8.6: designator header fields */
#define CODE_SET_BINARY 1
#define CODE_SET_ASCII 2
#define DESG_T10_VENDOR 1
#define DESG_NAA 3
#define NAA_LOCAL 3
#define T10_VENDOR_LEN 8
#define T10_ID_MAX 64

void bs_rbd_fnv1a128(const void *data, size_t len, uint8_t out[16])
{
	/* FNV's 128-bit offset basis and prime (2^88 + 2^8 + 0x3b) */
	unsigned __int128 h = ((unsigned __int128)0x6c62272e07bb0142ull << 64) |
			      0x62b821756295c58dull;
	const unsigned __int128 prime = ((unsigned __int128)1 << 88) | 0x13bu;
	const uint8_t *p = data;
	int i;

	while (len--) {
		h ^= *p++;
		h *= prime;
	}
	for (i = 15; i >= 0; i--) {
		out[i] = (uint8_t)h;
		h >>= 8;
	}
}

void bs_rbd_ident_make(const struct bs_rbd_ident_src *src,
		       char out[BS_RBD_IDENT_LEN])
{
	char text[512];
	uint8_t h[16];
	int n, i;

	/* one field per line: no two different images read the same */
	n = snprintf(text, sizeof(text),
		     "rbd\n%s\n%" PRId64 "\n%s\n%s\n%" PRIu64 "\n", src->fsid,
		     src->pool_id, src->ns, src->image_id, src->snap_id);
	if (n < 0)
		n = 0;
	if ((size_t)n >= sizeof(text))
		n = sizeof(text) - 1;
	bs_rbd_fnv1a128(text, (size_t)n, h);
	for (i = 0; i < 16; i++)
		snprintf(out + 2 * i, 3, "%02x", h[i]);
}

static uint8_t *designator(uint8_t *p, int code_set, int type, size_t len)
{
	p[0] = (uint8_t)code_set; /* protocol identifier 0, PIV 0 */
	p[1] = (uint8_t)type;	  /* association: the logical unit */
	p[2] = 0;
	p[3] = (uint8_t)len;
	return p + 4;
}

size_t bs_rbd_ident_vpd83(const char *id, const char *vendor, uint8_t *out,
			  size_t len)
{
	size_t id_len = strnlen(id, T10_ID_MAX - T10_VENDOR_LEN);
	size_t vlen = strnlen(vendor, T10_VENDOR_LEN);
	uint8_t h[16], *p = out;

	if (len < BS_RBD_VPD83_MAX)
		return 0;
	/* NAA locally assigned: 4 bits of type, 60 bits from the id */
	bs_rbd_fnv1a128(id, strlen(id), h);
	p = designator(p, CODE_SET_BINARY, DESG_NAA, 8);
	memcpy(p, h, 8);
	p[0] = (uint8_t)(NAA_LOCAL << 4 | (p[0] & 0x0f));
	p += 8;
	/* T10 vendor ID: the vendor, space-padded, then the id itself */
	p = designator(p, CODE_SET_ASCII, DESG_T10_VENDOR,
		       T10_VENDOR_LEN + id_len);
	memset(p, ' ', T10_VENDOR_LEN);
	memcpy(p, vendor, vlen);
	memcpy(p + T10_VENDOR_LEN, id, id_len);
	p += T10_VENDOR_LEN + id_len;
	return (size_t)(p - out);
}
