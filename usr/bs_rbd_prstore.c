// SPDX-License-Identifier: GPL-2.0-only
/*
 * bs_rbd: an image's persistent reservations, in RADOS next to the image.
 *
 * One object per SCSI device (an image, or a snapshot), bs_rbd_pr.IDENT
 * in the image's pool and namespace, IDENT its identity (VPD 0x80), whose omap holds the state (bs_rbd_pr_encode) under "state",
 * its version under "seq", and what the change that made it asks of
 * the other gateways: unit attentions (bs_rbd_pr_ua_encode) under "ua",
 * and under "abort" 1 when it aborts the preempted nexuses' tasks.  A
 * random "epoch", set when the object is made, tells an object an
 * operator removed and that was made again from the one before.  A write compares "seq" in the same
 * operation, so two gateways changing the state at once never lose an
 * update: the second one reads again and applies its command anew.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bs_rbd_prstore.h"

#define OID_PREFIX "bs_rbd_pr."
#define SEQ_KEY "seq"
#define STATE_KEY "state"
#define UA_KEY "ua"
#define EPOCH_KEY "epoch"
#define ABORT_KEY "abort"
#define NR_KEYS 5

/* What one read returns */
struct found {
	struct bs_rbd_pr_state *s;
	uint64_t *seq, *epoch;
	struct bs_rbd_prstore_change *ch;
};

void bs_rbd_prstore_oid(const char *ident, char *oid, size_t len)
{
	snprintf(oid, len, OID_PREFIX "%s", ident);
}

static int number(const char *val, size_t vlen, uint64_t *v)
{
	char num[24], *end;

	if (!vlen || vlen >= sizeof(num))
		return -EINVAL;
	memcpy(num, val, vlen);
	num[vlen] = 0;
	*v = strtoull(num, &end, 10);
	return *end ? -EINVAL : 0;
}

/* One omap entry read: a number, the state, or the unit attentions. */
static int take(const char *key, const char *val, size_t vlen,
		const struct found *f)
{
	uint64_t aborts;
	int n;

	if (!strcmp(key, STATE_KEY))
		return bs_rbd_pr_decode(val, vlen, f->s);
	if (!strcmp(key, UA_KEY)) {
		n = bs_rbd_pr_ua_decode(val, vlen, f->ch->ua,
					BS_RBD_PR_MAX_REGS);
		f->ch->nr_ua = n < 0 ? 0 : n;
		return n < 0 ? n : 0;
	}
	if (!strcmp(key, ABORT_KEY)) {
		n = number(val, vlen, &aborts);
		f->ch->aborts = !n && aborts;
		return n;
	}
	if (!strcmp(key, EPOCH_KEY))
		return number(val, vlen, f->epoch);
	if (!strcmp(key, SEQ_KEY))
		return number(val, vlen, f->seq);
	return 0; /* not ours to judge */
}

int bs_rbd_prstore_read(rados_ioctx_t io, const char *ident,
			struct bs_rbd_pr_state *s, uint64_t *epoch,
			uint64_t *seq, struct bs_rbd_prstore_change *ch)
{
	const struct found f = { s, seq, epoch, ch };
	rados_read_op_t op = rados_create_read_op();
	char oid[BS_RBD_PRSTORE_OID_LEN], *key, *val;
	rados_omap_iter_t iter;
	unsigned char more = 0;
	size_t klen, vlen;
	int ret, rval = 0;

	if (!op)
		return -ENOMEM;
	bs_rbd_pr_init(s);
	*seq = *epoch = 0;
	ch->nr_ua = ch->aborts = 0;
	bs_rbd_prstore_oid(ident, oid, sizeof(oid));
	rados_read_op_omap_get_vals2(op, "", "", 8, &iter, &more, &rval);
	ret = rados_read_op_operate(op, io, oid, 0);
	if (!ret)
		ret = rval;
	while (!ret && !rados_omap_get_next2(iter, &key, &val, &klen, &vlen) &&
	       key)
		ret = take(key, val, vlen, &f);
	rados_omap_get_end(iter);
	rados_release_read_op(op);
	if (ret == -ENOENT) {
		bs_rbd_pr_init(s);
		*seq = *epoch = 0;
		ch->nr_ua = ch->aborts = 0;
		return 0;
	}
	return ret;
}

/* The omap values of a write: state, version, unit attentions, aborts,
 * epoch (last: written once) */
struct values {
	char next[24], epoch[24], aborts[2];
	size_t lens[NR_KEYS];
	uint8_t state[BS_RBD_PR_ENCODED_MAX];
	uint8_t ua[BS_RBD_PR_UA_ENCODED_MAX];
};

static int values_of(struct values *v, const struct bs_rbd_pr_state *s,
		     uint64_t epoch, uint64_t seq,
		     const struct bs_rbd_prstore_change *ch)
{
	v->lens[4] =
		(size_t)snprintf(v->epoch, sizeof(v->epoch), "%" PRIu64, epoch);
	v->lens[3] = (size_t)snprintf(v->aborts, sizeof(v->aborts), "%d",
				      ch->aborts ? 1 : 0);
	v->lens[0] = bs_rbd_pr_encode(s, v->state, sizeof(v->state));
	v->lens[1] =
		(size_t)snprintf(v->next, sizeof(v->next), "%" PRIu64, seq + 1);
	v->lens[2] =
		bs_rbd_pr_ua_encode(ch->ua, ch->nr_ua, v->ua, sizeof(v->ua));
	return v->lens[0] && v->lens[2] ? 0 : -EINVAL;
}

/* The compare of a write: the object we read, at the version we read */
static void expect(rados_write_op_t op, const struct values *v, uint64_t seq,
		   char *old, size_t len, int *cmp)
{
	if (!seq) {
		rados_write_op_create(op, LIBRADOS_CREATE_EXCLUSIVE, NULL);
		return;
	}
	snprintf(old, len, "%" PRIu64, seq);
	rados_write_op_omap_cmp(op, SEQ_KEY, LIBRADOS_CMPXATTR_OP_EQ, old,
				strlen(old), &cmp[0]);
	rados_write_op_omap_cmp(op, EPOCH_KEY, LIBRADOS_CMPXATTR_OP_EQ,
				v->epoch, v->lens[4], &cmp[1]);
}

int bs_rbd_prstore_write(rados_ioctx_t io, const char *ident,
			 const struct bs_rbd_pr_state *s, uint64_t epoch,
			 uint64_t seq, const struct bs_rbd_prstore_change *ch)
{
	const char *keys[NR_KEYS] = { STATE_KEY, SEQ_KEY, UA_KEY, ABORT_KEY,
				      EPOCH_KEY };
	size_t klens[NR_KEYS] = { strlen(STATE_KEY), strlen(SEQ_KEY),
				  strlen(UA_KEY), strlen(ABORT_KEY),
				  strlen(EPOCH_KEY) };
	char oid[BS_RBD_PRSTORE_OID_LEN], old[24];
	struct values *v = malloc(sizeof(*v));
	const char *vals[NR_KEYS];
	rados_write_op_t op = NULL;
	int ret = -ENOMEM, cmp[2] = { 0, 0 };

	if (v && values_of(v, s, epoch, seq, ch))
		ret = -EINVAL;
	else if (v)
		op = rados_create_write_op();
	if (!op)
		goto out;
	vals[0] = (const char *)v->state;
	vals[1] = v->next;
	vals[2] = (const char *)v->ua;
	vals[3] = v->aborts;
	vals[4] = v->epoch;
	bs_rbd_prstore_oid(ident, oid, sizeof(oid));
	expect(op, v, seq, old, sizeof(old), cmp);
	/* the epoch is written once, when the object is made */
	rados_write_op_omap_set2(op, keys, vals, klens, v->lens,
				 seq ? NR_KEYS - 1 : NR_KEYS);
	ret = rados_write_op_operate2(op, io, oid, NULL, 0);
	rados_release_write_op(op);
	ret = ret == -EEXIST ? -ECANCELED : ret;
out:
	free(v);
	return ret;
}
