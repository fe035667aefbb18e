// SPDX-License-Identifier: GPL-2.0-only
/*
 * bs_rbd: EXTENDED COPY (LID1) and RECEIVE COPY RESULTS.
 *
 * EXTENDED COPY's list is parsed (bs_rbd_xcopy.c), each CSCD descriptor
 * is matched against the VPD 0x83 designators of this tgtd's RBD LUs,
 * every segment is checked against the LUs' sizes, block lengths and
 * write protection before a byte moves, and the copy runs in the gateway
 * (bs_rbd_copy.c).  ABORT TASK and LUN RESET reach a running command as
 * tgt's cmd->mreq: the copy stops before its next chunk and the command
 * ends COPY ABORTED.
 *
 * The results of each copy are kept per LU, per I_T nexus and list id,
 * for RECEIVE COPY RESULTS (COPY STATUS): the last RESULTS_KEPT of them,
 * in this gateway only.
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

#include "bs_rbd_copy.h"
#include "bs_rbd_image.h"
#include "bs_rbd_lu.h"
#include "bs_rbd_pr.h"
#include "bs_rbd_req.h"
#include "bs_rbd_resv.h"
#include "bs_rbd_stats.h"
#include "bs_rbd_xcopy.h"
#include "bs_rbd_xcopy_cmd.h"

#define RESULTS_KEPT 16

struct xcopy_job;

struct xcopy_rec {
	uint64_t itn_id;
	uint64_t seq;	       /* when it started: the oldest goes first */
	struct xcopy_job *job; /* running, or NULL */
	struct bs_rbd_xcopy_status st;
	uint8_t list_id, used, hold;
};

struct bs_rbd_copies {
	struct xcopy_rec rec[RESULTS_KEPT];
	uint64_t seq;
};

struct xcopy_job {
	struct bs_rbd_copy copy; /* ranges hold their images */
	struct bs_rbd_req *req;
	struct xcopy_rec *rec; /* NULL: no list id */
};

static int sense(struct scsi_cmd *cmd, uint8_t key, uint16_t asc)
{
	scsi_set_in_resid_by_actual(cmd, 0);
	sense_data_build(cmd, key, asc);
	return SAM_STAT_CHECK_CONDITION;
}

/*
 * COPY ABORTED names the segment it stopped at in the sense's
 * COMMAND-SPECIFIC INFORMATION (SPC-4 6.4.3.3): bytes 8-11 of fixed
 * format, a descriptor of its own in descriptor format.
 */
static void sense_segment(struct scsi_cmd *cmd, unsigned int seg)
{
	uint8_t *sb = cmd->sense_buffer;

	if ((sb[0] & 0x7f) == 0x70 && cmd->sense_len >= 12) {
		put_unaligned_be32(seg, sb + 8);
		return;
	}
	if ((sb[0] & 0x7f) != 0x72 ||
	    (unsigned int)cmd->sense_len != 8u + sb[7] ||
	    cmd->sense_len + 12 > SCSI_SENSE_BUFFERSIZE)
		return;
	memset(sb + cmd->sense_len, 0, 12);
	sb[cmd->sense_len] = 0x01; /* command-specific information */
	sb[cmd->sense_len + 1] = 0x0a;
	put_unaligned_be64(seg, sb + cmd->sense_len + 4);
	sb[7] += 12;
	cmd->sense_len += 12;
}

/* COPY ABORTED, or another sense, naming segment seg */
static int refuse(struct scsi_cmd *cmd, unsigned int seg, uint8_t key,
		  uint16_t asc)
{
	sense(cmd, key, asc);
	sense_segment(cmd, seg);
	return SAM_STAT_CHECK_CONDITION;
}

/* ---- results ------------------------------------------------------- */

static struct xcopy_rec *rec_find(struct bs_rbd_lu *rlu, uint64_t itn_id,
				  uint8_t list_id)
{
	unsigned int i;

	for (i = 0; rlu->copies && i < RESULTS_KEPT; i++) {
		struct xcopy_rec *r = &rlu->copies->rec[i];

		if (r->used && r->itn_id == itn_id && r->list_id == list_id)
			return r;
	}
	return NULL;
}

/* A slot for a new copy: its list id's old results, a free one, or the
 * oldest results; NULL when every slot holds a running copy */
static struct xcopy_rec *rec_new(struct bs_rbd_lu *rlu, uint64_t itn_id,
				 uint8_t list_id)
{
	struct xcopy_rec *r = rec_find(rlu, itn_id, list_id), *old = NULL;
	unsigned int i;

	if (!r && !rlu->copies)
		rlu->copies = calloc(1, sizeof(*rlu->copies));
	for (i = 0; !r && rlu->copies && i < RESULTS_KEPT; i++) {
		struct xcopy_rec *c = &rlu->copies->rec[i];

		if (!c->used)
			r = c;
		else if (!c->job && (!old || c->seq < old->seq))
			old = c;
	}
	r = r ? r : old;
	if (!r)
		return NULL;
	memset(r, 0, sizeof(*r));
	r->used = 1;
	r->itn_id = itn_id;
	r->list_id = list_id;
	r->seq = ++rlu->copies->seq;
	return r;
}

void bs_rbd_xcopy_lu_free(struct bs_rbd_lu *rlu)
{
	free(rlu->copies);
	rlu->copies = NULL;
}

/* ---- the LUs a list names ----------------------------------------- */

/*
 * The nexus through which the command's initiator may use rlu: its own
 * on the target that received the command, or a session that initiator
 * (by iSCSI name) has open on rlu's target - tgt admitted it there.
 * Without one the LU is out of its reach (tgt's access control is per
 * target): 0 with *itn set, or -1.
 */
static int reach(struct bs_rbd_lu *recv, struct scsi_cmd *cmd,
		 struct bs_rbd_lu *rlu, uint64_t *itn)
{
	char me[BS_RBD_PR_PORT_MAX], them[BS_RBD_PR_PORT_MAX];
	struct it_nexus *n;

	if (rlu->lu->tgt == recv->lu->tgt) {
		*itn = cmd->cmd_itn_id;
		return 0;
	}
	if (bs_rbd_resv_initiator(recv, cmd->cmd_itn_id, me, sizeof(me)))
		return -1;
	list_for_each_entry(n, &rlu->lu->tgt->it_nexus_list, nexus_siblings)
	{
		if (!bs_rbd_resv_initiator(rlu, n->itn_id, them,
					   sizeof(them)) &&
		    !strcmp(me, them)) {
			*itn = n->itn_id;
			return 0;
		}
	}
	return -1;
}

/* A LU of this tgtd that serves, has the descriptor's designator and is
 * within the initiator's reach (through nexus *itn) */
static struct bs_rbd_lu *find_lu(const struct bs_rbd_xcopy_cscd *c,
				 struct scsi_cmd *cmd, uint64_t *itn)
{
	struct bs_rbd_lu *recv = bs_rbd_lu(cmd->dev), *rlu;
	struct vpd *pg;

	for (rlu = bs_rbd_stats_lus(); rlu; rlu = rlu->stats_next) {
		pg = rlu->lu->attrs.lu_vpd[PCODE_OFFSET(0x83)];
		if (rlu->state == BS_RBD_LU_OK && rlu->img && pg &&
		    bs_rbd_xcopy_cscd_matches(c, pg->data, pg->size) &&
		    !reach(recv, cmd, rlu, itn))
			return rlu;
	}
	return NULL;
}

/* off bytes into the LU, len long, within it? */
static int inside(const struct bs_rbd_lu *rlu, uint64_t lba, uint64_t len)
{
	const struct scsi_lu *lu = rlu->lu;

	return lba <= lu->size >> lu->blk_shift &&
	       len <= lu->size - (lba << lu->blk_shift);
}

/* Source and destination of segment i, reachable and not reserved by
 * another initiator: 0, or the status cmd ends with */
static int seg_lus(const struct bs_rbd_xcopy_list *l, unsigned int i,
		   struct scsi_cmd *cmd, struct bs_rbd_lu **src,
		   struct bs_rbd_lu **dst)
{
	const struct bs_rbd_xcopy_seg *s = &l->segs[i];
	uint64_t sitn, ditn;
	int ret;

	*src = find_lu(&l->cscd[s->src], cmd, &sitn);
	*dst = find_lu(&l->cscd[s->dst], cmd, &ditn);
	if (!*src || !*dst)
		return refuse(cmd, i, BS_RBD_KEY_COPY_ABORTED,
			      BS_RBD_ASC_COPY_TARGET_UNREACHABLE);
	ret = bs_rbd_resv_check(*src, sitn, 0, cmd);
	if (!ret)
		ret = bs_rbd_resv_check(*dst, ditn, 1, cmd);
	return ret;
}

/* The two LUs of segment i, checked: 0 with the range to copy, or the
 * status cmd ends with. */
static int seg_range(const struct bs_rbd_xcopy_list *l, unsigned int i,
		     struct scsi_cmd *cmd, struct bs_rbd_copy_range *r)
{
	const struct bs_rbd_xcopy_seg *s = &l->segs[i];
	const struct bs_rbd_xcopy_cscd *cs = &l->cscd[s->src];
	const struct bs_rbd_xcopy_cscd *cd = &l->cscd[s->dst];
	struct bs_rbd_lu *src, *dst;
	uint64_t len, sbs, dbs;
	int ret = seg_lus(l, i, cmd, &src, &dst);

	if (ret)
		return ret;
	sbs = 1ULL << src->lu->blk_shift;
	dbs = 1ULL << dst->lu->blk_shift;
	len = (uint64_t)s->blocks * (s->dc ? dbs : sbs);
	if ((cs->block_len && cs->block_len != sbs) ||
	    (cd->block_len && cd->block_len != dbs) || len % sbs || len % dbs)
		return refuse(cmd, i, ILLEGAL_REQUEST,
			      BS_RBD_ASC_INVALID_FIELD_PARAM);
	if (dst->lu->attrs.readonly || dst->lu->attrs.swp)
		return refuse(cmd, i, BS_RBD_KEY_COPY_ABORTED,
			      ASC_WRITE_PROTECT);
	if (!inside(src, s->src_lba, len) || !inside(dst, s->dst_lba, len))
		return refuse(cmd, i, BS_RBD_KEY_COPY_ABORTED,
			      BS_RBD_ASC_COPY_TARGET_UNREACHABLE);
	r->src = src->img;
	r->dst = dst->img;
	r->src_off = s->src_lba << src->lu->blk_shift;
	r->dst_off = s->dst_lba << dst->lu->blk_shift;
	r->len = len;
	return 0;
}

/* Every segment's range, images held: 0, or the status cmd ends with
 * and nothing held. */
static int copy_ranges(const struct bs_rbd_xcopy_list *l, struct bs_rbd_copy *c,
		       struct scsi_cmd *cmd)
{
	unsigned int i;
	int ret;

	for (i = 0; i < l->nr_segs; i++) {
		ret = seg_range(l, i, cmd, &c->r[i]);
		if (ret)
			return ret;
	}
	for (i = 0; i < l->nr_segs; i++) {
		bs_rbd_image_hold(c->r[i].src);
		bs_rbd_image_hold(c->r[i].dst);
	}
	c->nr = l->nr_segs;
	return 0;
}

/* ---- EXTENDED COPY ------------------------------------------------- */

/* An abort or LUN reset waits for the command, or PREEMPT AND ABORT
 * aborted it: stop before a chunk. */
static int copy_stop(struct bs_rbd_copy *c)
{
	struct xcopy_job *job = c->arg;

	return job->req->cmd->mreq != NULL || job->req->aborted;
}

static void rec_update(struct xcopy_rec *rec, const struct bs_rbd_copy *c,
		       uint8_t state)
{
	rec->st.state = state;
	rec->st.segs_done = (uint16_t)bs_rbd_copy_done_ranges(c);
	rec->st.bytes_done = bs_rbd_copy_done_bytes(c);
}

/* How the copy's error ends the command: COPY ABORTED, and why */
static uint16_t copy_asc(const struct bs_rbd_copy *c)
{
	if (c->err == -ECANCELED)
		return BS_RBD_ASC_NONE;
	return bs_rbd_errno_to_sense(c->err, c->err_write ? BS_RBD_DIR_WRITE
							  : BS_RBD_DIR_READ)
		.asc;
}

static void copy_end(struct bs_rbd_copy *c)
{
	struct xcopy_job *job = c->arg;
	struct bs_rbd_req *req = job->req;
	struct xcopy_rec *rec = job->rec;
	unsigned int seg = bs_rbd_copy_done_ranges(c);

	if (rec) {
		rec_update(rec, c,
			   c->err ? BS_RBD_XCOPY_FAILED : BS_RBD_XCOPY_GOOD);
		rec->job = NULL;
		rec->used = rec->hold;
	}
	if (c->err)
		rbd_log(req->rlu, "EXTENDED COPY stopped at segment %u: %s",
			seg, strerror(-c->err));
	bs_rbd_copy_release(c);
	if (!c->err) {
		bs_rbd_req_complete(req, SAM_STAT_GOOD);
		return;
	}
	refuse(req->cmd, seg, BS_RBD_KEY_COPY_ABORTED, copy_asc(c));
	req->skey = BS_RBD_KEY_COPY_ABORTED;
	bs_rbd_req_complete(req, SAM_STAT_CHECK_CONDITION);
}

/* The copy of a checked list, as the command's request: 0, or a
 * negative errno with nothing started (the caller frees job) */
static int copy_run(struct bs_rbd_lu *rlu, struct scsi_cmd *cmd,
		    struct xcopy_job *job, const struct bs_rbd_xcopy_list *l)
{
	int ret;

	/* not a write of this LU's: no lock takeover waits on it */
	job->req = bs_rbd_req_get(rlu, cmd, 0, 0, BS_RBD_DIR_READ);
	if (!job->req)
		return -ENOMEM;
	if (l->usage != BS_RBD_XCOPY_NO_ID) {
		job->rec = rec_new(rlu, cmd->cmd_itn_id, l->list_id);
		if (!job->rec) {
			bs_rbd_req_put_unused(job->req);
			return -EBUSY;
		}
		job->rec->job = job;
		job->rec->hold = l->usage == BS_RBD_XCOPY_HOLD;
	}
	job->copy.stop = copy_stop;
	job->copy.end = copy_end;
	job->copy.arg = job;
	/* its first chunks start on the next loop pass */
	ret = bs_rbd_copy_start(&job->copy);
	if (ret) {
		if (job->rec)
			memset(job->rec, 0, sizeof(*job->rec));
		bs_rbd_req_put_unused(job->req);
		return ret;
	}
	job->req->buf = (char *)job; /* freed with the request */
	job->req->no_abandon = 1;    /* each chunk is bounded by librbd */
	bs_rbd_req_start(job->req, NULL);
	return 0;
}

/* xcopy_checks: the list may be copied */
#define XCOPY_GO (-1)

/* What the command itself says, checked: XCOPY_GO with l parsed, or the
 * status to end it with */
static int xcopy_checks(struct bs_rbd_lu *rlu, struct scsi_cmd *cmd,
			struct bs_rbd_xcopy_list *l)
{
	uint32_t len = get_unaligned_be32(&cmd->scb[10]);
	struct xcopy_rec *rec;
	struct bs_rbd_sense s;

	if (bs_rbd_lu_admit(rlu, &s.key, &s.asc))
		return sense(cmd, s.key, s.asc);
	if (cmd->scb[1] & 0x1f) /* LID4 is not ours */
		return sense(cmd, ILLEGAL_REQUEST, ASC_INVALID_FIELD_IN_CDB);
	if (!len) /* no list: nothing to copy */
		return SAM_STAT_GOOD;
	if (len > scsi_get_out_length(cmd))
		return sense(cmd, ILLEGAL_REQUEST,
			     ASC_PARAMETER_LIST_LENGTH_ERR);
	if (bs_rbd_xcopy_parse(scsi_get_out_buffer(cmd), len, l, &s))
		return sense(cmd, s.key, s.asc);
	rec = rec_find(rlu, cmd->cmd_itn_id, l->list_id);
	if (l->usage != BS_RBD_XCOPY_NO_ID && rec && rec->job)
		return sense(cmd, ILLEGAL_REQUEST,
			     BS_RBD_ASC_OPERATION_IN_PROGRESS);
	if (bs_rbd_copy_running() >= BS_RBD_XCOPY_MAX_COPIES)
		return SAM_STAT_BUSY; /* the initiator tries again */
	return XCOPY_GO;
}

int bs_rbd_extended_copy(int host_no, struct scsi_cmd *cmd)
{
	struct bs_rbd_lu *rlu = bs_rbd_lu(cmd->dev);
	struct bs_rbd_xcopy_list l;
	struct xcopy_job *job;
	int ret;

	(void)host_no;
	ret = xcopy_checks(rlu, cmd, &l);
	if (ret != XCOPY_GO)
		return ret;
	job = calloc(1, sizeof(*job));
	if (!job)
		return sense(cmd, HARDWARE_ERROR, ASC_INTERNAL_TGT_FAILURE);
	ret = copy_ranges(&l, &job->copy, cmd);
	if (ret) {
		free(job);
		return ret;
	}
	ret = copy_run(rlu, cmd, job, &l);
	if (!ret)
		return SAM_STAT_GOOD;
	bs_rbd_copy_release(&job->copy);
	free(job);
	if (ret == -EBUSY)
		return SAM_STAT_BUSY;
	return sense(cmd, HARDWARE_ERROR, ASC_INTERNAL_TGT_FAILURE);
}

/* ---- RECEIVE COPY RESULTS ------------------------------------------ */

/* COPY STATUS of the copy this nexus started with the CDB's list id */
static size_t copy_status(struct bs_rbd_lu *rlu, struct scsi_cmd *cmd,
			  uint8_t *buf, size_t len)
{
	struct xcopy_rec *rec = rec_find(rlu, cmd->cmd_itn_id, cmd->scb[2]);

	if (!rec)
		return 0;
	if (rec->job)
		rec_update(rec, &rec->job->copy, BS_RBD_XCOPY_RUNNING);
	return bs_rbd_xcopy_copy_status(&rec->st, buf, len);
}

int bs_rbd_receive_copy_results(int host_no, struct scsi_cmd *cmd)
{
	struct bs_rbd_lu *rlu = bs_rbd_lu(cmd->dev);
	uint32_t alloc = get_unaligned_be32(&cmd->scb[10]);
	uint8_t buf[64];
	size_t n = 0;

	(void)host_no;
	switch (cmd->scb[1] & 0x1f) {
	case 0x00:
		n = copy_status(rlu, cmd, buf, sizeof(buf));
		break;
	case 0x03:
		n = bs_rbd_xcopy_op_params(rlu->lu->blk_shift, buf,
					   sizeof(buf));
		break;
	}
	if (!n) /* another service action, or a list id we know nothing of */
		return sense(cmd, ILLEGAL_REQUEST, ASC_INVALID_FIELD_IN_CDB);
	if (alloc > scsi_get_in_length(cmd))
		alloc = scsi_get_in_length(cmd);
	n = min_t(size_t, min_t(size_t, n, sizeof(buf)), alloc);
	memcpy(scsi_get_in_buffer(cmd), buf, n);
	scsi_set_in_resid_by_actual(cmd, (uint32_t)n);
	return SAM_STAT_GOOD;
}
