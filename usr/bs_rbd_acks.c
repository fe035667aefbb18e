// SPDX-License-Identifier: GPL-2.0-only
/*
 * bs_rbd: who answered a RADOS notify.
 *
 * The reply: le32 count of acks, each le64 gid, le64 cookie, le32 length
 * and that many bytes of payload; then le32 count of timeouts, each le64
 * gid and le64 cookie.  Everything is checked against the buffer's end
 * before it is read: the reply comes from the cluster.
 */
#include <errno.h>
#include <stddef.h>
#include <stdint.h>

#include "bs_rbd_acks.h"

struct cursor {
	const uint8_t *p;
	size_t left;
};

static int take_le(struct cursor *c, unsigned int bytes, uint64_t *v)
{
	unsigned int i;

	if (c->left < bytes)
		return -EINVAL;
	*v = 0;
	for (i = 0; i < bytes; i++)
		*v |= (uint64_t)c->p[i] << (8 * i);
	c->p += bytes;
	c->left -= bytes;
	return 0;
}

static int skip(struct cursor *c, uint64_t bytes)
{
	if (c->left < bytes)
		return -EINVAL;
	c->p += bytes;
	c->left -= (size_t)bytes;
	return 0;
}

/* One (gid, cookie) pair: 1 if it is the one looked for. */
static int take_watch(struct cursor *c, uint64_t gid, uint64_t cookie)
{
	uint64_t g, k;

	if (take_le(c, 8, &g) || take_le(c, 8, &k))
		return -EINVAL;
	return g == gid && k == cookie;
}

int bs_rbd_acks_answered(const void *reply, size_t len, uint64_t gid,
			 uint64_t cookie)
{
	struct cursor c = { reply, reply ? len : 0 };
	uint64_t n, i, payload;
	int found = 0, ret;

	if (take_le(&c, 4, &n))
		return -EINVAL;
	for (i = 0; i < n; i++) {
		ret = take_watch(&c, gid, cookie);
		if (ret < 0 || take_le(&c, 4, &payload) || skip(&c, payload))
			return -EINVAL;
		found |= ret;
	}
	if (take_le(&c, 4, &n))
		return -EINVAL;
	/* the timeouts are read only to check the reply is whole */
	for (i = 0; i < n; i++)
		if (take_watch(&c, gid, cookie) < 0)
			return -EINVAL;
	return c.left ? -EINVAL : found;
}

/* Skip the acks; the cursor then is at the count of timeouts. */
static int skip_acks(struct cursor *c)
{
	uint64_t n, i, payload, g, k;

	if (take_le(c, 4, &n))
		return -EINVAL;
	for (i = 0; i < n; i++)
		if (take_le(c, 8, &g) || take_le(c, 8, &k) ||
		    take_le(c, 4, &payload) || skip(c, payload))
			return -EINVAL;
	return 0;
}

int bs_rbd_acks_silent(const void *reply, size_t len, uint64_t *gids, int max)
{
	struct cursor c = { reply, reply ? len : 0 };
	uint64_t n, i, g, k;
	int found = 0, j;

	if (skip_acks(&c) || take_le(&c, 4, &n))
		return -EINVAL;
	for (i = 0; i < n; i++) {
		if (take_le(&c, 8, &g) || take_le(&c, 8, &k))
			return -EINVAL;
		for (j = 0; j < found && gids[j] != g; j++)
			;
		if (j == found && found < max)
			gids[found++] = g;
	}
	return c.left ? -EINVAL : found;
}
