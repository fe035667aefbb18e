// SPDX-License-Identifier: GPL-2.0-only
/*
 * bs_rbd: the life of one command's request.
 *
 * A request is taken from the LU's free list when a command reaches the
 * backing store, handed to librbd as the argument of one or more aio
 * completions, and finished on tgtd's main loop: its done function runs
 * there, may start another step, and eventually ends the command with
 * target_cmd_io_done().  Failures to even start an operation complete the
 * request on the next loop pass, never inline, so tgt's caller always sees
 * an asynchronous command.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "list.h"
#include "util.h"
#include "tgtd.h"
#include "scsi.h"
#include "target.h"

#include "bs_rbd_image.h"
#include "bs_rbd_lu.h"
#include "bs_rbd_req.h"
#include "bs_rbd_sense.h"
#include "bs_rbd_stats.h"

struct bs_rbd_req *bs_rbd_req_get(struct bs_rbd_lu *rlu, struct scsi_cmd *cmd,
				  uint64_t offset, size_t len, int dir)
{
	struct bs_rbd_req *req = rlu->free_reqs;

	if (req)
		rlu->free_reqs = req->next_free;
	else
		req = malloc(sizeof(*req));
	if (!req)
		return NULL;
	memset(req, 0, sizeof(*req));
	req->rlu = rlu;
	req->img = rlu->img; /* NULL when the LU has none: refused anyway */
	if (req->img)
		bs_rbd_image_hold(req->img);
	req->cmd = cmd;
	req->offset = offset;
	req->len = len;
	req->dir = dir;
	req->t0 = bs_rbd_now_us();
	/* oldest first: bs_rbd_watchdog.c looks at the head */
	list_add_tail(&req->inflight_entry, &rlu->inflight_reqs);
	rlu->inflight++;
	return req;
}

static void req_detach(struct bs_rbd_req *req)
{
	list_del(&req->inflight_entry);
	req->rlu->inflight--;
}

static void req_put(struct bs_rbd_req *req)
{
	struct bs_rbd_lu *rlu = req->rlu;

	free(req->buf);
	free(req->subs);
	if (req->img)
		bs_rbd_image_put(req->img);
	req_detach(req);
	req->next_free = rlu->free_reqs;
	rlu->free_reqs = req;
}

/* Back to the free list, never started: its command ends another way. */
void bs_rbd_req_put_unused(struct bs_rbd_req *req)
{
	req_put(req);
}

void bs_rbd_req_pool_free(struct bs_rbd_lu *rlu)
{
	struct bs_rbd_req *req, *next;

	for (req = rlu->free_reqs; req; req = next) {
		next = req->next_free;
		free(req);
	}
	rlu->free_reqs = NULL;
}

/* The command becomes asynchronous; fn finishes it on the main loop. */
void bs_rbd_req_start(struct bs_rbd_req *req,
		      void (*fn)(struct bs_rbd_done *done))
{
	req->done.fn = fn;
	set_cmd_async(req->cmd);
}

/* Finish a step on the next main-loop pass instead of inline. */
void bs_rbd_req_defer(struct bs_rbd_req *req, int ret)
{
	req->done.ret = ret;
	bs_rbd_done_push(&req->done);
}

/*
 * librbd's thread: a step of the request finished.  librbd clips a read
 * at the end of the image and returns fewer bytes: the image shrank after
 * our range check (rbd resize --allow-shrink with the command on its
 * way).  That is LBA OUT OF RANGE, as if it had arrived a moment later,
 * and the rest of the buffer was never filled.
 */
static void req_aio_cb(rbd_completion_t comp, void *arg)
{
	struct bs_rbd_req *req = arg;
	ssize_t ret = rbd_aio_get_return_value(comp);

	rbd_aio_release(comp);
	if (req->dir == BS_RBD_DIR_READ && ret >= 0 && (size_t)ret != req->len)
		ret = -ERANGE;
	req->done.ret = ret;
	bs_rbd_done_push(&req->done);
}

/* Hand the request to librbd; a failure to start completes it with it. */
void bs_rbd_req_submit(struct bs_rbd_req *req, bs_rbd_aio_fn fn)
{
	rbd_completion_t comp;
	int ret;

	ret = rbd_aio_create_completion(req, req_aio_cb, &comp);
	if (ret < 0) {
		bs_rbd_req_defer(req, ret);
		return;
	}
	ret = fn(req, comp);
	if (ret < 0) {
		rbd_aio_release(comp);
		bs_rbd_req_defer(req, ret);
	}
}

/* librbd finally let go of an abandoned request: nobody else knows it. */
static void abandoned_done(struct bs_rbd_done *done)
{
	struct bs_rbd_req *req = bs_rbd_to_req(done);

	free(req->buf);
	free(req->subs);
	bs_rbd_image_put(req->img);
	free(req);
}

/*
 * End the command.  An abandoned request stays with librbd, which still
 * holds it; its completion, if it ever comes, only frees it.
 */
static void end_cmd(struct bs_rbd_req *req, int status, int abandon)
{
	struct scsi_cmd *cmd = req->cmd;

	if (req->aborted) {
		status = SAM_STAT_TASK_ABORTED;
		bs_rbd_lu_aborted_end(req->rlu);
	}
	/*
	 * tgt's UNMAP code builds sense before it knows we went async.  An
	 * error comes with no data-in: tgt would send the whole buffer,
	 * holding a partial read or what its last user left there (another
	 * LU's data).
	 */
	if (status == SAM_STAT_GOOD || status == SAM_STAT_TASK_ABORTED)
		cmd->sense_len = 0;
	if (status != SAM_STAT_GOOD)
		scsi_set_in_resid_by_actual(cmd, 0);
	bs_rbd_stats_account(req->rlu, req, status);
	if (abandon) {
		req_detach(req);
		req->rlu = NULL;
		req->cmd = NULL;
		req->done.fn = abandoned_done;
	} else {
		req_put(req);
	}
	target_cmd_io_done(cmd, status);
}

void bs_rbd_req_complete(struct bs_rbd_req *req, int status)
{
	end_cmd(req, status, 0);
}

/*
 * End the command now with this sense although librbd still holds the
 * request.  Only for a request whose librbd operation no longer needs the
 * command's memory.
 */
void bs_rbd_req_abandon(struct bs_rbd_req *req, uint8_t key, uint16_t asc)
{
	sense_data_build(req->cmd, key, asc);
	req->skey = key;
	end_cmd(req, SAM_STAT_CHECK_CONDITION, 1);
}

void bs_rbd_req_sense(struct bs_rbd_req *req, uint8_t key, uint16_t asc)
{
	sense_data_build(req->cmd, key, asc);
	req->skey = key;
	bs_rbd_req_complete(req, SAM_STAT_CHECK_CONDITION);
}

void bs_rbd_req_fail(struct bs_rbd_req *req, int err)
{
	struct bs_rbd_sense s = bs_rbd_errno_to_sense(err, req->dir);

	/* blocklisted: say so once, not for every command until reopened */
	if (err != -ESHUTDOWN || req->rlu->state == BS_RBD_LU_OK)
		rbd_log(req->rlu, "op 0x%02x at %" PRIu64 " len %zu: %s",
			req->cmd->scb[0], req->offset, req->len,
			strerror(-err));
	bs_rbd_req_sense(req, s.key, s.asc);
}

/* MISCOMPARE, with the offset of the first differing byte (SBC-3). */
void bs_rbd_req_miscompare(struct bs_rbd_req *req, uint64_t offset)
{
	sense_data_build_with_info(req->cmd, MISCOMPARE,
				   BS_RBD_ASC_MISCOMPARE_DURING_VERIFY, offset);
	req->skey = MISCOMPARE;
	bs_rbd_req_complete(req, SAM_STAT_CHECK_CONDITION);
}

static void sub_done(struct bs_rbd_done *done)
{
	struct bs_rbd_sub *sub = (struct bs_rbd_sub *)done;
	struct bs_rbd_req *req = sub->req;

	if (done->ret < 0 && !req->sub_err)
		req->sub_err = (int)done->ret;
	if (--req->pending)
		return;
	req->done.ret = req->sub_err;
	req->done.fn(&req->done);
}

/*
 * Unmap the n ranges in req->subs concurrently; req's own done function
 * runs once, after the last one, with the first error in done.ret.
 *
 * librbd's write-zeroes removes the whole objects in a range and zeroes
 * the pieces of the others, so unmapped blocks read back as zeroes
 * (LBPRZ).  Its discard skips the pieces under rbd_skip_partial_discard
 * (Ceph's default), which a pool or an image may set over the client.
 */
void bs_rbd_req_unmap_subs(struct bs_rbd_req *req, unsigned int n)
{
	unsigned int i;

	req->pending = n;
	for (i = 0; i < n; i++) {
		struct bs_rbd_sub *sub = &req->subs[i];
		rbd_completion_t comp;
		int ret;

		sub->req = req;
		sub->done.fn = sub_done;
		ret = rbd_aio_create_completion(&sub->done, bs_rbd_done_aio_cb,
						&comp);
		if (!ret) {
			ret = rbd_aio_write_zeroes(req->img->image, sub->offset,
						   sub->len, comp, 0, 0);
			if (ret < 0)
				rbd_aio_release(comp);
		}
		if (ret < 0) {
			sub->done.ret = ret;
			bs_rbd_done_push(&sub->done);
		}
	}
}

static void sense_done(struct bs_rbd_done *done)
{
	struct bs_rbd_req *req = bs_rbd_to_req(done);

	bs_rbd_req_sense(req, req->skey, req->sasc);
}

/* Fail the command with this sense on the next main-loop pass. */
void bs_rbd_req_defer_sense(struct bs_rbd_req *req, uint8_t key, uint16_t asc)
{
	req->skey = key;
	req->sasc = asc;
	req->done.fn = sense_done;
	bs_rbd_done_push(&req->done);
}

int bs_rbd_aio_read(struct bs_rbd_req *req, rbd_completion_t comp)
{
	/* librbd writes into the command's buffer */
	req->no_abandon = 1;
	return rbd_aio_read(req->img->image, req->offset, req->len,
			    scsi_get_in_buffer(req->cmd), comp);
}

int bs_rbd_aio_read_scratch(struct bs_rbd_req *req, rbd_completion_t comp)
{
	return rbd_aio_read(req->img->image, req->offset, req->len, req->buf,
			    comp);
}

int bs_rbd_aio_write(struct bs_rbd_req *req, rbd_completion_t comp)
{
	/* FUA: librbd must not answer before the OSDs have the data */
	return rbd_aio_write2(req->img->image, req->offset, req->len,
			      scsi_get_out_buffer(req->cmd), comp,
			      req->flush_after ? LIBRADOS_OP_FLAG_FADVISE_FUA
					       : 0);
}

int bs_rbd_aio_write_scratch(struct bs_rbd_req *req, rbd_completion_t comp)
{
	return rbd_aio_write(req->img->image, req->offset, req->len, req->buf,
			     comp);
}

int bs_rbd_aio_flush(struct bs_rbd_req *req, rbd_completion_t comp)
{
	return rbd_aio_flush(req->img->image, comp);
}
