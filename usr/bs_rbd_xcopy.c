// SPDX-License-Identifier: GPL-2.0-only
/*
 * bs_rbd: EXTENDED COPY (LID1) as bytes (bs_rbd_xcopy.h).
 *
 * The order of the checks is what initiators and libiscsi's tests see:
 * the list's lengths first (PARAMETER LIST LENGTH ERROR), then each
 * descriptor's count and type code before anything type-specific, and
 * what names a device that cannot be used (a CSCD index past the list,
 * a null device) as COPY ABORTED, COPY TARGET DEVICE NOT REACHABLE.
 */
#include <string.h>

#include "bs_rbd_xcopy.h"

#define CSCD_IDENT 0xe4
#define SEG_BLOCK_TO_BLOCK 0x02
#define SEG_B2B_DESC_LEN 0x18 /* DESCRIPTOR LENGTH: bytes after byte 3 */

static uint32_t be16(const uint8_t *p)
{
	return (uint32_t)p[0] << 8 | p[1];
}

static uint32_t be24(const uint8_t *p)
{
	return (uint32_t)p[0] << 16 | be16(p + 1);
}

static uint32_t be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | be24(p + 1);
}

static uint64_t be64(const uint8_t *p)
{
	return (uint64_t)be32(p) << 32 | be32(p + 4);
}

static void put16(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static void put32(uint8_t *p, uint32_t v)
{
	put16(p, v >> 16);
	put16(p + 2, v);
}

static int fail(struct bs_rbd_sense *err, uint8_t key, uint16_t asc)
{
	err->key = key;
	err->asc = asc;
	return -1;
}

static int bad_param(struct bs_rbd_sense *err, uint16_t asc)
{
	return fail(err, 0x05, asc); /* ILLEGAL REQUEST */
}

static int unreachable(struct bs_rbd_sense *err)
{
	return fail(err, BS_RBD_KEY_COPY_ABORTED,
		    BS_RBD_ASC_COPY_TARGET_UNREACHABLE);
}

/* One identification descriptor, 32 bytes at d. */
static int parse_cscd(const uint8_t *d, struct bs_rbd_xcopy_cscd *c,
		      struct bs_rbd_sense *err)
{
	/* LU ID TYPE 00b: the designator names the LU; no proxy tokens */
	if (d[1] & 0xc0)
		return bad_param(err, BS_RBD_ASC_INVALID_FIELD_PARAM);
	/* a null device, or one that is not a block device: none of ours */
	if (d[1] & 0x3f)
		return unreachable(err);
	if (d[7] > BS_RBD_XCOPY_DESIG_MAX)
		return bad_param(err, BS_RBD_ASC_INVALID_FIELD_PARAM);
	memset(c, 0, sizeof(*c));
	c->code_set = d[4] & 0x0f;
	c->desig_type = d[5] & 0x3f;
	c->desig_len = d[7];
	memcpy(c->desig, d + 8, c->desig_len);
	c->block_len = be24(d + 29);
	return 0;
}

static int parse_cscds(const uint8_t *p, uint32_t len,
		       struct bs_rbd_xcopy_list *l, struct bs_rbd_sense *err)
{
	uint32_t off;

	for (off = 0; off < len; off += BS_RBD_XCOPY_CSCD_LEN) {
		if (l->nr_cscd == BS_RBD_XCOPY_MAX_CSCD)
			return bad_param(err, BS_RBD_ASC_TOO_MANY_CSCD);
		if (p[off] != CSCD_IDENT)
			return bad_param(err, BS_RBD_ASC_UNSUPPORTED_CSCD_TYPE);
		if (len - off < BS_RBD_XCOPY_CSCD_LEN)
			return bad_param(err, BS_RBD_ASC_PARAM_LIST_LENGTH);
		if (parse_cscd(p + off, &l->cscd[l->nr_cscd], err))
			return -1;
		l->nr_cscd++;
	}
	return 0;
}

/* One block to block segment descriptor, 28 bytes at d. */
static int parse_seg(const uint8_t *d, const struct bs_rbd_xcopy_list *l,
		     struct bs_rbd_xcopy_seg *s, struct bs_rbd_sense *err)
{
	if (be16(d + 2) != SEG_B2B_DESC_LEN)
		return bad_param(err, BS_RBD_ASC_INVALID_FIELD_PARAM);
	s->src = (uint16_t)be16(d + 4);
	s->dst = (uint16_t)be16(d + 6);
	if (s->src >= l->nr_cscd || s->dst >= l->nr_cscd)
		return unreachable(err);
	s->dc = (d[1] >> 1) & 1;
	s->blocks = (uint16_t)be16(d + 10);
	s->src_lba = be64(d + 12);
	s->dst_lba = be64(d + 20);
	return 0;
}

static int parse_segs(const uint8_t *p, uint32_t len,
		      struct bs_rbd_xcopy_list *l, struct bs_rbd_sense *err)
{
	uint32_t off;

	for (off = 0; off < len; off += BS_RBD_XCOPY_SEG_LEN) {
		if (l->nr_segs == BS_RBD_XCOPY_MAX_SEGS)
			return bad_param(err, BS_RBD_ASC_TOO_MANY_SEGS);
		if (p[off] != SEG_BLOCK_TO_BLOCK)
			return bad_param(err, BS_RBD_ASC_UNSUPPORTED_SEG_TYPE);
		if (len - off < BS_RBD_XCOPY_SEG_LEN)
			return bad_param(err, BS_RBD_ASC_PARAM_LIST_LENGTH);
		if (parse_seg(p + off, l, &l->segs[l->nr_segs], err))
			return -1;
		l->nr_segs++;
	}
	return 0;
}

/* The header: how the list is used and where its parts are. */
static int parse_header(const uint8_t *p, size_t len,
			struct bs_rbd_xcopy_list *l, struct bs_rbd_sense *err)
{
	uint64_t tdl, sdl, inl;

	if (len < BS_RBD_XCOPY_HDR_LEN)
		return bad_param(err, BS_RBD_ASC_PARAM_LIST_LENGTH);
	l->list_id = p[0];
	l->usage = (p[1] >> 3) & 3;
	if (l->usage == 1 || (l->usage == BS_RBD_XCOPY_NO_ID && l->list_id))
		return bad_param(err, BS_RBD_ASC_INVALID_FIELD_PARAM);
	tdl = be16(p + 2);
	sdl = be32(p + 8);
	inl = be32(p + 12);
	if (BS_RBD_XCOPY_HDR_LEN + tdl + sdl + inl > len ||
	    tdl + sdl > BS_RBD_XCOPY_MAX_DESC_LIST)
		return bad_param(err, BS_RBD_ASC_PARAM_LIST_LENGTH);
	if (inl) /* no segment of ours uses inline data */
		return bad_param(err, BS_RBD_ASC_INVALID_FIELD_PARAM);
	return 0;
}

int bs_rbd_xcopy_parse(const uint8_t *p, size_t len,
		       struct bs_rbd_xcopy_list *l, struct bs_rbd_sense *err)
{
	uint32_t tdl;

	memset(l, 0, sizeof(*l));
	if (parse_header(p, len, l, err))
		return -1;
	tdl = be16(p + 2);
	if (parse_cscds(p + BS_RBD_XCOPY_HDR_LEN, tdl, l, err))
		return -1;
	return parse_segs(p + BS_RBD_XCOPY_HDR_LEN + tdl, be32(p + 8), l, err);
}

int bs_rbd_xcopy_cscd_matches(const struct bs_rbd_xcopy_cscd *c,
			      const uint8_t *d, size_t len)
{
	size_t off, n;

	if (!c->desig_len || c->desig_type & 0x30)
		return 0; /* only logical-unit designators name a LU */
	for (off = 0; off + 4 <= len; off += 4 + n) {
		n = d[off + 3];
		if (off + 4 + n > len)
			return 0;
		if ((d[off] & 0x0f) == c->code_set &&
		    (d[off + 1] & 0x3f) == c->desig_type && n == c->desig_len &&
		    !memcmp(d + off + 4, c->desig, n))
			return 1;
	}
	return 0;
}

size_t bs_rbd_xcopy_copy_status(const struct bs_rbd_xcopy_status *st,
				uint8_t *buf, size_t len)
{
	uint8_t d[12] = { 0 };
	uint64_t count = st->bytes_done;
	uint8_t units = 0x00; /* bytes */

	if (count > UINT32_MAX) {
		count >>= 10;
		units = 0xf1; /* KiB */
	}
	put32(d, sizeof(d) - 4);
	d[4] = st->state;
	put16(d + 5, st->segs_done);
	d[7] = units;
	put32(d + 8, (uint32_t)count);
	memset(buf, 0, len);
	memcpy(buf, d, len < sizeof(d) ? len : sizeof(d));
	return sizeof(d);
}

/* The descriptor type codes we implement, segments first */
static const uint8_t implemented[] = { SEG_BLOCK_TO_BLOCK, CSCD_IDENT };

size_t bs_rbd_xcopy_op_params(unsigned int blk_shift, uint8_t *buf, size_t len)
{
	uint8_t d[44 + sizeof(implemented)] = { 0 };

	put32(d, sizeof(d) - 4);
	d[4] = 0x01; /* SNLID: LIST ID USAGE 11b is supported */
	put16(d + 8, BS_RBD_XCOPY_MAX_CSCD);
	put16(d + 10, BS_RBD_XCOPY_MAX_SEGS);
	put32(d + 12, BS_RBD_XCOPY_MAX_DESC_LIST);
	put32(d + 16, BS_RBD_XCOPY_MAX_SEG_BYTES);
	/* no inline data, no held data, no stream devices */
	put16(d + 34, BS_RBD_XCOPY_MAX_COPIES);
	d[36] = BS_RBD_XCOPY_MAX_COPIES;
	d[37] = (uint8_t)blk_shift;
	d[43] = sizeof(implemented);
	memcpy(d + 44, implemented, sizeof(implemented));
	memset(buf, 0, len);
	memcpy(buf, d, len < sizeof(d) ? len : sizeof(d));
	return sizeof(d);
}

/* Third-party copy descriptors: type, length, body padded to 4 bytes */
static const uint8_t vpd8f[] = {
	/* Supported Commands: EXTENDED COPY (LID1), RECEIVE COPY RESULTS
	 * COPY STATUS and OPERATING PARAMETERS */
	0x00, 0x01, 0x00, 0x08, 0x07, 0x83, 0x01, 0x00, 0x84, 0x02, 0x00, 0x03,
	/* Parameter Data: CSCD and segment descriptors, list, inline */
	0x00, 0x04, 0x00, 0x1c, 0, 0, 0, 0, BS_RBD_XCOPY_MAX_CSCD >> 8,
	BS_RBD_XCOPY_MAX_CSCD & 0xff, BS_RBD_XCOPY_MAX_SEGS >> 8,
	BS_RBD_XCOPY_MAX_SEGS & 0xff, (BS_RBD_XCOPY_MAX_DESC_LIST >> 24) & 0xff,
	(BS_RBD_XCOPY_MAX_DESC_LIST >> 16) & 0xff,
	(BS_RBD_XCOPY_MAX_DESC_LIST >> 8) & 0xff,
	BS_RBD_XCOPY_MAX_DESC_LIST & 0xff, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	0, 0, 0, 0,
	/* Supported Descriptors */
	0x00, 0x08, 0x00, 0x04, 0x02, SEG_BLOCK_TO_BLOCK, CSCD_IDENT, 0x00
};

_Static_assert(sizeof(vpd8f) == BS_RBD_XCOPY_VPD8F_LEN, "VPD 0x8F length");

size_t bs_rbd_xcopy_vpd8f(uint8_t *buf, size_t len)
{
	memset(buf, 0, len);
	memcpy(buf, vpd8f, len < sizeof(vpd8f) ? len : sizeof(vpd8f));
	return sizeof(vpd8f);
}
