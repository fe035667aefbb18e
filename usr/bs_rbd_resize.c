// SPDX-License-Identifier: GPL-2.0-only
/*
 * bs_rbd: following an image that is resized while exported.
 *
 * librbd calls our update watcher on its own thread when the image header
 * changes; the main loop then lets a librbd flush run (librbd refreshes the
 * image before any I/O, so afterwards rbd_get_size() answers from memory
 * without blocking), takes the new size, and queues CAPACITY DATA HAS
 * CHANGED for every initiator of the LU.
 *
 * The watch state outlives the LU if it must: a notification or flush may
 * still be queued when the LU closes; it then only frees the state.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "list.h"
#include "util.h"
#include "tgtd.h"
#include "scsi.h"
#include "target.h"

#include "bs_rbd.h"

#define ASC_CAPACITY_DATA_HAS_CHANGED 0x2a09

struct bs_rbd_watch {
	struct bs_rbd_done notified; /* queued by librbd's callback */
	struct bs_rbd_done flushed;  /* our refresh flush finished */
	struct bs_rbd_lu *rlu;	     /* NULL once the LU let go of us */
	uint64_t handle;
	int queued;   /* notified is queued; atomic, set by librbd's thread */
	int flushing; /* main loop only */
	int again;    /* a change came in during the flush */
};

static void watch_free_if_idle(struct bs_rbd_watch *w)
{
	if (!w->rlu && !w->flushing &&
	    !__atomic_load_n(&w->queued, __ATOMIC_SEQ_CST))
		free(w);
}

static void size_changed(struct bs_rbd_lu *rlu, uint64_t size)
{
	struct scsi_lu *lu = rlu->lu;
	struct it_nexus_lu_info *itn_lu;
	uint64_t blocks = size >> lu->blk_shift;

	rbd_log(rlu, "image size changed: %" PRIu64 " -> %" PRIu64 " bytes",
		lu->size, size);
	lu->size = size;
	/* the block count MODE SENSE reports, as tgt's sbc_lu_init sets it */
	put_unaligned_be32(blocks >> 32 ? 0xffffffff : (uint32_t)blocks,
			   lu->mode_block_descriptor);
	list_for_each_entry(itn_lu, &lu->lu_itl_info_list, lu_itl_info_siblings)
		ua_sense_add_it_nexus(itn_lu->itn_id, lu,
				      ASC_CAPACITY_DATA_HAS_CHANGED);
}

/* After the image was reopened: its size is fresh, compare it. */
void bs_rbd_resize_check(struct bs_rbd_lu *rlu)
{
	uint64_t size;

	if (rbd_get_size(rlu->image, &size) == 0 && size != rlu->lu->size)
		size_changed(rlu, size);
}

static void start_flush(struct bs_rbd_watch *w)
{
	rbd_completion_t comp;

	w->flushing = 1;
	if (rbd_aio_create_completion(&w->flushed, bs_rbd_done_aio_cb, &comp) <
	    0) {
		w->flushed.ret = -ENOMEM;
		bs_rbd_done_push(&w->flushed);
		return;
	}
	if (rbd_aio_flush(w->rlu->image, comp) < 0) {
		rbd_aio_release(comp);
		w->flushed.ret = -EIO;
		bs_rbd_done_push(&w->flushed);
	}
}

static void flushed(struct bs_rbd_done *done)
{
	struct bs_rbd_watch *w =
		(struct bs_rbd_watch *)((char *)done -
					offsetof(struct bs_rbd_watch, flushed));
	uint64_t size;

	w->flushing = 0;
	if (!w->rlu) {
		watch_free_if_idle(w);
		return;
	}
	if (rbd_get_size(w->rlu->image, &size) < 0)
		rbd_log(w->rlu, "cannot read the image size after a change");
	else if (size != w->rlu->lu->size)
		size_changed(w->rlu, size);
	if (w->again) {
		w->again = 0;
		start_flush(w);
	}
}

static void notified(struct bs_rbd_done *done)
{
	struct bs_rbd_watch *w = (struct bs_rbd_watch *)done;

	__atomic_store_n(&w->queued, 0, __ATOMIC_SEQ_CST);
	if (!w->rlu)
		watch_free_if_idle(w);
	else if (w->flushing)
		w->again = 1;
	else
		start_flush(w);
}

/* librbd's thread: the header changed (size, snapshots, features...). */
static void watch_cb(void *arg)
{
	struct bs_rbd_watch *w = arg;

	if (!__atomic_exchange_n(&w->queued, 1, __ATOMIC_SEQ_CST))
		bs_rbd_done_push(&w->notified);
}

int bs_rbd_resize_watch(struct bs_rbd_lu *rlu)
{
	struct bs_rbd_watch *w = calloc(1, sizeof(*w));
	int ret;

	if (!w)
		return -ENOMEM;
	w->rlu = rlu;
	w->notified.fn = notified;
	w->flushed.fn = flushed;
	ret = rbd_update_watch(rlu->image, &w->handle, watch_cb, w);
	if (ret < 0) {
		free(w);
		return ret;
	}
	rlu->watch = w;
	return 0;
}

void bs_rbd_resize_unwatch(struct bs_rbd_lu *rlu)
{
	struct bs_rbd_watch *w = rlu->watch;

	if (!w)
		return;
	/* returns once no callback runs any more */
	rbd_update_unwatch(rlu->image, w->handle);
	w->rlu = NULL;
	rlu->watch = NULL;
	watch_free_if_idle(w);
}
