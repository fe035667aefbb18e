// SPDX-License-Identifier: GPL-2.0-only
/*
 * Unit tests of the events between an image's gateways, as text.
 */
#include <errno.h>
#include <string.h>

#include "bs_rbd_event.h"
#include "unit.h"

#define IDENT "0123456789abcdef0123456789abcdef"
#define MSG "bs_rbd1 reset 00000000deadbeef " IDENT

static void round_trip(void)
{
	struct bs_rbd_event ev = { BS_RBD_EVENT_RESET, 0xdeadbeef, IDENT }, got;
	char buf[BS_RBD_EVENT_MAX];

	CHECK(bs_rbd_event_format(&ev, buf, sizeof(buf)) == strlen(MSG));
	CHECK_STR(buf, MSG);
	memset(&got, 0x55, sizeof(got));
	CHECK(bs_rbd_event_parse(buf, strlen(buf), &got) == 0);
	CHECK(got.kind == BS_RBD_EVENT_RESET);
	CHECK(got.from == 0xdeadbeef);
	CHECK_STR(got.ident, IDENT);
	ev.from = ~0ULL;
	ev.kind = BS_RBD_EVENT_LOOK;
	CHECK(bs_rbd_event_format(&ev, buf, sizeof(buf)) > 0);
	CHECK_STR(buf, "bs_rbd1 look ffffffffffffffff " IDENT);
	CHECK(bs_rbd_event_parse(buf, strlen(buf), &got) == 0 &&
	      got.from == ~0ULL && got.kind == BS_RBD_EVENT_LOOK);
	/* every kind fits in BS_RBD_EVENT_MAX */
	ev.kind = BS_RBD_EVENT_PR_LOOK;
	CHECK(bs_rbd_event_format(&ev, buf, sizeof(buf)) > 0);
	CHECK_STR(buf, "bs_rbd1 held ffffffffffffffff " IDENT);
	CHECK(bs_rbd_event_parse(buf, strlen(buf), &got) == 0 &&
	      got.kind == BS_RBD_EVENT_PR_LOOK);
	ev.kind = BS_RBD_EVENT_PR;
	CHECK(bs_rbd_event_format(&ev, buf, sizeof(buf)) > 0);
	CHECK(bs_rbd_event_parse(buf, strlen(buf), &got) == 0 &&
	      got.kind == BS_RBD_EVENT_PR);
}

/* what cannot be sent is not: an unknown kind, a bad identity, no room */
static void format_refuses(void)
{
	struct bs_rbd_event ev = { BS_RBD_EVENT_RESET, 1, IDENT };
	char buf[BS_RBD_EVENT_MAX];

	CHECK(bs_rbd_event_format(&ev, buf, strlen(MSG)) == 0);
	ev.kind = (enum bs_rbd_event_kind)7;
	CHECK(bs_rbd_event_format(&ev, buf, sizeof(buf)) == 0);
	ev.kind = (enum bs_rbd_event_kind)0;
	CHECK(bs_rbd_event_format(&ev, buf, sizeof(buf)) == 0);
	ev.kind = BS_RBD_EVENT_RESET;
	strcpy(ev.ident, "0123456789ABCDEF0123456789abcdef");
	CHECK(bs_rbd_event_format(&ev, buf, sizeof(buf)) == 0);
	strcpy(ev.ident, "0123");
	CHECK(bs_rbd_event_format(&ev, buf, sizeof(buf)) == 0);
}

static int parses(const char *msg, size_t len)
{
	struct bs_rbd_event ev;

	return bs_rbd_event_parse(msg, len, &ev) == 0;
}

static void parse_refuses(void)
{
	char buf[BS_RBD_EVENT_MAX + 8];
	size_t i;

	/* every truncation, and a byte too many */
	for (i = 0; i < strlen(MSG); i++)
		CHECK(!parses(MSG, i));
	snprintf(buf, sizeof(buf), "%s0", MSG);
	CHECK(!parses(buf, strlen(buf)));
	CHECK(!parses(NULL, 10));
	/* one byte changed anywhere: a digit out of range, a space gone */
	for (i = 0; i < strlen(MSG); i++) {
		strcpy(buf, MSG);
		buf[i] = buf[i] == ' ' ? '_' : 'G';
		CHECK(!parses(buf, strlen(MSG)));
	}
	CHECK(!parses("bs_rbd1 resets 00000000deadbeef " IDENT,
		      strlen(MSG) + 1));
	CHECK(!parses("bs_rbd2 reset 00000000deadbeef " IDENT, strlen(MSG)));
	/* as `rados notify` frames it: its length first */
	memcpy(buf, "\x3f\x00\x00\x00", 4);
	memcpy(buf + 4, MSG, strlen(MSG));
	CHECK(strlen(MSG) == 0x3f && parses(buf, 4 + strlen(MSG)));
	buf[0] = 0x3e;
	CHECK(!parses(buf, 4 + strlen(MSG)));
	/* a NUL inside is not the end */
	strcpy(buf, MSG);
	buf[20] = 0;
	CHECK(!parses(buf, strlen(MSG)));
}

int main(void)
{
	RUN(round_trip);
	RUN(format_refuses);
	RUN(parse_refuses);
	return unit_report("unit/event");
}
