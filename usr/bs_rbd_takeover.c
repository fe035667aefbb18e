// SPDX-License-Identifier: GPL-2.0-only
/*
 * bs_rbd: taking an image over from a gateway that does not hand it over.
 *
 * A write through a gateway that does not hold the image's exclusive lock
 * makes librbd ask the holder for it; a live holder lets go within
 * milliseconds, and nobody is fenced.  A frozen, dead or cut-off holder
 * never answers, and librbd breaks its lock only once the holder's watch
 * on the image has expired (osd_client_watch_timeout, 30 s by default).
 * So when the LU's oldest write has waited takeover= seconds, a worker
 * asks who holds the lock and, if another client does, breaks it.
 * librbd then blocklists that client and waits for the OSD map that says
 * so before it removes the lock: none of the old holder's writes can land
 * after ours.  The OSDs drop the fenced client's watch, which ends our
 * pending lock request, and librbd takes the lock for the waiting write.
 * The fenced gateway comes back on a new client (bs_rbd_reopen.c).
 *
 * Two live gateways with initiators writing through both hand the lock to
 * and fro without fencing each other: a break needs a handover that took
 * takeover= seconds.  At most one attempt per LU every takeover= seconds.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "list.h"
#include "tgtd.h"
#include "target.h"

#include "bs_rbd_done.h"
#include "bs_rbd_gateway.h"
#include "bs_rbd_image.h"
#include "bs_rbd_lu.h"
#include "bs_rbd_req.h"
#include "bs_rbd_sense.h"
#include "bs_rbd_takeover.h"
#include "bs_rbd_worker.h"

struct bs_rbd_takeover {
	struct bs_rbd_work work;  /* who holds the lock, its break: a worker */
	struct bs_rbd_done done;  /* the outcome, on the main loop */
	struct bs_rbd_lu *rlu;	  /* NULL once the LU let go of us */
	struct bs_rbd_image *img; /* held */
	char owner[128];	  /* the holder's address, "" if none */
};

/* Worker: both calls wait for the cluster (bounded by op_timeout). */
static void takeover_work(struct bs_rbd_work *work)
{
	struct bs_rbd_takeover *t =
		container_of(work, struct bs_rbd_takeover, work);
	int ret;

	ret = bs_rbd_gateway_lock_owner(t->img->image, t->owner,
					sizeof(t->owner));
	/* librbd refuses to break our own lock (EBUSY), or to fence us */
	if (!ret && *t->owner)
		ret = rbd_lock_break(t->img->image, RBD_LOCK_MODE_EXCLUSIVE,
				     t->owner);
	t->done.ret = ret;
	bs_rbd_done_push(&t->done);
}

static void report(struct bs_rbd_lu *rlu, const struct bs_rbd_takeover *t,
		   int ret)
{
	if (!ret && *t->owner)
		rbd_log(rlu,
			"the image's lock holder %s did not hand it over "
			"within %u s: its lock is broken and it is "
			"blocklisted",
			t->owner, rlu->opts.takeover);
	/* EBUSY: the lock changed hands meanwhile, or it is ours now */
	else if (ret < 0 && ret != -EBUSY)
		rbd_log(rlu, "cannot break the lock of %s: %s",
			*t->owner ? t->owner : "the image's holder",
			strerror(-ret));
}

static void takeover_done(struct bs_rbd_done *done)
{
	struct bs_rbd_takeover *t =
		container_of(done, struct bs_rbd_takeover, done);

	if (t->rlu) {
		t->rlu->takeover = NULL;
		report(t->rlu, t, (int)done->ret);
	}
	bs_rbd_image_put(t->img);
	free(t);
}

/* The oldest command that needs the image's lock, or NULL */
static struct bs_rbd_req *oldest_write(struct bs_rbd_lu *rlu)
{
	struct bs_rbd_req *req;

	list_for_each_entry(req, &rlu->inflight_reqs,
			    inflight_entry) if (req->dir ==
						BS_RBD_DIR_WRITE) return req;
	return NULL;
}

static int due(struct bs_rbd_lu *rlu, uint64_t now)
{
	uint64_t wait = rlu->opts.takeover * 1000000ull;
	struct bs_rbd_req *req;

	/* a snapshot has no lock */
	if (!wait || rlu->takeover || rlu->state != BS_RBD_LU_OK ||
	    rlu->path.snap)
		return 0;
	if (rlu->takeover_us && now - rlu->takeover_us < wait)
		return 0;
	req = oldest_write(rlu);
	return req && req->img == rlu->img && now - req->t0 >= wait;
}

void bs_rbd_takeover_check(struct bs_rbd_lu *rlu)
{
	uint64_t now = bs_rbd_now_us();
	struct bs_rbd_takeover *t;

	if (!due(rlu, now))
		return;
	t = calloc(1, sizeof(*t));
	if (!t)
		return;
	t->rlu = rlu;
	t->img = rlu->img;
	bs_rbd_image_hold(t->img);
	t->work.fn = takeover_work;
	t->done.fn = takeover_done;
	if (bs_rbd_worker_queue(&t->work)) {
		bs_rbd_image_put(t->img);
		free(t);
		return;
	}
	rlu->takeover = t;
	rlu->takeover_us = now;
}

void bs_rbd_takeover_cancel(struct bs_rbd_lu *rlu)
{
	if (!rlu->takeover)
		return;
	rlu->takeover->rlu = NULL;
	rlu->takeover = NULL;
}
