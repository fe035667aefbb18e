// SPDX-License-Identifier: GPL-2.0-only
/*
 * bs_rbd: Ceph RBD backing store for tgt.
 *
 *   tgtadm --lld iscsi --mode logicalunit --op new --tid 1 --lun 1 \
 *	--bstype rbd --backing-store [pool/[namespace/]]image[@snap] \
 *	--bsopts 'conf=/etc/ceph/ceph.conf;id=tgt'
 *
 * Data path: tgt's SBC code checks a command and hands it to
 * bs_rbd_cmd_submit() on the main loop; we start the matching librbd aio
 * straight on the command's buffer and return.  librbd's callback queues
 * the request (bs_rbd_done.c), the main loop wakes once per batch and ends
 * each command with target_cmd_io_done().  Nothing blocks the main loop
 * except LU setup and teardown, which are bounded by connect_timeout.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "list.h"
#include "util.h"
#include "tgtd.h"
#include "scsi.h"
#include "target.h"

#include "bs_rbd.h"
#include "bs_rbd_sense.h"

/* RBD has no physical sectors; 4 KiB is the alignment it does best with. */
#define BS_RBD_PHYS_BLOCK 4096

#define FUA_BIT 0x08 /* byte 1 of WRITE 10/12/16 */

static inline struct bs_rbd_lu *rbd_lu(struct scsi_lu *lu)
{
	return (struct bs_rbd_lu *)((char *)lu + sizeof(*lu));
}

/* One log line about an LU, from the function that has something to say */
#define rbd_log(rlu, fmt, args...)                                           \
	eprintf(BS_RBD_LOG_ID fmt "\n", (rlu)->lu->tgt->tid, (rlu)->lu->lun, \
		##args)

/* ---- per-command requests ---------------------------------------------- */

static struct bs_rbd_req *req_get(struct bs_rbd_lu *rlu, struct scsi_cmd *cmd,
				  size_t len)
{
	struct bs_rbd_req *req = rlu->free_reqs;

	if (req)
		rlu->free_reqs = req->next_free;
	else
		req = malloc(sizeof(*req));
	if (!req)
		return NULL;
	req->rlu = rlu;
	req->cmd = cmd;
	req->offset = cmd->offset;
	req->len = len;
	req->flush_after = 0;
	rlu->inflight++;
	return req;
}

static void req_put(struct bs_rbd_req *req)
{
	struct bs_rbd_lu *rlu = req->rlu;

	rlu->inflight--;
	req->next_free = rlu->free_reqs;
	rlu->free_reqs = req;
}

static void req_pool_free(struct bs_rbd_lu *rlu)
{
	struct bs_rbd_req *req, *next;

	for (req = rlu->free_reqs; req; req = next) {
		next = req->next_free;
		free(req);
	}
	rlu->free_reqs = NULL;
}

static void req_complete(struct bs_rbd_req *req, int status)
{
	struct scsi_cmd *cmd = req->cmd;

	req_put(req);
	target_cmd_io_done(cmd, status);
}

static void req_fail(struct bs_rbd_req *req, int err, enum bs_rbd_dir dir)
{
	struct bs_rbd_sense s = bs_rbd_errno_to_sense(err, dir);
	struct bs_rbd_lu *rlu = req->rlu;

	rbd_log(rlu, "op 0x%02x at %" PRIu64 " len %zu: %s", req->cmd->scb[0],
		req->offset, req->len, strerror(-err));
	sense_data_build(req->cmd, s.key, s.asc);
	req_complete(req, SAM_STAT_CHECK_CONDITION);
}

/* Finish a request on the next main-loop pass instead of inline. */
static void req_defer(struct bs_rbd_req *req, int ret)
{
	req->done.ret = ret;
	bs_rbd_done_push(&req->done);
}

static void req_start(struct bs_rbd_req *req, void (*fn)(struct bs_rbd_done *))
{
	req->done.fn = fn;
	set_cmd_async(req->cmd);
}

typedef int (*aio_fn)(struct bs_rbd_req *req, rbd_completion_t comp);

/* Hand req to librbd; any failure to start completes it with the error. */
static void req_submit(struct bs_rbd_req *req, aio_fn fn)
{
	rbd_completion_t comp;
	int ret;

	ret = rbd_aio_create_completion(&req->done, bs_rbd_done_aio_cb, &comp);
	if (ret < 0) {
		req_defer(req, ret);
		return;
	}
	ret = fn(req, comp);
	if (ret < 0) {
		rbd_aio_release(comp);
		req_defer(req, ret);
	}
}

static int aio_read(struct bs_rbd_req *req, rbd_completion_t comp)
{
	return rbd_aio_read(req->rlu->image, req->offset, req->len,
			    scsi_get_in_buffer(req->cmd), comp);
}

static int aio_write(struct bs_rbd_req *req, rbd_completion_t comp)
{
	return rbd_aio_write(req->rlu->image, req->offset, req->len,
			     scsi_get_out_buffer(req->cmd), comp);
}

static int aio_flush(struct bs_rbd_req *req, rbd_completion_t comp)
{
	return rbd_aio_flush(req->rlu->image, comp);
}

/* ---- completions (main loop) ------------------------------------------- */

static struct bs_rbd_req *to_req(struct bs_rbd_done *done)
{
	return (struct bs_rbd_req *)done;
}

static void read_done(struct bs_rbd_done *done)
{
	struct bs_rbd_req *req = to_req(done);

	if (done->ret < 0)
		req_fail(req, (int)done->ret, BS_RBD_DIR_READ);
	else if ((size_t)done->ret != req->len)
		req_fail(req, -EIO, BS_RBD_DIR_READ); /* short read */
	else
		req_complete(req, SAM_STAT_GOOD);
}

/* Writes and flushes; a FUA write continues with a flush. */
static void write_done(struct bs_rbd_done *done)
{
	struct bs_rbd_req *req = to_req(done);

	if (done->ret < 0) {
		req_fail(req, (int)done->ret, BS_RBD_DIR_WRITE);
		return;
	}
	if (req->flush_after) {
		req->flush_after = 0;
		req_submit(req, aio_flush);
		return;
	}
	req_complete(req, SAM_STAT_GOOD);
}

/* ---- command handlers (main loop) -------------------------------------- */

/* The core checked the range; refuse anything past the image anyway. */
static int out_of_range(struct bs_rbd_lu *rlu, uint64_t off, size_t len)
{
	uint64_t size = rlu->lu->size;

	return off > size || len > size - off;
}

static int cmd_read(struct bs_rbd_lu *rlu, struct scsi_cmd *cmd)
{
	size_t len = min_t(size_t, cmd->tl, scsi_get_in_length(cmd));
	struct bs_rbd_req *req;

	/* zero blocks: nothing to transfer, and librbd asserts on len 0 */
	if (!len)
		return 0;
	req = req_get(rlu, cmd, len);
	if (!req)
		return -ENOMEM;
	req_start(req, read_done);
	if (out_of_range(rlu, req->offset, len))
		req_defer(req, -ERANGE);
	else
		req_submit(req, aio_read);
	return 0;
}

static int cmd_write(struct bs_rbd_lu *rlu, struct scsi_cmd *cmd)
{
	size_t len = min_t(size_t, cmd->tl, scsi_get_out_length(cmd));
	struct bs_rbd_req *req;

	if (!len)
		return 0;
	req = req_get(rlu, cmd, len);
	if (!req)
		return -ENOMEM;
	req_start(req, write_done);
	req->flush_after = (cmd->scb[0] != WRITE_6 && cmd->scb[1] & FUA_BIT) ||
			   (rlu->lu->bsoflags & O_SYNC);
	if (rlu->path.snap)
		req_defer(req, -EROFS); /* even if the admin cleared readonly */
	else if (out_of_range(rlu, req->offset, len))
		req_defer(req, -ERANGE);
	else
		req_submit(req, aio_write);
	return 0;
}

static int cmd_sync_cache(struct bs_rbd_lu *rlu, struct scsi_cmd *cmd)
{
	struct bs_rbd_req *req = req_get(rlu, cmd, 0);

	if (!req)
		return -ENOMEM;
	req_start(req, write_done);
	req_submit(req, aio_flush);
	return 0;
}

typedef int (*cmd_fn)(struct bs_rbd_lu *rlu, struct scsi_cmd *cmd);

/* Every opcode tgt's SBC code hands to the backing store, and its handler. */
static const cmd_fn cmd_table[NR_SCSI_OPCODES] = {
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
};

/* Opcodes tgt's core answers itself for an SBC LU on our behalf. */
static const unsigned char core_opcodes[] = {
	TEST_UNIT_READY,
	REQUEST_SENSE,
	FORMAT_UNIT,
	INQUIRY,
	MODE_SELECT,
	RESERVE,
	RELEASE,
	MODE_SENSE,
	START_STOP,
	SEND_DIAGNOSTIC,
	ALLOW_MEDIUM_REMOVAL,
	READ_CAPACITY,
	MODE_SELECT_10,
	MODE_SENSE_10,
	PERSISTENT_RESERVE_IN,
	PERSISTENT_RESERVE_OUT,
	SERVICE_ACTION_IN,
	REPORT_LUNS,
	MAINT_PROTOCOL_IN,
};

static int bs_rbd_cmd_submit(struct scsi_cmd *cmd)
{
	struct bs_rbd_lu *rlu = rbd_lu(cmd->dev);
	cmd_fn fn = cmd_table[cmd->scb[0]];

	if (!fn) {
		/* the opcode map should have stopped it in the core */
		rbd_log(rlu, "unexpected opcode 0x%02x", cmd->scb[0]);
		return -EINVAL;
	}
	return fn(rlu, cmd);
}

/* ---- SERVICE ACTION IN ------------------------------------------------- */

/*
 * tgt answers GET LBA STATUS with lseek(SEEK_DATA) on lu->fd, which an RBD
 * LU does not have.  Until we answer it from the image, offer only READ
 * CAPACITY (16) there, so GET LBA STATUS fails as unsupported.
 */
static struct service_action sai_actions[2];

static void install_service_actions(struct scsi_lu *lu)
{
	struct device_type_operations *op =
		&lu->dev_type_template.ops[SERVICE_ACTION_IN];
	struct service_action *rc16;

	if (lu->dev_type_template.type != TYPE_DISK || !op->service_actions)
		return;
	if (!sai_actions[0].cmd_perform) {
		rc16 = find_service_action(op->service_actions,
					   SAI_READ_CAPACITY_16);
		if (!rc16)
			return;
		sai_actions[0] = *rc16;
	}
	op->service_actions = sai_actions;
}

/* ---- LU lifecycle ------------------------------------------------------ */

static void image_release(struct bs_rbd_lu *rlu)
{
	if (rlu->inflight) {
		/* tgt refuses to delete a busy LU; never free live requests */
		rbd_log(rlu, "BUG: closing with requests in flight");
		return;
	}
	if (rlu->image)
		bs_rbd_image_close(rlu->pool, rlu->image,
				   rlu->opts.connect_timeout);
	rlu->image = NULL;
	if (rlu->pool)
		bs_rbd_pool_put(rlu->pool);
	rlu->pool = NULL;
	bs_rbd_path_free(&rlu->path);
	req_pool_free(rlu);
}

static tgtadm_err bs_rbd_init(struct scsi_lu *lu, char *bsopts)
{
	struct bs_rbd_lu *rlu = rbd_lu(lu);
	char err[BS_RBD_ERR_LEN];
	int ret;

	memset(rlu, 0, sizeof(*rlu));
	rlu->lu = lu;

	ret = bs_rbd_done_start();
	if (ret) {
		rbd_log(rlu, "cannot set up the completion eventfd");
		return TGTADM_UNKNOWN_ERR;
	}
	ret = bs_rbd_opts_parse(bsopts, &rlu->opts, err, sizeof(err));
	if (ret) {
		rbd_log(rlu, "%s", err);
		return ret == -ENOMEM ? TGTADM_NOMEM : TGTADM_INVALID_REQUEST;
	}
	ret = bs_rbd_conn_get(&rlu->opts, &rlu->conn, err, sizeof(err));
	if (ret) {
		rbd_log(rlu, "%s", err);
		bs_rbd_opts_free(&rlu->opts);
		return ret == -ENOMEM ? TGTADM_NOMEM : TGTADM_INVALID_REQUEST;
	}
	install_service_actions(lu);
	return TGTADM_SUCCESS;
}

static int bs_rbd_open(struct scsi_lu *lu, char *spec, int *fd, uint64_t *size)
{
	struct bs_rbd_lu *rlu = rbd_lu(lu);
	char err[BS_RBD_ERR_LEN];
	int ret;

	/*
	 * tgt's media load path judges bs_open by *fd alone and then drops
	 * an LU whose fd is -1 without bs_close: release what it left.
	 */
	image_release(rlu);
	*fd = -1; /* no file: tgt must never use lu->fd of an RBD LU */

	ret = bs_rbd_path_parse(spec, &rlu->path, err, sizeof(err));
	if (ret)
		goto fail;
	ret = bs_rbd_pool_get(rlu->conn, rlu->path.pool, rlu->path.ns,
			      &rlu->pool, err, sizeof(err));
	if (ret)
		goto fail;
	ret = bs_rbd_image_open(rlu->pool, rlu->path.image, rlu->path.snap,
				rlu->opts.connect_timeout, &rlu->image, err,
				sizeof(err));
	if (ret)
		goto fail;
	ret = rbd_get_size(rlu->image, size);
	if (ret < 0) {
		snprintf(err, sizeof(err), "cannot get the image size: %s",
			 strerror(-ret));
		goto fail;
	}

	if (rlu->path.snap)
		lu->attrs.readonly = 1;
	if (!lu->attrs.no_auto_lbppbe)
		update_lbppbe(lu, BS_RBD_PHYS_BLOCK);

	rbd_log(rlu, "opened %s/%s%s%s%s%s, %" PRIu64 " bytes%s",
		rlu->path.pool, rlu->path.ns ? rlu->path.ns : "",
		rlu->path.ns ? "/" : "", rlu->path.image,
		rlu->path.snap ? "@" : "", rlu->path.snap ? rlu->path.snap : "",
		*size, rlu->path.snap ? ", read-only snapshot" : "");
	return 0;
fail:
	rbd_log(rlu, "%s", err);
	image_release(rlu);
	return ret;
}

static void bs_rbd_close(struct scsi_lu *lu)
{
	image_release(rbd_lu(lu));
}

static void bs_rbd_exit(struct scsi_lu *lu)
{
	struct bs_rbd_lu *rlu = rbd_lu(lu);

	/* tgt skips bs_close when LU creation fails after a good bs_open */
	image_release(rlu);
	if (rlu->conn)
		bs_rbd_conn_put(rlu->conn);
	rlu->conn = NULL;
	bs_rbd_opts_free(&rlu->opts);
}

static struct backingstore_template rbd_bst = {
	.bs_name = "rbd",
	.bs_datasize = sizeof(struct bs_rbd_lu),
	.bs_init = bs_rbd_init,
	.bs_exit = bs_rbd_exit,
	.bs_open = bs_rbd_open,
	.bs_close = bs_rbd_close,
	.bs_cmd_submit = bs_rbd_cmd_submit,
	.bs_oflags_supported = O_SYNC,
};

__attribute__((visibility("default"))) void register_bs_module(void)
{
	unsigned char ops[NR_SCSI_OPCODES];
	unsigned int i, n = 0;

	for (i = 0; i < ARRAY_SIZE(core_opcodes); i++)
		ops[n++] = core_opcodes[i];
	for (i = 0; i < NR_SCSI_OPCODES; i++)
		if (cmd_table[i])
			ops[n++] = (unsigned char)i;
	bs_create_opcode_map(&rbd_bst, ops, (int)n);
	register_backingstore_template(&rbd_bst);
}
