// SPDX-License-Identifier: GPL-2.0-only
/*
 * bs_rbd: SCSI-3 persistent reservations - the pure parts.  Each service
 * action makes all of its checks before its first change, so a command
 * that fails leaves the state exactly as it was.
 */
#include <errno.h>
#include <string.h>

#include "bs_rbd_pr.h"

#define PARAM_LEN \
	24 /* the basic parameter list, and the fixed part of
			REGISTER AND MOVE's */
#define SEP ",i,0x"
#define SEP_LEN 5
#define ISID_DIGITS 12
#define ISID_SUFFIX (SEP_LEN + ISID_DIGITS)

/* parameter list byte 20; REGISTER AND MOVE byte 17 */
#define SPEC_I_PT 0x08
#define ALL_TG_PT 0x04
#define APTPL 0x01
#define UNREG 0x02

/* REPORT CAPABILITIES bytes 2 to 5 */
#define CAP_ATP_C 0x04
#define CAP_PTPL_C 0x01
#define CAP_TMV 0x80
#define CAP_TYPES_HI 0xea /* WR_EX_AR, EX_AC_RO, WR_EX_RO, EX_AC, WR_EX */
#define CAP_TYPES_LO 0x01 /* EX_AC_AR */
#define CAP_LEN 8

/* READ FULL STATUS descriptor byte 12 */
#define FS_ALL_TG_PT 0x02
#define FS_R_HOLDER 0x01
#define FS_DESC_LEN 24

/* iSCSI TransportID */
#define PROTO_ISCSI 0x05
#define TID_HDR 4
#define TID_MIN_ADD 20

/* the encoding */
#define MAGIC "bsPR"
#define VERSION 1
#define VERSION_LEGACY 2 /* with an SPC-2 reservation */
#define HDR_LEN 16
#define REG_FIXED 11
#define LEGACY_FIXED 27

/* ---- names --------------------------------------------------------- */

/* printable ASCII but ',' (the separator before the ISID) */
static int name_char(char c)
{
	return c > ' ' && c < 0x7f && c != ',';
}

static int hex_digit(char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') ||
	       (c >= 'A' && c <= 'F');
}

static char lower(char c)
{
	return c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c;
}

/* n bytes at p are an iSCSI name; with canonical, in lowercase only */
static int name_ok(const char *p, size_t n, int canonical)
{
	size_t i;

	if (!n || n > BS_RBD_PR_NAME_MAX)
		return 0;
	for (i = 0; i < n; i++)
		if (!name_char(p[i]) || (canonical && lower(p[i]) != p[i]))
			return 0;
	return 1;
}

/* n bytes at p are "name,i,0xISID" */
static int port_ok(const char *p, size_t n, int canonical)
{
	const char *isid;
	size_t i;

	if (n <= ISID_SUFFIX || !name_ok(p, n - ISID_SUFFIX, canonical) ||
	    memcmp(p + n - ISID_SUFFIX, SEP, SEP_LEN))
		return 0;
	isid = p + n - ISID_DIGITS;
	for (i = 0; i < ISID_DIGITS; i++)
		if (!hex_digit(isid[i]) ||
		    (canonical && lower(isid[i]) != isid[i]))
			return 0;
	return 1;
}

static size_t port_len(const char *port)
{
	return strnlen(port, BS_RBD_PR_PORT_MAX);
}

/* n < BS_RBD_PR_PORT_MAX bytes of src, lowercase, NUL-filled to the end */
static void copy_lower(char *dst, const char *src, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		dst[i] = lower(src[i]);
	memset(dst + n, 0, BS_RBD_PR_PORT_MAX - n);
}

static int port_eq(const char *a, const char *b)
{
	size_t i;

	for (i = 0; i < BS_RBD_PR_PORT_MAX; i++) {
		if (lower(a[i]) != lower(b[i]))
			return 0;
		if (!a[i])
			return 1;
	}
	return 1;
}

static int nexus_ok(const struct bs_rbd_pr_nexus *n)
{
	return n->rel_port && port_ok(n->port, port_len(n->port), 0);
}

int bs_rbd_pr_port(char port[BS_RBD_PR_PORT_MAX], const char *name,
		   const uint8_t isid[6])
{
	static const char hex[] = "0123456789abcdef";
	size_t n = strnlen(name, BS_RBD_PR_NAME_MAX + 1);
	char *p;
	int i;

	if (!name_ok(name, n, 0))
		return -EINVAL;
	copy_lower(port, name, n);
	p = port + n;
	memcpy(p, SEP, SEP_LEN);
	p += SEP_LEN;
	for (i = 0; i < 6; i++) {
		*p++ = hex[isid[i] >> 4];
		*p++ = hex[isid[i] & 0xf];
	}
	return 0;
}

/* ---- bytes --------------------------------------------------------- */

static uint64_t get_be(const uint8_t *p, int n)
{
	uint64_t v = 0;

	while (n--)
		v = v << 8 | *p++;
	return v;
}

static uint64_t get_le(const uint8_t *p, int n)
{
	uint64_t v = 0;

	while (n--)
		v = v << 8 | p[n];
	return v;
}

static void put_le(uint8_t *p, uint64_t v, int n)
{
	int i;

	for (i = 0; i < n; i++, v >>= 8)
		p[i] = (uint8_t)v;
}

/* Parameter data written up to alloc bytes, counted in full */
struct out {
	uint8_t *buf;
	size_t alloc, off;
};

static void put(struct out *o, const void *p, size_t n)
{
	size_t room = o->off < o->alloc ? o->alloc - o->off : 0;

	if (room)
		memcpy(o->buf + o->off, p, n < room ? n : room);
	o->off += n;
}

static void put_be(struct out *o, uint64_t v, int n)
{
	uint8_t b[8];
	int i;

	for (i = n - 1; i >= 0; i--, v >>= 8)
		b[i] = (uint8_t)v;
	put(o, b, (size_t)n);
}

/* ---- TransportIDs -------------------------------------------------- */

static int all_zero(const uint8_t *p, size_t n)
{
	while (n--)
		if (*p++)
			return 0;
	return 1;
}

int bs_rbd_pr_tid_parse(const uint8_t *buf, size_t len,
			char port[BS_RBD_PR_PORT_MAX], int *format)
{
	const uint8_t *nul;
	const char *name;
	size_t add, n;
	int fmt;

	/* reserved bits 5-4 of byte 0 and byte 1 must be zero */
	if (!buf || len < TID_HDR || (buf[0] & 0x3f) != PROTO_ISCSI || buf[1])
		return -EINVAL;
	name = (const char *)buf + TID_HDR;
	fmt = buf[0] >> 6;
	add = (size_t)get_be(buf + 2, 2);
	if (fmt > 1 || add < TID_MIN_ADD || add % 4 || add > len - TID_HDR)
		return -EINVAL;
	nul = memchr(name, 0, add);
	if (!nul)
		return -EINVAL;
	n = (size_t)(nul - buf) - TID_HDR;
	if (!all_zero(nul, add - n))
		return -EINVAL;
	if (fmt ? !port_ok(name, n, 0) : !name_ok(name, n, 0))
		return -EINVAL;
	copy_lower(port, name, n);
	*format = fmt;
	return (int)(TID_HDR + add);
}

size_t bs_rbd_pr_tid_format(const char *port, uint8_t *buf, size_t len)
{
	uint8_t tid[BS_RBD_PR_TID_MAX] = { 0 };
	size_t n = port_len(port), add, i;
	int fmt;

	if (port_ok(port, n, 0))
		fmt = 1;
	else if (name_ok(port, n, 0))
		fmt = 0;
	else
		return 0;
	/* NUL-terminated, padded to a multiple of 4, at least 20 */
	add = (n + 1 + 3) & ~(size_t)3;
	if (add < TID_MIN_ADD)
		add = TID_MIN_ADD;
	tid[0] = (uint8_t)(fmt << 6 | PROTO_ISCSI);
	tid[2] = (uint8_t)(add >> 8);
	tid[3] = (uint8_t)add;
	for (i = 0; i < n; i++)
		tid[TID_HDR + i] = (uint8_t)lower(port[i]);
	if (buf && len)
		memcpy(buf, tid, len < TID_HDR + add ? len : TID_HDR + add);
	return TID_HDR + add;
}

/* ---- registrations and the reservation ----------------------------- */

static int type_ok(unsigned int t)
{
	return t == BS_RBD_PR_WE || t == BS_RBD_PR_EA ||
	       (t >= BS_RBD_PR_WE_RO && t <= BS_RBD_PR_EA_AR);
}

static int all_registrants(unsigned int t)
{
	return t == BS_RBD_PR_WE_AR || t == BS_RBD_PR_EA_AR;
}

static int reservation_ok(const struct bs_rbd_pr_state *s)
{
	if (s->type == BS_RBD_PR_NONE)
		return s->holder == BS_RBD_PR_NO_HOLDER;
	if (!type_ok(s->type))
		return 0;
	if (all_registrants(s->type))
		return s->holder == BS_RBD_PR_NO_HOLDER && s->nr_regs;
	return s->holder < s->nr_regs;
}

static int covers(const struct bs_rbd_pr_reg *r,
		  const struct bs_rbd_pr_nexus *n)
{
	return (!r->nexus.rel_port || r->nexus.rel_port == n->rel_port) &&
	       port_eq(r->nexus.port, n->port);
}

/* Some nexus would match both a and b */
static int overlap(const struct bs_rbd_pr_reg *a, const struct bs_rbd_pr_reg *b)
{
	return covers(a, &b->nexus) || covers(b, &a->nexus);
}

/* The index of n's registration, or -1 */
static int find_reg(const struct bs_rbd_pr_state *s,
		    const struct bs_rbd_pr_nexus *n)
{
	int i;

	for (i = 0; i < s->nr_regs; i++)
		if (covers(&s->regs[i], n))
			return i;
	return -1;
}

static int holds(const struct bs_rbd_pr_state *s, int i)
{
	if (i < 0 || s->type == BS_RBD_PR_NONE)
		return 0;
	return all_registrants(s->type) || s->holder == i;
}

/*
 * Remove the registrations drop[] marks, keeping the others in order.
 * The reservation goes with its holder, or with the last registrant of an
 * all registrants type.  Returns the new index of keep (-1: dropped).
 */
static int compact(struct bs_rbd_pr_state *s, const uint8_t *drop, int keep)
{
	uint16_t holder = BS_RBD_PR_NO_HOLDER;
	int i, n = 0, kept = -1;

	for (i = 0; i < s->nr_regs; i++) {
		if (drop[i])
			continue;
		if (i == s->holder)
			holder = (uint16_t)n;
		if (i == keep)
			kept = n;
		if (n != i)
			s->regs[n] = s->regs[i];
		n++;
	}
	memset(&s->regs[n], 0, (size_t)(s->nr_regs - n) * sizeof(s->regs[0]));
	s->nr_regs = (uint16_t)n;
	s->holder = holder;
	if (!n || (!all_registrants(s->type) && holder == BS_RBD_PR_NO_HOLDER))
		s->type = BS_RBD_PR_NONE;
	return kept;
}

static int append(struct bs_rbd_pr_state *s, uint64_t key,
		  const struct bs_rbd_pr_nexus *n)
{
	struct bs_rbd_pr_reg *r = &s->regs[s->nr_regs];

	r->key = key;
	r->nexus = *n;
	return s->nr_regs++;
}

void bs_rbd_pr_init(struct bs_rbd_pr_state *s)
{
	memset(s, 0, sizeof(*s));
	s->holder = BS_RBD_PR_NO_HOLDER;
}

int bs_rbd_pr_registered(const struct bs_rbd_pr_state *s,
			 const struct bs_rbd_pr_nexus *n)
{
	return find_reg(s, n) >= 0;
}

static int nexus_eq(const struct bs_rbd_pr_nexus *a,
		    const struct bs_rbd_pr_nexus *b)
{
	return a->rel_port == b->rel_port && port_eq(a->port, b->port);
}

int bs_rbd_pr_reserved6_other(const struct bs_rbd_pr_state *s,
			      const struct bs_rbd_pr_nexus *n)
{
	return s->legacy.held && !nexus_eq(&s->legacy.nexus, n);
}

int bs_rbd_pr_conflict(const struct bs_rbd_pr_state *s,
		       const struct bs_rbd_pr_nexus *n,
		       enum bs_rbd_pr_access acc)
{
	int i;

	/* CRH 0: SPC-2 reservations give way to any registration */
	if (acc == BS_RBD_PR_LEGACY)
		return s->nr_regs > 0;
	if (acc == BS_RBD_PR_ALLOWED || s->type == BS_RBD_PR_NONE)
		return 0;
	i = find_reg(s, n);
	switch (s->type) {
	case BS_RBD_PR_WE:
		return acc != BS_RBD_PR_READ && !holds(s, i);
	case BS_RBD_PR_EA:
		return !holds(s, i);
	case BS_RBD_PR_WE_RO:
	case BS_RBD_PR_WE_AR:
		return acc != BS_RBD_PR_READ && i < 0;
	default:
		return i < 0;
	}
}

/* ---- PERSISTENT RESERVE OUT ---------------------------------------- */

struct param {
	uint64_t key, sa_key;
	int all_tg_pt, aptpl, unreg;
	struct bs_rbd_pr_nexus dest; /* REGISTER AND MOVE */
};

struct ctx {
	struct bs_rbd_pr_state *s;
	struct bs_rbd_pr_nexus from; /* the sender, lowercase */
	int me;			     /* its registration, or -1 */
	uint8_t type;		     /* the CDB's */
	struct param p;
	struct bs_rbd_pr_effects *fx;
};

static struct bs_rbd_pr_result result(uint8_t status, uint8_t key, uint16_t asc)
{
	struct bs_rbd_pr_result r = { status, key, asc };

	return r;
}

static struct bs_rbd_pr_result good(void)
{
	return result(BS_RBD_PR_GOOD, 0, 0);
}

static struct bs_rbd_pr_result conflict(void)
{
	return result(BS_RBD_PR_RESERVATION_CONFLICT, 0, 0);
}

static struct bs_rbd_pr_result illegal(uint16_t asc)
{
	return result(BS_RBD_PR_CHECK_CONDITION, BS_RBD_PR_KEY_ILLEGAL_REQUEST,
		      asc);
}

static void add_ua(struct bs_rbd_pr_effects *fx,
		   const struct bs_rbd_pr_nexus *n, uint16_t asc)
{
	if (fx->nr_ua >= BS_RBD_PR_MAX_REGS)
		return;
	fx->ua[fx->nr_ua].nexus = *n;
	fx->ua[fx->nr_ua++].asc = asc;
}

/* A unit attention for every registrant but the sender */
static void ua_others(struct ctx *c, uint16_t asc)
{
	int i;

	for (i = 0; i < c->s->nr_regs; i++)
		if (i != c->me)
			add_ua(c->fx, &c->s->regs[i].nexus, asc);
}

static void add_abort(struct bs_rbd_pr_effects *fx,
		      const struct bs_rbd_pr_nexus *n)
{
	if (fx->nr_abort < BS_RBD_PR_MAX_REGS)
		fx->abort[fx->nr_abort++] = *n;
}

static struct bs_rbd_pr_result next_generation(struct ctx *c)
{
	c->s->generation++;
	c->fx->changed = 1;
	return good();
}

static struct bs_rbd_pr_result parse_basic(struct param *p, const uint8_t *b,
					   size_t len)
{
	if (!b || len < PARAM_LEN)
		return illegal(BS_RBD_PR_ASC_PARAM_LIST_LENGTH);
	/* SIP_C 0; with SPEC_I_PT the list could be longer, so first */
	if (b[20] & SPEC_I_PT)
		return illegal(BS_RBD_PR_ASC_INVALID_FIELD_IN_PARAM);
	if (len != PARAM_LEN)
		return illegal(BS_RBD_PR_ASC_PARAM_LIST_LENGTH);
	p->key = get_be(b, 8);
	p->sa_key = get_be(b + 8, 8);
	p->all_tg_pt = !!(b[20] & ALL_TG_PT);
	p->aptpl = b[20] & APTPL;
	return good();
}

static struct bs_rbd_pr_result parse_move(struct param *p, const uint8_t *b,
					  size_t len)
{
	int format, n;

	if (!b || len < PARAM_LEN || get_be(b + 20, 4) != len - PARAM_LEN)
		return illegal(BS_RBD_PR_ASC_PARAM_LIST_LENGTH);
	n = bs_rbd_pr_tid_parse(b + PARAM_LEN, len - PARAM_LEN, p->dest.port,
				&format);
	/* a port needs its ISID: format 01b */
	if (n < 0 || (size_t)n != len - PARAM_LEN || format != 1)
		return illegal(BS_RBD_PR_ASC_INVALID_FIELD_IN_PARAM);
	p->dest.rel_port = (uint16_t)get_be(b + 18, 2);
	if (!p->dest.rel_port)
		return illegal(BS_RBD_PR_ASC_INVALID_FIELD_IN_PARAM);
	p->key = get_be(b, 8);
	p->sa_key = get_be(b + 8, 8);
	p->aptpl = b[17] & APTPL;
	p->unreg = !!(b[17] & UNREG);
	return good();
}

static struct bs_rbd_pr_result add_registration(struct ctx *c)
{
	struct bs_rbd_pr_state *s = c->s;
	int i;

	/* so that no nexus is ever covered by two registrations */
	if (c->p.all_tg_pt)
		for (i = 0; i < s->nr_regs; i++)
			if (port_eq(s->regs[i].nexus.port, c->from.port))
				return illegal(
					BS_RBD_PR_ASC_INVALID_FIELD_IN_PARAM);
	if (s->nr_regs == BS_RBD_PR_MAX_REGS)
		return illegal(BS_RBD_PR_ASC_INSUFFICIENT_REG_RESOURCES);
	i = append(s, c->p.sa_key, &c->from);
	if (c->p.all_tg_pt)
		s->regs[i].nexus.rel_port = 0;
	s->aptpl = (uint8_t)c->p.aptpl;
	return next_generation(c);
}

/*
 * The holder's registration going releases the reservation (but an all
 * registrants one, which ends with its last registrant); the other
 * registrants of a registrants only type are told (SPC-4 5.13.11.2).
 */
static void unregister(struct ctx *c)
{
	uint8_t drop[BS_RBD_PR_MAX_REGS] = { 0 };
	unsigned int t = c->s->type;

	if (holds(c->s, c->me) &&
	    (t == BS_RBD_PR_WE_RO || t == BS_RBD_PR_EA_RO))
		ua_others(c, BS_RBD_PR_ASC_RESERVATIONS_RELEASED);
	drop[c->me] = 1;
	compact(c->s, drop, -1);
}

static struct bs_rbd_pr_result do_register(struct ctx *c, int ignore_key)
{
	struct bs_rbd_pr_state *s = c->s;

	if (c->me < 0) {
		if (!ignore_key && c->p.key)
			return conflict();
		/* nothing to unregister: nothing changes (see the header) */
		if (!c->p.sa_key)
			return good();
		return add_registration(c);
	}
	if (!ignore_key && c->p.key != s->regs[c->me].key)
		return conflict();
	if (c->p.sa_key)
		s->regs[c->me].key = c->p.sa_key;
	else
		unregister(c);
	s->aptpl = (uint8_t)c->p.aptpl;
	return next_generation(c);
}

static struct bs_rbd_pr_result do_reserve(struct ctx *c)
{
	struct bs_rbd_pr_state *s = c->s;

	if (s->type == BS_RBD_PR_NONE) {
		s->type = c->type;
		s->holder = all_registrants(c->type) ? BS_RBD_PR_NO_HOLDER
						     : (uint16_t)c->me;
		c->fx->changed = 1;
		return good();
	}
	/* the holder asking again for the same: nothing to do */
	if (!holds(s, c->me) || s->type != c->type)
		return conflict();
	return good();
}

static struct bs_rbd_pr_result do_release(struct ctx *c)
{
	struct bs_rbd_pr_state *s = c->s;

	/* SPC-4 5.13.11.2: no reservation, or not its holder: GOOD */
	if (!holds(s, c->me))
		return good();
	if (s->type != c->type)
		return illegal(BS_RBD_PR_ASC_INVALID_RELEASE);
	if (s->type != BS_RBD_PR_WE && s->type != BS_RBD_PR_EA)
		ua_others(c, BS_RBD_PR_ASC_RESERVATIONS_RELEASED);
	s->type = BS_RBD_PR_NONE;
	s->holder = BS_RBD_PR_NO_HOLDER;
	c->fx->changed = 1;
	return good();
}

static struct bs_rbd_pr_result do_clear(struct ctx *c)
{
	struct bs_rbd_pr_state *s = c->s;
	uint32_t gen = s->generation;
	uint8_t aptpl = s->aptpl;
	/* the sender's own SPC-2 reservation: not a persistent one */
	struct bs_rbd_pr_legacy legacy = s->legacy;

	ua_others(c, BS_RBD_PR_ASC_RESERVATIONS_PREEMPTED);
	bs_rbd_pr_init(s);
	s->generation = gen;
	s->aptpl = aptpl;
	s->legacy = legacy;
	return next_generation(c);
}

/*
 * Remove the registrations with key, or all but the sender's when key is
 * 0 (an all registrants reservation preempted); the sender's is kept when
 * keep_me.  Each removed nexus but the sender's gets REGISTRATIONS
 * PREEMPTED; with abort, every nexus with key loses its tasks.
 */
static void preempt_regs(struct ctx *c, uint64_t key, int keep_me, int aborts)
{
	uint8_t drop[BS_RBD_PR_MAX_REGS] = { 0 };
	const struct bs_rbd_pr_reg *r;
	int i;

	for (i = 0; i < c->s->nr_regs; i++) {
		r = &c->s->regs[i];
		if (key ? r->key != key : i == c->me)
			continue;
		if (aborts)
			add_abort(c->fx, &r->nexus);
		if (i == c->me && keep_me)
			continue;
		drop[i] = 1;
		if (i != c->me)
			add_ua(c->fx, &r->nexus,
			       BS_RBD_PR_ASC_REGISTRATIONS_PREEMPTED);
	}
	c->me = compact(c->s, drop, c->me);
}

/* SPC-4 5.13.11.4.3: the reservation taken over, with the CDB's type */
static struct bs_rbd_pr_result preempt_reservation(struct ctx *c, uint64_t key,
						   int aborts)
{
	struct bs_rbd_pr_state *s = c->s;
	uint8_t old = s->type;

	preempt_regs(c, key, 1, aborts);
	s->type = c->type;
	s->holder = all_registrants(c->type) ? BS_RBD_PR_NO_HOLDER
					     : (uint16_t)c->me;
	/* the registrants left see a reservation of another type */
	if (old != c->type)
		ua_others(c, BS_RBD_PR_ASC_RESERVATIONS_RELEASED);
	return next_generation(c);
}

static struct bs_rbd_pr_result do_preempt(struct ctx *c, int aborts)
{
	const struct bs_rbd_pr_state *s = c->s;
	uint64_t key = c->p.sa_key;
	int i;

	if (all_registrants(s->type) && !key)
		return preempt_reservation(c, 0, aborts);
	if (!key)
		return illegal(BS_RBD_PR_ASC_INVALID_FIELD_IN_PARAM);
	for (i = 0; i < s->nr_regs && s->regs[i].key != key; i++)
		;
	if (i == s->nr_regs)
		return conflict();
	if (s->type && !all_registrants(s->type) &&
	    s->regs[s->holder].key == key)
		return preempt_reservation(c, key, aborts);
	/* SPC-4 5.13.11.4.4: registrations removed, the sender's too */
	preempt_regs(c, key, 0, aborts);
	return next_generation(c);
}

static struct bs_rbd_pr_result do_move(struct ctx *c)
{
	uint8_t drop[BS_RBD_PR_MAX_REGS] = { 0 };
	struct bs_rbd_pr_state *s = c->s;
	uint8_t type = s->type;
	int dest;

	if (!type || all_registrants(type) || s->holder != c->me)
		return conflict();
	/* the sender's own nexus is no destination */
	if (!c->p.sa_key || covers(&s->regs[c->me], &c->p.dest))
		return illegal(BS_RBD_PR_ASC_INVALID_FIELD_IN_PARAM);
	dest = find_reg(s, &c->p.dest);
	if (dest < 0 && s->nr_regs == BS_RBD_PR_MAX_REGS && !c->p.unreg)
		return illegal(BS_RBD_PR_ASC_INSUFFICIENT_REG_RESOURCES);
	if (c->p.unreg) {
		drop[c->me] = 1;
		dest = compact(s, drop, dest);
	}
	if (dest < 0)
		dest = append(s, c->p.sa_key, &c->p.dest);
	s->type = type;
	s->holder = (uint16_t)dest;
	s->aptpl = (uint8_t)c->p.aptpl;
	return next_generation(c);
}

static struct bs_rbd_pr_result run(struct ctx *c, unsigned int sa)
{
	switch (sa) {
	case BS_RBD_PR_REGISTER:
		return do_register(c, 0);
	case BS_RBD_PR_REGISTER_IGNORE:
		return do_register(c, 1);
	case BS_RBD_PR_RESERVE:
		return do_reserve(c);
	case BS_RBD_PR_RELEASE:
		return do_release(c);
	case BS_RBD_PR_CLEAR:
		return do_clear(c);
	case BS_RBD_PR_PREEMPT:
		return do_preempt(c, 0);
	case BS_RBD_PR_PREEMPT_ABORT:
		return do_preempt(c, 1);
	default:
		return do_move(c);
	}
}

/* The service actions that use the CDB's SCOPE and TYPE */
static int takes_type(unsigned int sa)
{
	return sa == BS_RBD_PR_RESERVE || sa == BS_RBD_PR_RELEASE ||
	       sa == BS_RBD_PR_PREEMPT || sa == BS_RBD_PR_PREEMPT_ABORT;
}

struct bs_rbd_pr_result bs_rbd_pr_out(struct bs_rbd_pr_state *s,
				      const struct bs_rbd_pr_nexus *from,
				      unsigned int sa, uint8_t scope_type,
				      const uint8_t *param, size_t len,
				      struct bs_rbd_pr_effects *fx)
{
	struct bs_rbd_pr_result r;
	struct ctx c = { .s = s, .fx = fx, .type = scope_type & 0xf };

	fx->changed = fx->nr_ua = fx->nr_abort = 0;
	if (!nexus_ok(from) || s->nr_regs > BS_RBD_PR_MAX_REGS ||
	    !reservation_ok(s))
		return result(BS_RBD_PR_CHECK_CONDITION,
			      BS_RBD_PR_KEY_HARDWARE_ERROR,
			      BS_RBD_PR_ASC_INTERNAL_TARGET_FAILURE);
	/* only LU scope (0) */
	if (sa > BS_RBD_PR_REGISTER_MOVE ||
	    (takes_type(sa) && (scope_type >> 4 || !type_ok(c.type))))
		return illegal(BS_RBD_PR_ASC_INVALID_FIELD_IN_CDB);
	if (sa == BS_RBD_PR_REGISTER_MOVE)
		r = parse_move(&c.p, param, len);
	else
		r = parse_basic(&c.p, param, len);
	if (r.status != BS_RBD_PR_GOOD)
		return r;
	copy_lower(c.from.port, from->port, port_len(from->port));
	c.from.rel_port = from->rel_port;
	if (bs_rbd_pr_reserved6_other(s, &c.from))
		return conflict();
	c.me = find_reg(s, &c.from);
	/* SPC-4 6.17.3: the key is checked whatever else is asked */
	if (sa != BS_RBD_PR_REGISTER && sa != BS_RBD_PR_REGISTER_IGNORE &&
	    (c.me < 0 || s->regs[c.me].key != c.p.key))
		return conflict();
	return run(&c, sa);
}

/* ---- SPC-2 reservations -------------------------------------------- */

static struct bs_rbd_pr_result legacy_start(const struct bs_rbd_pr_state *s,
					    const struct bs_rbd_pr_nexus *from,
					    struct bs_rbd_pr_effects *fx)
{
	fx->changed = fx->nr_ua = fx->nr_abort = 0;
	if (!nexus_ok(from))
		return result(BS_RBD_PR_CHECK_CONDITION,
			      BS_RBD_PR_KEY_HARDWARE_ERROR,
			      BS_RBD_PR_ASC_INTERNAL_TARGET_FAILURE);
	return s->nr_regs ? conflict() : good();
}

struct bs_rbd_pr_result bs_rbd_pr_reserve6(struct bs_rbd_pr_state *s,
					   const struct bs_rbd_pr_nexus *from,
					   uint64_t token, uint64_t boot,
					   uint64_t id,
					   struct bs_rbd_pr_effects *fx)
{
	struct bs_rbd_pr_result r = legacy_start(s, from, fx);
	struct bs_rbd_pr_legacy *l = &s->legacy;

	if (r.status != BS_RBD_PR_GOOD)
		return r;
	if (bs_rbd_pr_reserved6_other(s, from))
		return conflict();
	/* the holder again, through another LU or tgtd: it holds it there */
	if (l->held && l->token == token && l->boot == boot)
		return r;
	l->held = 1;
	l->token = token;
	l->boot = boot;
	l->id = id;
	copy_lower(l->nexus.port, from->port, port_len(from->port));
	l->nexus.rel_port = from->rel_port;
	fx->changed = 1;
	return r;
}

struct bs_rbd_pr_result bs_rbd_pr_release6(struct bs_rbd_pr_state *s,
					   const struct bs_rbd_pr_nexus *from,
					   struct bs_rbd_pr_effects *fx)
{
	struct bs_rbd_pr_result r = legacy_start(s, from, fx);

	if (r.status != BS_RBD_PR_GOOD || !s->legacy.held ||
	    bs_rbd_pr_reserved6_other(s, from))
		return r;
	memset(&s->legacy, 0, sizeof(s->legacy));
	fx->changed = 1;
	return r;
}

int bs_rbd_pr_drop6(struct bs_rbd_pr_state *s,
		    const struct bs_rbd_pr_legacy *was)
{
	const struct bs_rbd_pr_legacy *l = &s->legacy;

	if (!l->held)
		return 0;
	if (!was->held || was->token != l->token || was->boot != l->boot ||
	    was->id != l->id || !nexus_eq(&was->nexus, &l->nexus))
		return 0;
	memset(&s->legacy, 0, sizeof(s->legacy));
	return 1;
}

/* ---- PERSISTENT RESERVE IN ----------------------------------------- */

static void read_keys(const struct bs_rbd_pr_state *s, struct out *o)
{
	int i;

	put_be(o, s->generation, 4);
	put_be(o, 8 * (uint64_t)s->nr_regs, 4);
	for (i = 0; i < s->nr_regs; i++)
		put_be(o, s->regs[i].key, 8);
}

static void read_reservation(const struct bs_rbd_pr_state *s, struct out *o)
{
	uint64_t key = 0;

	put_be(o, s->generation, 4);
	if (s->type == BS_RBD_PR_NONE) {
		put_be(o, 0, 4);
		return;
	}
	/* all registrants: the key is 0 (SPC-4 6.16.3.2) */
	if (!all_registrants(s->type))
		key = s->regs[s->holder].key;
	put_be(o, 16, 4);
	put_be(o, key, 8);
	put_be(o, 0, 4); /* obsolete */
	put_be(o, 0, 1);
	put_be(o, s->type, 1); /* scope 0: LU */
	put_be(o, 0, 2);       /* obsolete */
}

static void report_capabilities(const struct bs_rbd_pr_state *s, struct out *o)
{
	put_be(o, CAP_LEN, 2);
	put_be(o, CAP_ATP_C | CAP_PTPL_C, 1);
	put_be(o, CAP_TMV | s->aptpl, 1); /* ALLOW COMMANDS 0, PTPL_A */
	put_be(o, CAP_TYPES_HI, 1);
	put_be(o, CAP_TYPES_LO, 1);
	put_be(o, 0, 2);
}

static void full_status_desc(const struct bs_rbd_pr_state *s, int i,
			     struct out *o)
{
	const struct bs_rbd_pr_reg *r = &s->regs[i];
	uint8_t tid[BS_RBD_PR_TID_MAX];
	size_t n = bs_rbd_pr_tid_format(r->nexus.port, tid, sizeof(tid));
	int holder = holds(s, i);

	put_be(o, r->key, 8);
	put_be(o, 0, 4);
	put_be(o,
	       (r->nexus.rel_port ? 0 : FS_ALL_TG_PT) |
		       (holder ? FS_R_HOLDER : 0),
	       1);
	put_be(o, holder ? s->type : 0, 1);
	put_be(o, 0, 4);
	put_be(o, r->nexus.rel_port, 2);
	put_be(o, n, 4);
	put(o, tid, n);
}

static void read_full_status(const struct bs_rbd_pr_state *s, struct out *o)
{
	size_t len = 0;
	int i;

	for (i = 0; i < s->nr_regs; i++)
		len += FS_DESC_LEN +
		       bs_rbd_pr_tid_format(s->regs[i].nexus.port, NULL, 0);
	put_be(o, s->generation, 4);
	put_be(o, len, 4);
	for (i = 0; i < s->nr_regs; i++)
		full_status_desc(s, i, o);
}

int bs_rbd_pr_in(const struct bs_rbd_pr_state *s, unsigned int sa, uint8_t *buf,
		 size_t alloc)
{
	struct out o = { buf, buf ? alloc : 0, 0 };

	switch (sa) {
	case BS_RBD_PR_READ_KEYS:
		read_keys(s, &o);
		break;
	case BS_RBD_PR_READ_RESERVATION:
		read_reservation(s, &o);
		break;
	case BS_RBD_PR_REPORT_CAPABILITIES:
		report_capabilities(s, &o);
		break;
	case BS_RBD_PR_READ_FULL_STATUS:
		read_full_status(s, &o);
		break;
	default:
		return -EINVAL;
	}
	return (int)o.off;
}

/* ---- the state as bytes -------------------------------------------- */

static int legacy_ok(const struct bs_rbd_pr_legacy *l)
{
	static const struct bs_rbd_pr_legacy none;
	const struct bs_rbd_pr_nexus *n = &l->nexus;

	if (!l->held)
		return !memcmp(l, &none, sizeof(none));
	return l->held == 1 && n->rel_port &&
	       port_ok(n->port, port_len(n->port), 1);
}

static int state_ok(const struct bs_rbd_pr_state *s)
{
	const struct bs_rbd_pr_reg *r;
	int i, j;

	if (s->nr_regs > BS_RBD_PR_MAX_REGS || s->aptpl > 1 ||
	    !reservation_ok(s) || !legacy_ok(&s->legacy))
		return 0;
	for (i = 0; i < s->nr_regs; i++) {
		r = &s->regs[i];
		if (!r->key ||
		    !port_ok(r->nexus.port, port_len(r->nexus.port), 1))
			return 0;
		for (j = 0; j < i; j++)
			if (overlap(&s->regs[j], r))
				return 0;
	}
	return 1;
}

/* The SPC-2 reservation at buf + off (room checked); the end */
static size_t encode_legacy(const struct bs_rbd_pr_legacy *l, uint8_t *buf,
			    size_t off)
{
	size_t n = port_len(l->nexus.port);

	put_le(buf + off, l->token, 8);
	put_le(buf + off + 8, l->boot, 8);
	put_le(buf + off + 16, l->id, 8);
	put_le(buf + off + 24, l->nexus.rel_port, 2);
	buf[off + 26] = (uint8_t)n;
	memcpy(buf + off + LEGACY_FIXED, l->nexus.port, n);
	return off + LEGACY_FIXED + n;
}

size_t bs_rbd_pr_encode(const struct bs_rbd_pr_state *s, uint8_t *buf,
			size_t len)
{
	size_t need = HDR_LEN, off = HDR_LEN, n;
	const struct bs_rbd_pr_reg *r;
	int i;

	if (!state_ok(s))
		return 0;
	for (i = 0; i < s->nr_regs; i++)
		need += REG_FIXED + port_len(s->regs[i].nexus.port);
	if (s->legacy.held)
		need += LEGACY_FIXED + port_len(s->legacy.nexus.port);
	if (!buf || len < need)
		return 0;
	memcpy(buf, MAGIC, 4);
	put_le(buf + 4, s->legacy.held ? VERSION_LEGACY : VERSION, 2);
	put_le(buf + 6, s->nr_regs, 2);
	put_le(buf + 8, s->generation, 4);
	buf[12] = s->type;
	buf[13] = s->aptpl;
	put_le(buf + 14, s->holder, 2);
	for (i = 0; i < s->nr_regs; i++, off += REG_FIXED + n) {
		r = &s->regs[i];
		n = port_len(r->nexus.port);
		put_le(buf + off, r->key, 8);
		put_le(buf + off + 8, r->nexus.rel_port, 2);
		buf[off + 10] = (uint8_t)n;
		memcpy(buf + off + REG_FIXED, r->nexus.port, n);
	}
	return s->legacy.held ? encode_legacy(&s->legacy, buf, off) : off;
}

/* One registration at *off; its checks are state_ok's */
static int decode_reg(const uint8_t *b, size_t len, size_t *off,
		      struct bs_rbd_pr_reg *r)
{
	size_t n;

	if (len - *off < REG_FIXED)
		return -EINVAL;
	b += *off;
	n = b[10];
	if (n >= BS_RBD_PR_PORT_MAX || len - *off - REG_FIXED < n ||
	    memchr(b + REG_FIXED, 0, n))
		return -EINVAL;
	r->key = get_le(b, 8);
	r->nexus.rel_port = (uint16_t)get_le(b + 8, 2);
	memcpy(r->nexus.port, b + REG_FIXED, n);
	*off += REG_FIXED + n;
	return 0;
}

/* The SPC-2 reservation at *off; its checks are state_ok's */
static int decode_legacy(const uint8_t *b, size_t len, size_t *off,
			 struct bs_rbd_pr_legacy *l)
{
	size_t n;

	if (len - *off < LEGACY_FIXED)
		return -EINVAL;
	b += *off;
	n = b[26];
	if (n >= BS_RBD_PR_PORT_MAX || len - *off - LEGACY_FIXED < n ||
	    memchr(b + LEGACY_FIXED, 0, n))
		return -EINVAL;
	l->held = 1;
	l->token = get_le(b, 8);
	l->boot = get_le(b + 8, 8);
	l->id = get_le(b + 16, 8);
	l->nexus.rel_port = (uint16_t)get_le(b + 24, 2);
	memcpy(l->nexus.port, b + LEGACY_FIXED, n);
	*off += LEGACY_FIXED + n;
	return 0;
}

int bs_rbd_pr_decode(const void *buf, size_t len, struct bs_rbd_pr_state *s)
{
	const uint8_t *b = buf;
	size_t off = HDR_LEN;
	uint64_t version;
	int i;

	bs_rbd_pr_init(s);
	if (!b || len < HDR_LEN || memcmp(b, MAGIC, 4))
		return -EINVAL;
	version = get_le(b + 4, 2);
	if ((version != VERSION && version != VERSION_LEGACY) ||
	    get_le(b + 6, 2) > BS_RBD_PR_MAX_REGS)
		return -EINVAL;
	s->nr_regs = (uint16_t)get_le(b + 6, 2);
	s->generation = (uint32_t)get_le(b + 8, 4);
	s->type = b[12];
	s->aptpl = b[13];
	s->holder = (uint16_t)get_le(b + 14, 2);
	for (i = 0; i < s->nr_regs; i++)
		if (decode_reg(b, len, &off, &s->regs[i]))
			goto bad;
	if (version == VERSION_LEGACY &&
	    decode_legacy(b, len, &off, &s->legacy))
		goto bad;
	if (off == len && state_ok(s))
		return 0;
bad:
	bs_rbd_pr_init(s);
	return -EINVAL;
}

/* ---- unit attentions as bytes --------------------------------------- */

#define UA_MAGIC "bsUA"
#define UA_HDR 8   /* magic, version (16), count (16) */
#define UA_FIXED 5 /* ASC (16), target port (16), port name length (8) */

static int ua_asc_ok(unsigned int asc)
{
	return asc == BS_RBD_PR_ASC_RESERVATIONS_PREEMPTED ||
	       asc == BS_RBD_PR_ASC_RESERVATIONS_RELEASED ||
	       asc == BS_RBD_PR_ASC_REGISTRATIONS_PREEMPTED;
}

size_t bs_rbd_pr_ua_encode(const struct bs_rbd_pr_ua *ua, int n, uint8_t *buf,
			   size_t len)
{
	size_t off = UA_HDR, pl;
	int i;

	if (n < 0 || n > BS_RBD_PR_MAX_REGS || !buf || len < UA_HDR)
		return 0;
	memcpy(buf, UA_MAGIC, 4);
	put_le(buf + 4, VERSION, 2);
	put_le(buf + 6, (uint64_t)n, 2);
	for (i = 0; i < n; i++, off += UA_FIXED + pl) {
		pl = port_len(ua[i].nexus.port);
		if (!ua_asc_ok(ua[i].asc) ||
		    !port_ok(ua[i].nexus.port, pl, 1) ||
		    len - off < UA_FIXED + pl)
			return 0;
		put_le(buf + off, ua[i].asc, 2);
		put_le(buf + off + 2, ua[i].nexus.rel_port, 2);
		buf[off + 4] = (uint8_t)pl;
		memcpy(buf + off + UA_FIXED, ua[i].nexus.port, pl);
	}
	return off;
}

/* One unit attention at *off */
static int decode_ua(const uint8_t *b, size_t len, size_t *off,
		     struct bs_rbd_pr_ua *ua)
{
	size_t pl;

	if (len - *off < UA_FIXED)
		return -EINVAL;
	b += *off;
	pl = b[4];
	if (len - *off - UA_FIXED < pl || pl >= BS_RBD_PR_PORT_MAX ||
	    !port_ok((const char *)b + UA_FIXED, pl, 1) ||
	    !ua_asc_ok((unsigned int)get_le(b, 2)))
		return -EINVAL;
	memset(ua, 0, sizeof(*ua));
	ua->asc = (uint16_t)get_le(b, 2);
	ua->nexus.rel_port = (uint16_t)get_le(b + 2, 2);
	memcpy(ua->nexus.port, b + UA_FIXED, pl);
	*off += UA_FIXED + pl;
	return 0;
}

int bs_rbd_pr_ua_decode(const void *buf, size_t len, struct bs_rbd_pr_ua *ua,
			int max)
{
	const uint8_t *b = buf;
	size_t off = UA_HDR;
	int i, n;

	if (!b || len < UA_HDR || memcmp(b, UA_MAGIC, 4) ||
	    get_le(b + 4, 2) != VERSION)
		return -EINVAL;
	n = (int)get_le(b + 6, 2);
	if (n > max || n > BS_RBD_PR_MAX_REGS)
		return -EINVAL;
	for (i = 0; i < n; i++)
		if (decode_ua(b, len, &off, &ua[i]))
			return -EINVAL;
	return off == len ? n : -EINVAL;
}
