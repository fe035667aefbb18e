// SPDX-License-Identifier: GPL-2.0-only
/*
 * bs_rbd: Ceph RBD backing store for tgt.
 *
 *   tgtadm --lld iscsi --mode logicalunit --op new --tid 1 --lun 1 \
 *	--bstype rbd --backing-store [pool/[namespace/]]image[@snap] \
 *	--bsopts 'conf=/etc/ceph/ceph.conf;id=tgt'
 *
 * This file is tgt's side of the module: the backing-store template, the
 * LU's setup and teardown, and the per-LU handlers installed in the LU's
 * copy of tgt's SBC template.  The data path is bs_rbd_sbc.c: tgt's SBC
 * code checks a command and hands it to bs_rbd_sbc_submit() on the main
 * loop; the matching librbd aio starts straight on the command's buffer;
 * librbd's callback queues the request (bs_rbd_done.c), and the main loop
 * ends each command with target_cmd_io_done().  Nothing blocks the main
 * loop except LU setup, which is bounded by connect_timeout and serves
 * other LUs meanwhile (bs_rbd_loop.c).
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>
#include <unistd.h>

#include "bs_rbd_stats.h"

#include "list.h"
#include "util.h"
#include "tgtd.h"
#include "scsi.h"
#include "spc.h"
#include "target.h"

#include "bs_rbd_alua.h"
#include "bs_rbd_conn.h"
#include "bs_rbd_ident.h"
#include "bs_rbd_image.h"
#include "bs_rbd_loop.h"
#include "bs_rbd_lu.h"
#include "bs_rbd_owner.h"
#include "bs_rbd_reopen.h"
#include "bs_rbd_listen.h"
#include "bs_rbd_reset.h"
#include "bs_rbd_takeover.h"
#include "bs_rbd_req.h"
#include "bs_rbd_resv.h"
#include "bs_rbd_sbc.h"
#include "bs_rbd_watch.h"
#include "bs_rbd_watchdog.h"
#include "bs_rbd_xcopy.h"
#include "bs_rbd_xcopy_cmd.h"

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
	/* tgt has no handler for these: bs_rbd.c installs one per LU */
	COMPARE_AND_WRITE,
	BS_RBD_OP_EXTENDED_COPY,
	BS_RBD_OP_RECEIVE_COPY_RESULTS,
};

/* ---- per-LU command handlers and VPD pages ---------------------------- */

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

/*
 * MAINTENANCE IN: tgt's REPORT SUPPORTED OPERATION CODES, and REPORT
 * TARGET PORT GROUPS (ALUA), which tgt lacks; the former lists the latter.
 */
static struct service_action maint_actions[3];

static void install_maint_actions(struct scsi_lu *lu)
{
	struct device_type_operations *op =
		&lu->dev_type_template.ops[MAINT_PROTOCOL_IN];
	struct service_action *rsoc;

	if (!op->service_actions)
		return;
	if (!maint_actions[0].cmd_perform) {
		rsoc = find_service_action(op->service_actions, 0x0c);
		if (!rsoc)
			return;
		maint_actions[0] = *rsoc;
		maint_actions[1].service_action = 0x0a;
		maint_actions[1].cmd_perform = bs_rbd_report_tpgs;
	}
	op->service_actions = maint_actions;
}

/* tgt's INQUIRY, whose standard data ours extends */
static int (*core_inquiry)(int host_no, struct scsi_cmd *cmd);

/*
 * Standard INQUIRY: 3PC (we are a copy manager: EXTENDED COPY), and
 * TPGS = 01b, implicit ALUA, when this gateway has a port group.
 */
static int rbd_inquiry(int host_no, struct scsi_cmd *cmd)
{
	struct bs_rbd_image *img = bs_rbd_lu(cmd->dev)->img;
	uint8_t *data = scsi_get_in_buffer(cmd);
	int ret = core_inquiry(host_no, cmd);

	if (ret != SAM_STAT_GOOD || (cmd->scb[1] & 0x01) ||
	    scsi_get_in_length(cmd) <= 5)
		return ret;
	data[5] |= 0x08;
	if (img && img->tpg_id)
		data[5] = (uint8_t)((data[5] & ~0x30) | 0x10);
	return ret;
}

static void install_inquiry(struct scsi_lu *lu)
{
	struct device_type_operations *op = &lu->dev_type_template.ops[INQUIRY];

	if (!op->cmd_perform || op->cmd_perform == rbd_inquiry)
		return;
	if (!core_inquiry)
		core_inquiry = op->cmd_perform;
	if (op->cmd_perform == core_inquiry)
		op->cmd_perform = rbd_inquiry;
}

/* tgt's TEST UNIT READY, which ours runs once the LU may serve */
static int (*core_test_unit_ready)(int host_no, struct scsi_cmd *cmd);

/*
 * Path checkers (multipathd's tur) send TEST UNIT READY: it must say NOT
 * READY whenever commands would, not tgt's GOOD.  It is also what an
 * initiator sends after a LUN reset, which the other gateways must hear
 * of before it returns (bs_rbd_reset.h).
 */
static int rbd_test_unit_ready(int host_no, struct scsi_cmd *cmd)
{
	struct bs_rbd_lu *rlu = bs_rbd_lu(cmd->dev);
	uint16_t asc;
	uint8_t key;
	int ret;

	if (bs_rbd_lu_admit(rlu, &key, &asc)) {
		sense_data_build(cmd, key, asc);
		return SAM_STAT_CHECK_CONDITION;
	}
	ret = core_test_unit_ready(host_no, cmd);
	if (bs_rbd_reset_tur(rlu, cmd, ret))
		return SAM_STAT_GOOD;
	return ret;
}

static void install_test_unit_ready(struct scsi_lu *lu)
{
	struct device_type_operations *op =
		&lu->dev_type_template.ops[TEST_UNIT_READY];

	if (!op->cmd_perform || op->cmd_perform == rbd_test_unit_ready)
		return;
	if (!core_test_unit_ready)
		core_test_unit_ready = op->cmd_perform;
	if (op->cmd_perform == core_test_unit_ready)
		op->cmd_perform = rbd_test_unit_ready;
}

/* tgt's PREVENT ALLOW MEDIUM REMOVAL, which sets all of itn_lu->prevent */
static int (*core_prevent_allow)(int host_no, struct scsi_cmd *cmd);

/* ... and must keep our mark there (bs_rbd_reset.h) */
static int rbd_prevent_allow(int host_no, struct scsi_cmd *cmd)
{
	int mark = cmd->itn_lu_info->prevent & BS_RBD_RESET_MARK;
	int ret = core_prevent_allow(host_no, cmd);

	cmd->itn_lu_info->prevent |= mark;
	return ret;
}

static void install_prevent_allow(struct scsi_lu *lu)
{
	struct device_type_operations *op =
		&lu->dev_type_template.ops[ALLOW_MEDIUM_REMOVAL];

	if (!op->cmd_perform || op->cmd_perform == rbd_prevent_allow)
		return;
	if (!core_prevent_allow)
		core_prevent_allow = op->cmd_perform;
	if (op->cmd_perform == core_prevent_allow)
		op->cmd_perform = rbd_prevent_allow;
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
	if (!lu->attrs.thinprovisioning || !rlu->img)
		return;
	put_unaligned_be32(BS_RBD_MAX_UNMAP_DESC, pg->data + 20);
	/* space comes back per RADOS object */
	put_unaligned_be32((uint32_t)(rlu->img->object_size >> lu->blk_shift),
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

/*
 * Device Identification: the designators of the LU's identification
 * string (scsi_id), NAA first, as bs_rbd_ident.h builds them.  tgt calls
 * this with an administrator's scsi_id too.
 */
static void rbd_vpd_83_update(struct scsi_lu *lu, void *id)
{
	struct vpd *pg = lu->attrs.lu_vpd[PCODE_OFFSET(0x83)];
	struct bs_rbd_image *img = bs_rbd_lu(lu)->img;
	size_t n;

	n = bs_rbd_ident_vpd83(id, lu->attrs.vendor_id, pg->data,
			       BS_RBD_VPD83_MAX);
	/* ALUA: the port the LU is seen through, and its group */
	if (img && img->tpg_id) {
		bs_rbd_alua_vpd83(img->tpg_id, pg->data + n);
		n += BS_RBD_ALUA_VPD83_LEN;
	}
	pg->size = (uint16_t)n;
}

/* tgt's page is sized for its own designators: ours takes its place. */
static void hook_vpd_83(struct scsi_lu *lu)
{
	struct vpd **pg = &lu->attrs.lu_vpd[PCODE_OFFSET(0x83)];
	struct vpd *ours;

	if (*pg && (*pg)->vpd_update == rbd_vpd_83_update)
		return;
	ours = alloc_vpd(BS_RBD_VPD83_MAX + BS_RBD_ALUA_VPD83_LEN);
	if (!ours)
		return; /* tgt's page stays */
	free(*pg);
	*pg = ours;
	ours->vpd_update = rbd_vpd_83_update;
	ours->vpd_update(lu, lu->attrs.scsi_id);
}

/*
 * The same image is the same SCSI device, at any tid/lun of any tgtd
 * (multipath merges its paths); another image or a snapshot never is.
 * An identification or serial an administrator set (tgtadm --params
 * scsi_id=, scsi_sn=) differs from the one we gave: it stays.
 */
static void set_identity(struct scsi_lu *lu, struct bs_rbd_lu *rlu)
{
	const char *ident = rlu->img->ident;
	struct vpd *pg;

	if (!*rlu->ident || !strcmp(lu->attrs.scsi_id, rlu->ident))
		snprintf(lu->attrs.scsi_id, sizeof(lu->attrs.scsi_id), "%s",
			 ident);
	if (!*rlu->ident || !strcmp(lu->attrs.scsi_sn, rlu->ident))
		snprintf(lu->attrs.scsi_sn, sizeof(lu->attrs.scsi_sn), "%s",
			 ident);
	snprintf(rlu->ident, sizeof(rlu->ident), "%s", ident);
	pg = lu->attrs.lu_vpd[PCODE_OFFSET(0x83)];
	if (pg && pg->vpd_update)
		pg->vpd_update(lu, lu->attrs.scsi_id);
	pg = lu->attrs.lu_vpd[PCODE_OFFSET(0x80)];
	if (pg && pg->vpd_update)
		pg->vpd_update(lu, lu->attrs.scsi_sn);
}

/*
 * EXTENDED COPY (LID1) and RECEIVE COPY RESULTS, which tgt lacks: their
 * service actions are what REPORT SUPPORTED OPERATION CODES lists.
 */
static struct service_action xcopy_actions[] = {
	{ 0x00, bs_rbd_extended_copy },
	{ 0, NULL },
};

static struct service_action rcr_actions[] = {
	{ 0x00, bs_rbd_receive_copy_results }, /* COPY STATUS */
	{ 0x03, bs_rbd_receive_copy_results }, /* OPERATING PARAMETERS */
	{ 0, NULL },
};

static void install_copy(struct scsi_lu *lu)
{
	struct device_type_operations *ops = lu->dev_type_template.ops;

	ops[BS_RBD_OP_EXTENDED_COPY].cmd_perform = bs_rbd_extended_copy;
	ops[BS_RBD_OP_EXTENDED_COPY].service_actions = xcopy_actions;
	ops[BS_RBD_OP_EXTENDED_COPY].pr_conflict_bits =
		PR_WE_FA | PR_EA_FA | PR_WE_FN | PR_EA_FN;
	ops[BS_RBD_OP_RECEIVE_COPY_RESULTS].cmd_perform =
		bs_rbd_receive_copy_results;
	ops[BS_RBD_OP_RECEIVE_COPY_RESULTS].service_actions = rcr_actions;
}

static void rbd_vpd_8f_update(struct scsi_lu *lu, void *id)
{
	struct vpd *pg = lu->attrs.lu_vpd[PCODE_OFFSET(0x8f)];

	(void)id;
	pg->size = (uint16_t)bs_rbd_xcopy_vpd8f(pg->data, pg->size);
}

/* Third-party Copy: the limits of our EXTENDED COPY (SPC-4 7.8.17) */
static void hook_vpd_8f(struct scsi_lu *lu)
{
	struct vpd **pg = &lu->attrs.lu_vpd[PCODE_OFFSET(0x8f)];

	if (*pg)
		return;
	*pg = alloc_vpd(BS_RBD_XCOPY_VPD8F_LEN);
	if (!*pg)
		return; /* no page: initiators find the limits in RCR */
	(*pg)->vpd_update = rbd_vpd_8f_update;
	(*pg)->vpd_update(lu, NULL);
}

/* Each LU has its own copy of the SBC template: adjust ours. */
static void install_lu_handlers(struct scsi_lu *lu)
{
	struct device_type_operations *caw =
		&lu->dev_type_template.ops[COMPARE_AND_WRITE];

	if (lu->dev_type_template.type != TYPE_DISK)
		return;
	install_service_actions(lu);
	install_maint_actions(lu);
	install_inquiry(lu);
	install_test_unit_ready(lu);
	install_prevent_allow(lu);
	if (bs_rbd_max_caw_blocks(lu)) {
		caw->cmd_perform = bs_rbd_compare_and_write;
		caw->pr_conflict_bits =
			PR_WE_FA | PR_EA_FA | PR_WE_FN | PR_EA_FN;
	}
	install_copy(lu);
	hook_vpd_b0(lu);
	hook_vpd_83(lu);
	hook_vpd_8f(lu);
	/* last: every handler above is checked against reservations */
	bs_rbd_resv_install(lu);
}

/* ---- LU lifecycle ------------------------------------------------------ */

/*
 * The LU lets go of its image.  Commands still in flight (a media change
 * under I/O) hold the image themselves and end on it; it closes after
 * the last of them.
 */
static void image_release(struct bs_rbd_lu *rlu)
{
	bs_rbd_reopen_cancel(rlu);
	bs_rbd_watch_stop(rlu);
	bs_rbd_listen_stop(rlu);
	if (rlu->img)
		bs_rbd_image_put(rlu->img);
	rlu->img = NULL;
	bs_rbd_path_free(&rlu->path);
	bs_rbd_lu_set_state(rlu, BS_RBD_LU_CLOSED);
}

/* gateway=, or the host's name: this tgtd among an image's gateways */
static void gateway_name(struct bs_rbd_lu *rlu)
{
	char host[256];

	if (rlu->opts.gateway) {
		snprintf(rlu->gateway, sizeof(rlu->gateway), "%s",
			 rlu->opts.gateway);
		return;
	}
	if (gethostname(host, sizeof(host)))
		snprintf(host, sizeof(host), "tgtd");
	host[sizeof(host) - 1] = 0;
	snprintf(rlu->gateway, sizeof(rlu->gateway), "%.*s",
		 (int)sizeof(rlu->gateway) - 1, host);
}

static tgtadm_err bs_rbd_init(struct scsi_lu *lu, char *bsopts)
{
	struct bs_rbd_lu *rlu = bs_rbd_lu(lu);
	char err[BS_RBD_ERR_LEN];
	int ret;

	memset(rlu, 0, sizeof(*rlu));
	rlu->lu = lu;
	if (getrandom(&rlu->token, sizeof(rlu->token), GRND_NONBLOCK) !=
	    sizeof(rlu->token))
		rlu->token = (uint64_t)time(NULL) << 32 ^ (uint64_t)getpid() ^
			     (uint64_t)(uintptr_t)rlu;
	rlu->state = BS_RBD_LU_CLOSED;
	INIT_LIST_HEAD(&rlu->inflight_reqs);

	ret = bs_rbd_done_start();
	if (ret) {
		rbd_log(rlu, "cannot set up the completion eventfd");
		return TGTADM_UNKNOWN_ERR;
	}
	ret = bs_rbd_opts_parse(bsopts, &rlu->opts, err, sizeof(err));
	if (!ret && bs_rbd_watchdog_start(rlu)) {
		snprintf(err, sizeof(err), "out of memory");
		ret = -ENOMEM;
	}
	if (!ret && (bs_rbd_owner_start(rlu) || bs_rbd_reset_start(rlu) ||
		     bs_rbd_resv_start(rlu))) {
		bs_rbd_reset_stop(rlu);
		bs_rbd_owner_stop(rlu);
		bs_rbd_watchdog_stop(rlu);
		snprintf(err, sizeof(err), "out of memory");
		ret = -ENOMEM;
	}
	if (ret) {
		rbd_log(rlu, "%s", err);
		bs_rbd_opts_free(&rlu->opts);
		return ret == -ENOMEM ? TGTADM_NOMEM : TGTADM_INVALID_REQUEST;
	}
	gateway_name(rlu);
	bs_rbd_loop_setup_begin(lu);
	ret = bs_rbd_conn_get(&rlu->opts, rlu->gateway, &rlu->conn, err,
			      sizeof(err));
	bs_rbd_loop_setup_end();
	if (ret) {
		rbd_log(rlu, "%s", err);
		bs_rbd_resv_stop(rlu);
		bs_rbd_reset_stop(rlu);
		bs_rbd_owner_stop(rlu);
		bs_rbd_watchdog_stop(rlu);
		bs_rbd_opts_free(&rlu->opts);
		return ret == -ENOMEM ? TGTADM_NOMEM : TGTADM_INVALID_REQUEST;
	}
	install_lu_handlers(lu);
	bs_rbd_stats_add(rlu);
	return TGTADM_SUCCESS;
}

/* The image is open: make the LU what it is. */
static void lu_serve(struct scsi_lu *lu, struct bs_rbd_lu *rlu)
{
	if (rlu->path.snap)
		lu->attrs.readonly = 1;
	if (!lu->attrs.no_auto_lbppbe)
		update_lbppbe(lu, BS_RBD_PHYS_BLOCK);
	/* a snapshot never changes size; the head may grow or shrink */
	if (!rlu->path.snap && bs_rbd_watch_start(rlu))
		rbd_log(rlu, "cannot watch the image: size changes will not "
			     "be seen until the LU is re-created");
	bs_rbd_listen_start(rlu, bs_rbd_reopen_start);
	/* RBD images are thin: UNMAP and WRITE SAME(UNMAP) free space */
	lu->attrs.thinprovisioning = 1;
	refresh_vpd(lu);
	set_identity(lu, rlu);
	bs_rbd_lu_set_state(rlu, BS_RBD_LU_OK);
}

static int open_image(struct scsi_lu *lu, char *spec, uint64_t *size)
{
	struct bs_rbd_lu *rlu = bs_rbd_lu(lu);
	struct bs_rbd_pool *pool = NULL;
	char err[BS_RBD_ERR_LEN];
	char name[3 * BS_RBD_NAME_MAX + 3];
	const char *snap;
	int ret;

	bs_rbd_lu_set_state(rlu, BS_RBD_LU_OPENING);
	ret = bs_rbd_path_parse(spec, &rlu->path, err, sizeof(err));
	if (!ret)
		ret = bs_rbd_pool_get(rlu->conn, rlu->path.pool, rlu->path.ns,
				      &pool, err, sizeof(err));
	if (!ret)
		ret = bs_rbd_image_open(pool, &rlu->path, rlu->gateway,
					rlu->opts.connect_timeout, &rlu->img,
					err, sizeof(err));
	if (pool)
		bs_rbd_pool_put(pool); /* the image holds it */
	if (ret) {
		rbd_log(rlu, "%s", err);
		image_release(rlu);
		return ret;
	}
	*size = rlu->img->size;
	if (!rlu->img->tpg_id)
		rbd_log(rlu,
			"no ALUA (REPORT TARGET PORT GROUPS) for this LU: "
			"cannot register gateway '%s' with the image: %s",
			rlu->gateway, strerror(-rlu->img->tpg_err));
	lu_serve(lu, rlu);
	snap = rlu->path.snap;
	bs_rbd_image_spec(&rlu->path, name, sizeof(name));
	rbd_log(rlu, "opened %s%s%s, %" PRIu64 " bytes%s", name,
		snap ? "@" : "", snap ? snap : "", *size,
		snap ? ", read-only snapshot" : "");
	return 0;
}

static int bs_rbd_open(struct scsi_lu *lu, char *spec, int *fd, uint64_t *size)
{
	struct bs_rbd_lu *rlu = bs_rbd_lu(lu);
	int ret;

	*fd = -1; /* no file: tgt must never use lu->fd of an RBD LU */
	/*
	 * tgt's media load path judges bs_open by *fd alone and then drops
	 * an LU whose fd is -1 without bs_close: release what it left.
	 */
	image_release(rlu);
	bs_rbd_loop_setup_begin(lu);
	ret = open_image(lu, spec, size);
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
	if (rlu->inflight)
		rbd_log(rlu, "BUG: freed with requests in flight");
	bs_rbd_takeover_cancel(rlu);
	bs_rbd_resv_stop(rlu);
	bs_rbd_xcopy_lu_free(rlu);
	bs_rbd_reset_stop(rlu);
	bs_rbd_owner_stop(rlu);
	bs_rbd_watchdog_stop(rlu);
	bs_rbd_req_pool_free(rlu);
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
	.bs_cmd_submit = bs_rbd_sbc_submit,
	.bs_oflags_supported = O_SYNC,
};

__attribute__((visibility("default"))) void register_bs_module(void)
{
	unsigned char ops[NR_SCSI_OPCODES];
	unsigned int i, n = 0;

	for (i = 0; i < ARRAY_SIZE(core_opcodes); i++)
		ops[n++] = core_opcodes[i];
	for (i = 0; i < NR_SCSI_OPCODES; i++)
		if (bs_rbd_sbc_handles((uint8_t)i))
			ops[n++] = (unsigned char)i;
	bs_create_opcode_map(&rbd_bst, ops, (int)n);
	register_backingstore_template(&rbd_bst);
}
