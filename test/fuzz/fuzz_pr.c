// SPDX-License-Identifier: GPL-2.0-only
/*
 * libFuzzer harness for the persistent reservations engine (bs_rbd_pr.c),
 * three ways on the same bytes:
 * - as an encoded state, also copied to an odd address in a buffer of
 *   exactly its size (ASan sees any read past the end): decoded the same
 *   way, and a state that decodes encodes back to exactly those bytes;
 * - as an iSCSI TransportID: a parsed one lies inside the input, and
 *   formats to one that parses back to the same port and format;
 * - as a script of PERSISTENT RESERVE OUT commands (and RESERVE(6),
 *   RELEASE(6) and drops of the SPC-2 reservation) from a few nexuses: a
 *   status is GOOD, CHECK CONDITION or RESERVATION CONFLICT; anything but
 *   GOOD, or GOOD with nothing changed, leaves the bytes of the state as
 *   they were; PRgeneration moves by 1 exactly when it should; the state
 *   stays valid (encodes, decodes back) and PR IN writes no further than
 *   its allocation length.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "bs_rbd_pr.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define STEP 6
#define NR_NEXUS 8

static struct bs_rbd_pr_state st, st2;
static struct bs_rbd_pr_effects fx;
static struct bs_rbd_pr_nexus nexus[NR_NEXUS];
static uint8_t before[BS_RBD_PR_ENCODED_MAX], after[BS_RBD_PR_ENCODED_MAX],
	again[BS_RBD_PR_ENCODED_MAX];

static void check_decode(const uint8_t *data, size_t size)
{
	uint8_t *copy = malloc(size + 1);
	int a, b;

	if (!copy)
		return;
	memcpy(copy + 1, data, size);
	a = bs_rbd_pr_decode(size ? data : NULL, size, &st);
	b = bs_rbd_pr_decode(copy + 1, size, &st2);
	free(copy);
	if (a != b)
		abort();
	if (a)
		return;
	if (bs_rbd_pr_encode(&st, before, sizeof(before)) != size ||
	    memcmp(before, data, size))
		abort();
}

/* A unit attention list decodes, and re-encodes to the same bytes. */
static void check_ua(const uint8_t *data, size_t size)
{
	static uint8_t out[BS_RBD_PR_UA_ENCODED_MAX];
	int n = bs_rbd_pr_ua_decode(size ? data : NULL, size, fx.ua,
				    BS_RBD_PR_MAX_REGS);

	if (n < 0)
		return;
	if (bs_rbd_pr_ua_encode(fx.ua, n, out, sizeof(out)) != size ||
	    memcmp(out, data, size))
		abort();
}

static void check_tid(const uint8_t *data, size_t size)
{
	char port[BS_RBD_PR_PORT_MAX], port2[BS_RBD_PR_PORT_MAX];
	uint8_t tid[BS_RBD_PR_TID_MAX];
	int n, format, format2;
	size_t m;

	n = bs_rbd_pr_tid_parse(size ? data : NULL, size, port, &format);
	if (n < 0)
		return;
	if ((size_t)n > size || n % 4)
		abort();
	m = bs_rbd_pr_tid_format(port, tid, sizeof(tid));
	if (!m || m > (size_t)n ||
	    bs_rbd_pr_tid_parse(tid, m, port2, &format2) != (int)m ||
	    format2 != format || strcmp(port, port2))
		abort();
}

static void setup(void)
{
	static const char *const names[] = { "iqn.a", "IQN.B", "eui.c",
					     "iqn.d" };
	uint8_t isid[6] = { 0x23, 0xd0, 0, 0, 0, 1 };
	int i;

	for (i = 0; i < NR_NEXUS; i++) {
		memset(&nexus[i], 0, sizeof(nexus[i]));
		isid[5] = (uint8_t)(i & 3);
		if (bs_rbd_pr_port(nexus[i].port, names[i & 3], isid))
			abort();
		nexus[i].rel_port = (uint16_t)(1 + i / 4);
		/* the same initiator ports, in other cases */
		if (i >= 4)
			nexus[i].port[0] = (char)(nexus[i].port[0] - 'a' + 'A');
	}
	bs_rbd_pr_init(&st);
}

static uint64_t key_of(int i)
{
	static const uint64_t keys[] = { 0, 0x11, 0x22, 0xffffffffffffffffULL };

	return keys[i & 3];
}

/* The sender's key when asked for and it has one */
static uint64_t reservation_key(const struct bs_rbd_pr_nexus *n, uint8_t b)
{
	int i;

	if (!(b & 4))
		return key_of(b);
	for (i = 0; i < st.nr_regs; i++)
		if (!strcasecmp(st.regs[i].nexus.port, n->port) &&
		    (!st.regs[i].nexus.rel_port ||
		     st.regs[i].nexus.rel_port == n->rel_port))
			return st.regs[i].key;
	return 0;
}

static void put_be(uint8_t *p, uint64_t v, int n)
{
	while (n--) {
		p[n] = (uint8_t)v;
		v >>= 8;
	}
}

/* The parameter list of step s in p; its length */
static size_t param(const uint8_t *s, unsigned int sa,
		    const struct bs_rbd_pr_nexus *from, uint8_t *p)
{
	const struct bs_rbd_pr_nexus *dest = &nexus[(s[3] >> 4) & 7];
	size_t len = 24;

	memset(p, 0, 24 + BS_RBD_PR_TID_MAX);
	put_be(p, reservation_key(from, s[2]), 8);
	put_be(p + 8, key_of(s[3]), 8);
	if (sa == BS_RBD_PR_REGISTER_MOVE) {
		p[17] = (uint8_t)((s[3] >> 2) & 3); /* APTPL, UNREG */
		put_be(p + 18, dest->rel_port, 2);
		len += bs_rbd_pr_tid_format(dest->port, p + 24,
					    BS_RBD_PR_TID_MAX);
		put_be(p + 20, len - 24, 4);
	} else {
		p[20] = (uint8_t)((s[0] & 0x80 ? 0x04 : 0) | (s[3] >> 2 & 1));
	}
	if (s[0] & 0x40)
		len = (s[4] & 0x1f) < len ? (size_t)(s[4] & 0x1f) : len;
	return len;
}

static void check_in(uint8_t alloc)
{
	unsigned int sa;
	uint8_t *buf;
	int n;

	for (sa = 0; sa < 5; sa++) {
		buf = malloc(alloc ? alloc : 1);
		if (!buf)
			return;
		n = bs_rbd_pr_in(&st, sa, buf, alloc);
		free(buf);
		if (sa == 4 ? n >= 0 : n < 8)
			abort();
	}
}

static void check_step(unsigned int sa, struct bs_rbd_pr_result r, uint32_t gen,
		       size_t n)
{
	size_t m = bs_rbd_pr_encode(&st, after, sizeof(after));
	int counts = sa != BS_RBD_PR_RESERVE && sa != BS_RBD_PR_RELEASE;

	if (!m || bs_rbd_pr_decode(after, m, &st2) ||
	    bs_rbd_pr_encode(&st2, again, sizeof(again)) != m ||
	    memcmp(after, again, m))
		abort();
	if (r.status != BS_RBD_PR_GOOD &&
	    r.status != BS_RBD_PR_CHECK_CONDITION &&
	    r.status != BS_RBD_PR_RESERVATION_CONFLICT)
		abort();
	if (r.status != BS_RBD_PR_GOOD || !fx.changed) {
		if (fx.changed || fx.nr_ua || fx.nr_abort || m != n ||
		    memcmp(before, after, n))
			abort();
		return;
	}
	if (st.generation - gen != (uint32_t)counts ||
	    (sa != BS_RBD_PR_PREEMPT_ABORT && fx.nr_abort))
		abort();
}

/* RESERVE(6), RELEASE(6) or a drop of the SPC-2 reservation as it is
 * (or with another token): PRgeneration stays as it is */
static struct bs_rbd_pr_result legacy_step(const uint8_t *s,
					   const struct bs_rbd_pr_nexus *from)
{
	struct bs_rbd_pr_result good = { BS_RBD_PR_GOOD, 0, 0 };
	struct bs_rbd_pr_legacy was = st.legacy;

	switch (s[2] & 3) {
	case 0:
		return bs_rbd_pr_reserve6(&st, from, s[2] >> 2 & 3, 1,
					  s[2] >> 4, &fx);
	case 1:
		return bs_rbd_pr_release6(&st, from, &fx);
	default:
		was.token ^= s[2] & 1;
		fx.nr_ua = fx.nr_abort = 0;
		fx.changed = bs_rbd_pr_drop6(&st, &was);
		if (fx.changed && (st.legacy.held || s[2] & 1))
			abort();
		return good;
	}
}

static void run_script(const uint8_t *data, size_t size)
{
	uint8_t p[24 + BS_RBD_PR_TID_MAX];
	const struct bs_rbd_pr_nexus *from;
	struct bs_rbd_pr_result r;
	unsigned int sa;
	uint8_t type;
	uint32_t gen;
	size_t n, len;
	int i;

	setup();
	for (; size >= STEP; data += STEP, size -= STEP) {
		from = &nexus[data[0] & 7];
		sa = (data[0] >> 3) & 7;
		type = data[1] & 0x80 ? data[1] : (uint8_t)(1 + data[1] % 8);
		len = param(data, sa, from, p);
		n = bs_rbd_pr_encode(&st, before, sizeof(before));
		gen = st.generation;
		if ((data[1] & 0xc0) == 0x40) {
			r = legacy_step(data, from);
			sa = BS_RBD_PR_RESERVE; /* counts no generation */
		} else {
			r = bs_rbd_pr_out(&st, from, sa, type, p, len, &fx);
		}
		check_step(sa, r, gen, n);
		check_in(data[5]);
		for (i = 0; i < 4; i++)
			bs_rbd_pr_conflict(&st, &nexus[data[5] & 7],
					   (enum bs_rbd_pr_access)i);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	check_decode(data, size);
	check_ua(data, size);
	check_tid(data, size);
	run_script(data, size);
	return 0;
}
