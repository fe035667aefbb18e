// SPDX-License-Identifier: GPL-2.0-only
/*
 * bs_rbd: getting an LU back after the cluster blocklisted its client.
 *
 * Blocklisting fences a client: the OSDs refuse its requests
 * (EBLOCKLISTED, which is ESHUTDOWN) and librbd drops the image's
 * exclusive lock for good.  The fence must hold as long as the entry does,
 * so the LU first probes, every REOPEN_RETRY_S seconds, by opening its
 * image again on the fenced client: that fails until the entry is removed
 * or expires.  Then the LU moves to a new client (same options, new
 * address; shared by every LU of the old one) because librbd will not
 * break a stale lock of its own client.  Meanwhile commands fail with NOT
 * READY.  The old image closes in the background after the commands still
 * using it.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "list.h"
#include "tgtd.h"
#include "target.h"
#include "work.h"

#include "bs_rbd.h"

#define REOPEN_RETRY_S 1

struct bs_rbd_reopen {
	struct bs_rbd_done done;  /* first: the completion queue links it */
	struct bs_rbd_lu *rlu;	  /* NULL once the LU is gone */
	struct bs_rbd_pool *pool; /* held while an open is in flight */
	rbd_image_t image;	  /* librbd writes it when the open completes */
	struct tgt_work retry;
	int opening;
	int last_err; /* of the previous attempt, logged on change */
};

static void reopen_free(struct bs_rbd_reopen *r)
{
	del_work(&r->retry);
	free(r);
}

static void retry_later(struct bs_rbd_reopen *r, int err)
{
	if (err && err != r->last_err)
		rbd_log(r->rlu, "reopening the image: %s; retrying every %d s",
			strerror(-err), REOPEN_RETRY_S);
	r->last_err = err;
	add_work(&r->retry, REOPEN_RETRY_S);
}

/* The LU continues on the new client's pool with the new image. */
static void move_lu(struct bs_rbd_lu *rlu, struct bs_rbd_pool *pool,
		    rbd_image_t image)
{
	struct bs_rbd_pool *old_pool = rlu->pool;
	struct bs_rbd_conn *old_conn = rlu->conn;
	rbd_image_t old_image = rlu->image;

	bs_rbd_resize_unwatch(rlu);
	rlu->image = image;
	rlu->pool = pool;
	rlu->conn = bs_rbd_pool_conn(pool);
	bs_rbd_conn_hold(rlu->conn);
	if (!rlu->path.snap && bs_rbd_resize_watch(rlu))
		rbd_log(rlu, "cannot watch the reopened image: size changes "
			     "will not be seen until the LU is re-created");
	bs_rbd_resize_check(rlu);
	bs_rbd_image_close_async(old_pool, old_image);
	bs_rbd_pool_put(old_pool);
	bs_rbd_conn_put(old_conn);
}

static void reopen_attempt(void *arg);

static void reopen_done(struct bs_rbd_done *done)
{
	struct bs_rbd_reopen *r = (struct bs_rbd_reopen *)done;
	struct bs_rbd_lu *rlu = r->rlu;
	int ret = (int)done->ret;

	r->opening = 0;
	if (ret >= 0 && (!rlu || r->pool == rlu->pool)) {
		/* LU gone, or a probe on the fenced client that worked */
		bs_rbd_image_close_async(r->pool, r->image);
	}
	if (!rlu || ret < 0 || r->pool == rlu->pool) {
		bs_rbd_pool_put(r->pool);
		r->pool = NULL;
	}
	if (!rlu) {
		reopen_free(r);
		return;
	}
	if (ret < 0) {
		retry_later(r, ret);
		return;
	}
	if (!r->pool) {
		rbd_log(rlu, "the blocklist entry is gone: moving to a new "
			     "client");
		bs_rbd_conn_successor(rlu->conn, 1);
		retry_later(r, 0);
		return;
	}
	move_lu(rlu, r->pool, r->image);
	rlu->reopen = NULL;
	reopen_free(r);
	rbd_log(rlu, "image reopened on a new client: serving I/O again");
}

static void reopen_attempt(void *arg)
{
	struct bs_rbd_reopen *r = arg;
	struct bs_rbd_lu *rlu = r->rlu;
	struct bs_rbd_conn *succ = bs_rbd_conn_successor(rlu->conn, 0);
	char err[BS_RBD_ERR_LEN];
	int ret;

	if (succ) {
		ret = bs_rbd_pool_get(succ, rlu->path.pool, rlu->path.ns,
				      &r->pool, err, sizeof(err));
		if (ret) {
			rbd_log(rlu, "%s", err);
			retry_later(r, ret);
			return;
		}
	} else {
		/* probe: does the fenced client work again? */
		bs_rbd_pool_hold(rlu->pool);
		r->pool = rlu->pool;
	}
	r->opening = 1;
	ret = bs_rbd_image_open_async(r->pool, rlu->path.image, rlu->path.snap,
				      &r->image, &r->done);
	if (ret < 0) {
		r->done.ret = ret;
		bs_rbd_done_push(&r->done);
	}
}

/* A command failed with EBLOCKLISTED. */
void bs_rbd_reopen_start(struct bs_rbd_lu *rlu)
{
	struct bs_rbd_reopen *r;

	if (rlu->reopen || !rlu->image)
		return;
	r = calloc(1, sizeof(*r));
	if (!r) {
		rbd_log(rlu, "blocklisted, and out of memory to reopen");
		return;
	}
	r->rlu = rlu;
	r->done.fn = reopen_done;
	INIT_LIST_HEAD(&r->retry.entry);
	r->retry.func = reopen_attempt;
	r->retry.data = r;
	rlu->reopen = r;
	rbd_log(rlu, "the cluster blocklisted this client: commands fail "
		     "with NOT READY until the entry is gone (see 'ceph osd "
		     "blocklist ls')");
	reopen_attempt(r);
}

/* The LU is closing: stop trying; an open in flight cleans up itself. */
void bs_rbd_reopen_cancel(struct bs_rbd_lu *rlu)
{
	struct bs_rbd_reopen *r = rlu->reopen;

	if (!r)
		return;
	rlu->reopen = NULL;
	del_work(&r->retry);
	if (r->opening)
		r->rlu = NULL;
	else
		reopen_free(r);
}
