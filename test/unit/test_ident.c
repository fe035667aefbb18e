// SPDX-License-Identifier: GPL-2.0-only
/*
 * Unit tests of the image-derived SCSI identity.
 */
#include <stdio.h>
#include <string.h>

#include "bs_rbd_ident.h"
#include "unit.h"

static void hex(const uint8_t *p, size_t n, char *out)
{
	size_t i;

	for (i = 0; i < n; i++)
		snprintf(out + 2 * i, 3, "%02x", p[i]);
}

static int fnv_is(const char *s, const char *want)
{
	uint8_t h[16];
	char got[33];

	bs_rbd_fnv1a128(s, strlen(s), h);
	hex(h, 16, got);
	return !strcmp(got, want);
}

/* FNV-1a 128's offset basis, and its test vector for "a" */
static void fnv_known_answers(void)
{
	CHECK(fnv_is("", "6c62272e07bb014262b821756295c58d"));
	CHECK(fnv_is("a", "d228cb696f1a8caf78912b704e4a8964"));
	CHECK(fnv_is("foobar", "343e1662793c64bf6f0d3597ba446f18"));
}

static const struct bs_rbd_ident_src base = {
	"6b8a3f0e-1c2d-4e5f-8a9b-0c1d2e3f4a5b", 2, "", "10226b8b4567", 0,
};

static void make(const struct bs_rbd_ident_src *s, char *out)
{
	bs_rbd_ident_make(s, out);
}

/* The same image is the same device, wherever and whenever it is opened */
static void stable(void)
{
	char a[BS_RBD_IDENT_LEN], b[BS_RBD_IDENT_LEN];
	struct bs_rbd_ident_src copy = base;

	make(&base, a);
	make(&copy, b);
	CHECK_STR(a, b);
	CHECK(strlen(a) == 32);
	CHECK(strspn(a, "0123456789abcdef") == 32);
}

/* Any other image, pool, namespace, cluster, or a snapshot, is not. */
static void each_field_counts(void)
{
	char a[BS_RBD_IDENT_LEN], b[BS_RBD_IDENT_LEN];
	struct bs_rbd_ident_src s;

	make(&base, a);
	s = base;
	s.fsid = "6b8a3f0e-1c2d-4e5f-8a9b-0c1d2e3f4a5c";
	make(&s, b);
	CHECK(strcmp(a, b));
	s = base;
	s.pool_id = 3;
	make(&s, b);
	CHECK(strcmp(a, b));
	s = base;
	s.ns = "ns1";
	make(&s, b);
	CHECK(strcmp(a, b));
	s = base;
	s.image_id = "10226b8b4568";
	make(&s, b);
	CHECK(strcmp(a, b));
	s = base;
	s.snap_id = 4;
	make(&s, b);
	CHECK(strcmp(a, b));
}

/* Fields cannot run into each other: "ns"+"1img" is not "ns1"+"img" */
static void no_field_ambiguity(void)
{
	char a[BS_RBD_IDENT_LEN], b[BS_RBD_IDENT_LEN];
	struct bs_rbd_ident_src s = base, t = base;

	s.ns = "ns";
	s.image_id = "1img";
	t.ns = "ns1";
	t.image_id = "img";
	make(&s, a);
	make(&t, b);
	CHECK(strcmp(a, b));
}

/* SPC-4 7.8.6: NAA first (binary, type 3, 8 bytes, NAA 3), then T10 */
static void vpd83_layout(void)
{
	uint8_t page[BS_RBD_VPD83_MAX], other[BS_RBD_VPD83_MAX];
	const char *id = "0123456789abcdef0123456789abcdef";
	size_t n = bs_rbd_ident_vpd83(id, "IET", page, sizeof(page));

	CHECK(n == 4 + 8 + 4 + 8 + 32);
	CHECK(page[0] == 0x01 && page[1] == 0x03 && page[3] == 8);
	CHECK(page[4] >> 4 == 3);
	CHECK(page[12] == 0x02 && page[13] == 0x01 && page[15] == 40);
	CHECK(!memcmp(page + 16, "IET     ", 8));
	CHECK(!memcmp(page + 24, id, 32));
	/* another id, another NAA; the same id, the same page */
	CHECK(bs_rbd_ident_vpd83("0123456789abcdef0123456789abcdee", "IET",
				 other, sizeof(other)) == n);
	CHECK(memcmp(page + 4, other + 4, 8));
	CHECK(bs_rbd_ident_vpd83(id, "IET", other, sizeof(other)) == n);
	CHECK(!memcmp(page, other, n));
}

/* An administrator's long scsi_id is cut to what the designator holds */
static void vpd83_long_id(void)
{
	uint8_t page[BS_RBD_VPD83_MAX];
	char id[100];
	size_t n;

	memset(id, 'x', sizeof(id) - 1);
	id[sizeof(id) - 1] = 0;
	n = bs_rbd_ident_vpd83(id, "LONGVENDORNAME", page, sizeof(page));
	CHECK(n == BS_RBD_VPD83_MAX);
	CHECK(page[15] == 64);
	CHECK(!memcmp(page + 16, "LONGVEND", 8));
	CHECK(bs_rbd_ident_vpd83(id, "v", page, BS_RBD_VPD83_MAX - 1) == 0);
}

int main(void)
{
	RUN(fnv_known_answers);
	RUN(stable);
	RUN(each_field_counts);
	RUN(no_field_ambiguity);
	RUN(vpd83_layout);
	RUN(vpd83_long_id);
	return unit_report("unit/ident");
}
