// SPDX-License-Identifier: GPL-2.0-only
/*
 * Unit tests of the persistent reservations engine: PR OUT service
 * actions, their unit attentions and PRgeneration, the conflict matrix,
 * PR IN bytes, TransportIDs and the state as bytes.
 */
#include <errno.h>
#include <string.h>

#include "bs_rbd_pr.h"
#include "unit.h"

#define NAME_A "iqn.1993-08.org.debian:01:aaa"
#define NAME_B "iqn.1993-08.org.debian:01:bbb"
#define NAME_C "iqn.1993-08.org.debian:01:ccc"
#define NAME_D "iqn.1993-08.org.debian:01:ddd"
#define PORT_A NAME_A ",i,0x23d000000001"

#define GOOD BS_RBD_PR_GOOD
#define CONFLICT BS_RBD_PR_RESERVATION_CONFLICT
#define ILLEGAL BS_RBD_PR_KEY_ILLEGAL_REQUEST
#define KEY_A 0xaaULL
#define KEY_B 0xbbULL
#define KEY_C 0xccULL

/* the big structures live here, not on the stack */
static struct bs_rbd_pr_state st;
static struct bs_rbd_pr_effects fx;
static struct bs_rbd_pr_nexus a1, a2, b1, c1, d2;

static struct bs_rbd_pr_nexus nexus(const char *name, uint8_t isid_last,
				    uint16_t rel)
{
	const uint8_t isid[6] = { 0x23, 0xd0, 0, 0, 0, isid_last };
	struct bs_rbd_pr_nexus n;

	memset(&n, 0, sizeof(n));
	CHECK(bs_rbd_pr_port(n.port, name, isid) == 0);
	n.rel_port = rel;
	return n;
}

static void setup(void)
{
	bs_rbd_pr_init(&st);
	a1 = nexus(NAME_A, 1, 1);
	a2 = nexus(NAME_A, 1, 2);
	b1 = nexus(NAME_B, 1, 1);
	c1 = nexus(NAME_C, 1, 1);
	d2 = nexus(NAME_D, 7, 2);
}

static void put_be(uint8_t *p, uint64_t v, int n)
{
	while (n--) {
		p[n] = (uint8_t)v;
		v >>= 8;
	}
}

static struct bs_rbd_pr_result prout(const struct bs_rbd_pr_nexus *n,
				     unsigned int sa, uint8_t type,
				     uint64_t key, uint64_t sa_key,
				     uint8_t flags)
{
	uint8_t p[24] = { 0 };

	put_be(p, key, 8);
	put_be(p + 8, sa_key, 8);
	p[20] = flags;
	return bs_rbd_pr_out(&st, n, sa, type, p, sizeof(p), &fx);
}

static int is(struct bs_rbd_pr_result r, uint8_t status)
{
	return r.status == status && (status != GOOD || !r.sense_key);
}

static int is_check(struct bs_rbd_pr_result r, uint8_t key, uint16_t asc)
{
	return r.status == BS_RBD_PR_CHECK_CONDITION && r.sense_key == key &&
	       r.asc == asc;
}

static void reg(const struct bs_rbd_pr_nexus *n, uint64_t key, uint8_t flags)
{
	CHECK(is(prout(n, BS_RBD_PR_REGISTER, 0, 0, key, flags), GOOD));
}

static void reserve(const struct bs_rbd_pr_nexus *n, uint64_t key, uint8_t type)
{
	CHECK(is(prout(n, BS_RBD_PR_RESERVE, type, key, 0, 0), GOOD));
}

/* fx holds a unit attention asc for exactly nexus n */
static int has_ua(const struct bs_rbd_pr_nexus *n, uint16_t rel, uint16_t asc)
{
	int i;

	for (i = 0; i < fx.nr_ua; i++)
		if (!strcmp(fx.ua[i].nexus.port, n->port) &&
		    fx.ua[i].nexus.rel_port == rel && fx.ua[i].asc == asc)
			return 1;
	return 0;
}

static int has_abort(const struct bs_rbd_pr_nexus *n)
{
	int i;

	for (i = 0; i < fx.nr_abort; i++)
		if (!strcmp(fx.abort[i].port, n->port) &&
		    fx.abort[i].rel_port == n->rel_port)
			return 1;
	return 0;
}

static int registered(const struct bs_rbd_pr_nexus *n)
{
	return bs_rbd_pr_registered(&st, n);
}

/* the holder's key, 0 for none or all registrants */
static uint64_t holder_key(void)
{
	if (st.holder == BS_RBD_PR_NO_HOLDER)
		return 0;
	return st.regs[st.holder].key;
}

static void port_names(void)
{
	const uint8_t isid[6] = { 0x23, 0xD0, 0, 0, 0, 0xAB };
	char port[BS_RBD_PR_PORT_MAX], name[300];

	CHECK(bs_rbd_pr_port(port, "IQN.1993-08.org.Debian:01:aaa", isid) == 0);
	CHECK_STR(port, "iqn.1993-08.org.debian:01:aaa,i,0x23d0000000ab");
	CHECK(bs_rbd_pr_port(port, "", isid) == -EINVAL);
	CHECK(bs_rbd_pr_port(port, "iqn.a,b", isid) == -EINVAL);
	CHECK(bs_rbd_pr_port(port, "iqn.a b", isid) == -EINVAL);
	CHECK(bs_rbd_pr_port(port, "iqn.\x7f", isid) == -EINVAL);
	memset(name, 'a', sizeof(name));
	name[223] = 0;
	CHECK(bs_rbd_pr_port(port, name, isid) == 0);
	CHECK(strlen(port) == 223 + 17);
	name[223] = 'a';
	name[224] = 0;
	CHECK(bs_rbd_pr_port(port, name, isid) == -EINVAL);
}

static void register_unregister(void)
{
	setup();
	/* unregistered: RESERVATION KEY must be 0 */
	CHECK(is(prout(&a1, BS_RBD_PR_REGISTER, 0, 5, KEY_A, 0), CONFLICT));
	CHECK(!registered(&a1) && st.generation == 0 && !fx.changed);
	/* key 0 from an unregistered nexus: nothing happens */
	CHECK(is(prout(&a1, BS_RBD_PR_REGISTER, 0, 0, 0, 0), GOOD));
	CHECK(st.generation == 0 && !fx.changed && st.nr_regs == 0);
	reg(&a1, KEY_A, 0);
	CHECK(registered(&a1) && st.generation == 1 && fx.changed);
	CHECK(st.regs[0].key == KEY_A && st.regs[0].nexus.rel_port == 1);
	CHECK_STR(st.regs[0].nexus.port, PORT_A);
	/* a new key needs the old one */
	CHECK(is(prout(&a1, BS_RBD_PR_REGISTER, 0, KEY_B, KEY_C, 0), CONFLICT));
	CHECK(is(prout(&a1, BS_RBD_PR_REGISTER, 0, 0, KEY_C, 0), CONFLICT));
	CHECK(st.generation == 1 && st.regs[0].key == KEY_A);
	CHECK(is(prout(&a1, BS_RBD_PR_REGISTER, 0, KEY_A, KEY_C, 0), GOOD));
	CHECK(st.generation == 2 && st.regs[0].key == KEY_C);
	/* the same key again still counts */
	CHECK(is(prout(&a1, BS_RBD_PR_REGISTER, 0, KEY_C, KEY_C, 0), GOOD));
	CHECK(st.generation == 3);
	CHECK(is(prout(&a1, BS_RBD_PR_REGISTER, 0, KEY_C, 0, 0), GOOD));
	CHECK(!registered(&a1) && st.nr_regs == 0 && st.generation == 4);
	CHECK(fx.changed && fx.nr_ua == 0);
}

static void register_ignore(void)
{
	setup();
	CHECK(is(prout(&a1, BS_RBD_PR_REGISTER_IGNORE, 0, 77, KEY_A, 0), GOOD));
	CHECK(registered(&a1) && st.generation == 1);
	CHECK(is(prout(&a1, BS_RBD_PR_REGISTER_IGNORE, 0, 77, KEY_B, 0), GOOD));
	CHECK(st.regs[0].key == KEY_B && st.generation == 2);
	CHECK(is(prout(&a1, BS_RBD_PR_REGISTER_IGNORE, 0, 0, 0, 0), GOOD));
	CHECK(!registered(&a1) && st.generation == 3);
	CHECK(is(prout(&a1, BS_RBD_PR_REGISTER_IGNORE, 0, 9, 0, 0), GOOD));
	CHECK(st.generation == 3 && !fx.changed);
}

/* +1 per REGISTER, CLEAR, PREEMPT, REGISTER AND MOVE; nothing else */
static void generation_counting(void)
{
	setup();
	reg(&a1, KEY_A, 0);
	reg(&b1, KEY_B, 0);
	CHECK(st.generation == 2);
	reserve(&a1, KEY_A, BS_RBD_PR_WE);
	CHECK(st.generation == 2 && fx.changed);
	CHECK(is(prout(&a1, BS_RBD_PR_RESERVE, BS_RBD_PR_WE, KEY_A, 0, 0),
		 GOOD));
	CHECK(st.generation == 2 && !fx.changed);
	CHECK(is(prout(&c1, BS_RBD_PR_RESERVE, BS_RBD_PR_WE, 0, 0, 0),
		 CONFLICT));
	CHECK(is(prout(&b1, BS_RBD_PR_CLEAR, 0, KEY_A, 0, 0), CONFLICT));
	CHECK(is(prout(&b1, BS_RBD_PR_PREEMPT, BS_RBD_PR_EA, KEY_B, 99, 0),
		 CONFLICT));
	CHECK(st.generation == 2);
	CHECK(is(prout(&a1, BS_RBD_PR_RELEASE, BS_RBD_PR_WE, KEY_A, 0, 0),
		 GOOD));
	CHECK(st.generation == 2 && fx.changed);
	reserve(&a1, KEY_A, BS_RBD_PR_WE);
	CHECK(is(prout(&b1, BS_RBD_PR_PREEMPT, BS_RBD_PR_EA, KEY_B, KEY_A, 0),
		 GOOD));
	CHECK(st.generation == 3);
	CHECK(is(prout(&b1, BS_RBD_PR_CLEAR, 0, KEY_B, 0, 0), GOOD));
	CHECK(st.generation == 4);
}

static void nexus_identity(void)
{
	struct bs_rbd_pr_nexus relogin, other_isid;

	setup();
	reg(&a1, KEY_A, 0);
	/* the same initiator port through another gateway: another nexus */
	CHECK(!registered(&a2));
	CHECK(is(prout(&a2, BS_RBD_PR_REGISTER, 0, KEY_A, KEY_B, 0), CONFLICT));
	reg(&a2, KEY_B, 0);
	CHECK(st.nr_regs == 2 && st.regs[1].nexus.rel_port == 2);
	/* a new session with the same name and ISID is the same nexus */
	relogin = a1;
	memcpy(relogin.port, "IQN", 3);
	relogin.port[strlen(relogin.port) - 10] = 'D';
	CHECK(registered(&relogin));
	CHECK(is(prout(&relogin, BS_RBD_PR_REGISTER, 0, KEY_A, KEY_C, 0),
		 GOOD));
	CHECK(st.regs[0].key == KEY_C);
	CHECK_STR(st.regs[0].nexus.port, PORT_A);
	other_isid = nexus(NAME_A, 2, 1);
	CHECK(!registered(&other_isid));
}

static void all_target_ports(void)
{
	struct bs_rbd_pr_nexus a9;

	setup();
	a9 = a1;
	a9.rel_port = 9;
	CHECK(is(prout(&a1, BS_RBD_PR_REGISTER, 0, 0, KEY_A, 0x04), GOOD));
	CHECK(st.regs[0].nexus.rel_port == 0);
	CHECK(registered(&a1) && registered(&a2) && registered(&a9));
	CHECK(!registered(&b1));
	reg(&b1, KEY_B, 0);
	/* reserved through port 1, held through every port */
	reserve(&a1, KEY_A, BS_RBD_PR_EA);
	CHECK(!bs_rbd_pr_conflict(&st, &a2, BS_RBD_PR_WRITE));
	CHECK(bs_rbd_pr_conflict(&st, &b1, BS_RBD_PR_READ));
	/* changed or dropped through any of them, as a whole */
	CHECK(is(prout(&a2, BS_RBD_PR_REGISTER, 0, KEY_A, KEY_C, 0), GOOD));
	CHECK(st.regs[0].key == KEY_C && st.regs[0].nexus.rel_port == 0);
	CHECK(is(prout(&a9, BS_RBD_PR_REGISTER, 0, KEY_C, 0, 0), GOOD));
	CHECK(!registered(&a1) && !registered(&a2));
	CHECK(st.type == BS_RBD_PR_NONE);
	/* ALL_TG_PT over a registration through one port: refused */
	reg(&a2, KEY_A, 0);
	CHECK(is_check(prout(&a1, BS_RBD_PR_REGISTER, 0, 0, KEY_A, 0x04),
		       ILLEGAL, BS_RBD_PR_ASC_INVALID_FIELD_IN_PARAM));
	CHECK(!registered(&a1) && st.nr_regs == 2);
}

struct matrix_row {
	uint8_t type;
	/* conflicts: holder, registrant, other; READ then WRITE */
	uint8_t read[3], write[3];
};

static const struct matrix_row matrix[] = {
	{ BS_RBD_PR_WE, { 0, 0, 0 }, { 0, 1, 1 } },
	{ BS_RBD_PR_EA, { 0, 1, 1 }, { 0, 1, 1 } },
	{ BS_RBD_PR_WE_RO, { 0, 0, 0 }, { 0, 0, 1 } },
	{ BS_RBD_PR_EA_RO, { 0, 0, 1 }, { 0, 0, 1 } },
	{ BS_RBD_PR_WE_AR, { 0, 0, 0 }, { 0, 0, 1 } },
	{ BS_RBD_PR_EA_AR, { 0, 0, 1 }, { 0, 0, 1 } },
};

static void conflict_matrix(void)
{
	const struct bs_rbd_pr_nexus *who[3] = { &a1, &b1, &c1 };
	size_t t;
	int w;

	for (t = 0; t < sizeof(matrix) / sizeof(matrix[0]); t++) {
		setup();
		reg(&a1, KEY_A, 0);
		reg(&b1, KEY_B, 0);
		reserve(&a1, KEY_A, matrix[t].type);
		for (w = 0; w < 3; w++) {
			CHECK(bs_rbd_pr_conflict(&st, who[w], BS_RBD_PR_READ) ==
			      matrix[t].read[w]);
			CHECK(bs_rbd_pr_conflict(&st, who[w],
						 BS_RBD_PR_WRITE) ==
			      matrix[t].write[w]);
			CHECK(!bs_rbd_pr_conflict(&st, who[w],
						  BS_RBD_PR_ALLOWED));
			CHECK(bs_rbd_pr_conflict(&st, who[w],
						 BS_RBD_PR_LEGACY));
		}
		/* a registrant through another port is another nexus */
		CHECK(bs_rbd_pr_conflict(&st, &a2, BS_RBD_PR_WRITE) ==
		      matrix[t].write[2]);
	}
	/* registered, not reserved: only RESERVE/RELEASE(6/10) conflict */
	setup();
	CHECK(!bs_rbd_pr_conflict(&st, &c1, BS_RBD_PR_LEGACY));
	reg(&a1, KEY_A, 0);
	CHECK(!bs_rbd_pr_conflict(&st, &c1, BS_RBD_PR_WRITE));
	CHECK(!bs_rbd_pr_conflict(&st, &c1, BS_RBD_PR_READ));
	CHECK(bs_rbd_pr_conflict(&st, &c1, BS_RBD_PR_LEGACY));
}

static void reserve_rules(void)
{
	setup();
	reg(&a1, KEY_A, 0);
	reg(&b1, KEY_B, 0);
	CHECK(is(prout(&c1, BS_RBD_PR_RESERVE, BS_RBD_PR_WE, 0, 0, 0),
		 CONFLICT));
	CHECK(is(prout(&a1, BS_RBD_PR_RESERVE, BS_RBD_PR_WE, KEY_B, 0, 0),
		 CONFLICT));
	CHECK(is_check(prout(&a1, BS_RBD_PR_RESERVE, 2, KEY_A, 0, 0), ILLEGAL,
		       BS_RBD_PR_ASC_INVALID_FIELD_IN_CDB));
	CHECK(is_check(prout(&a1, BS_RBD_PR_RESERVE, 9, KEY_A, 0, 0), ILLEGAL,
		       BS_RBD_PR_ASC_INVALID_FIELD_IN_CDB));
	CHECK(is_check(prout(&a1, BS_RBD_PR_RESERVE, 0x11, KEY_A, 0, 0),
		       ILLEGAL, BS_RBD_PR_ASC_INVALID_FIELD_IN_CDB));
	CHECK(st.type == BS_RBD_PR_NONE);
	reserve(&a1, KEY_A, BS_RBD_PR_WE_RO);
	CHECK(st.type == BS_RBD_PR_WE_RO && holder_key() == KEY_A);
	CHECK(is(prout(&a1, BS_RBD_PR_RESERVE, BS_RBD_PR_EA, KEY_A, 0, 0),
		 CONFLICT));
	CHECK(is(prout(&b1, BS_RBD_PR_RESERVE, BS_RBD_PR_WE_RO, KEY_B, 0, 0),
		 CONFLICT));
	CHECK(st.type == BS_RBD_PR_WE_RO && holder_key() == KEY_A);
	/* all registrants: every registrant is a holder */
	setup();
	reg(&a1, KEY_A, 0);
	reg(&b1, KEY_B, 0);
	reserve(&a1, KEY_A, BS_RBD_PR_EA_AR);
	CHECK(st.holder == BS_RBD_PR_NO_HOLDER);
	CHECK(is(prout(&b1, BS_RBD_PR_RESERVE, BS_RBD_PR_EA_AR, KEY_B, 0, 0),
		 GOOD));
	CHECK(!fx.changed);
	CHECK(is(prout(&b1, BS_RBD_PR_RESERVE, BS_RBD_PR_WE_AR, KEY_B, 0, 0),
		 CONFLICT));
}

static void release_rules(void)
{
	setup();
	reg(&a1, KEY_A, 0);
	reg(&b1, KEY_B, 0);
	reg(&c1, KEY_C, 0);
	CHECK(is(prout(&a1, BS_RBD_PR_RELEASE, BS_RBD_PR_WE, KEY_A, 0, 0),
		 GOOD));
	CHECK(!fx.changed);
	reserve(&a1, KEY_A, BS_RBD_PR_WE);
	/* not the holder: GOOD, nothing released */
	CHECK(is(prout(&b1, BS_RBD_PR_RELEASE, BS_RBD_PR_WE, KEY_B, 0, 0),
		 GOOD));
	CHECK(!fx.changed && st.type == BS_RBD_PR_WE);
	CHECK(is(prout(&d2, BS_RBD_PR_RELEASE, BS_RBD_PR_WE, 0, 0, 0),
		 CONFLICT));
	CHECK(is(prout(&a1, BS_RBD_PR_RELEASE, BS_RBD_PR_WE, KEY_B, 0, 0),
		 CONFLICT));
	CHECK(is_check(prout(&a1, BS_RBD_PR_RELEASE, BS_RBD_PR_EA, KEY_A, 0, 0),
		       ILLEGAL, BS_RBD_PR_ASC_INVALID_RELEASE));
	CHECK(st.type == BS_RBD_PR_WE);
	CHECK(is(prout(&a1, BS_RBD_PR_RELEASE, BS_RBD_PR_WE, KEY_A, 0, 0),
		 GOOD));
	CHECK(st.type == BS_RBD_PR_NONE && fx.changed && fx.nr_ua == 0);
	CHECK(st.nr_regs == 3 && st.generation == 3);
	/* registrants only: the others are told */
	reserve(&a1, KEY_A, BS_RBD_PR_EA_RO);
	CHECK(is(prout(&a1, BS_RBD_PR_RELEASE, BS_RBD_PR_EA_RO, KEY_A, 0, 0),
		 GOOD));
	CHECK(fx.nr_ua == 2 && has_ua(&b1, 1, 0x2a04) &&
	      has_ua(&c1, 1, 0x2a04));
	/* all registrants: released by any of them, for all */
	reserve(&a1, KEY_A, BS_RBD_PR_WE_AR);
	CHECK(is(prout(&b1, BS_RBD_PR_RELEASE, BS_RBD_PR_WE_AR, KEY_B, 0, 0),
		 GOOD));
	CHECK(st.type == BS_RBD_PR_NONE);
	CHECK(fx.nr_ua == 2 && has_ua(&a1, 1, 0x2a04) &&
	      has_ua(&c1, 1, 0x2a04));
}

static void unregister_holder(void)
{
	setup();
	reg(&a1, KEY_A, 0);
	reg(&b1, KEY_B, 0);
	reg(&c1, KEY_C, 0x04);
	reserve(&a1, KEY_A, BS_RBD_PR_WE_RO);
	CHECK(is(prout(&a1, BS_RBD_PR_REGISTER, 0, KEY_A, 0, 0), GOOD));
	CHECK(st.type == BS_RBD_PR_NONE && st.nr_regs == 2);
	CHECK(fx.nr_ua == 2 && has_ua(&b1, 1, 0x2a04) &&
	      has_ua(&c1, 0, 0x2a04));
	/* Write Exclusive: released, nobody told */
	reserve(&b1, KEY_B, BS_RBD_PR_WE);
	CHECK(is(prout(&b1, BS_RBD_PR_REGISTER, 0, KEY_B, 0, 0), GOOD));
	CHECK(st.type == BS_RBD_PR_NONE && fx.nr_ua == 0);
	/* a registrant that is not the holder: the reservation stays */
	reg(&a1, KEY_A, 0);
	reserve(&a1, KEY_A, BS_RBD_PR_EA);
	CHECK(is(prout(&c1, BS_RBD_PR_REGISTER, 0, KEY_C, 0, 0), GOOD));
	CHECK(st.type == BS_RBD_PR_EA && holder_key() == KEY_A);
	/* all registrants: until the last one goes */
	setup();
	reg(&a1, KEY_A, 0);
	reg(&b1, KEY_B, 0);
	reserve(&b1, KEY_B, BS_RBD_PR_EA_AR);
	CHECK(is(prout(&b1, BS_RBD_PR_REGISTER, 0, KEY_B, 0, 0), GOOD));
	CHECK(st.type == BS_RBD_PR_EA_AR && fx.nr_ua == 0);
	CHECK(is(prout(&a1, BS_RBD_PR_REGISTER, 0, KEY_A, 0, 0), GOOD));
	CHECK(st.type == BS_RBD_PR_NONE && st.nr_regs == 0);
}

static void clear(void)
{
	setup();
	reg(&a1, KEY_A, 0);
	reg(&a2, KEY_A, 0);
	reg(&b1, KEY_B, 0x04);
	reserve(&b1, KEY_B, BS_RBD_PR_EA);
	CHECK(is(prout(&c1, BS_RBD_PR_CLEAR, 0, 0, 0, 0), CONFLICT));
	CHECK(is(prout(&a1, BS_RBD_PR_CLEAR, 0, KEY_B, 0, 0), CONFLICT));
	CHECK(st.nr_regs == 3 && st.generation == 3);
	CHECK(is(prout(&a1, BS_RBD_PR_CLEAR, 0, KEY_A, 0, 0), GOOD));
	CHECK(st.nr_regs == 0 && st.type == BS_RBD_PR_NONE);
	CHECK(st.holder == BS_RBD_PR_NO_HOLDER && st.generation == 4);
	CHECK(fx.nr_ua == 2 && has_ua(&a2, 2, 0x2a03) &&
	      has_ua(&b1, 0, 0x2a03));
}

static void preempt_holder(void)
{
	setup();
	reg(&a1, KEY_A, 0);
	reg(&a2, KEY_A, 0);
	reg(&b1, KEY_B, 0);
	reg(&c1, KEY_C, 0);
	reserve(&a1, KEY_A, BS_RBD_PR_WE);
	CHECK(is(prout(&b1, BS_RBD_PR_PREEMPT, BS_RBD_PR_EA, KEY_B, KEY_A, 0),
		 GOOD));
	CHECK(st.type == BS_RBD_PR_EA && holder_key() == KEY_B);
	CHECK(!registered(&a1) && !registered(&a2) && registered(&c1));
	CHECK(st.nr_regs == 2 && st.generation == 5 && fx.nr_abort == 0);
	CHECK(has_ua(&a1, 1, 0x2a05) && has_ua(&a2, 2, 0x2a05));
	/* the type changed for the registrant left */
	CHECK(has_ua(&c1, 1, 0x2a04) && fx.nr_ua == 3);
	/* the holder preempting itself: a new type, its key's others out */
	reg(&a1, KEY_B, 0);
	CHECK(is(prout(&b1, BS_RBD_PR_PREEMPT, BS_RBD_PR_EA, KEY_B, KEY_B, 0),
		 GOOD));
	CHECK(st.type == BS_RBD_PR_EA && holder_key() == KEY_B);
	CHECK(registered(&b1) && !registered(&a1) && st.nr_regs == 2);
	CHECK(fx.nr_ua == 1 && has_ua(&a1, 1, 0x2a05));
}

static void preempt_registrations(void)
{
	setup();
	reg(&a1, KEY_A, 0);
	reg(&b1, KEY_B, 0);
	reg(&c1, KEY_C, 0);
	reserve(&a1, KEY_A, BS_RBD_PR_WE_RO);
	/* not the holder's key: registrations go, the reservation stays */
	CHECK(is(prout(&b1, BS_RBD_PR_PREEMPT, BS_RBD_PR_EA, KEY_B, KEY_C, 0),
		 GOOD));
	CHECK(st.type == BS_RBD_PR_WE_RO && holder_key() == KEY_A);
	CHECK(!registered(&c1) && st.nr_regs == 2 && st.generation == 4);
	CHECK(fx.nr_ua == 1 && has_ua(&c1, 1, 0x2a05));
	/* a key nobody has */
	CHECK(is(prout(&b1, BS_RBD_PR_PREEMPT, BS_RBD_PR_EA, KEY_B, 0x99, 0),
		 CONFLICT));
	CHECK(st.generation == 4 && !fx.changed);
	/* key 0 without an all registrants reservation */
	CHECK(is_check(prout(&b1, BS_RBD_PR_PREEMPT, BS_RBD_PR_EA, KEY_B, 0, 0),
		       ILLEGAL, BS_RBD_PR_ASC_INVALID_FIELD_IN_PARAM));
	/* no reservation: just registrations, the sender's own too */
	setup();
	reg(&a1, KEY_A, 0);
	reg(&b1, KEY_A, 0);
	CHECK(is(prout(&b1, BS_RBD_PR_PREEMPT, BS_RBD_PR_WE, KEY_A, KEY_A, 0),
		 GOOD));
	CHECK(st.nr_regs == 0 && st.type == BS_RBD_PR_NONE);
	CHECK(fx.nr_ua == 1 && has_ua(&a1, 1, 0x2a05) && !registered(&b1));
	reg(&b1, KEY_B, 0);
	CHECK(is_check(prout(&b1, BS_RBD_PR_PREEMPT, BS_RBD_PR_WE, KEY_B, 0, 0),
		       ILLEGAL, BS_RBD_PR_ASC_INVALID_FIELD_IN_PARAM));
}

static void preempt_all_registrants(void)
{
	setup();
	reg(&a1, KEY_A, 0);
	reg(&b1, KEY_B, 0);
	reg(&c1, KEY_C, 0x04);
	reserve(&a1, KEY_A, BS_RBD_PR_WE_AR);
	/* a key: only registrations removed */
	CHECK(is(prout(&a1, BS_RBD_PR_PREEMPT, BS_RBD_PR_EA, KEY_A, KEY_B, 0),
		 GOOD));
	CHECK(st.type == BS_RBD_PR_WE_AR && !registered(&b1));
	CHECK(fx.nr_ua == 1 && has_ua(&b1, 1, 0x2a05));
	/* key 0: everyone else out, the sender holds the new type */
	reg(&b1, KEY_B, 0);
	CHECK(is(prout(&b1, BS_RBD_PR_PREEMPT, BS_RBD_PR_EA_RO, KEY_B, 0, 0),
		 GOOD));
	CHECK(st.type == BS_RBD_PR_EA_RO && holder_key() == KEY_B);
	CHECK(st.nr_regs == 1 && registered(&b1));
	CHECK(fx.nr_ua == 2 && has_ua(&a1, 1, 0x2a05) &&
	      has_ua(&c1, 0, 0x2a05));
	CHECK(st.generation == 6);
}

static void preempt_and_abort(void)
{
	setup();
	reg(&a1, KEY_A, 0);
	reg(&a2, KEY_A, 0);
	reg(&b1, KEY_B, 0);
	reserve(&a1, KEY_A, BS_RBD_PR_EA);
	CHECK(is(prout(&b1, BS_RBD_PR_PREEMPT, BS_RBD_PR_EA, KEY_B, KEY_A, 0),
		 GOOD));
	CHECK(fx.nr_abort == 0);
	setup();
	reg(&a1, KEY_A, 0);
	reg(&a2, KEY_A, 0);
	reg(&b1, KEY_B, 0);
	reserve(&a1, KEY_A, BS_RBD_PR_EA);
	CHECK(is(prout(&b1, BS_RBD_PR_PREEMPT_ABORT, BS_RBD_PR_WE, KEY_B, KEY_A,
		       0),
		 GOOD));
	CHECK(st.type == BS_RBD_PR_WE && holder_key() == KEY_B);
	CHECK(fx.nr_abort == 2 && has_abort(&a1) && has_abort(&a2));
	CHECK(fx.nr_ua == 2 && has_ua(&a1, 1, 0x2a05));
	/* the sender's own key: its tasks go too, its registration stays */
	reg(&c1, KEY_B, 0);
	CHECK(is(prout(&b1, BS_RBD_PR_PREEMPT_ABORT, BS_RBD_PR_WE, KEY_B, KEY_B,
		       0),
		 GOOD));
	CHECK(fx.nr_abort == 2 && has_abort(&b1) && has_abort(&c1));
	CHECK(registered(&b1) && !registered(&c1));
	/* all registrants, key 0: every other nexus */
	setup();
	reg(&a1, KEY_A, 0);
	reg(&b1, KEY_B, 0);
	reg(&c1, KEY_C, 0);
	reserve(&a1, KEY_A, BS_RBD_PR_EA_AR);
	CHECK(is(prout(&c1, BS_RBD_PR_PREEMPT_ABORT, BS_RBD_PR_EA_AR, KEY_C, 0,
		       0),
		 GOOD));
	CHECK(fx.nr_abort == 2 && has_abort(&a1) && has_abort(&b1));
	CHECK(st.nr_regs == 1 && st.type == BS_RBD_PR_EA_AR);
}

/* A REGISTER AND MOVE parameter list with a TransportID for port */
static size_t move_param(uint8_t *p, uint64_t key, uint64_t sa_key,
			 uint8_t flags, uint16_t rel, const char *port)
{
	size_t n = bs_rbd_pr_tid_format(port, p + 24, BS_RBD_PR_TID_MAX);

	memset(p, 0, 24);
	put_be(p, key, 8);
	put_be(p + 8, sa_key, 8);
	p[17] = flags;
	put_be(p + 18, rel, 2);
	put_be(p + 20, n, 4);
	return 24 + n;
}

static struct bs_rbd_pr_result move(const struct bs_rbd_pr_nexus *from,
				    const uint8_t *p, size_t len)
{
	return bs_rbd_pr_out(&st, from, BS_RBD_PR_REGISTER_MOVE, 0, p, len,
			     &fx);
}

static void register_and_move(void)
{
	uint8_t p[24 + BS_RBD_PR_TID_MAX];
	size_t n;

	setup();
	reg(&a1, KEY_A, 0);
	reg(&b1, KEY_B, 0);
	reserve(&a1, KEY_A, BS_RBD_PR_EA);
	n = move_param(p, KEY_A, 0xdd, 0x01, 2, d2.port);
	CHECK(is(move(&a1, p, n), GOOD));
	CHECK(registered(&d2) && registered(&a1) && st.nr_regs == 3);
	CHECK(st.type == BS_RBD_PR_EA && holder_key() == 0xdd);
	CHECK(st.regs[st.holder].nexus.rel_port == 2);
	CHECK(st.generation == 3 && st.aptpl == 1 && fx.changed);
	CHECK(!bs_rbd_pr_conflict(&st, &d2, BS_RBD_PR_WRITE));
	CHECK(bs_rbd_pr_conflict(&st, &a1, BS_RBD_PR_WRITE));
	/* to a registered nexus, unregistering the sender: key kept */
	n = move_param(p, 0xdd, 0x77, 0x02, 1, b1.port);
	CHECK(is(move(&d2, p, n), GOOD));
	CHECK(!registered(&d2) && holder_key() == KEY_B);
	CHECK(st.nr_regs == 2 && st.aptpl == 0 && st.generation == 4);
	/* not the holder, or no reservation, or all registrants */
	n = move_param(p, KEY_A, 0x77, 0, 2, d2.port);
	CHECK(is(move(&a1, p, n), CONFLICT));
	n = move_param(p, KEY_B, 0x77, 0, 2, d2.port);
	CHECK(is(move(&b1, p, n), GOOD));
	CHECK(is(prout(&d2, BS_RBD_PR_RELEASE, BS_RBD_PR_EA, 0x77, 0, 0),
		 GOOD));
	n = move_param(p, KEY_A, 0x78, 0, 1, c1.port);
	CHECK(is(move(&a1, p, n), CONFLICT));
	reserve(&a1, KEY_A, BS_RBD_PR_WE_AR);
	CHECK(is(move(&a1, p, n), CONFLICT));
	CHECK(!registered(&c1) && st.generation == 5);
}

static void register_and_move_refused(void)
{
	uint8_t p[24 + BS_RBD_PR_TID_MAX + 8], good_p[sizeof(p)] = { 0 };
	size_t n, gn;

	setup();
	reg(&a1, KEY_A, 0);
	reserve(&a1, KEY_A, BS_RBD_PR_WE);
	gn = move_param(good_p, KEY_A, 0xdd, 0, 2, d2.port);
#define REFUSED(len, asc)                                                     \
	CHECK(is_check(move(&a1, p, (len)), ILLEGAL, (asc)) && !fx.changed && \
	      st.nr_regs == 1 && st.generation == 1)
#define FRESH() (memcpy(p, good_p, sizeof(p)), n = gn)
	/* lengths */
	FRESH();
	REFUSED(23, BS_RBD_PR_ASC_PARAM_LIST_LENGTH);
	REFUSED(n - 1, BS_RBD_PR_ASC_PARAM_LIST_LENGTH);
	REFUSED(n + 4, BS_RBD_PR_ASC_PARAM_LIST_LENGTH);
	CHECK(is_check(move(&a1, NULL, 0), ILLEGAL,
		       BS_RBD_PR_ASC_PARAM_LIST_LENGTH));
	/* the TransportID: its own length, format, protocol, padding */
	FRESH();
	p[27] -= 4;
	REFUSED(n, BS_RBD_PR_ASC_INVALID_FIELD_IN_PARAM);
	FRESH();
	p[27] += 1;
	put_be(p + 20, n - 24 + 1, 4);
	REFUSED(n + 1, BS_RBD_PR_ASC_INVALID_FIELD_IN_PARAM);
	FRESH();
	p[24] = 0x05; /* format 00b with an ISID in the name */
	REFUSED(n, BS_RBD_PR_ASC_INVALID_FIELD_IN_PARAM);
	FRESH();
	p[24] = 0x46; /* protocol 6 */
	REFUSED(n, BS_RBD_PR_ASC_INVALID_FIELD_IN_PARAM);
	FRESH();
	p[25] = 1; /* reserved */
	REFUSED(n, BS_RBD_PR_ASC_INVALID_FIELD_IN_PARAM);
	FRESH();
	p[n - 1] = 'x'; /* not NUL padded */
	REFUSED(n, BS_RBD_PR_ASC_INVALID_FIELD_IN_PARAM);
	FRESH();
	p[n - 3] = 'g'; /* the ISID's last digit */
	REFUSED(n, BS_RBD_PR_ASC_INVALID_FIELD_IN_PARAM);
	FRESH();
	p[18] = p[19] = 0; /* target port 0 */
	REFUSED(n, BS_RBD_PR_ASC_INVALID_FIELD_IN_PARAM);
	FRESH();
	p[8 + 7] = 0; /* SERVICE ACTION RESERVATION KEY 0 */
	REFUSED(n, BS_RBD_PR_ASC_INVALID_FIELD_IN_PARAM);
	/* to itself */
	n = move_param(p, KEY_A, 0xdd, 0, 1, a1.port);
	REFUSED(n, BS_RBD_PR_ASC_INVALID_FIELD_IN_PARAM);
	/* a name only: an initiator device, not a port */
	n = move_param(p, KEY_A, 0xdd, 0, 2, NAME_D);
	CHECK(p[24] == 0x05);
	REFUSED(n, BS_RBD_PR_ASC_INVALID_FIELD_IN_PARAM);
	CHECK(holder_key() == KEY_A);
#undef REFUSED
#undef FRESH
}

static void parameter_lists(void)
{
	uint8_t p[32] = { 0 };

	setup();
	CHECK(is_check(bs_rbd_pr_out(&st, &a1, 0, 0, p, 23, &fx), ILLEGAL,
		       BS_RBD_PR_ASC_PARAM_LIST_LENGTH));
	CHECK(is_check(bs_rbd_pr_out(&st, &a1, 0, 0, p, 25, &fx), ILLEGAL,
		       BS_RBD_PR_ASC_PARAM_LIST_LENGTH));
	CHECK(is_check(bs_rbd_pr_out(&st, &a1, 0, 0, NULL, 0, &fx), ILLEGAL,
		       BS_RBD_PR_ASC_PARAM_LIST_LENGTH));
	p[20] = 0x08; /* SPEC_I_PT */
	CHECK(is_check(bs_rbd_pr_out(&st, &a1, 0, 0, p, 24, &fx), ILLEGAL,
		       BS_RBD_PR_ASC_INVALID_FIELD_IN_PARAM));
	CHECK(is_check(bs_rbd_pr_out(&st, &a1, 0, 0, p, 32, &fx), ILLEGAL,
		       BS_RBD_PR_ASC_INVALID_FIELD_IN_PARAM));
	p[20] = 0;
	CHECK(is_check(bs_rbd_pr_out(&st, &a1, 8, 0, p, 24, &fx), ILLEGAL,
		       BS_RBD_PR_ASC_INVALID_FIELD_IN_CDB));
	CHECK(is_check(bs_rbd_pr_out(&st, &a1, 31, 0, p, 24, &fx), ILLEGAL,
		       BS_RBD_PR_ASC_INVALID_FIELD_IN_CDB));
	CHECK(st.generation == 0 && st.nr_regs == 0);
}

static void bad_sender(void)
{
	struct bs_rbd_pr_nexus n = a1;
	uint8_t p[24] = { 0 };

	setup();
	p[15] = 1;
	n = a1;
	n.rel_port = 0;
	CHECK(is_check(bs_rbd_pr_out(&st, &n, 0, 0, p, 24, &fx),
		       BS_RBD_PR_KEY_HARDWARE_ERROR,
		       BS_RBD_PR_ASC_INTERNAL_TARGET_FAILURE));
	n = a1;
	strcpy(n.port, NAME_A);
	CHECK(is_check(bs_rbd_pr_out(&st, &n, 0, 0, p, 24, &fx),
		       BS_RBD_PR_KEY_HARDWARE_ERROR,
		       BS_RBD_PR_ASC_INTERNAL_TARGET_FAILURE));
	memset(n.port, 'a', sizeof(n.port));
	CHECK(is_check(bs_rbd_pr_out(&st, &n, 0, 0, p, 24, &fx),
		       BS_RBD_PR_KEY_HARDWARE_ERROR,
		       BS_RBD_PR_ASC_INTERNAL_TARGET_FAILURE));
	CHECK(!bs_rbd_pr_registered(&st, &n) && st.nr_regs == 0);
}

static void capacity(void)
{
	uint8_t p[24 + BS_RBD_PR_TID_MAX];
	struct bs_rbd_pr_nexus n;
	int i;

	setup();
	for (i = 0; i < BS_RBD_PR_MAX_REGS; i++) {
		n = nexus(NAME_A, (uint8_t)i, (uint16_t)(1 + i % 3));
		reg(&n, 100 + (uint64_t)i, 0);
	}
	CHECK(st.nr_regs == BS_RBD_PR_MAX_REGS);
	CHECK(is_check(prout(&b1, BS_RBD_PR_REGISTER, 0, 0, 5, 0), ILLEGAL,
		       BS_RBD_PR_ASC_INSUFFICIENT_REG_RESOURCES));
	CHECK(st.generation == BS_RBD_PR_MAX_REGS && !registered(&b1));
	/* a full table still moves, when the sender leaves */
	n = nexus(NAME_A, 0, 1);
	reserve(&n, 100, BS_RBD_PR_WE);
	CHECK(is_check(move(&n, p, move_param(p, 100, 5, 0, 1, b1.port)),
		       ILLEGAL, BS_RBD_PR_ASC_INSUFFICIENT_REG_RESOURCES));
	CHECK(is(move(&n, p, move_param(p, 100, 5, 0x02, 1, b1.port)), GOOD));
	CHECK(registered(&b1) && holder_key() == 5 && !registered(&n));
	CHECK(st.nr_regs == BS_RBD_PR_MAX_REGS);
}

static void aptpl(void)
{
	uint8_t caps[8];

	setup();
	reg(&a1, KEY_A, 0x01);
	CHECK(st.aptpl == 1);
	CHECK(bs_rbd_pr_in(&st, BS_RBD_PR_REPORT_CAPABILITIES, caps, 8) == 8);
	CHECK(caps[3] == 0x81);
	/* ignored but for the REGISTERs */
	CHECK(is(prout(&a1, BS_RBD_PR_RESERVE, BS_RBD_PR_WE, KEY_A, 0, 0),
		 GOOD));
	CHECK(st.aptpl == 1);
	reg(&b1, KEY_B, 0);
	CHECK(st.aptpl == 0);
	CHECK(is(prout(&b1, BS_RBD_PR_CLEAR, 0, KEY_B, 0, 0x01), GOOD));
	CHECK(st.aptpl == 0);
}

/* failed commands leave the state as it was, to the byte */
static void failures_change_nothing(void)
{
	static uint8_t before[BS_RBD_PR_ENCODED_MAX], after[sizeof(before)];
	size_t n;

	setup();
	reg(&a1, KEY_A, 0);
	reg(&b1, KEY_B, 0x04);
	reserve(&a1, KEY_A, BS_RBD_PR_EA_RO);
	n = bs_rbd_pr_encode(&st, before, sizeof(before));
	CHECK(n > 0);
	CHECK(!is(prout(&c1, BS_RBD_PR_CLEAR, 0, 0, 0, 0), GOOD));
	CHECK(!is(prout(&b1, BS_RBD_PR_PREEMPT, 1, KEY_B, 0, 0), GOOD));
	CHECK(!is(prout(&b1, BS_RBD_PR_PREEMPT, 1, KEY_B, 0x5, 0), GOOD));
	CHECK(!is(prout(&a1, BS_RBD_PR_RELEASE, 1, KEY_A, 0, 0), GOOD));
	CHECK(!is(prout(&a1, BS_RBD_PR_RESERVE, 1, KEY_A, 0, 0), GOOD));
	CHECK(!is(prout(&a2, BS_RBD_PR_REGISTER, 0, 0, 5, 0x04), GOOD));
	CHECK(!is(prout(&b1, BS_RBD_PR_REGISTER, 0, 0, 5, 0), GOOD));
	CHECK(!fx.changed && fx.nr_ua == 0 && fx.nr_abort == 0);
	CHECK(bs_rbd_pr_encode(&st, after, sizeof(after)) == n);
	CHECK(!memcmp(before, after, n));
}

static void read_keys_and_reservation(void)
{
	uint8_t buf[64];

	setup();
	memset(buf, 0xee, sizeof(buf));
	CHECK(bs_rbd_pr_in(&st, BS_RBD_PR_READ_KEYS, buf, sizeof(buf)) == 8);
	CHECK(!memcmp(buf, "\0\0\0\0\0\0\0\0", 8) && buf[8] == 0xee);
	reg(&a1, 0x0102030405060708ULL, 0);
	reg(&b1, KEY_B, 0);
	CHECK(bs_rbd_pr_in(&st, BS_RBD_PR_READ_KEYS, buf, sizeof(buf)) == 24);
	CHECK(!memcmp(buf, "\0\0\0\x02\0\0\0\x10\1\2\3\4\5\6\7\x08", 16));
	CHECK(!memcmp(buf + 16, "\0\0\0\0\0\0\0\xbb", 8));
	/* truncated to the allocation length, the full length returned */
	memset(buf, 0xee, sizeof(buf));
	CHECK(bs_rbd_pr_in(&st, BS_RBD_PR_READ_KEYS, buf, 10) == 24);
	CHECK(buf[7] == 0x10 && buf[9] == 2 && buf[10] == 0xee);
	CHECK(bs_rbd_pr_in(&st, BS_RBD_PR_READ_KEYS, NULL, 0) == 24);
	CHECK(bs_rbd_pr_in(&st, BS_RBD_PR_READ_RESERVATION, buf, 64) == 8);
	CHECK(!memcmp(buf, "\0\0\0\x02\0\0\0\0", 8));
	reserve(&b1, KEY_B, BS_RBD_PR_EA_RO);
	CHECK(bs_rbd_pr_in(&st, BS_RBD_PR_READ_RESERVATION, buf, 64) == 24);
	CHECK(!memcmp(buf, "\0\0\0\x02\0\0\0\x10\0\0\0\0\0\0\0\xbb", 16));
	CHECK(!memcmp(buf + 16, "\0\0\0\0\0\x06\0\0", 8));
	/* all registrants: key 0 */
	CHECK(is(prout(&b1, BS_RBD_PR_RELEASE, 6, KEY_B, 0, 0), GOOD));
	reserve(&b1, KEY_B, BS_RBD_PR_WE_AR);
	CHECK(bs_rbd_pr_in(&st, BS_RBD_PR_READ_RESERVATION, buf, 64) == 24);
	CHECK(!memcmp(buf + 8, "\0\0\0\0\0\0\0\0\0\0\0\0\0\x07\0\0", 16));
	CHECK(bs_rbd_pr_in(&st, 4, buf, 64) == -EINVAL);
	CHECK(bs_rbd_pr_in(&st, 0x1f, buf, 64) == -EINVAL);
}

static void report_capabilities(void)
{
	uint8_t buf[16];

	setup();
	memset(buf, 0xee, sizeof(buf));
	CHECK(bs_rbd_pr_in(&st, BS_RBD_PR_REPORT_CAPABILITIES, buf, 16) == 8);
	CHECK(!memcmp(buf, "\0\x08\x05\x80\xea\x01\0\0", 8) && buf[8] == 0xee);
	CHECK(bs_rbd_pr_in(&st, BS_RBD_PR_REPORT_CAPABILITIES, buf, 3) == 8);
}

static void read_full_status(void)
{
	static const uint8_t tid_a[] = "\x45\0\0\x30" PORT_A "\0\0";
	uint8_t buf[512];
	int n;

	setup();
	reg(&a1, KEY_A, 0);
	reg(&b1, KEY_B, 0x04);
	reserve(&a1, KEY_A, BS_RBD_PR_WE);
	memset(buf, 0xee, sizeof(buf));
	n = bs_rbd_pr_in(&st, BS_RBD_PR_READ_FULL_STATUS, buf, sizeof(buf));
	/* "iqn...:01:aaa,i,0x23d000000001" is 46: 48 with NUL and pad */
	CHECK(sizeof(tid_a) - 1 == 4 + 48);
	CHECK(n == 8 + 2 * (24 + 52));
	CHECK(!memcmp(buf, "\0\0\0\x02\0\0\0\x98", 8));
	CHECK(!memcmp(buf + 8, "\0\0\0\0\0\0\0\xaa\0\0\0\0\x01\x01", 14));
	CHECK(!memcmp(buf + 22, "\0\0\0\0\0\x01\0\0\0\x34", 10));
	CHECK(!memcmp(buf + 32, tid_a, sizeof(tid_a) - 1));
	/* ALL_TG_PT, not a holder: no type, target port 0 */
	CHECK(!memcmp(buf + 84, "\0\0\0\0\0\0\0\xbb\0\0\0\0\x02\0", 14));
	CHECK(!memcmp(buf + 98, "\0\0\0\0\0\0\0\0\0\x34", 10));
	CHECK(buf[108] == 0x45 && buf[n] == 0xee);
	memset(buf, 0xee, sizeof(buf));
	CHECK(bs_rbd_pr_in(&st, BS_RBD_PR_READ_FULL_STATUS, buf, 40) == n);
	CHECK(!memcmp(buf + 32, tid_a, 8) && buf[40] == 0xee);
}

static void transport_ids(void)
{
	char port[BS_RBD_PR_PORT_MAX];
	uint8_t tid[BS_RBD_PR_TID_MAX + 8];
	int format = -1;
	size_t n;

	n = bs_rbd_pr_tid_format("iqn.x", tid, sizeof(tid));
	CHECK(n == 24 && !memcmp(tid, "\x05\0\0\x14iqn.x\0\0\0", 12));
	CHECK(bs_rbd_pr_tid_parse(tid, n, port, &format) == 24);
	CHECK_STR(port, "iqn.x");
	CHECK(format == 0);
	CHECK(bs_rbd_pr_tid_parse(tid, n - 1, port, &format) == -EINVAL);
	/* more room than needed: the length is the TransportID's */
	CHECK(bs_rbd_pr_tid_parse(tid, n + 8, port, &format) == 24);
	n = bs_rbd_pr_tid_format("IQN.X,i,0x0000000000AB", tid, sizeof(tid));
	CHECK(n == 28 && tid[0] == 0x45 && tid[3] == 24);
	CHECK(bs_rbd_pr_tid_parse(tid, n, port, &format) == 28);
	CHECK_STR(port, "iqn.x,i,0x0000000000ab");
	CHECK(format == 1);
	/* any NUL padding that keeps a multiple of 4 */
	memset(tid + n, 0, 8);
	tid[3] = 32;
	CHECK(bs_rbd_pr_tid_parse(tid, n + 8, port, &format) == 36);
	CHECK(bs_rbd_pr_tid_format("iqn,x", tid, sizeof(tid)) == 0);
	CHECK(bs_rbd_pr_tid_format("iqn.x,i,0x00000000000", tid, 64) == 0);
	CHECK(bs_rbd_pr_tid_format("", tid, sizeof(tid)) == 0);
	/* written up to len only */
	memset(tid, 0xee, sizeof(tid));
	CHECK(bs_rbd_pr_tid_format("iqn.x", tid, 5) == 24 && tid[4] == 'i' &&
	      tid[5] == 0xee);
}

static int tid_ok(const void *tid, size_t len)
{
	char port[BS_RBD_PR_PORT_MAX];
	int format;

	return bs_rbd_pr_tid_parse(tid, len, port, &format) > 0;
}

static void transport_ids_refused(void)
{
	CHECK(tid_ok("\x05\0\0\x14iqn.x\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0", 24));
	CHECK(!tid_ok(NULL, 24));
	CHECK(!tid_ok("\x05\0\0", 3));
	/* too short, not a multiple of 4, past the end */
	CHECK(!tid_ok("\x05\0\0\x10iqn.x\0\0\0\0\0\0\0\0\0\0\0", 20));
	CHECK(!tid_ok("\x05\0\0\x15iqn.x\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0", 25));
	CHECK(!tid_ok("\x05\0\0\x18iqn.x\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0", 24));
	/* formats 10b, 11b; another protocol; reserved bits */
	CHECK(!tid_ok("\x85\0\0\x14iqn.x\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0", 24));
	CHECK(!tid_ok("\xc5\0\0\x14iqn.x\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0", 24));
	CHECK(!tid_ok("\x04\0\0\x14iqn.x\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0", 24));
	CHECK(!tid_ok("\x15\0\0\x14iqn.x\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0", 24));
	CHECK(!tid_ok("\x05\x01\0\x14iqn.x\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0", 24));
	/* no NUL, something after it, empty, bad characters */
	CHECK(!tid_ok("\x05\0\0\x14iqn.xxxxxxxxxxxxxxxx", 24));
	CHECK(!tid_ok("\x05\0\0\x14iqn.x\0\0\0\0\0\0\0\0\0\0\0\0\0\0y", 24));
	CHECK(!tid_ok("\x05\0\0\x14\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0",
		      24));
	CHECK(!tid_ok("\x05\0\0\x14iqn x\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0", 24));
	CHECK(!tid_ok("\x05\0\0\x14iqn,x\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0", 24));
	CHECK(!tid_ok("\x05\0\0\x14iqn\x80x\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0",
		      24));
	/* 01b: the ISID separator and 12 hex digits */
	CHECK(tid_ok("\x45\0\0\x18x,i,0x0123456789ab\0\0\0\0\0\0", 28));
	CHECK(!tid_ok("\x45\0\0\x18x,I,0x0123456789ab\0\0\0\0\0\0", 28));
	CHECK(!tid_ok("\x45\0\0\x18x,i,0x0123456789a\0\0\0\0\0\0\0", 28));
	CHECK(!tid_ok("\x45\0\0\x18x,i,0x0123456789abc\0\0\0\0\0", 28));
	CHECK(!tid_ok("\x45\0\0\x18,i,0x0123456789ab\0\0\0\0\0\0\0", 28));
	CHECK(!tid_ok("\x45\0\0\x18x,i,0x0123456789ag\0\0\0\0\0\0", 28));
	CHECK(!tid_ok("\x05\0\0\x18x,i,0x0123456789ab\0\0\0\0\0\0", 28));
}

/* a state with something of everything */
static void busy_state(void)
{
	setup();
	reg(&a1, KEY_A, 0);
	reg(&b1, KEY_B, 0x05);
	reg(&a2, KEY_C, 0);
	reserve(&a2, KEY_C, BS_RBD_PR_EA_RO);
}

static int same_state(const struct bs_rbd_pr_state *x,
		      const struct bs_rbd_pr_state *y)
{
	int i;

	if (x->generation != y->generation || x->aptpl != y->aptpl ||
	    x->type != y->type || x->holder != y->holder ||
	    x->nr_regs != y->nr_regs)
		return 0;
	for (i = 0; i < x->nr_regs; i++)
		if (x->regs[i].key != y->regs[i].key ||
		    x->regs[i].nexus.rel_port != y->regs[i].nexus.rel_port ||
		    strcmp(x->regs[i].nexus.port, y->regs[i].nexus.port))
			return 0;
	return 1;
}

static void encode_round_trip(void)
{
	static struct bs_rbd_pr_state got;
	static uint8_t buf[BS_RBD_PR_ENCODED_MAX];
	size_t n;

	setup();
	n = bs_rbd_pr_encode(&st, buf, sizeof(buf));
	CHECK(n == 16 &&
	      !memcmp(buf, "bsPR\x01\0\0\0\0\0\0\0\0\0\xff\xff", 16));
	CHECK(bs_rbd_pr_decode(buf, n, &got) == 0 && same_state(&st, &got));
	busy_state();
	n = bs_rbd_pr_encode(&st, buf, sizeof(buf));
	CHECK(n == 16 + 3 * (11 + strlen(PORT_A)));
	CHECK(!memcmp(buf, "bsPR\x01\0\x03\0\x03\0\0\0\x06\x00\x02\0", 16));
	CHECK(!memcmp(buf + 16, "\xaa\0\0\0\0\0\0\0\x01\0\x2e" NAME_A, 40));
	CHECK(buf[16 + 57 + 8] == 0 && buf[16 + 114 + 8] == 2);
	CHECK(bs_rbd_pr_decode(buf, n, &got) == 0 && same_state(&st, &got));
	CHECK(bs_rbd_pr_encode(&st, buf, n - 1) == 0);
	/* all registrants, and a full table */
	CHECK(is(
		prout(&a2, BS_RBD_PR_PREEMPT, BS_RBD_PR_WE_AR, KEY_C, KEY_C, 0),
		GOOD));
	n = bs_rbd_pr_encode(&st, buf, sizeof(buf));
	CHECK(bs_rbd_pr_decode(buf, n, &got) == 0 && same_state(&st, &got));
	capacity();
	n = bs_rbd_pr_encode(&st, buf, sizeof(buf));
	CHECK(n > 0 && bs_rbd_pr_decode(buf, n, &got) == 0);
	CHECK(same_state(&st, &got) && got.nr_regs == BS_RBD_PR_MAX_REGS);
}

static int decodes(const uint8_t *buf, size_t len)
{
	static struct bs_rbd_pr_state s;

	return bs_rbd_pr_decode(buf, len, &s) == 0;
}

/* one byte changed at off, decoded */
static int decodes_with(const uint8_t *good_buf, size_t n, size_t off,
			uint8_t v)
{
	static uint8_t buf[BS_RBD_PR_ENCODED_MAX + 1];

	memcpy(buf, good_buf, n);
	buf[off] = v;
	return decodes(buf, n);
}

static void decode_refuses(void)
{
	static uint8_t buf[BS_RBD_PR_ENCODED_MAX + 1];
	static struct bs_rbd_pr_state got;
	size_t n, i, r2;

	busy_state();
	n = bs_rbd_pr_encode(&st, buf, sizeof(buf));
	CHECK(decodes(buf, n));
	for (i = 0; i < n; i++)
		CHECK(!decodes(buf, i));
	buf[n] = 0;
	CHECK(!decodes(buf, n + 1));
	CHECK(!decodes(NULL, n));
	CHECK(!decodes_with(buf, n, 0, 'B')); /* magic */
	CHECK(!decodes_with(buf, n, 4, 2));   /* version */
	CHECK(!decodes_with(buf, n, 6, 2));   /* count: bytes left over */
	CHECK(!decodes_with(buf, n, 6, 4));   /* count: truncated */
	CHECK(!decodes_with(buf, n, 7, 1));   /* count past the maximum */
	CHECK(!decodes_with(buf, n, 12, 2));  /* type */
	CHECK(!decodes_with(buf, n, 12, 9));  /* type */
	CHECK(!decodes_with(buf, n, 12, 7));  /* all registrants, holder */
	CHECK(!decodes_with(buf, n, 12, 0));  /* none, holder */
	CHECK(!decodes_with(buf, n, 13, 2));  /* flags */
	CHECK(!decodes_with(buf, n, 14, 3));  /* holder out of range */
	CHECK(!decodes_with(buf, n, 16, 0));  /* key 0 */
	CHECK(!decodes_with(buf, n, 16 + 11, 'I')); /* uppercase */
	CHECK(!decodes_with(buf, n, 16 + 12, 0));   /* NUL inside */
	CHECK(!decodes_with(buf, n, 16 + 12, ' ')); /* bad character */
	CHECK(!decodes_with(buf, n, 16 + 12, ',')); /* bad character */
	CHECK(!decodes_with(buf, n, 16 + 56, 'g')); /* ISID digit */
	CHECK(!decodes_with(buf, n, 16 + 10, 0));   /* port length 0 */
	CHECK(decodes_with(buf, n, 16 + 8, 9));	    /* another port */
	CHECK(decodes_with(buf, n, 14, 0));	    /* another holder */
	/* registration 3 (a2) overlapping registration 1 (a1) */
	r2 = 16 + 2 * 57;
	CHECK(!decodes_with(buf, n, r2 + 8, 1));
	CHECK(!decodes_with(buf, n, r2 + 8, 0));
	CHECK(!decodes_with(buf, n, 16 + 8, 0));
	CHECK(decodes_with(buf, n, r2 + 8, 3));
	/* a failed decode leaves the empty state */
	CHECK(bs_rbd_pr_decode(buf, n - 1, &got) == -EINVAL);
	CHECK(got.nr_regs == 0 && got.holder == BS_RBD_PR_NO_HOLDER);
	/* what cannot be decoded is not encoded */
	st.type = 2;
	CHECK(bs_rbd_pr_encode(&st, buf, sizeof(buf)) == 0);
	st.type = BS_RBD_PR_EA_RO;
	st.regs[0].nexus.port[0] = 'I';
	CHECK(bs_rbd_pr_encode(&st, buf, sizeof(buf)) == 0);
}

/* the unit attentions of one change, as bytes for the other gateways */
static void ua_round_trip(void)
{
	struct bs_rbd_pr_ua ua[2], back[2];
	static uint8_t buf[BS_RBD_PR_UA_ENCODED_MAX];
	size_t len, i;

	memset(ua, 0, sizeof(ua));
	strcpy(ua[0].nexus.port, "iqn.a,i,0x0123456789ab");
	ua[0].nexus.rel_port = 2;
	ua[0].asc = BS_RBD_PR_ASC_REGISTRATIONS_PREEMPTED;
	strcpy(ua[1].nexus.port, "iqn.b,i,0x000000000001");
	ua[1].asc = BS_RBD_PR_ASC_RESERVATIONS_RELEASED;
	len = bs_rbd_pr_ua_encode(ua, 2, buf, sizeof(buf));
	CHECK(len == 8 + 2 * 5 + 22 + 22);
	CHECK(bs_rbd_pr_ua_decode(buf, len, back, 2) == 2);
	CHECK(!memcmp(ua, back, sizeof(ua)));
	CHECK(bs_rbd_pr_ua_decode(buf, len, back, 1) == -EINVAL);
	for (i = 0; i < len; i++)
		CHECK(bs_rbd_pr_ua_decode(buf, i, back, 2) == -EINVAL);
	CHECK(bs_rbd_pr_ua_decode(buf, len + 1, back, 2) == -EINVAL);
	CHECK(bs_rbd_pr_ua_encode(ua, 0, buf, sizeof(buf)) == 8);
	CHECK(bs_rbd_pr_ua_decode(buf, 8, back, 2) == 0);
	/* what no change makes: another ASC, a name not in lowercase */
	ua[1].asc = 0x2900;
	CHECK(bs_rbd_pr_ua_encode(ua, 2, buf, sizeof(buf)) == 0);
	ua[1].asc = BS_RBD_PR_ASC_RESERVATIONS_PREEMPTED;
	strcpy(ua[1].nexus.port, "IQN.b,i,0x000000000001");
	CHECK(bs_rbd_pr_ua_encode(ua, 2, buf, sizeof(buf)) == 0);
	CHECK(bs_rbd_pr_ua_encode(ua, 1, buf, 20) == 0);
}

/* SPC-2 reservations: one holder, given way to registrations, dropped */
static void reserve6(void)
{
	static const uint8_t isid[6] = { 0x23, 0xd0, 0, 0, 0, 1 };
	struct bs_rbd_pr_legacy was;
	struct bs_rbd_pr_nexus A1 = a1;

	setup();
	CHECK(is(bs_rbd_pr_reserve6(&st, &a1, 11, 7, 1, &fx), GOOD) &&
	      fx.changed);
	was = st.legacy;
	CHECK(was.held && was.token == 11 && was.boot == 7);
	/* again by the holder: GOOD, nothing to write */
	CHECK(is(bs_rbd_pr_reserve6(&st, &a1, 11, 7, 1, &fx), GOOD) &&
	      !fx.changed);
	/* the same port through another gateway is another nexus */
	CHECK(is(bs_rbd_pr_reserve6(&st, &a2, 12, 7, 2, &fx), CONFLICT));
	CHECK(is(bs_rbd_pr_reserve6(&st, &b1, 11, 7, 3, &fx), CONFLICT));
	CHECK(is(bs_rbd_pr_release6(&st, &b1, &fx), GOOD) && !fx.changed);
	CHECK(st.legacy.held);
	/* names compare without regard to case */
	CHECK(bs_rbd_pr_port(A1.port, "IQN.1993-08.ORG.DEBIAN:01:AAA", isid) ==
	      0);
	CHECK(!bs_rbd_pr_reserved6_other(&st, &A1));
	CHECK(bs_rbd_pr_reserved6_other(&st, &a2));
	CHECK(bs_rbd_pr_reserved6_other(&st, &b1));
	/* the persistent reservations' table is not about it */
	CHECK(!bs_rbd_pr_conflict(&st, &b1, BS_RBD_PR_WRITE));
	/* PR OUT from another nexus conflicts, even REGISTER */
	CHECK(is(prout(&b1, BS_RBD_PR_REGISTER, 0, 0, KEY_B, 0), CONFLICT));
	CHECK(st.nr_regs == 0);
	/* dropped only as it was */
	was.token = 99;
	CHECK(!bs_rbd_pr_drop6(&st, &was) && st.legacy.held);
	was.token = 11;
	CHECK(bs_rbd_pr_drop6(&st, &was) && !st.legacy.held);
	CHECK(!bs_rbd_pr_drop6(&st, &was));
	/* the same nexus through the same LU again: a late drop of the grant
	 * before misses this one */
	CHECK(is(bs_rbd_pr_reserve6(&st, &a1, 11, 7, 9, &fx), GOOD));
	CHECK(!bs_rbd_pr_drop6(&st, &was) && st.legacy.held);
	/* the holder registers and clears: only persistent ones go */
	reg(&a1, KEY_A, 0);
	CHECK(is(prout(&a1, BS_RBD_PR_CLEAR, 0, KEY_A, 0, 0), GOOD));
	CHECK(st.nr_regs == 0 && st.legacy.held && st.legacy.id == 9);
	was = st.legacy;
	CHECK(bs_rbd_pr_drop6(&st, &was));
	/* the holder releases */
	CHECK(is(bs_rbd_pr_reserve6(&st, &c1, 14, 7, 5, &fx), GOOD));
	CHECK(is(bs_rbd_pr_release6(&st, &c1, &fx), GOOD) && fx.changed);
	CHECK(!st.legacy.held && !bs_rbd_pr_reserved6_other(&st, &b1));
	/* a registration: RESERVE(6) and RELEASE(6) conflict */
	reg(&a1, KEY_A, 0);
	CHECK(is(bs_rbd_pr_reserve6(&st, &a1, 11, 7, 1, &fx), CONFLICT));
	CHECK(is(bs_rbd_pr_release6(&st, &b1, &fx), CONFLICT));
	CHECK(!st.legacy.held);
}

/* A state with an SPC-2 reservation is version 2, and round-trips */
static void reserve6_as_bytes(void)
{
	static struct bs_rbd_pr_state got;
	static uint8_t buf[BS_RBD_PR_ENCODED_MAX];
	size_t n;

	setup();
	CHECK(is(bs_rbd_pr_reserve6(&st, &d2, 0x1122, 0x3344, 0x5566, &fx),
		 GOOD));
	n = bs_rbd_pr_encode(&st, buf, sizeof(buf));
	CHECK(n == 16 + 27 + strlen(d2.port));
	CHECK(buf[4] == 2 && buf[16] == 0x22 && buf[24] == 0x44 &&
	      buf[32] == 0x66 && buf[40] == 2 && buf[42] == strlen(d2.port));
	CHECK(bs_rbd_pr_decode(buf, n, &got) == 0 &&
	      !memcmp(&got.legacy, &st.legacy, sizeof(got.legacy)));
	CHECK(bs_rbd_pr_decode(buf, n - 1, &got) == -EINVAL);
	CHECK(bs_rbd_pr_encode(&st, buf, n - 1) == 0);
	/* version 1 with the reservation's bytes after it: not a state */
	n = bs_rbd_pr_encode(&st, buf, sizeof(buf));
	buf[4] = 1;
	CHECK(bs_rbd_pr_decode(buf, n, &got) == -EINVAL);
	/* version 2 without them, or with a port 0: not a state */
	CHECK(bs_rbd_pr_release6(&st, &d2, &fx).status == GOOD);
	n = bs_rbd_pr_encode(&st, buf, sizeof(buf));
	buf[4] = 2;
	CHECK(n == 16 && bs_rbd_pr_decode(buf, n, &got) == -EINVAL);
	CHECK(is(bs_rbd_pr_reserve6(&st, &d2, 1, 1, 1, &fx), GOOD));
	n = bs_rbd_pr_encode(&st, buf, sizeof(buf));
	buf[40] = 0;
	CHECK(bs_rbd_pr_decode(buf, n, &got) == -EINVAL);
}

int main(void)
{
	RUN(port_names);
	RUN(register_unregister);
	RUN(register_ignore);
	RUN(generation_counting);
	RUN(nexus_identity);
	RUN(all_target_ports);
	RUN(conflict_matrix);
	RUN(reserve_rules);
	RUN(release_rules);
	RUN(unregister_holder);
	RUN(clear);
	RUN(preempt_holder);
	RUN(preempt_registrations);
	RUN(preempt_all_registrants);
	RUN(preempt_and_abort);
	RUN(register_and_move);
	RUN(register_and_move_refused);
	RUN(parameter_lists);
	RUN(bad_sender);
	RUN(capacity);
	RUN(aptpl);
	RUN(failures_change_nothing);
	RUN(read_keys_and_reservation);
	RUN(report_capabilities);
	RUN(read_full_status);
	RUN(transport_ids);
	RUN(transport_ids_refused);
	RUN(encode_round_trip);
	RUN(decode_refuses);
	RUN(ua_round_trip);
	RUN(reserve6);
	RUN(reserve6_as_bytes);
	return unit_report("unit/pr");
}
