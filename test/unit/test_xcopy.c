// SPDX-License-Identifier: GPL-2.0-only
/*
 * Unit tests of EXTENDED COPY's parameter list and RECEIVE COPY RESULTS'
 * answers as bytes.
 */
#include <string.h>

#include "bs_rbd_xcopy.h"
#include "unit.h"

static const uint8_t naa[8] = { 0x35, 1, 2, 3, 4, 5, 6, 7 };

/* A list: header, n_cscd identification descriptors naming naa, n_seg
 * block to block segments of 2048 blocks, 0 -> 4096 */
static size_t build(uint8_t *p, unsigned int n_cscd, unsigned int n_seg)
{
	size_t off = 16;
	unsigned int i;

	memset(p, 0, 16 + n_cscd * 32 + n_seg * 28);
	p[0] = 1;
	p[2] = (uint8_t)(n_cscd * 32 >> 8);
	p[3] = (uint8_t)(n_cscd * 32);
	p[10] = (uint8_t)(n_seg * 28 >> 8);
	p[11] = (uint8_t)(n_seg * 28);
	for (i = 0; i < n_cscd; i++, off += 32) {
		p[off] = 0xe4;
		p[off + 4] = 0x01; /* binary */
		p[off + 5] = 0x03; /* LU, NAA */
		p[off + 7] = 8;
		memcpy(p + off + 8, naa, 8);
		p[off + 30] = 0x02; /* 512 */
	}
	for (i = 0; i < n_seg; i++, off += 28) {
		p[off] = 0x02;
		p[off + 3] = 0x18;
		p[off + 10] = 0x08; /* 2048 blocks */
		p[off + 26] = 0x10; /* to LBA 4096 */
	}
	return off;
}

static int parse_err(const uint8_t *p, size_t len, uint8_t key, uint16_t asc)
{
	struct bs_rbd_xcopy_list l;
	struct bs_rbd_sense e = { 0, 0 };

	return bs_rbd_xcopy_parse(p, len, &l, &e) == -1 && e.key == key &&
	       e.asc == asc;
}

static void simple(void)
{
	static uint8_t p[BS_RBD_XCOPY_MAX_PARAM];
	struct bs_rbd_xcopy_list l;
	struct bs_rbd_sense e;
	size_t n = build(p, 1, 1);

	p[1] = 0x10; /* LIST ID USAGE 10b */
	CHECK(n == 76);
	CHECK(bs_rbd_xcopy_parse(p, n, &l, &e) == 0);
	CHECK(l.list_id == 1 && l.usage == BS_RBD_XCOPY_NO_HOLD);
	CHECK(l.nr_cscd == 1 && l.nr_segs == 1);
	CHECK(l.cscd[0].code_set == 1 && l.cscd[0].desig_type == 3);
	CHECK(l.cscd[0].desig_len == 8 && !memcmp(l.cscd[0].desig, naa, 8));
	CHECK(l.cscd[0].block_len == 512);
	CHECK(l.segs[0].src == 0 && l.segs[0].dst == 0 && !l.segs[0].dc);
	CHECK(l.segs[0].blocks == 2048 && l.segs[0].src_lba == 0);
	CHECK(l.segs[0].dst_lba == 4096);
}

/* libiscsi's ParamHdr and DescrLimits: truncated or too long lists */
static void lengths(void)
{
	static uint8_t p[4096];
	size_t n = build(p, 1, 1);

	CHECK(parse_err(p, n - 29, 0x05, BS_RBD_ASC_PARAM_LIST_LENGTH));
	CHECK(parse_err(p, n - 1, 0x05, BS_RBD_ASC_PARAM_LIST_LENGTH));
	CHECK(parse_err(p, 15, 0x05, BS_RBD_ASC_PARAM_LIST_LENGTH));
	n = build(p, BS_RBD_XCOPY_MAX_CSCD + 1, 1);
	CHECK(parse_err(p, n, 0x05, BS_RBD_ASC_TOO_MANY_CSCD));
	n = build(p, 1, BS_RBD_XCOPY_MAX_SEGS + 1);
	CHECK(parse_err(p, n, 0x05, BS_RBD_ASC_TOO_MANY_SEGS));
	/* longer than the descriptor list may be: that first */
	n = build(p, BS_RBD_XCOPY_MAX_CSCD + 1, BS_RBD_XCOPY_MAX_SEGS + 10);
	CHECK(parse_err(p, n, 0x05, BS_RBD_ASC_PARAM_LIST_LENGTH));
	/* a CSCD list that is not whole descriptors */
	n = build(p, 2, 0);
	p[3] = 40;
	CHECK(parse_err(p, n, 0x05, BS_RBD_ASC_PARAM_LIST_LENGTH));
	/* inline data, which we do not take */
	n = build(p, 1, 1);
	p[15] = 4;
	CHECK(parse_err(p, n + 4, 0x05, BS_RBD_ASC_INVALID_FIELD_PARAM));
}

/* libiscsi's DescrType and ValidTgtDescr, and list id usage */
static void types(void)
{
	static uint8_t p[256];
	size_t n = build(p, 1, 1);

	p[16] = 0xe0;
	CHECK(parse_err(p, n, 0x05, BS_RBD_ASC_UNSUPPORTED_CSCD_TYPE));
	build(p, 1, 1);
	p[48] = 0x03;
	CHECK(parse_err(p, n, 0x05, BS_RBD_ASC_UNSUPPORTED_SEG_TYPE));
	build(p, 1, 1);
	p[17] = 0x80; /* LU ID TYPE 10b */
	CHECK(parse_err(p, n, 0x05, BS_RBD_ASC_INVALID_FIELD_PARAM));
	p[17] = 0x20; /* NUL */
	CHECK(parse_err(p, n, BS_RBD_KEY_COPY_ABORTED,
			BS_RBD_ASC_COPY_TARGET_UNREACHABLE));
	p[17] = 0;
	p[23] = 21; /* designator longer than the descriptor holds */
	CHECK(parse_err(p, n, 0x05, BS_RBD_ASC_INVALID_FIELD_PARAM));
	build(p, 1, 1);
	p[51] = 0x14; /* segment DESCRIPTOR LENGTH */
	CHECK(parse_err(p, n, 0x05, BS_RBD_ASC_INVALID_FIELD_PARAM));
	build(p, 1, 1);
	p[1] = 0x08; /* LIST ID USAGE 01b: reserved */
	CHECK(parse_err(p, n, 0x05, BS_RBD_ASC_INVALID_FIELD_PARAM));
	p[1] = 0x18; /* no list id, but one given */
	CHECK(parse_err(p, n, 0x05, BS_RBD_ASC_INVALID_FIELD_PARAM));
}

/* libiscsi's ValidSegDescr: a CSCD index past the list */
static void bad_index(void)
{
	static uint8_t p[256];
	struct bs_rbd_xcopy_list l;
	struct bs_rbd_sense e;
	size_t n = build(p, 1, 1);

	p[55] = 1; /* destination index 1 */
	CHECK(parse_err(p, n, BS_RBD_KEY_COPY_ABORTED,
			BS_RBD_ASC_COPY_TARGET_UNREACHABLE));
	n = build(p, 2, 1);
	p[16 + 64 + 7] = 1;
	CHECK(bs_rbd_xcopy_parse(p, n, &l, &e) == 0 && l.segs[0].dst == 1);
}

static void t10(struct bs_rbd_xcopy_cscd *c)
{
	memset(c, 0, sizeof(*c));
	c->code_set = 2;
	c->desig_type = 1;
	c->desig_len = 12;
	memcpy(c->desig, "IET     abcd", 12);
}

/* A LU's page 0x83: NAA (LU), T10 vendor id (LU), relative port */
static void matches(void)
{
	static const uint8_t page[] = {
		0x01, 0x03, 0,	 8,   0x35, 1,	  2,   3,   4,	 5,   6,   7,
		0x02, 0x01, 0,	 12,  'I',  'E',  'T', ' ', ' ', ' ', ' ', ' ',
		'a',  'b',  'c', 'd', 0x61, 0x94, 0,   4,   0,	 0,   0,   2
	};
	struct bs_rbd_xcopy_cscd c = { 1, 3, 8, { 0 }, 512 };

	memcpy(c.desig, naa, 8);
	CHECK(bs_rbd_xcopy_cscd_matches(&c, page, sizeof(page)));
	c.desig[7] = 8;
	CHECK(!bs_rbd_xcopy_cscd_matches(&c, page, sizeof(page)));
	/* the T10 one names the LU too */
	t10(&c);
	CHECK(bs_rbd_xcopy_cscd_matches(&c, page, sizeof(page)));
	/* a port is no LU */
	memset(&c, 0, sizeof(c));
	c.code_set = 1;
	c.desig_type = 0x14;
	c.desig_len = 4;
	c.desig[3] = 2;
	CHECK(!bs_rbd_xcopy_cscd_matches(&c, page, sizeof(page)));
	/* a page cut short is never read past */
	t10(&c);
	CHECK(!bs_rbd_xcopy_cscd_matches(&c, page, 20));
}

static void answers(void)
{
	struct bs_rbd_xcopy_status st = { BS_RBD_XCOPY_GOOD, 3, 1 << 20 };
	uint8_t b[64];

	CHECK(bs_rbd_xcopy_copy_status(&st, b, sizeof(b)) == 12);
	CHECK(b[3] == 8 && b[4] == 1 && b[6] == 3 && b[7] == 0);
	CHECK(b[9] == 0x10 && b[10] == 0 && b[11] == 0);
	st.bytes_done = 8ULL << 30;
	bs_rbd_xcopy_copy_status(&st, b, sizeof(b));
	CHECK(b[7] == 0xf1 && b[8] == 0 && b[9] == 0x80 && b[10] == 0);
	CHECK(bs_rbd_xcopy_op_params(9, b, sizeof(b)) == 46);
	CHECK(b[3] == 42 && b[9] == BS_RBD_XCOPY_MAX_CSCD);
	CHECK(b[11] == BS_RBD_XCOPY_MAX_SEGS && b[37] == 9);
	CHECK(b[43] == 2 && b[44] == 0x02 && b[45] == 0xe4);
	/* a short allocation gets the first bytes */
	memset(b, 0xff, sizeof(b));
	CHECK(bs_rbd_xcopy_op_params(12, b, 4) == 46 && b[3] == 42);
	CHECK(b[4] == 0xff);
	CHECK(bs_rbd_xcopy_vpd8f(b, sizeof(b)) == 52);
	CHECK(b[1] == 1 && b[3] == 8 && b[5] == 0x83 && b[13] == 4);
	CHECK(b[45] == 8 && b[49] == 0x02 && b[50] == 0xe4);
}

int main(void)
{
	RUN(simple);
	RUN(lengths);
	RUN(types);
	RUN(bad_index);
	RUN(matches);
	RUN(answers);
	return unit_report("unit/xcopy");
}
