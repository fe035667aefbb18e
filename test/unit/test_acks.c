// SPDX-License-Identifier: GPL-2.0-only
/*
 * Unit tests of the reading of a RADOS notify's reply: who answered.
 */
#include <errno.h>
#include <string.h>

#include "bs_rbd_acks.h"
#include "unit.h"

static unsigned char buf[256];
static size_t len;

static void le(uint64_t v, unsigned int bytes)
{
	while (bytes--) {
		buf[len++] = v & 0xff;
		v >>= 8;
	}
}

/* acks: gid 4100 cookie 7 (payload "hi") and gid 4200 cookie 9 (none);
 * timeouts: gid 4300 cookie 11 */
static void reply(void)
{
	len = 0;
	le(2, 4);
	le(4100, 8), le(7, 8), le(2, 4);
	buf[len++] = 'h', buf[len++] = 'i';
	le(4200, 8), le(9, 8), le(0, 4);
	le(1, 4);
	le(4300, 8), le(11, 8);
}

static void who_answered(void)
{
	reply();
	CHECK(bs_rbd_acks_answered(buf, len, 4100, 7) == 1);
	CHECK(bs_rbd_acks_answered(buf, len, 4200, 9) == 1);
	/* another watch of the same client did not */
	CHECK(bs_rbd_acks_answered(buf, len, 4100, 8) == 0);
	CHECK(bs_rbd_acks_answered(buf, len, 4300, 11) == 0);
	CHECK(bs_rbd_acks_answered(buf, len, 1, 1) == 0);
}

static void nobody(void)
{
	len = 0;
	le(0, 4), le(0, 4);
	CHECK(bs_rbd_acks_answered(buf, len, 4100, 7) == 0);
}

/* every truncation, a byte too many, and lengths past the end */
static void malformed(void)
{
	size_t whole, i;

	reply();
	whole = len;
	for (i = 0; i < whole; i++)
		CHECK(bs_rbd_acks_answered(buf, i, 4100, 7) == -EINVAL);
	CHECK(bs_rbd_acks_answered(buf, whole + 1, 4100, 7) == -EINVAL);
	CHECK(bs_rbd_acks_answered(NULL, 8, 4100, 7) == -EINVAL);
	/* the first payload claims 4 GiB */
	memset(buf + 4 + 16, 0xff, 4);
	CHECK(bs_rbd_acks_answered(buf, whole, 4100, 7) == -EINVAL);
	/* 4 billion acks in a short reply: refused, not looped over */
	reply();
	memset(buf, 0xff, 4);
	CHECK(bs_rbd_acks_answered(buf, whole, 4100, 7) == -EINVAL);
}

/* who did not answer: each client once, within the room given */
static void silent(void)
{
	uint64_t gids[4];

	reply();
	CHECK(bs_rbd_acks_silent(buf, len, gids, 4) == 1 && gids[0] == 4300);
	/* the same client's second watch, and another client */
	le(4300, 8), le(12, 8);
	le(4400, 8), le(1, 8);
	buf[len - 36 - 16] = 3; /* the count of timeouts: 3 */
	CHECK(bs_rbd_acks_silent(buf, len, gids, 4) == 2 && gids[0] == 4300 &&
	      gids[1] == 4400);
	CHECK(bs_rbd_acks_silent(buf, len, gids, 1) == 1);
	CHECK(bs_rbd_acks_silent(buf, len - 1, gids, 4) == -EINVAL);
	nobody();
	CHECK(bs_rbd_acks_silent(buf, len, gids, 4) == 0);
}

int main(void)
{
	RUN(who_answered);
	RUN(nobody);
	RUN(malformed);
	RUN(silent);
	return unit_report("unit/acks");
}
