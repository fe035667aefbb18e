// SPDX-License-Identifier: GPL-2.0-only
/*
 * bs_rbd: getting an LU back after the cluster blocklisted its client.
 *
 * Blocklisting fences a client instance: the OSDs refuse its requests
 * (EBLOCKLISTED, which is ESHUTDOWN) for as long as the entry exists, and
 * librbd drops the image's exclusive lock for good.  That is what keeps a
 * stale write of this gateway from landing after another gateway took the
 * image over; it does not require this gateway to stay away.  So the LU
 * moves at once to a new client (same options, new address and nonce, so
 * not blocklisted; shared by every LU of the old one), opens the image
 * there as at creation, checks its settings again, and serves again as a
 * path that is not the owner until an initiator writes through it.
 * Commands the old client had in flight end with an error; commands that
 * arrive meanwhile get NOT READY, ASYMMETRIC ACCESS STATE TRANSITION.
 * A new client that is itself fenced before the LU moved is replaced by
 * another.  The old image closes once the commands still using it end.
 * No step blocks the main loop: each one's completion comes back on it.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "list.h"
#include "tgtd.h"
#include "target.h"
#include "work.h"

#include "bs_rbd_conn.h"
#include "bs_rbd_image.h"
#include "bs_rbd_lu.h"
#include "bs_rbd_reopen.h"
#include "bs_rbd_listen.h"
#include "bs_rbd_watch.h"

#define REOPEN_RETRY_S 1
/*
 * A new client blocklisted too (an entry for the gateway's whole address,
 * or an operator fencing it on purpose): wait twice as long each time, up
 * to this, instead of connecting a client a second.
 */
#define REOPEN_FENCED_MAX_S 64

struct bs_rbd_reopen {
	struct bs_rbd_done done;  /* first: the current step's completion */
	struct bs_rbd_lu *rlu;	  /* NULL once the LU is gone */
	struct bs_rbd_pool *pool; /* the new client's pool, held */
	struct bs_rbd_image *img; /* what an open produced */
	struct tgt_work retry;
	int busy;	     /* a step is in flight */
	int last_err;	     /* of the previous attempt, logged on change */
	unsigned int fenced; /* new clients blocklisted in a row */
	char err[BS_RBD_ERR_LEN];
};

static void reopen_free(struct bs_rbd_reopen *r)
{
	del_work(&r->retry);
	if (r->pool)
		bs_rbd_pool_put(r->pool);
	if (r->img)
		bs_rbd_image_put(r->img);
	free(r);
}

/* A step ended: 1 if the LU is still there to carry on with. */
static int step_over(struct bs_rbd_reopen *r)
{
	r->busy = 0;
	if (r->rlu)
		return 1;
	reopen_free(r);
	return 0;
}

static void retry_later(struct bs_rbd_reopen *r, int err, const char *why)
{
	unsigned int s = REOPEN_RETRY_S;

	if (err == -ESHUTDOWN)
		s = r->fenced < 7 ? 1u << r->fenced : REOPEN_FENCED_MAX_S;
	if (err && err != r->last_err)
		rbd_log(r->rlu, "reopening the image: %s; retrying %s %u s",
			why && *why ? why : strerror(-err),
			err == -ESHUTDOWN ? "less and less often, up to every"
					  : "every",
			err == -ESHUTDOWN ? REOPEN_FENCED_MAX_S : s);
	r->last_err = err;
	add_work(&r->retry, s);
}

/* The LU continues on the new client's pool with the new image. */
static void move_lu(struct bs_rbd_lu *rlu, struct bs_rbd_image *img)
{
	struct bs_rbd_conn *old_conn = rlu->conn;

	bs_rbd_watch_stop(rlu);
	bs_rbd_listen_stop(rlu);
	/* a number stays with the gateway's name: keep it through a failure */
	if (!img->tpg_id && rlu->img->tpg_id) {
		rbd_log(rlu,
			"cannot register the new client with the image's "
			"gateways (%s): other gateways may leave this one "
			"out of REPORT TARGET PORT GROUPS",
			strerror(-img->tpg_err));
		img->tpg_id = rlu->img->tpg_id;
	}
	bs_rbd_image_put(rlu->img);
	rlu->img = img;
	rlu->conn = bs_rbd_pool_conn(img->pool);
	bs_rbd_conn_hold(rlu->conn);
	bs_rbd_conn_put(old_conn);
	if (!rlu->path.snap && bs_rbd_watch_start(rlu))
		rbd_log(rlu, "cannot watch the reopened image: size changes "
			     "will not be seen until the LU is re-created");
	bs_rbd_listen_start(rlu, bs_rbd_reopen_start);
	bs_rbd_watch_size_is(rlu, img->size);
	bs_rbd_lu_set_state(rlu, BS_RBD_LU_OK);
}

/*
 * The image is no more (its open says so): the LU is removed for good,
 * as if the watchdog had found out (bs_rbd_watchdog.c).
 */
static void image_removed(struct bs_rbd_reopen *r)
{
	struct bs_rbd_lu *rlu = r->rlu;

	bs_rbd_lu_set_state(rlu, BS_RBD_LU_REMOVED);
	rlu->reopen = NULL;
	reopen_free(r);
	rbd_log(rlu, "the image was removed from the cluster: every command "
		     "fails with NOT READY until the LUN is deleted");
}

static void reopened(struct bs_rbd_done *done)
{
	struct bs_rbd_reopen *r = (struct bs_rbd_reopen *)done;
	struct bs_rbd_lu *rlu = r->rlu;
	struct bs_rbd_conn *tried = bs_rbd_pool_conn(r->pool);
	int ret = (int)done->ret;

	if (!step_over(r))
		return;
	if (ret == -ESHUTDOWN)
		bs_rbd_conn_successor_fenced(rlu->conn, tried);
	bs_rbd_pool_put(r->pool);
	r->pool = NULL;
	if (ret == -ESHUTDOWN) {
		r->fenced++;
		retry_later(r, ret, "the new client is blocklisted too");
		return;
	}
	if (ret == -ENOENT) {
		image_removed(r);
		return;
	}
	if (ret < 0) {
		retry_later(r, ret, r->err);
		return;
	}
	move_lu(rlu, r->img);
	r->img = NULL;
	rlu->reopen = NULL;
	reopen_free(r);
	rbd_log(rlu, "image reopened on a new client: serving I/O again");
}

static void pool_got(struct bs_rbd_done *done)
{
	struct bs_rbd_reopen *r = (struct bs_rbd_reopen *)done;
	int ret = (int)done->ret;

	if (!step_over(r))
		return;
	if (ret < 0) {
		retry_later(r, ret, "cannot open the pool on the new client");
		return;
	}
	r->busy = 1;
	r->done.fn = reopened;
	/* by id: a rename since the LU was created changes nothing */
	ret = bs_rbd_image_open_async(r->pool, &r->rlu->path, r->rlu->img->id,
				      r->rlu->gateway, &r->img, r->err,
				      sizeof(r->err), &r->done);
	if (ret < 0) {
		r->busy = 0;
		bs_rbd_pool_put(r->pool);
		r->pool = NULL;
		retry_later(r, ret, r->err);
	}
}

/* 1: a step is under way; 0: none yet, retry later; <0: failed */
static int attempt_on_successor(struct bs_rbd_reopen *r)
{
	struct bs_rbd_lu *rlu = r->rlu;
	struct bs_rbd_conn *succ = bs_rbd_conn_successor(rlu->conn, 1);
	int ret;

	if (!succ) {
		/* still connecting, or failed to: look again later */
		retry_later(r, 0, NULL);
		return 0;
	}
	if (rlu->state == BS_RBD_LU_FENCED)
		bs_rbd_lu_set_state(rlu, BS_RBD_LU_REOPENING);
	r->done.fn = pool_got;
	ret = bs_rbd_pool_get_async(succ, rlu->path.pool, rlu->path.ns,
				    &r->pool, &r->done);
	return ret < 0 ? ret : 1;
}

static void reopen_attempt(void *arg)
{
	struct bs_rbd_reopen *r = arg;
	int ret = attempt_on_successor(r);

	/* busy only while a step's completion is to come */
	r->busy = ret > 0;
	if (ret < 0)
		retry_later(r, ret, NULL);
}

void bs_rbd_reopen_start(struct bs_rbd_lu *rlu)
{
	struct bs_rbd_reopen *r;

	if (rlu->state != BS_RBD_LU_OK)
		return;
	bs_rbd_lu_set_state(rlu, BS_RBD_LU_FENCED);
	rbd_log(rlu, "the cluster blocklisted this client (another gateway "
		     "took the image over?): moving to a new client; commands "
		     "fail with NOT READY, ALUA transition, meanwhile");
	r = calloc(1, sizeof(*r));
	if (!r) {
		rbd_log(rlu, "out of memory to reopen");
		return;
	}
	r->rlu = rlu;
	INIT_LIST_HEAD(&r->retry.entry);
	r->retry.func = reopen_attempt;
	r->retry.data = r;
	rlu->reopen = r;
	reopen_attempt(r);
}

void bs_rbd_reopen_cancel(struct bs_rbd_lu *rlu)
{
	struct bs_rbd_reopen *r = rlu->reopen;

	if (!r)
		return;
	rlu->reopen = NULL;
	del_work(&r->retry);
	if (r->busy)
		r->rlu = NULL;
	else
		reopen_free(r);
}
