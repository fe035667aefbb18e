// SPDX-License-Identifier: GPL-2.0-only
/*
 * bs_rbd: the image header watch - following an image that is resized
 * while exported.
 *
 * librbd calls our update watcher on its own thread when the image header
 * changes; a worker then reads the new size (rbd_get_size() may refresh
 * the header, synchronously), and the main loop takes it and queues
 * CAPACITY DATA HAS CHANGED for every initiator of the LU.
 *
 * The watch holds the image it watches, and outlives the LU if it must: a
 * notification or a size read may still be queued when the LU lets go; it
 * then only frees the state.
 */
#include <errno.h>
#include <inttypes.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "list.h"
#include "util.h"
#include "tgtd.h"
#include "scsi.h"
#include "target.h"

#include "bs_rbd_image.h"
#include "bs_rbd_lu.h"
#include "bs_rbd_watch.h"
#include "bs_rbd_worker.h"

#define ASC_CAPACITY_DATA_HAS_CHANGED 0x2a09

struct bs_rbd_watch {
	struct bs_rbd_done notified; /* queued by librbd's callback */
	struct bs_rbd_done sized;    /* the worker read the size */
	struct bs_rbd_work work;
	struct bs_rbd_lu *rlu;	  /* NULL once the LU let go of us */
	struct bs_rbd_image *img; /* held: the image watched */
	uint64_t handle;
	uint64_t size;
	int queued;  /* notified is queued; atomic, set by librbd's thread */
	int reading; /* main loop only: the worker has the size read */
	int again;   /* a change came in during the read */
};

static void watch_free_if_idle(struct bs_rbd_watch *w)
{
	if (w->rlu || w->reading ||
	    __atomic_load_n(&w->queued, __ATOMIC_SEQ_CST))
		return;
	bs_rbd_image_put(w->img);
	free(w);
}

static void size_changed(struct bs_rbd_lu *rlu, uint64_t size)
{
	struct scsi_lu *lu = rlu->lu;
	uint64_t blocks = size >> lu->blk_shift;

	rbd_log(rlu, "image size changed: %" PRIu64 " -> %" PRIu64 " bytes",
		lu->size, size);
	lu->size = size;
	/* the block count MODE SENSE reports, as tgt's sbc_lu_init sets it */
	put_unaligned_be32(blocks >> 32 ? 0xffffffff : (uint32_t)blocks,
			   lu->mode_block_descriptor);
	bs_rbd_lu_ua(rlu, ASC_CAPACITY_DATA_HAS_CHANGED);
}

void bs_rbd_watch_size_is(struct bs_rbd_lu *rlu, uint64_t size)
{
	if (size != rlu->lu->size)
		size_changed(rlu, size);
}

/* Worker: may refresh the header, blocking. */
static void read_size(struct bs_rbd_work *work)
{
	struct bs_rbd_watch *w = container_of(work, struct bs_rbd_watch, work);

	w->sized.ret = rbd_get_size(w->img->image, &w->size);
	bs_rbd_done_push(&w->sized);
}

static void start_read(struct bs_rbd_watch *w)
{
	w->reading = 1;
	if (!bs_rbd_worker_queue(&w->work))
		return;
	w->reading = 0;
	rbd_log(w->rlu, "no worker to read the image size after a change");
}

static void sized(struct bs_rbd_done *done)
{
	struct bs_rbd_watch *w = container_of(done, struct bs_rbd_watch, sized);

	w->reading = 0;
	if (!w->rlu) {
		watch_free_if_idle(w);
		return;
	}
	if (done->ret < 0)
		rbd_log(w->rlu, "cannot read the image size after a change: %s",
			strerror((int)-done->ret));
	else if (w->rlu->img == w->img)
		bs_rbd_watch_size_is(w->rlu, w->size);
	if (w->again) {
		w->again = 0;
		start_read(w);
	}
}

static void notified(struct bs_rbd_done *done)
{
	struct bs_rbd_watch *w = (struct bs_rbd_watch *)done;

	__atomic_store_n(&w->queued, 0, __ATOMIC_SEQ_CST);
	if (!w->rlu)
		watch_free_if_idle(w);
	else if (w->reading)
		w->again = 1;
	else
		start_read(w);
}

/* librbd's thread: the header changed (size, snapshots, features...). */
static void watch_cb(void *arg)
{
	struct bs_rbd_watch *w = arg;

	if (!__atomic_exchange_n(&w->queued, 1, __ATOMIC_SEQ_CST))
		bs_rbd_done_push(&w->notified);
}

int bs_rbd_watch_start(struct bs_rbd_lu *rlu)
{
	struct bs_rbd_watch *w = calloc(1, sizeof(*w));
	int ret;

	if (!w)
		return -ENOMEM;
	w->rlu = rlu;
	w->notified.fn = notified;
	w->sized.fn = sized;
	w->work.fn = read_size;
	ret = rbd_update_watch(rlu->img->image, &w->handle, watch_cb, w);
	if (ret < 0) {
		free(w);
		return ret;
	}
	bs_rbd_image_hold(rlu->img);
	w->img = rlu->img;
	rlu->watch = w;
	return 0;
}

void bs_rbd_watch_stop(struct bs_rbd_lu *rlu)
{
	struct bs_rbd_watch *w = rlu->watch;

	if (!w)
		return;
	/* local, and returns once no callback runs any more */
	rbd_update_unwatch(w->img->image, w->handle);
	w->rlu = NULL;
	rlu->watch = NULL;
	watch_free_if_idle(w);
}
