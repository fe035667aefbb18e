// SPDX-License-Identifier: GPL-2.0-only
/*
 * bs_rbd: an image's persistent reservations, in RADOS next to the image.
 *
 * One object per image, bs_rbd_pr.IMAGE_ID in the image's pool and
 * namespace, whose omap holds the state (bs_rbd_pr_encode) under "state"
 * and its version under "seq".  A write compares "seq" in the same
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

void bs_rbd_prstore_oid(const char *image_id, char *oid, size_t len)
{
	snprintf(oid, len, OID_PREFIX "%s", image_id);
}

/* One omap entry read: the version, or the state. */
static int take(const char *key, const char *val, size_t vlen,
		struct bs_rbd_pr_state *s, uint64_t *seq)
{
	char num[24], *end;

	if (!strcmp(key, STATE_KEY))
		return bs_rbd_pr_decode(val, vlen, s);
	if (strcmp(key, SEQ_KEY))
		return 0; /* not ours to judge */
	if (!vlen || vlen >= sizeof(num))
		return -EINVAL;
	memcpy(num, val, vlen);
	num[vlen] = 0;
	*seq = strtoull(num, &end, 10);
	return *end ? -EINVAL : 0;
}

int bs_rbd_prstore_read(rados_ioctx_t io, const char *image_id,
			struct bs_rbd_pr_state *s, uint64_t *seq)
{
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
	bs_rbd_prstore_oid(image_id, oid, sizeof(oid));
	rados_read_op_omap_get_vals2(op, "", "", 8, &iter, &more, &rval);
	ret = rados_read_op_operate(op, io, oid, 0);
	if (!ret)
		ret = rval;
	while (!ret && !rados_omap_get_next2(iter, &key, &val, &klen, &vlen) &&
	       key)
		ret = take(key, val, vlen, s, seq);
	rados_omap_get_end(iter);
	rados_release_read_op(op);
	if (ret == -ENOENT) {
		bs_rbd_pr_init(s);
		*seq = 0;
		return 0;
	}
	return ret;
}

int bs_rbd_prstore_write(rados_ioctx_t io, const char *image_id,
			 const struct bs_rbd_pr_state *s, uint64_t seq)
{
	rados_write_op_t op;
	char oid[BS_RBD_PRSTORE_OID_LEN], old[24], next[24];
	const char *keys[2] = { STATE_KEY, SEQ_KEY };
	const char *vals[2];
	size_t klens[2], vlens[2];
	uint8_t *buf = malloc(BS_RBD_PR_ENCODED_MAX);
	int ret, cmp = 0;

	if (!buf)
		return -ENOMEM;
	vlens[0] = bs_rbd_pr_encode(s, buf, BS_RBD_PR_ENCODED_MAX);
	op = vlens[0] ? rados_create_write_op() : NULL;
	if (!op) {
		free(buf);
		return vlens[0] ? -ENOMEM : -EINVAL;
	}
	bs_rbd_prstore_oid(image_id, oid, sizeof(oid));
	snprintf(old, sizeof(old), "%" PRIu64, seq);
	snprintf(next, sizeof(next), "%" PRIu64, seq + 1);
	vals[0] = (const char *)buf;
	vals[1] = next;
	klens[0] = strlen(STATE_KEY);
	klens[1] = strlen(SEQ_KEY);
	vlens[1] = strlen(next);
	if (seq)
		rados_write_op_omap_cmp(op, SEQ_KEY, LIBRADOS_CMPXATTR_OP_EQ,
					old, strlen(old), &cmp);
	else
		rados_write_op_create(op, LIBRADOS_CREATE_EXCLUSIVE, NULL);
	rados_write_op_omap_set2(op, keys, vals, klens, vlens, 2);
	ret = rados_write_op_operate2(op, io, oid, NULL, 0);
	rados_release_write_op(op);
	free(buf);
	return ret == -EEXIST ? -ECANCELED : ret;
}
