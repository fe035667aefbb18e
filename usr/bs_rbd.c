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
	/* tgt has no handler for it: bs_rbd.c installs one per LU */
	COMPARE_AND_WRITE,
};

/*
 * Fail the command with NOT READY and this ASC, whatever it is.  The
 * LU's client is fenced (bs_rbd_reopen.c): not only what reaches an OSD,
 * since the old image would still answer a READ from librbd's cache (data
 * another client may have overwritten since), or with zeroes once the
 * image is deleted and the entry removed.  Or the image is gone
 * (bs_rbd_held.c).
 */
static int refuse(struct bs_rbd_lu *rlu, struct scsi_cmd *cmd, uint16_t asc)
{
	struct bs_rbd_req *req;

	req = bs_rbd_req_get(rlu, cmd, cmd->offset, 0, BS_RBD_DIR_READ);
	if (!req)
		return -ENOMEM;
	set_cmd_async(cmd);
	bs_rbd_req_defer_sense(req, NOT_READY, asc);
	return 0;
}

static int bs_rbd_cmd_submit(struct scsi_cmd *cmd)
{
	struct bs_rbd_lu *rlu = bs_rbd_lu(cmd->dev);
	bs_rbd_cmd_fn fn = bs_rbd_cmd_lookup(cmd->scb[0]);

	if (rlu->gone)
		return refuse(rlu, cmd, BS_RBD_ASC_MEDIUM_NOT_PRESENT);
	if (rlu->reopen)
		return refuse(rlu, cmd,
			      BS_RBD_ASC_NOT_READY_CAUSE_NOT_REPORTABLE);
	if (!fn) {
		/* the opcode map should have stopped it in the core */
		rbd_log(rlu, "unexpected opcode 0x%02x", cmd->scb[0]);
		return -EINVAL;
	}
	return fn(rlu, cmd);
}

/* ---- per-LU command handlers and VPD pages ---------------------------- */

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

/*
 * SERVICE ACTION IN: tgt's READ CAPACITY (16), and our GET LBA STATUS in
 * place of tgt's, which lseeks an fd an RBD LU does not have.
 */
static struct service_action sai_actions[3];

static void install_service_actions(struct scsi_lu *lu)
{
	struct device_type_operations *op =
		&lu->dev_type_template.ops[SERVICE_ACTION_IN];
	struct service_action *rc16;

	if (!op->service_actions)
		return;
	if (!sai_actions[0].cmd_perform) {
		rc16 = find_service_action(op->service_actions,
					   SAI_READ_CAPACITY_16);
		if (!rc16)
			return;
		sai_actions[0] = *rc16;
		sai_actions[1].service_action = SAI_GET_LBA_STATUS;
		sai_actions[1].cmd_perform = bs_rbd_get_lba_status;
	}
	op->service_actions = sai_actions;
}

/* tgt's Block Limits VPD update, which ours extends */
static void (*tgt_vpd_b0_update)(struct scsi_lu *lu, void *id);

/* Block Limits as librbd really behaves for this LU. */
static void rbd_vpd_b0_update(struct scsi_lu *lu, void *id)
{
	struct vpd *pg = lu->attrs.lu_vpd[PCODE_OFFSET(0xb0)];
	struct bs_rbd_lu *rlu = bs_rbd_lu(lu);

	tgt_vpd_b0_update(lu, id);
	/* data[] starts at byte 4 of the page */
	pg->data[1] = (uint8_t)bs_rbd_max_caw_blocks(lu);
	if (!lu->attrs.thinprovisioning)
		return;
	put_unaligned_be32(BS_RBD_MAX_UNMAP_DESC, pg->data + 20);
	/* space comes back per RADOS object */
	put_unaligned_be32((uint32_t)(rlu->object_size >> lu->blk_shift),
			   pg->data + 24);
}

static void hook_vpd_b0(struct scsi_lu *lu)
{
	struct vpd *pg = lu->attrs.lu_vpd[PCODE_OFFSET(0xb0)];

	if (!pg || !pg->vpd_update || pg->vpd_update == rbd_vpd_b0_update)
		return;
	if (!tgt_vpd_b0_update)
		tgt_vpd_b0_update = pg->vpd_update;
	if (pg->vpd_update == tgt_vpd_b0_update)
		pg->vpd_update = rbd_vpd_b0_update;
}

static void refresh_vpd(struct scsi_lu *lu)
{
	static const uint8_t pages[] = { 0xb0, 0xb2 };
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(pages); i++) {
		struct vpd *pg = lu->attrs.lu_vpd[PCODE_OFFSET(pages[i])];

		if (pg && pg->vpd_update)
			pg->vpd_update(lu, NULL);
	}
}

/* Each LU has its own copy of the SBC template: adjust ours. */
static void install_lu_handlers(struct scsi_lu *lu)
{
	struct device_type_operations *caw =
		&lu->dev_type_template.ops[COMPARE_AND_WRITE];

	if (lu->dev_type_template.type != TYPE_DISK)
		return;
	install_service_actions(lu);
	if (bs_rbd_max_caw_blocks(lu)) {
		caw->cmd_perform = bs_rbd_compare_and_write;
		caw->pr_conflict_bits =
			PR_WE_FA | PR_EA_FA | PR_WE_FN | PR_EA_FN;
	}
	hook_vpd_b0(lu);
}

/* ---- LU lifecycle ------------------------------------------------------ */

static void image_release(struct bs_rbd_lu *rlu)
{
	if (rlu->inflight) {
		/* tgt refuses to delete a busy LU; never free live requests */
		rbd_log(rlu, "BUG: closing with requests in flight");
		return;
	}
	bs_rbd_reopen_cancel(rlu);
	bs_rbd_held_stop(rlu);
	if (rlu->image)
		bs_rbd_resize_unwatch(rlu);
	/* a removed image's close waits for what librbd holds: for ever */
	if (rlu->image && rlu->gone)
		bs_rbd_image_close_async(rlu->pool, rlu->image);
	else if (rlu->image)
		bs_rbd_image_close(rlu->pool, rlu->image,
				   rlu->opts.connect_timeout);
	rlu->image = NULL;
	rlu->gone = 0;
	if (rlu->pool)
		bs_rbd_pool_put(rlu->pool);
	rlu->pool = NULL;
	bs_rbd_path_free(&rlu->path);
	bs_rbd_req_pool_free(rlu);
}

static tgtadm_err bs_rbd_init(struct scsi_lu *lu, char *bsopts)
{
	struct bs_rbd_lu *rlu = bs_rbd_lu(lu);
	char err[BS_RBD_ERR_LEN];
	int ret;

	memset(rlu, 0, sizeof(*rlu));
	rlu->lu = lu;
	INIT_LIST_HEAD(&rlu->inflight_reqs);

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
	bs_rbd_loop_setup_begin(lu);
	ret = bs_rbd_conn_get(&rlu->opts, &rlu->conn, err, sizeof(err));
	bs_rbd_loop_setup_end();
	if (ret) {
		rbd_log(rlu, "%s", err);
		bs_rbd_opts_free(&rlu->opts);
		return ret == -ENOMEM ? TGTADM_NOMEM : TGTADM_INVALID_REQUEST;
	}
	install_lu_handlers(lu);
	bs_rbd_stats_add(rlu);
	return TGTADM_SUCCESS;
}

/* pool[/ns]/image, as `rbd` names it */
static void image_spec(const struct bs_rbd_path *p, char *buf, size_t len)
{
	snprintf(buf, len, "%s/%s%s%s", p->pool, p->ns ? p->ns : "",
		 p->ns ? "/" : "", p->image);
}

static int open_image(struct scsi_lu *lu, char *spec, int *fd, uint64_t *size)
{
	struct bs_rbd_lu *rlu = bs_rbd_lu(lu);
	char err[BS_RBD_ERR_LEN];
	char name[3 * BS_RBD_NAME_MAX + 3];
	rbd_image_info_t info;
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
	image_spec(&rlu->path, name, sizeof(name));
	if (!rlu->path.snap) {
		ret = bs_rbd_image_check_conf(
			rlu->pool, &rlu->image, rlu->path.pool, name,
			rlu->opts.connect_timeout, err, sizeof(err));
		if (ret)
			goto fail;
	}
	ret = rbd_stat(rlu->image, &info, sizeof(info));
	if (ret < 0) {
		snprintf(err, sizeof(err), "cannot stat the image: %s",
			 strerror(-ret));
		goto fail;
	}
	*size = info.size;
	rlu->object_size = info.obj_size;
	ret = bs_rbd_held_start(rlu);
	if (ret) {
		snprintf(err, sizeof(err), "out of memory");
		goto fail;
	}

	if (rlu->path.snap)
		lu->attrs.readonly = 1;
	if (!lu->attrs.no_auto_lbppbe)
		update_lbppbe(lu, BS_RBD_PHYS_BLOCK);
	/* a snapshot never changes size; the head may grow or shrink */
	if (!rlu->path.snap && bs_rbd_resize_watch(rlu))
		rbd_log(rlu, "cannot watch the image: size changes will not "
			     "be seen until the LU is re-created");
	/* RBD images are thin: UNMAP and WRITE SAME(UNMAP) free space */
	lu->attrs.thinprovisioning = 1;
	refresh_vpd(lu);

	rbd_log(rlu, "opened %s%s%s, %" PRIu64 " bytes%s", name,
		rlu->path.snap ? "@" : "", rlu->path.snap ? rlu->path.snap : "",
		*size, rlu->path.snap ? ", read-only snapshot" : "");
	return 0;
fail:
	rbd_log(rlu, "%s", err);
	image_release(rlu);
	return ret;
}

static int bs_rbd_open(struct scsi_lu *lu, char *spec, int *fd, uint64_t *size)
{
	int ret;

	bs_rbd_loop_setup_begin(lu);
	ret = open_image(lu, spec, fd, size);
	bs_rbd_loop_setup_end();
	return ret;
}

static void bs_rbd_close(struct scsi_lu *lu)
{
	image_release(bs_rbd_lu(lu));
}

static void bs_rbd_exit(struct scsi_lu *lu)
{
	struct bs_rbd_lu *rlu = bs_rbd_lu(lu);

	/* tgt skips bs_close when LU creation fails after a good bs_open */
	image_release(rlu);
	bs_rbd_stats_del(rlu);
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
		if (bs_rbd_cmd_lookup((uint8_t)i))
			ops[n++] = (unsigned char)i;
	bs_create_opcode_map(&rbd_bst, ops, (int)n);
	register_backingstore_template(&rbd_bst);
}
