// SPDX-License-Identifier: GPL-2.0-only
/*
 * bs_rbd: the gateways serving an image, in RADOS next to the image.
 *
 * One object per image, bs_rbd_gateways.IMAGE_ID in the image's pool and
 * namespace, whose omap maps each gateway's name to "ID ADDR": the number
 * that names its target port group and target port (stable for as long
 * as the object lives, across restarts and reconnections) and the address
 * of the client it serves the image with now.  A key ~seq makes every
 * update a compare-and-swap, so gateways joining at once never take the
 * same number.  Which gateways serve the image now is what RADOS says:
 * those whose client watches the image's header; a crashed one drops out
 * when its watch times out.  The gateways also watch the object, to tell
 * each other what SCSI says every I_T nexus must hear (bs_rbd_peers.c).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bs_rbd_gateway.h"

#define OID_PREFIX "bs_rbd_gateways."
#define SEQ_KEY "~seq"
#define JOIN_TRIES 16
#define NAME_LEN 64

struct registry {
	int exists;
	char seq[24];
	int n;
	char names[BS_RBD_ALUA_MAX_PORTS][NAME_LEN];
	struct bs_rbd_alua_port ports[BS_RBD_ALUA_MAX_PORTS];
};

void bs_rbd_gateway_oid(const char *image_id, char *oid, size_t len)
{
	snprintf(oid, len, OID_PREFIX "%s", image_id);
}

static void add_entry(struct registry *r, const char *key, size_t klen,
		      const char *val, size_t vlen)
{
	if (klen == strlen(SEQ_KEY) && !memcmp(key, SEQ_KEY, klen)) {
		snprintf(r->seq, sizeof(r->seq), "%.*s", (int)vlen, val);
		return;
	}
	if (r->n == BS_RBD_ALUA_MAX_PORTS || klen >= NAME_LEN ||
	    bs_rbd_alua_parse(val, vlen, &r->ports[r->n]))
		return; /* not ours to judge: left as it is */
	snprintf(r->names[r->n], NAME_LEN, "%.*s", (int)klen, key);
	r->n++;
}

static int registry_read(rados_ioctx_t io, const char *oid, struct registry *r)
{
	rados_read_op_t op = rados_create_read_op();
	rados_omap_iter_t iter;
	unsigned char more = 0;
	char *key, *val;
	size_t klen, vlen;
	int ret, rval = 0;

	if (!op)
		return -ENOMEM;
	memset(r, 0, sizeof(*r));
	rados_read_op_omap_get_vals2(op, "", "", BS_RBD_ALUA_MAX_PORTS + 1,
				     &iter, &more, &rval);
	ret = rados_read_op_operate(op, io, oid, 0);
	if (!ret)
		ret = rval;
	while (!ret && !rados_omap_get_next2(iter, &key, &val, &klen, &vlen) &&
	       key)
		add_entry(r, key, klen, val, vlen);
	/* the iterator exists from the op's setup on, whatever happened */
	rados_omap_get_end(iter);
	rados_release_read_op(op);
	r->exists = !ret;
	return ret == -ENOENT ? 0 : ret;
}

/* Write name's entry, if nobody changed the registry since r was read. */
static int registry_swap(rados_ioctx_t io, const char *oid,
			 const struct registry *r, const char *name,
			 const char *val)
{
	rados_write_op_t op = rados_create_write_op();
	char next[24];
	const char *keys[2] = { name, SEQ_KEY }, *vals[2] = { val, next };
	size_t klens[2], vlens[2];
	int ret, cmp = 0;

	if (!op)
		return -ENOMEM;
	snprintf(next, sizeof(next), "%llu", strtoull(r->seq, NULL, 10) + 1);
	klens[0] = strlen(name);
	klens[1] = strlen(SEQ_KEY);
	vlens[0] = strlen(val);
	vlens[1] = strlen(next);
	if (r->exists)
		rados_write_op_omap_cmp(op, SEQ_KEY, LIBRADOS_CMPXATTR_OP_EQ,
					r->seq, strlen(r->seq), &cmp);
	else
		rados_write_op_create(op, LIBRADOS_CREATE_EXCLUSIVE, NULL);
	rados_write_op_omap_set2(op, keys, vals, klens, vlens, 2);
	ret = rados_write_op_operate2(op, io, oid, NULL, 0);
	rados_release_write_op(op);
	return ret;
}

static int find(const struct registry *r, const char *name)
{
	int i;

	for (i = 0; i < r->n; i++)
		if (!strcmp(r->names[i], name))
			return i;
	return -1;
}

int bs_rbd_gateway_join(rados_ioctx_t io, const char *image_id,
			const char *name, const char *addr, uint16_t *id)
{
	struct bs_rbd_alua_port me = { 0, 0, "" };
	struct registry *r = malloc(sizeof(*r));
	char oid[BS_RBD_GATEWAY_OID_LEN], val[16 + BS_RBD_ADDR_LEN];
	int tries, i, ret = -EBUSY;

	if (!r)
		return -ENOMEM;
	bs_rbd_gateway_oid(image_id, oid, sizeof(oid));
	snprintf(me.addr, sizeof(me.addr), "%s", addr);
	for (tries = 0; tries < JOIN_TRIES && ret == -EBUSY; tries++) {
		ret = registry_read(io, oid, r);
		if (ret < 0)
			break;
		i = find(r, name);
		me.id = i >= 0 ? r->ports[i].id
			       : bs_rbd_alua_free_id(r->ports, r->n);
		if (i >= 0 && !strcmp(r->ports[i].addr, addr))
			break; /* registered as it is */
		ret = -ENOSPC;
		if (!me.id || !bs_rbd_alua_format(&me, val, sizeof(val)))
			break;
		ret = registry_swap(io, oid, r, name, val);
		/* someone else updated it first: read again */
		if (ret == -ECANCELED || ret == -EEXIST)
			ret = -EBUSY;
	}
	if (!ret)
		*id = me.id;
	free(r);
	return ret;
}

/* Is addr among the image's watchers? */
int bs_rbd_gateway_known(rados_ioctx_t io, const char *image_id, uint16_t id)
{
	struct registry *r = malloc(sizeof(*r));
	char oid[BS_RBD_GATEWAY_OID_LEN];
	int i, ret;

	if (!r)
		return -ENOMEM;
	bs_rbd_gateway_oid(image_id, oid, sizeof(oid));
	ret = registry_read(io, oid, r);
	for (i = 0; !ret && i < r->n; i++)
		if (r->ports[i].id == id)
			ret = 1;
	free(r);
	return ret;
}

static int watching(const rbd_image_watcher_t *w, size_t n, const char *addr)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (w[i].addr && !strcmp(w[i].addr, addr))
			return 1;
	return 0;
}

int bs_rbd_gateway_lock_owner(rbd_image_t image, char *owner, size_t len)
{
	rbd_lock_mode_t mode;
	char *owners[4];
	size_t n = 4;
	int ret;

	*owner = 0;
	ret = rbd_lock_get_owners(image, &mode, owners, &n);
	/* nobody holds the lock, or the image has none (no exclusive-lock) */
	if (ret == -ENOENT || ret == -EINVAL || ret == -EOPNOTSUPP ||
	    (!ret && !n))
		return 0;
	if (ret < 0)
		return ret;
	snprintf(owner, len, "%s", owners[0]);
	rbd_lock_get_owners_cleanup(owners, n);
	return 0;
}

int bs_rbd_gateway_ports(rados_ioctx_t io, rbd_image_t image,
			 const char *image_id, uint16_t self,
			 struct bs_rbd_alua_port *ports, int max)
{
	rbd_image_watcher_t w[BS_RBD_ALUA_MAX_PORTS];
	struct registry *r = malloc(sizeof(*r));
	size_t nw = BS_RBD_ALUA_MAX_PORTS;
	char oid[BS_RBD_GATEWAY_OID_LEN], owner[BS_RBD_ADDR_LEN];
	int i, n = 0, ret;

	if (!r)
		return -ENOMEM;
	bs_rbd_gateway_oid(image_id, oid, sizeof(oid));
	ret = registry_read(io, oid, r);
	if (!ret)
		ret = rbd_watchers_list(image, w, &nw);
	if (ret < 0)
		goto out;
	ret = bs_rbd_gateway_lock_owner(image, owner, sizeof(owner));
	/* the gateway asking serves the image, whatever its watch says */
	for (i = 0; !ret && i < r->n && n < max; i++)
		if (r->ports[i].id == self || watching(w, nw, r->ports[i].addr))
			ports[n++] = r->ports[i];
	rbd_watchers_list_cleanup(w, nw);
	if (!ret) {
		bs_rbd_alua_states(ports, n, *owner ? owner : NULL);
		ret = n;
	}
out:
	free(r);
	return ret;
}
