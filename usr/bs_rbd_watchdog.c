// SPDX-License-Identifier: GPL-2.0-only
/*
 * bs_rbd: the removed-image watchdog - commands librbd holds back for good.
 *
 * librados bounds what reaches an OSD (op_timeout), but librbd may hold a
 * write before that, until it owns the image's exclusive lock.  When the
 * image was removed while tgtd's watch on it had lapsed (tgtd stopped or
 * cut off for longer than osd_client_watch_timeout), librbd can never
 * watch the header again, so it never takes the lock and holds the write
 * for ever: the command would never end and tgt would refuse to delete
 * the LU.
 *
 * So once a second while commands are in flight, the oldest one is looked
 * at.  When it has waited HELD_PROBE_S seconds, or a command failed with
 * ENOENT, the image's header object is looked up on the cluster (a stat
 * on the LU's own client, bounded by op_timeout).  If it is gone, so is
 * the image: from then on every command fails with NOT READY, MEDIUM NOT
 * PRESENT, and the commands librbd holds end with it at once.  Their
 * requests stay with librbd (a removed image's writes can never reach an
 * OSD: there is no lock to send them under) and are freed if librbd ever
 * completes them.  A read that librbd copies into the command's own
 * buffer is never abandoned; reads of a removed image fail by themselves
 * once librbd refreshes it.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "list.h"
#include "tgtd.h"
#include "scsi.h"
#include "target.h"
#include "work.h"

#include "bs_rbd_conn.h"
#include "bs_rbd_image.h"
#include "bs_rbd_lu.h"
#include "bs_rbd_req.h"
#include "bs_rbd_sense.h"
#include "bs_rbd_takeover.h"
#include "bs_rbd_watchdog.h"

#define HELD_CHECK_S 1
#define HELD_PROBE_S 5

struct bs_rbd_watchdog {
	struct bs_rbd_done done;  /* first: the stat's completion */
	struct bs_rbd_lu *rlu;	  /* NULL once the LU let go of us */
	struct bs_rbd_image *img; /* held while a stat is in flight */
	struct tgt_work tick;
	int armed;
	int probing;
	uint64_t last_probe_us;
	uint64_t size; /* the stat's results, unused */
	time_t mtime;
	char oid[96];
};

static void watchdog_free_if_idle(struct bs_rbd_watchdog *h)
{
	if (!h->rlu && !h->probing)
		free(h);
}

/*
 * img is gone: the commands librbd holds on it end at once and, if it is
 * the LU's image, every command from now on fails.  An image the LU left
 * (a media change) only takes its own commands along.
 */
static void image_gone(struct bs_rbd_lu *rlu, struct bs_rbd_image *img)
{
	struct bs_rbd_req *req, *next;
	unsigned int n = 0;

	list_for_each_entry_safe(req, next, &rlu->inflight_reqs, inflight_entry)
	{
		if (req->no_abandon || req->img != img)
			continue;
		bs_rbd_req_abandon(req, NOT_READY,
				   BS_RBD_ASC_MEDIUM_NOT_PRESENT);
		n++;
	}
	if (img != rlu->img) {
		rbd_log(rlu,
			"the LU's previous image was removed from the "
			"cluster: %u command(s) on it ended",
			n);
		return;
	}
	bs_rbd_lu_set_state(rlu, BS_RBD_LU_REMOVED);
	rbd_log(rlu,
		"the image was removed from the cluster: %u command(s) "
		"ended, every command fails with NOT READY until the "
		"LUN is deleted",
		n);
}

static void probe_done(struct bs_rbd_done *done)
{
	struct bs_rbd_watchdog *h = (struct bs_rbd_watchdog *)done;

	struct bs_rbd_image *img = h->img;

	h->probing = 0;
	h->img = NULL;
	if (h->rlu && done->ret == -ENOENT &&
	    (img != h->rlu->img || h->rlu->state == BS_RBD_LU_OK))
		image_gone(h->rlu, img);
	bs_rbd_image_put(img);
	watchdog_free_if_idle(h);
}

/* librados' thread */
static void stat_cb(rados_completion_t comp, void *arg)
{
	struct bs_rbd_watchdog *h = arg;

	h->done.ret = rados_aio_get_return_value(comp);
	rados_aio_release(comp);
	bs_rbd_done_push(&h->done);
}

/*
 * Does img still exist?  At most one question every HELD_PROBE_S.  The
 * LU's own image only while it serves: a fenced LU's reopen finds out.
 */
void bs_rbd_watchdog_probe(struct bs_rbd_lu *rlu, struct bs_rbd_image *img)
{
	struct bs_rbd_watchdog *h = rlu->watchdog;
	uint64_t now = bs_rbd_now_us();
	rados_completion_t comp;

	if (!h || !img || h->probing ||
	    (img == rlu->img && rlu->state != BS_RBD_LU_OK))
		return;
	if (h->last_probe_us &&
	    now - h->last_probe_us < HELD_PROBE_S * 1000000ull)
		return;
	if (bs_rbd_image_header_oid(img, h->oid, sizeof(h->oid)) < 0)
		return;
	if (rados_aio_create_completion2(h, stat_cb, &comp) < 0)
		return;
	h->last_probe_us = now;
	bs_rbd_image_hold(img);
	h->img = img;
	h->probing = 1;
	if (rados_aio_stat(bs_rbd_pool_ioctx(h->img->pool), h->oid, comp,
			   &h->size, &h->mtime) < 0) {
		rados_aio_release(comp);
		h->probing = 0;
		bs_rbd_image_put(h->img);
		h->img = NULL;
	}
}

static void tick(void *arg)
{
	struct bs_rbd_watchdog *h = arg;
	struct bs_rbd_lu *rlu = h->rlu;
	struct bs_rbd_req *oldest;

	h->armed = 0;
	if (list_empty(&rlu->inflight_reqs))
		return;
	oldest = list_first_entry(&rlu->inflight_reqs, struct bs_rbd_req,
				  inflight_entry);
	if (bs_rbd_now_us() - oldest->t0 >= HELD_PROBE_S * 1000000ull)
		bs_rbd_watchdog_probe(rlu, oldest->img);
	bs_rbd_takeover_check(rlu);
	bs_rbd_watchdog_arm(rlu);
}

/* A command started: look at the LU in a second unless already due to. */
void bs_rbd_watchdog_arm(struct bs_rbd_lu *rlu)
{
	struct bs_rbd_watchdog *h = rlu->watchdog;

	if (!h || h->armed)
		return;
	h->armed = 1;
	add_work(&h->tick, HELD_CHECK_S);
}

int bs_rbd_watchdog_start(struct bs_rbd_lu *rlu)
{
	struct bs_rbd_watchdog *h = calloc(1, sizeof(*h));

	if (!h)
		return -ENOMEM;
	h->rlu = rlu;
	h->done.fn = probe_done;
	INIT_LIST_HEAD(&h->tick.entry);
	h->tick.func = tick;
	h->tick.data = h;
	rlu->watchdog = h;
	return 0;
}

/* The LU goes: a stat in flight frees the state when it ends. */
void bs_rbd_watchdog_stop(struct bs_rbd_lu *rlu)
{
	struct bs_rbd_watchdog *h = rlu->watchdog;

	if (!h)
		return;
	if (h->armed)
		del_work(&h->tick);
	h->rlu = NULL;
	rlu->watchdog = NULL;
	watchdog_free_if_idle(h);
}
