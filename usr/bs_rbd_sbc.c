// SPDX-License-Identifier: GPL-2.0-only
/*
 * bs_rbd: the SCSI block commands that reach the backing store, each done
 * with librbd's matching native operation.
 *
 * tgt's SBC code has already checked reservations, write protection and
 * the range of everything it hands us (see sbc_rw, sbc_verify, sbc_unmap
 * in tgt's sbc.c) and set cmd->offset; what it leaves to a backing store
 * is checked here.  COMPARE AND WRITE has no handler in tgt's core at all,
 * so bs_rbd_compare_and_write() does the core's checks itself.
 *
 * Every entry point asks bs_rbd_lu_admit() first; a command admitted runs
 * on the image the LU has at that moment, which its request holds.  What
 * a failure means for the LU (fenced client, removed image) is decided
 * here, in fail(), not in the request layer below.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "list.h"
#include "util.h"
#include "tgtd.h"
#include "scsi.h"
#include "spc.h"
#include "target.h"

#include "bs_rbd_alua.h"
#include "bs_rbd_be.h"
#include "bs_rbd_conn.h"
#include "bs_rbd_gateway.h"
#include "bs_rbd_image.h"
#include "bs_rbd_lbamap.h"
#include "bs_rbd_lu.h"
#include "bs_rbd_reopen.h"
#include "bs_rbd_req.h"
#include "bs_rbd_sbc.h"
#include "bs_rbd_sense.h"
#include "bs_rbd_watchdog.h"
#include "bs_rbd_worker.h"

/* Largest VERIFY we read back into memory at once (bytes) */
#define BS_RBD_MAX_VERIFY (32u << 20)

#define FUA 0x08 /* CDB byte 1 of WRITE 10/12/16, ORWRITE, COMPARE AND WRITE */
#define WS_UNMAP 0x08
#define WS_LBDATA_PBDATA 0x06
#define WS_NDOB 0x01 /* WRITE SAME (16) only */

#define ASC_PARAM_LIST_LENGTH 0x1a00
#define ASC_INVALID_FIELD_CDB 0x2400
#define ASC_INVALID_FIELD_PARAMS 0x2600
#define ASC_LBA_RANGE 0x2100

typedef int (*bs_rbd_cmd_fn)(struct bs_rbd_lu *rlu, struct scsi_cmd *cmd);

static size_t block_size(const struct bs_rbd_lu *rlu)
{
	return (size_t)1 << rlu->lu->blk_shift;
}

static uint64_t lu_blocks(const struct bs_rbd_lu *rlu)
{
	return rlu->lu->size >> rlu->lu->blk_shift;
}

/* The core checked the range; refuse anything past the image anyway. */
static int out_of_range(const struct bs_rbd_lu *rlu, uint64_t off, uint64_t len)
{
	uint64_t size = rlu->lu->size;

	return off > size || len > size - off;
}

/* Writes to a snapshot fail even if tgt's readonly flag was cleared. */
static int writable(const struct bs_rbd_lu *rlu)
{
	return !rlu->path.snap;
}

/* Caching mode page, byte 2: write cache enabled */
#define CACHING_PAGE 0x08
#define CACHING_WCE 0x04

/*
 * Must this write reach the OSDs (a librbd flush) before GOOD?  With FUA,
 * with --bsoflags sync, and whenever the initiator or the operator turned
 * the write cache off (WCE=0: MODE SELECT, or tgtadm's mode_page=).
 */
static int fua(const struct scsi_cmd *cmd, const struct bs_rbd_lu *rlu)
{
	struct mode_pg *pg;

	if ((cmd->scb[0] != WRITE_6 && (cmd->scb[1] & FUA)) ||
	    (rlu->lu->bsoflags & O_SYNC))
		return 1;
	pg = find_mode_page(rlu->lu, CACHING_PAGE, 0);
	return pg && !(pg->mode_data[0] & CACHING_WCE);
}

/*
 * The command fails with err; what that says about the LU: its client
 * was fenced (reopen), or its image may be gone (watchdog).  Only the
 * LU's current image counts: a command on one it left says nothing.
 */
static void fail(struct bs_rbd_req *req, int err)
{
	struct bs_rbd_lu *rlu = req->rlu;
	int current = req->img == rlu->img;

	bs_rbd_req_fail(req, err);
	if (!current)
		return;
	if (err == -ESHUTDOWN)
		bs_rbd_reopen_start(rlu);
	else if (err == -ENOENT)
		bs_rbd_watchdog_probe(rlu, rlu->img);
}

/* Start one librbd operation for req unless a check already failed. */
static void submit_checked(struct bs_rbd_req *req, bs_rbd_aio_fn fn,
			   int for_write)
{
	if (for_write && !writable(req->rlu))
		bs_rbd_req_defer(req, -EROFS);
	else if (out_of_range(req->rlu, req->offset, req->len))
		bs_rbd_req_defer(req, -ERANGE);
	else
		bs_rbd_req_submit(req, fn);
}

/* ---- READ, WRITE, SYNCHRONIZE CACHE, PRE-FETCH ------------------------- */

static void read_done(struct bs_rbd_done *done)
{
	struct bs_rbd_req *req = bs_rbd_to_req(done);

	if (done->ret < 0)
		fail(req, (int)done->ret);
	else if ((size_t)done->ret != req->len)
		fail(req, -EIO); /* short read */
	else
		bs_rbd_req_complete(req, SAM_STAT_GOOD);
}

/* Any write-like step; a FUA write continues with a flush. */
static void write_done(struct bs_rbd_done *done)
{
	struct bs_rbd_req *req = bs_rbd_to_req(done);

	if (done->ret < 0) {
		fail(req, (int)done->ret);
		return;
	}
	if (req->flush_after) {
		req->flush_after = 0;
		bs_rbd_req_submit(req, bs_rbd_aio_flush);
		return;
	}
	bs_rbd_req_complete(req, SAM_STAT_GOOD);
}

/*
 * The request of a command that moves len bytes at cmd->offset, started
 * with fn as its completion.  NULL means "return *ret": 0 when there is
 * nothing to transfer (zero blocks; librbd asserts on len 0), -ENOMEM.
 */
static struct bs_rbd_req *
start_transfer(struct bs_rbd_lu *rlu, struct scsi_cmd *cmd, size_t len, int dir,
	       void (*fn)(struct bs_rbd_done *), int *ret)
{
	struct bs_rbd_req *req;

	*ret = 0;
	if (!len)
		return NULL;
	req = bs_rbd_req_get(rlu, cmd, cmd->offset, len, dir);
	if (!req) {
		*ret = -ENOMEM;
		return NULL;
	}
	bs_rbd_req_start(req, fn);
	return req;
}

static int cmd_read(struct bs_rbd_lu *rlu, struct scsi_cmd *cmd)
{
	size_t len = min_t(size_t, cmd->tl, scsi_get_in_length(cmd));
	struct bs_rbd_req *req;
	int ret;

	req = start_transfer(rlu, cmd, len, BS_RBD_DIR_READ, read_done, &ret);
	if (req)
		submit_checked(req, bs_rbd_aio_read, 0);
	return ret;
}

static int cmd_write(struct bs_rbd_lu *rlu, struct scsi_cmd *cmd)
{
	size_t len = min_t(size_t, cmd->tl, scsi_get_out_length(cmd));
	struct bs_rbd_req *req;
	int ret;

	req = start_transfer(rlu, cmd, len, BS_RBD_DIR_WRITE, write_done, &ret);
	if (!req)
		return ret;
	req->flush_after = fua(cmd, rlu);
	submit_checked(req, bs_rbd_aio_write, 1);
	return 0;
}

static int cmd_sync_cache(struct bs_rbd_lu *rlu, struct scsi_cmd *cmd)
{
	struct bs_rbd_req *req;

	req = bs_rbd_req_get(rlu, cmd, 0, 0, BS_RBD_DIR_WRITE);
	if (!req)
		return -ENOMEM;
	bs_rbd_req_start(req, write_done);
	bs_rbd_req_submit(req, bs_rbd_aio_flush);
	return 0;
}

/* The core range-checked it; librbd reads ahead on its own. */
static int cmd_prefetch(struct bs_rbd_lu *rlu, struct scsi_cmd *cmd)
{
	(void)rlu;
	(void)cmd;
	return 0;
}

/* ---- WRITE SAME -------------------------------------------------------- */

static int all_zero(const char *p, size_t n)
{
	while (n--)
		if (*p++)
			return 0;
	return 1;
}

static int aio_writesame(struct bs_rbd_req *req, rbd_completion_t comp)
{
	return rbd_aio_writesame(req->img->image, req->offset, req->len,
				 scsi_get_out_buffer(req->cmd),
				 block_size(req->rlu), comp, 0);
}

static int aio_write_zeroes(struct bs_rbd_req *req, rbd_completion_t comp)
{
	return rbd_aio_write_zeroes(req->img->image, req->offset, req->len,
				    comp, 0, 0);
}

/*
 * One librbd operation for the whole range.  With UNMAP set the blocks
 * are deallocated whatever the data-out holds, as LIO and tgt's file
 * store do and libiscsi expects, by write-zeroes (see
 * bs_rbd_req_unmap_subs); zeroes are written the same way, anything else
 * with write-same.
 */
static int cmd_write_same(struct bs_rbd_lu *rlu, struct scsi_cmd *cmd)
{
	uint8_t flags = cmd->scb[1];
	int ndob = cmd->scb[0] == WRITE_SAME_16 && (flags & WS_NDOB);
	uint64_t blocks = scsi_rw_count(cmd->scb);
	uint64_t lba = cmd->offset >> rlu->lu->blk_shift;
	struct bs_rbd_req *req;
	bs_rbd_aio_fn fn;
	int zero;

	/* tgt's cmd->tl is 32 bits of bytes: recompute from the CDB */
	if (!blocks)
		blocks = lu_blocks(rlu) - lba;
	req = bs_rbd_req_get(rlu, cmd, cmd->offset,
			     blocks << rlu->lu->blk_shift, BS_RBD_DIR_WRITE);
	if (!req)
		return -ENOMEM;
	bs_rbd_req_start(req, write_done);
	if (flags & WS_LBDATA_PBDATA) {
		bs_rbd_req_defer_sense(req, ILLEGAL_REQUEST,
				       ASC_INVALID_FIELD_CDB);
		return 0;
	}
	if (!ndob && scsi_get_out_length(cmd) < block_size(rlu)) {
		bs_rbd_req_defer_sense(req, ILLEGAL_REQUEST,
				       ASC_PARAM_LIST_LENGTH);
		return 0;
	}
	if (!req->len) {
		bs_rbd_req_defer(req, 0);
		return 0;
	}
	zero = ndob || all_zero(scsi_get_out_buffer(cmd), block_size(rlu));
	if (zero || ((flags & WS_UNMAP) && rlu->lu->attrs.thinprovisioning))
		fn = aio_write_zeroes;
	else
		fn = aio_writesame;
	submit_checked(req, fn, 1);
	return 0;
}

/* ---- UNMAP ------------------------------------------------------------- */

static void unmap_done(struct bs_rbd_done *done)
{
	struct bs_rbd_req *req = bs_rbd_to_req(done);
	struct scsi_cmd *cmd = req->cmd;

	if (done->ret < 0) {
		fail(req, (int)done->ret);
		return;
	}
	/* tgt's sbc_unmap reset the transfer before handing it to us */
	scsi_set_out_resid_by_actual(cmd, scsi_get_out_length(cmd));
	bs_rbd_req_complete(req, SAM_STAT_GOOD);
}

/*
 * Check every descriptor before unmapping anything, so that a bad one
 * changes nothing.  Returns the number of ranges to unmap, or -1 with
 * the sense to report in *asc.
 */
static int unmap_parse(struct bs_rbd_lu *rlu, const uint8_t *p, size_t len,
		       struct bs_rbd_sub *subs, uint16_t *asc)
{
	unsigned int shift = rlu->lu->blk_shift;
	size_t bd_len, i, n;
	int used = 0;

	bd_len = bs_rbd_be16(p + 2);
	if (bd_len > len - 8)
		bd_len = len - 8;
	n = bd_len / 16;
	for (i = 0; i < n; i++) {
		const uint8_t *d = p + 8 + 16 * i;
		uint64_t lba = bs_rbd_be64(d);
		uint32_t nb = bs_rbd_be32(d + 8);

		if (!nb)
			continue;
		if (lba > lu_blocks(rlu) || nb > lu_blocks(rlu) - lba) {
			*asc = ASC_LBA_RANGE;
			return -1;
		}
		if (subs) {
			subs[used].offset = lba << shift;
			subs[used].len = (uint64_t)nb << shift;
		}
		used++;
	}
	return used;
}

static int cmd_unmap(struct bs_rbd_lu *rlu, struct scsi_cmd *cmd)
{
	size_t len = scsi_get_out_length(cmd);
	const uint8_t *p = scsi_get_out_buffer(cmd);
	struct bs_rbd_req *req;
	uint16_t asc = 0;
	int n;

	req = bs_rbd_req_get(rlu, cmd, 0, 0, BS_RBD_DIR_WRITE);
	if (!req)
		return -ENOMEM;
	/* always asynchronous: tgt's sbc_unmap fails whatever returns 0 */
	bs_rbd_req_start(req, unmap_done);
	if (!len) {
		bs_rbd_req_defer(req, 0);
		return 0;
	}
	if (len < 8) {
		bs_rbd_req_defer_sense(req, ILLEGAL_REQUEST,
				       ASC_PARAM_LIST_LENGTH);
		return 0;
	}
	if (bs_rbd_be16(p + 2) / 16 > BS_RBD_MAX_UNMAP_DESC) {
		bs_rbd_req_defer_sense(req, ILLEGAL_REQUEST,
				       ASC_INVALID_FIELD_PARAMS);
		return 0;
	}
	n = unmap_parse(rlu, p, len, NULL, &asc);
	if (n < 0) {
		bs_rbd_req_defer_sense(req, ILLEGAL_REQUEST, asc);
		return 0;
	}
	if (!n || !writable(rlu)) {
		bs_rbd_req_defer(req, n ? -EROFS : 0);
		return 0;
	}
	req->subs = calloc((size_t)n, sizeof(*req->subs));
	if (!req->subs) {
		bs_rbd_req_defer(req, -ENOMEM);
		return 0;
	}
	unmap_parse(rlu, p, len, req->subs, &asc);
	bs_rbd_req_unmap_subs(req, (unsigned int)n);
	return 0;
}

/* ---- VERIFY, WRITE AND VERIFY, ORWRITE --------------------------------- */

/* Index of the first byte where buf differs from the expected data. */
static size_t first_difference(const char *buf, size_t len, const char *expect,
			       size_t period)
{
	size_t i;

	for (i = 0; i < len; i++)
		if (buf[i] != expect[i % period])
			return i;
	return len;
}

static void compare_scratch(struct bs_rbd_req *req, size_t period)
{
	size_t at = first_difference(req->buf, req->len,
				     scsi_get_out_buffer(req->cmd), period);

	if (at < req->len)
		bs_rbd_req_miscompare(req, at);
	else
		bs_rbd_req_complete(req, SAM_STAT_GOOD);
}

static int alloc_scratch(struct bs_rbd_req *req)
{
	req->buf = malloc(req->len);
	return req->buf ? 0 : -ENOMEM;
}

static void verify_done(struct bs_rbd_done *done)
{
	struct bs_rbd_req *req = bs_rbd_to_req(done);
	int bytchk = (req->cmd->scb[1] >> 1) & 3;

	if (done->ret < 0)
		fail(req, (int)done->ret);
	else
		compare_scratch(req,
				bytchk == 3 ? block_size(req->rlu) : req->len);
}

/* Reaches us only with BYTCHK set: compare the medium with data-out. */
static int cmd_verify(struct bs_rbd_lu *rlu, struct scsi_cmd *cmd)
{
	int bytchk = (cmd->scb[1] >> 1) & 3;
	uint64_t blocks = scsi_rw_count(cmd->scb);
	size_t len = (size_t)blocks << rlu->lu->blk_shift;
	struct bs_rbd_req *req;

	if (!len)
		return 0;
	req = bs_rbd_req_get(rlu, cmd, cmd->offset, len, BS_RBD_DIR_READ);
	if (!req)
		return -ENOMEM;
	bs_rbd_req_start(req, verify_done);
	if (bytchk == 2 || len > BS_RBD_MAX_VERIFY) {
		bs_rbd_req_defer_sense(req, ILLEGAL_REQUEST,
				       ASC_INVALID_FIELD_CDB);
		return 0;
	}
	if (scsi_get_out_length(cmd) < (bytchk == 3 ? block_size(rlu) : len)) {
		bs_rbd_req_defer_sense(req, ILLEGAL_REQUEST,
				       ASC_PARAM_LIST_LENGTH);
		return 0;
	}
	if (alloc_scratch(req)) {
		bs_rbd_req_defer(req, -ENOMEM);
		return 0;
	}
	submit_checked(req, bs_rbd_aio_read_scratch, 0);
	return 0;
}

enum { WV_WRITE, WV_FLUSH, WV_READ };

/* Write, make it durable, and with BYTCHK read it back and compare. */
static void write_verify_done(struct bs_rbd_done *done)
{
	struct bs_rbd_req *req = bs_rbd_to_req(done);

	if (done->ret < 0) {
		fail(req, (int)done->ret);
		return;
	}
	switch (req->stage++) {
	case WV_WRITE:
		bs_rbd_req_submit(req, bs_rbd_aio_flush);
		return;
	case WV_FLUSH:
		if (!(req->cmd->scb[1] & 0x02)) {
			bs_rbd_req_complete(req, SAM_STAT_GOOD);
			return;
		}
		if (alloc_scratch(req)) {
			fail(req, -ENOMEM);
			return;
		}
		req->dir = BS_RBD_DIR_READ;
		bs_rbd_req_submit(req, bs_rbd_aio_read_scratch);
		return;
	default:
		compare_scratch(req, req->len);
	}
}

static int cmd_write_verify(struct bs_rbd_lu *rlu, struct scsi_cmd *cmd)
{
	size_t len = min_t(size_t, cmd->tl, scsi_get_out_length(cmd));
	struct bs_rbd_req *req;
	int ret;

	req = start_transfer(rlu, cmd, len, BS_RBD_DIR_WRITE, write_verify_done,
			     &ret);
	if (req)
		submit_checked(req, bs_rbd_aio_write, 1);
	return ret;
}

enum { OR_READ, OR_WRITE };

/* Read, OR in the data-out, write back (not atomic against other writers). */
static void orwrite_done(struct bs_rbd_done *done)
{
	struct bs_rbd_req *req = bs_rbd_to_req(done);
	const char *out = scsi_get_out_buffer(req->cmd);
	size_t i;

	if (done->ret < 0 || req->stage != OR_READ) {
		write_done(done);
		return;
	}
	for (i = 0; i < req->len; i++)
		req->buf[i] |= out[i];
	req->stage = OR_WRITE;
	req->dir = BS_RBD_DIR_WRITE;
	bs_rbd_req_submit(req, bs_rbd_aio_write_scratch);
}

static int cmd_orwrite(struct bs_rbd_lu *rlu, struct scsi_cmd *cmd)
{
	size_t len = min_t(size_t, cmd->tl, scsi_get_out_length(cmd));
	struct bs_rbd_req *req;
	int ret;

	req = start_transfer(rlu, cmd, len, BS_RBD_DIR_READ, orwrite_done,
			     &ret);
	if (!req)
		return ret;
	req->flush_after = fua(cmd, rlu);
	if (alloc_scratch(req))
		bs_rbd_req_defer(req, -ENOMEM);
	else
		submit_checked(req, bs_rbd_aio_read_scratch, 1);
	return 0;
}

/* ---- COMPARE AND WRITE ------------------------------------------------- */

/*
 * librbd's compare-and-write is atomic within one 512-byte sector only
 * (it refuses anything longer), so COMPARE AND WRITE is offered for
 * 512-byte logical blocks, one block at a time; that is what VMware's
 * ATS locking sends.
 */
unsigned int bs_rbd_max_caw_blocks(const struct scsi_lu *lu)
{
	return lu->blk_shift == 9 ? 1 : 0;
}

static int aio_compare_and_write(struct bs_rbd_req *req, rbd_completion_t comp)
{
	const char *out = scsi_get_out_buffer(req->cmd);
	ssize_t ret;

	ret = rbd_aio_compare_and_write(req->img->image, req->offset, req->len,
					out, out + req->len, comp,
					&req->mismatch, 0);
	return ret < 0 ? (int)ret : 0;
}

static void caw_done(struct bs_rbd_done *done)
{
	struct bs_rbd_req *req = bs_rbd_to_req(done);

	/*
	 * SBC wants the offset in the compare data.  librbd 16 reports the
	 * image offset of the object plus that offset; others the image
	 * offset of the byte.  The range is one logical block (a power of
	 * two), block-aligned, inside one object: all agree modulo it.
	 */
	if (done->ret == -EILSEQ)
		bs_rbd_req_miscompare(req, req->mismatch & (req->len - 1));
	else
		write_done(done);
}

/* Fail a command handled by our own cmd_perform, before any transfer. */
static int sync_sense(struct scsi_cmd *cmd, uint8_t key, uint16_t asc)
{
	scsi_set_in_resid_by_actual(cmd, 0);
	scsi_set_out_resid_by_actual(cmd, 0);
	sense_data_build(cmd, key, asc);
	return SAM_STAT_CHECK_CONDITION;
}

/*
 * May the command start?  Every entry point asks; an admitted command
 * also has the removed-image watchdog look at the LU while it runs.
 */
static int admitted(struct bs_rbd_lu *rlu, uint8_t *key, uint16_t *asc)
{
	if (bs_rbd_lu_admit(rlu, key, asc))
		return 0;
	bs_rbd_watchdog_arm(rlu);
	return 1;
}

/*
 * COMPARE AND WRITE, atomic on the image through librbd: two initiators
 * or two gateways racing on the same blocks never both win.  Installed as
 * the LU's handler for opcode 0x89 (tgt's core has none), so it makes the
 * checks tgt's sbc_rw makes for other writes.
 */
int bs_rbd_compare_and_write(int host_no, struct scsi_cmd *cmd)
{
	struct scsi_lu *lu = cmd->dev;
	struct bs_rbd_lu *rlu = bs_rbd_lu(lu);
	uint64_t lba = bs_rbd_be64(&cmd->scb[2]);
	uint32_t blocks = cmd->scb[13];
	struct bs_rbd_req *req;
	uint16_t asc;
	uint8_t key;

	(void)host_no;
	if (!admitted(rlu, &key, &asc))
		return sync_sense(cmd, key, asc);
	if (device_reserved(cmd))
		return SAM_STAT_RESERVATION_CONFLICT;
	if (lu->attrs.removable && !lu->attrs.online)
		return sync_sense(cmd, NOT_READY, ASC_MEDIUM_NOT_PRESENT);
	if (cmd->scb[1] & 0xe0) /* protection information */
		return sync_sense(cmd, ILLEGAL_REQUEST, ASC_INVALID_FIELD_CDB);
	if (lu->attrs.readonly || lu->attrs.swp)
		return sync_sense(cmd, DATA_PROTECT, ASC_WRITE_PROTECT);
	if (blocks > bs_rbd_max_caw_blocks(lu))
		return sync_sense(cmd, ILLEGAL_REQUEST, ASC_INVALID_FIELD_CDB);
	if (lba > lu_blocks(rlu) || blocks > lu_blocks(rlu) - lba)
		return sync_sense(cmd, ILLEGAL_REQUEST, ASC_LBA_RANGE);
	/* also catches 256 blocks, which wrap to 0 in the one-byte field */
	if (scsi_get_out_length(cmd) != 2 * blocks * block_size(rlu))
		return sync_sense(cmd, ILLEGAL_REQUEST, ASC_INVALID_FIELD_CDB);
	if (!blocks)
		return SAM_STAT_GOOD;

	cmd->offset = lba << lu->blk_shift;
	req = bs_rbd_req_get(rlu, cmd, cmd->offset, blocks * block_size(rlu),
			     BS_RBD_DIR_WRITE);
	if (!req)
		return sync_sense(cmd, HARDWARE_ERROR,
				  ASC_INTERNAL_TGT_FAILURE);
	bs_rbd_req_start(req, caw_done);
	req->flush_after = fua(cmd, rlu);
	submit_checked(req, aio_compare_and_write, 1);
	return SAM_STAT_GOOD;
}

/* ---- GET LBA STATUS ---------------------------------------------------- */

/* Most descriptors one GET LBA STATUS returns; the initiator asks again. */
#define LBA_MAX_DESC 1024
/*
 * Commands that hold a worker (a diff iteration lists up to LBA_MAX_DESC
 * objects): at most all workers but one, and one GET LBA STATUS per LU,
 * so initiators never hold up LU setup, a reopen or a size change.
 * Beyond that: BUSY, and the initiator asks again.  Such a command is
 * never abandoned by the watchdog: its end gives its slot back.
 */
#define MAX_WORKER_CMDS (BS_RBD_WORKERS - 1)

static unsigned int worker_cmds; /* main loop only */

/*
 * The request of such a command, taking a slot, with size bytes of zeroed
 * scratch in req->buf, which starts with the struct bs_rbd_work that
 * worker_cmd_queue() queues; NULL: out of memory.  done gives the slot
 * back (worker_cmds--).
 */
static struct bs_rbd_req *worker_cmd_get(struct bs_rbd_lu *rlu,
					 struct scsi_cmd *cmd, uint64_t offset,
					 size_t size,
					 void (*done)(struct bs_rbd_done *))
{
	struct bs_rbd_req *req;

	req = bs_rbd_req_get(rlu, cmd, offset, 0, BS_RBD_DIR_READ);
	if (!req)
		return NULL;
	req->buf = calloc(1, size);
	if (!req->buf) {
		bs_rbd_req_put_unused(req);
		return NULL;
	}
	bs_rbd_req_start(req, done);
	req->no_abandon = 1;
	worker_cmds++;
	return req;
}

static void worker_cmd_queue(struct bs_rbd_req *req)
{
	if (bs_rbd_worker_queue((struct bs_rbd_work *)req->buf))
		bs_rbd_req_defer(req, -EAGAIN);
}

/* Scratch of one GET LBA STATUS, in req->buf. */
struct lba_job {
	struct bs_rbd_work work; /* first */
	struct bs_rbd_req *req;
	uint64_t start, end; /* bytes */
	size_t n;	     /* extents found */
	struct bs_rbd_extent ext[LBA_MAX_DESC];
	uint8_t desc[LBA_MAX_DESC * BS_RBD_LBA_DESC_LEN];
};

static int lba_extent(uint64_t off, size_t len, int exists, void *arg)
{
	struct lba_job *job = arg;

	if (!exists)
		return 0;
	if (job->n == LBA_MAX_DESC)
		return -ECANCELED; /* enough for one answer */
	job->ext[job->n].offset = off;
	job->ext[job->n].len = len;
	job->n++;
	return 0;
}

static int extent_cmp(const void *a, const void *b)
{
	const struct bs_rbd_extent *x = a, *y = b;

	return x->offset < y->offset ? -1 : x->offset > y->offset;
}

/*
 * Worker: librbd's diff iteration only comes as a blocking call.  It uses
 * the image the request holds, never the LU's (which may move meanwhile).
 */
static void lba_work(struct bs_rbd_work *work)
{
	struct lba_job *job = (struct lba_job *)work;
	struct bs_rbd_req *req = job->req;
	int ret;

	/* whole objects, from the object map when fast-diff is on */
	ret = rbd_diff_iterate2(req->img->image, NULL, job->start,
				job->end - job->start, 1, 1, lba_extent, job);
	qsort(job->ext, job->n, sizeof(job->ext[0]), extent_cmp);
	if (ret == -ECANCELED) {
		/* only what the extents found so far cover is known */
		job->end =
			job->ext[job->n - 1].offset + job->ext[job->n - 1].len;
		ret = 0;
	}
	bs_rbd_req_defer(req, ret);
}

static void lba_done(struct bs_rbd_done *done)
{
	struct bs_rbd_req *req = bs_rbd_to_req(done);
	struct lba_job *job = (struct lba_job *)req->buf;
	struct scsi_cmd *cmd = req->cmd;
	uint32_t alloc = bs_rbd_be32(&cmd->scb[10]);
	uint8_t *out = scsi_get_in_buffer(cmd);
	uint8_t head[8] = { 0 };
	size_t n, len, copy;

	worker_cmds--;
	req->rlu->lba_job = 0;
	if (done->ret < 0) {
		fail(req, (int)done->ret);
		return;
	}
	n = bs_rbd_lbamap_fill(job->ext, job->n, job->start, job->end,
			       req->rlu->lu->blk_shift, job->desc,
			       LBA_MAX_DESC);
	len = 8 + n * BS_RBD_LBA_DESC_LEN;
	put_unaligned_be32((uint32_t)(len - 4), head);
	if (alloc > scsi_get_in_length(cmd))
		alloc = scsi_get_in_length(cmd);
	copy = min_t(size_t, len, alloc);
	memcpy(out, head, min_t(size_t, copy, sizeof(head)));
	if (copy > sizeof(head))
		memcpy(out + sizeof(head), job->desc, copy - sizeof(head));
	scsi_set_in_resid_by_actual(cmd, (uint32_t)copy);
	bs_rbd_req_complete(req, SAM_STAT_GOOD);
}

/*
 * GET LBA STATUS from the image's real allocation (tgt's own answer
 * lseeks an fd an RBD LU does not have).  Installed as the LU's handler
 * for SERVICE ACTION IN / GET LBA STATUS.
 */
int bs_rbd_get_lba_status(int host_no, struct scsi_cmd *cmd)
{
	struct scsi_lu *lu = cmd->dev;
	struct bs_rbd_lu *rlu = bs_rbd_lu(lu);
	uint64_t lba = bs_rbd_be64(&cmd->scb[2]);
	struct bs_rbd_req *req;
	struct lba_job *job;
	uint64_t span, end;
	uint16_t asc;
	uint8_t key;

	(void)host_no;
	if (!admitted(rlu, &key, &asc))
		return sync_sense(cmd, key, asc);
	if (lu->attrs.removable && !lu->attrs.online)
		return sync_sense(cmd, NOT_READY, ASC_MEDIUM_NOT_PRESENT);
	if (lba >= lu_blocks(rlu))
		return sync_sense(cmd, ILLEGAL_REQUEST, ASC_LBA_RANGE);
	if (bs_rbd_be32(&cmd->scb[10]) < 4)
		return sync_sense(cmd, ILLEGAL_REQUEST, ASC_INVALID_FIELD_CDB);
	if (rlu->lba_job || worker_cmds >= MAX_WORKER_CMDS)
		return SAM_STAT_BUSY;

	req = worker_cmd_get(rlu, cmd, lba << lu->blk_shift, sizeof(*job),
			     lba_done);
	if (!req)
		return sync_sense(cmd, HARDWARE_ERROR,
				  ASC_INTERNAL_TGT_FAILURE);
	rlu->lba_job = 1;
	job = (struct lba_job *)req->buf;
	job->req = req;
	job->work.fn = lba_work;
	job->start = req->offset;
	/* whole blocks only: a partial last block has no LBA */
	end = lu_blocks(rlu) << lu->blk_shift;
	/* one answer covers at most LBA_MAX_DESC objects' worth */
	span = req->img->object_size * LBA_MAX_DESC;
	job->end = end - job->start > span ? job->start + span : end;
	worker_cmd_queue(req);
	return SAM_STAT_GOOD;
}

/* ---- REPORT TARGET PORT GROUPS ------------------------------------------ */

/* Scratch of one REPORT TARGET PORT GROUPS, in req->buf. */
struct rtpg_job {
	struct bs_rbd_work work; /* first */
	struct bs_rbd_req *req;
	int n;
	struct bs_rbd_alua_port ports[BS_RBD_ALUA_MAX_PORTS];
};

/* Worker: the registry, the image's watchers and its lock owner. */
static void rtpg_work(struct bs_rbd_work *work)
{
	struct rtpg_job *job = (struct rtpg_job *)work;
	struct bs_rbd_image *img = job->req->img;

	job->n = bs_rbd_gateway_ports(bs_rbd_pool_ioctx(img->pool), img->image,
				      img->id, img->tpg_id, job->ports,
				      BS_RBD_ALUA_MAX_PORTS);
	bs_rbd_req_defer(job->req, job->n < 0 ? job->n : 0);
}

static void rtpg_done(struct bs_rbd_done *done)
{
	struct bs_rbd_req *req = bs_rbd_to_req(done);
	struct rtpg_job *job = (struct rtpg_job *)req->buf;
	struct scsi_cmd *cmd = req->cmd;
	uint32_t alloc = bs_rbd_be32(&cmd->scb[6]);
	size_t len;
	int i;

	worker_cmds--;
	if (done->ret < 0) {
		fail(req, (int)done->ret);
		return;
	}
	for (i = 0; i < job->n; i++)
		if (job->ports[i].id == req->img->tpg_id)
			req->rlu->alua_seen =
				job->ports[i].state == BS_RBD_ALUA_AO ? 1 : 2;
	if (alloc > scsi_get_in_length(cmd))
		alloc = scsi_get_in_length(cmd);
	len = bs_rbd_alua_rtpg(job->ports, job->n, (cmd->scb[1] >> 5) == 1,
			       scsi_get_in_buffer(cmd), alloc);
	scsi_set_in_resid_by_actual(cmd, (uint32_t)min_t(size_t, len, alloc));
	bs_rbd_req_complete(req, SAM_STAT_GOOD);
}

/*
 * REPORT TARGET PORT GROUPS: one group, with one port, per gateway that
 * serves the image now, from what the cluster says, so that every gateway
 * gives the same answer (bs_rbd_gateway.c, bs_rbd_alua.h).  Installed as
 * the LU's handler for MAINTENANCE IN / REPORT TARGET PORT GROUPS.
 */
int bs_rbd_report_tpgs(int host_no, struct scsi_cmd *cmd)
{
	struct bs_rbd_lu *rlu = bs_rbd_lu(cmd->dev);
	struct bs_rbd_req *req;
	struct rtpg_job *job;
	uint16_t asc;
	uint8_t key;

	(void)host_no;
	if (!admitted(rlu, &key, &asc))
		return sync_sense(cmd, key, asc);
	/* no port group: as if the command did not exist */
	if (!rlu->img->tpg_id)
		return sync_sense(cmd, ILLEGAL_REQUEST, ASC_INVALID_OP_CODE);
	/* parameter data format: length only (0) or extended header (1) */
	if ((cmd->scb[1] >> 5) > 1)
		return sync_sense(cmd, ILLEGAL_REQUEST, ASC_INVALID_FIELD_CDB);
	if (worker_cmds >= MAX_WORKER_CMDS)
		return SAM_STAT_BUSY;
	req = worker_cmd_get(rlu, cmd, 0, sizeof(*job), rtpg_done);
	if (!req)
		return sync_sense(cmd, HARDWARE_ERROR,
				  ASC_INTERNAL_TGT_FAILURE);
	job = (struct rtpg_job *)req->buf;
	job->req = req;
	job->work.fn = rtpg_work;
	worker_cmd_queue(req);
	return SAM_STAT_GOOD;
}

/* Every opcode tgt's SBC code hands to the backing store, and its handler. */
static const bs_rbd_cmd_fn cmd_table[NR_SCSI_OPCODES] = {
	[READ_6] = cmd_read,
	[READ_10] = cmd_read,
	[READ_12] = cmd_read,
	[READ_16] = cmd_read,
	[WRITE_6] = cmd_write,
	[WRITE_10] = cmd_write,
	[WRITE_12] = cmd_write,
	[WRITE_16] = cmd_write,
	[SYNCHRONIZE_CACHE] = cmd_sync_cache,
	[SYNCHRONIZE_CACHE_16] = cmd_sync_cache,
	[PRE_FETCH_10] = cmd_prefetch,
	[PRE_FETCH_16] = cmd_prefetch,
	[WRITE_SAME] = cmd_write_same,
	[WRITE_SAME_16] = cmd_write_same,
	[UNMAP] = cmd_unmap,
	[VERIFY_10] = cmd_verify,
	[VERIFY_12] = cmd_verify,
	[VERIFY_16] = cmd_verify,
	[WRITE_VERIFY] = cmd_write_verify,
	[WRITE_VERIFY_12] = cmd_write_verify,
	[WRITE_VERIFY_16] = cmd_write_verify,
	[ORWRITE_16] = cmd_orwrite,
};

int bs_rbd_sbc_handles(uint8_t opcode)
{
	return cmd_table[opcode] != NULL;
}

/* Fail the command with this sense, on the next main-loop pass. */
static int refuse(struct bs_rbd_lu *rlu, struct scsi_cmd *cmd, uint8_t key,
		  uint16_t asc)
{
	struct bs_rbd_req *req;

	req = bs_rbd_req_get(rlu, cmd, cmd->offset, 0, BS_RBD_DIR_READ);
	if (!req)
		return -ENOMEM;
	set_cmd_async(cmd);
	bs_rbd_req_defer_sense(req, key, asc);
	return 0;
}

int bs_rbd_sbc_submit(struct scsi_cmd *cmd)
{
	struct bs_rbd_lu *rlu = bs_rbd_lu(cmd->dev);
	bs_rbd_cmd_fn fn = cmd_table[cmd->scb[0]];
	uint16_t asc;
	uint8_t key;

	if (!admitted(rlu, &key, &asc))
		return refuse(rlu, cmd, key, asc);
	if (!fn) {
		/* the opcode map should have stopped it in the core */
		rbd_log(rlu, "unexpected opcode 0x%02x", cmd->scb[0]);
		return -EINVAL;
	}
	return fn(rlu, cmd);
}
