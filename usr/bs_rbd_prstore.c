// SPDX-License-Identifier: GPL-2.0-only
/*
 * bs_rbd: an image's persistent reservations, in RADOS next to the image.
 *
 * One object per image, bs_rbd_pr.IMAGE_ID in the image's pool and
 * namespace, whose omap holds the state (bs_rbd_pr_encode) under "state",
 * its version under "seq", and the unit attentions of the change that
 * made it (bs_rbd_pr_ua_encode) under "ua", for the other gateways.  A write compares "seq" in the same
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

/* What one read returns */
struct found {
	struct bs_rbd_pr_state *s;
	uint64_t *seq;
	struct bs_rbd_pr_ua *ua;
	int *nr_ua;
};

void bs_rbd_prstore_oid(const char *image_id, char *oid, size_t len)
{
	snprintf(oid, len, OID_PREFIX "%s", image_id);
}

/* One omap entry read: the version, the state, or the unit attentions. */
static int take(const char *key, const char *val, size_t vlen,
		const struct found *f)
{
	char num[24], *end;
	int n;

	if (!strcmp(key, STATE_KEY))
		return bs_rbd_pr_decode(val, vlen, f->s);
	if (!strcmp(key, UA_KEY)) {
		n = bs_rbd_pr_ua_decode(val, vlen, f->ua, BS_RBD_PR_MAX_REGS);
		*f->nr_ua = n < 0 ? 0 : n;
		return n < 0 ? n : 0;
	}
	if (strcmp(key, SEQ_KEY))
		return 0; /* not ours to judge */
	if (!vlen || vlen >= sizeof(num))
		return -EINVAL;
	memcpy(num, val, vlen);
	num[vlen] = 0;
	*f->seq = strtoull(num, &end, 10);
	return *end ? -EINVAL : 0;
}

int bs_rbd_prstore_read(rados_ioctx_t io, const char *image_id,
			struct bs_rbd_pr_state *s, uint64_t *seq,
			struct bs_rbd_pr_ua *ua, int *nr_ua)
{
	const struct found f = { s, seq, ua, nr_ua };
	rados_read_op_t op = rados_create_read_op();
	char oid[BS_RBD_PRSTORE_OID_LEN], *key, *val;
	rados_omap_iter_t iter;
	unsigned char more = 0;
	size_t klen, vlen;
	int ret, rval = 0;

	if (!op)
		return -ENOMEM;
	bs_rbd_pr_init(s);
	*seq = 0;
	*nr_ua = 0;
	bs_rbd_prstore_oid(image_id, oid, sizeof(oid));
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
		*seq = 0;
		*nr_ua = 0;
		return 0;
	}
	return ret;
}

/* The omap values of a write: the state, its version, unit attentions */
struct values {
	char next[24];
	size_t lens[3];
	uint8_t state[BS_RBD_PR_ENCODED_MAX];
	uint8_t ua[BS_RBD_PR_UA_ENCODED_MAX];
};

static int values_of(struct values *v, const struct bs_rbd_pr_state *s,
		     uint64_t seq, const struct bs_rbd_pr_ua *ua, int nr_ua)
{
	v->lens[0] = bs_rbd_pr_encode(s, v->state, sizeof(v->state));
	v->lens[1] =
		(size_t)snprintf(v->next, sizeof(v->next), "%" PRIu64, seq + 1);
	v->lens[2] = bs_rbd_pr_ua_encode(ua, nr_ua, v->ua, sizeof(v->ua));
	return v->lens[0] && v->lens[2] ? 0 : -EINVAL;
}

int bs_rbd_prstore_write(rados_ioctx_t io, const char *image_id,
			 const struct bs_rbd_pr_state *s, uint64_t seq,
			 const struct bs_rbd_pr_ua *ua, int nr_ua)
{
	const char *keys[3] = { STATE_KEY, SEQ_KEY, UA_KEY };
	size_t klens[3] = { strlen(STATE_KEY), strlen(SEQ_KEY),
			    strlen(UA_KEY) };
	char oid[BS_RBD_PRSTORE_OID_LEN], old[24];
	struct values *v = malloc(sizeof(*v));
	const char *vals[3];
	rados_write_op_t op = NULL;
	int ret = -ENOMEM, cmp = 0;

	if (v && values_of(v, s, seq, ua, nr_ua))
		ret = -EINVAL;
	else if (v)
		op = rados_create_write_op();
	if (!op)
		goto out;
	vals[0] = (const char *)v->state;
	vals[1] = v->next;
	vals[2] = (const char *)v->ua;
	bs_rbd_prstore_oid(image_id, oid, sizeof(oid));
	snprintf(old, sizeof(old), "%" PRIu64, seq);
	if (seq)
		rados_write_op_omap_cmp(op, SEQ_KEY, LIBRADOS_CMPXATTR_OP_EQ,
					old, strlen(old), &cmp);
	else
		rados_write_op_create(op, LIBRADOS_CREATE_EXCLUSIVE, NULL);
	rados_write_op_omap_set2(op, keys, vals, klens, v->lens, 3);
	ret = rados_write_op_operate2(op, io, oid, NULL, 0);
	rados_release_write_op(op);
	ret = ret == -EEXIST ? -ECANCELED : ret;
out:
	free(v);
	return ret;
}
