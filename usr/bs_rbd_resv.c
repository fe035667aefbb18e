// SPDX-License-Identifier: GPL-2.0-only
/*
 * bs_rbd: an LU's persistent reservations, shared by the image's gateways.
 *
 * tgt keeps reservations in one tgtd's memory and names an I_T nexus by
 * its session: a re-login loses the registration, and each gateway has
 * its own.  Here one state per image lives in RADOS (bs_rbd_prstore.c);
 * an I_T nexus is the initiator port (iSCSI name and ISID, from tgt's
 * TransportID of the session) and the gateway's relative target port.
 *
 * PERSISTENT RESERVE OUT runs on a worker: read the state, apply the
 * command (bs_rbd_pr.c), write it back if the object did not change
 * meanwhile, else again.  Back on the main loop, the LU takes the new
 * state, queues the unit attentions for its own nexuses, and tells the
 * image's other gateways (bs_rbd_peers.h); each re-reads the state before
 * it acknowledges, and only then does the command end GOOD: no gateway
 * starts a command under the old state afterwards (within
 * BS_RBD_PEERS_WAIT_MS; one that does not answer is reported in the log).
 *
 * Every other command of the LU is checked first against the state this
 * LU holds (no RADOS round trip); while no reservation exists, nothing
 * needs a look at it.  PERSISTENT RESERVE IN answers from it.  Until the
 * state is read, commands that could conflict get NOT READY, ALUA
 * transition (04/0A).
 *
 * RESERVE(6)/RELEASE(6) are in the same state and go the same way.  The
 * SPC-2 reservation ends with its holder's I_T nexus and on a LUN reset,
 * which tgt tells no backing store: tgt's own reservation, set on every
 * gateway while the image's is held, is cleared by tgt then (legacy_sync),
 * and the gateway that finds it cleared releases the image's.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>
#include <unistd.h>

#include "list.h"
#include "util.h"
#include "tgtd.h"
#include "driver.h"
#include "scsi.h"
#include "spc.h"
#include "target.h"
#include "work.h"

#include "bs_rbd_acks.h"
#include "bs_rbd_conn.h"
#include "bs_rbd_event.h"
#include "bs_rbd_gateway.h"
#include "bs_rbd_image.h"
#include "bs_rbd_lu.h"
#include "bs_rbd_peers.h"
#include "bs_rbd_pr.h"
#include "bs_rbd_prstore.h"
#include "bs_rbd_req.h"
#include "bs_rbd_resv.h"
#include "bs_rbd_sense.h"
#include "bs_rbd_stats.h"
#include "bs_rbd_worker.h"
#include "bs_rbd_xcopy_cmd.h"

/* a PR OUT that keeps losing the race to other gateways gives up */
#define WRITE_TRIES 16
/* PR OUTs out at once, of all LUs: workers stay free */
#define MAX_JOBS 2
#define RELOAD_S 5
/* a change whose event a gateway missed, or an operator's, is read then */
#define REFRESH_S 30
/* gateways fenced at most for one change (the others' LUs: next time) */
#define FENCE_MAX 8
/* the longest parameter list: 24 bytes and one TransportID */
#define MAX_PARAM (24 + BS_RBD_PR_TID_MAX)
/* RESERVE(6), RELEASE(6) and the release of a gone holder's (a drop) as
 * a job's service action */
#define SA_RESERVE6 0x100
#define SA_RELEASE6 0x101
#define SA_DROP6 0x102
/* how often, while an SPC-2 reservation is held, a LU looks whether tgt
 * cleared its own (legacy_sync) */
#define TRIP_S 2
/* tgt's own reservation while the image's is held through another LU:
 * no nexus has this id (tgt's iSCSI names one by its 16-bit TSIH) */
#define HELD_ELSEWHERE UINT64_MAX

typedef int (*cmd_fn)(int host_no, struct scsi_cmd *cmd);

struct bs_rbd_resv {
	struct bs_rbd_lu *rlu;	   /* NULL once the LU let go */
	struct bs_rbd_pr_state st; /* the image's, as last read */
	uint64_t epoch, seq;	   /* its object's, and its version */
	int loaded;		   /* st is the image's */
	unsigned int jobs;	   /* reads out for the LU: the struct stays */
	struct tgt_work reload;	   /* a failed read, again */
	struct tgt_work refresh;   /* every REFRESH_S, read it anyway */
	uint64_t legacy_itn;	   /* holds the SPC-2 reservation through us */
	uint64_t mark;		   /* what we set tgt's reservation to */
	struct tgt_work trip;	   /* while one is held: is it gone? */
	int dropping;		   /* a drop of a gone holder is out */
	cmd_fn orig[NR_SCSI_OPCODES]; /* the LU's handlers, checked first */
};

/* A read, or a PR OUT, on a worker */
struct resv_job {
	struct bs_rbd_work work;
	struct bs_rbd_done done;
	struct bs_rbd_resv *v;
	struct bs_rbd_image *img;     /* held */
	struct bs_rbd_req *req;	      /* a PR OUT's, or NULL */
	struct bs_rbd_peers_msg *msg; /* to acknowledge once read, or NULL */
	int ret;
	uint64_t epoch, seq;
	struct bs_rbd_pr_state st;
	/* PR OUT */
	struct bs_rbd_pr_nexus from;
	unsigned int sa;       /* or SA_RESERVE6, SA_RELEASE6, SA_DROP6 */
	uint64_t token, grant; /* the LU's, and a new number, for RESERVE(6) */
	uint8_t scope_type;
	size_t len;
	uint8_t param[MAX_PARAM];
	struct bs_rbd_pr_result res;
	struct bs_rbd_pr_effects fx;
	struct bs_rbd_prstore_change ch; /* read with the state, or written */
	struct bs_rbd_peers_reply reply; /* who acknowledged the change */
	int fenced;			 /* gateways blocklisted for it */
	/* a drop: the SPC-2 reservation as it was, and the command's job to
	 * queue once it is done, or NULL */
	struct bs_rbd_pr_legacy drop;
	struct resv_job *then;
	int counted; /* in pr_outs */
};

static unsigned int pr_outs; /* of all LUs */
static uint64_t boot;	     /* this tgtd's (bs_rbd_pr_legacy) */

/* This gateway's relative target port: its number among the image's. */
static uint16_t rel_port(const struct bs_rbd_lu *rlu)
{
	return rlu->img && rlu->img->tpg_id ? rlu->img->tpg_id : 1;
}

/*
 * The command's I_T nexus.  tgt's iSCSI TransportID of a session is the
 * name, a NUL, ",i,0x" and the 6 bytes of the ISID as they are.
 */
static int nexus_of(const struct bs_rbd_lu *rlu, uint64_t itn_id,
		    struct bs_rbd_pr_nexus *n)
{
	struct target *t = rlu->lu->tgt;
	struct tgt_driver *drv = tgt_drivers[t->lid];
	char tid[BS_RBD_PR_TID_MAX + 16], *name = tid + 4, *p;
	int len;

	if (!drv->transportid)
		return -EINVAL;
	len = drv->transportid(t->tid, itn_id, tid, sizeof(tid));
	if (len < 4 || len > (int)sizeof(tid))
		return -EINVAL;
	p = name + strnlen(name, (size_t)len - 4) + 1;
	if (p + 5 + 6 > tid + len || memcmp(p, ",i,0x", 5))
		return -EINVAL;
	n->rel_port = rel_port(rlu);
	return bs_rbd_pr_port(n->port, name, (const uint8_t *)p + 5);
}

/* How a command meets a reservation (bs_rbd_pr.h's table). */
static enum bs_rbd_pr_access access_of(const uint8_t *cdb)
{
	switch (cdb[0]) {
	case TEST_UNIT_READY:
	case REQUEST_SENSE:
	case INQUIRY:
	case REPORT_LUNS:
	case READ_CAPACITY:
	case LOG_SENSE:
	case MAINT_PROTOCOL_IN:
		return BS_RBD_PR_ALLOWED;
	case SERVICE_ACTION_IN:
		/* READ CAPACITY(16) is allowed, GET LBA STATUS reads */
		return (cdb[1] & 0x1f) == 0x10 ? BS_RBD_PR_ALLOWED
					       : BS_RBD_PR_READ;
	case START_STOP:
		return (cdb[4] & 0xf1) == 0x01 ? BS_RBD_PR_ALLOWED
					       : BS_RBD_PR_WRITE;
	case ALLOW_MEDIUM_REMOVAL:
		return cdb[4] & 0x03 ? BS_RBD_PR_WRITE : BS_RBD_PR_ALLOWED;
	case READ_6:
	case READ_10:
	case READ_12:
	case READ_16:
	case VERIFY_10:
	case VERIFY_12:
	case VERIFY_16:
	case MODE_SENSE:
	case MODE_SENSE_10:
	case PRE_FETCH_10:
	case PRE_FETCH_16:
	case READ_BUFFER:
	case READ_DEFECT_DATA:
	case RECEIVE_DIAGNOSTIC:
	case BS_RBD_OP_RECEIVE_COPY_RESULTS:
		return BS_RBD_PR_READ;
	case RESERVE:
	case RELEASE:
	case RESERVE_10:
	case RELEASE_10:
		return BS_RBD_PR_LEGACY;
	default: /* writes, and whatever else: the safe side */
		return BS_RBD_PR_WRITE;
	}
}

static void resv_free_if_idle(struct bs_rbd_resv *v)
{
	if (v->rlu || v->jobs)
		return;
	free(v);
}

/* Is the state j read or wrote newer than ours?  Another object (an
 * operator removed ours, README.rbd) always is. */
static int newer(const struct bs_rbd_resv *v, const struct resv_job *j)
{
	return !v->loaded || j->epoch != v->epoch || j->seq > v->seq;
}

/* The SPC-2 reservation was taken through this LU */
static int taken_here(const struct bs_rbd_resv *v)
{
	const struct bs_rbd_pr_legacy *l = &v->st.legacy;

	return l->held && l->token == v->rlu->token && l->boot == boot;
}

/* The holder's I_T nexus on this LU, or 0 */
static uint64_t holder_itn(const struct bs_rbd_resv *v)
{
	struct it_nexus_lu_info *itn_lu;
	struct bs_rbd_pr_nexus n;

	list_for_each_entry(itn_lu, &v->rlu->lu->lu_itl_info_list,
			    lu_itl_info_siblings)
	{
		if (!nexus_of(v->rlu, itn_lu->itn_id, &n) &&
		    !bs_rbd_pr_reserved6_other(&v->st, &n))
			return itn_lu->itn_id;
	}
	return 0;
}

/*
 * Was the SPC-2 reservation taken through another LU of this gateway that
 * is gone: deleted, or of this gateway before its tgtd started (its
 * sessions went with it)?  Without a port number of its own (no gateway
 * registry) a gateway cannot tell its port from the others'.
 */
static int taker_gone(const struct bs_rbd_resv *v)
{
	const struct bs_rbd_pr_legacy *l = &v->st.legacy;
	const struct bs_rbd_lu *rlu = v->rlu, *o;

	if (l->boot != boot)
		return rlu->img && rlu->img->tpg_id &&
		       l->nexus.rel_port == rlu->img->tpg_id;
	for (o = bs_rbd_stats_lus(); o; o = o->stats_next)
		if (o->token == l->token)
			return 0;
	return 1;
}

/*
 * While the image's SPC-2 reservation is held, tgt's own (lu->reserve_id)
 * is set on every gateway: to the holder's nexus on the LU it was taken
 * through, else to HELD_ELSEWHERE.  tgt clears it when that nexus goes,
 * and on a LUN reset here: that is how we learn of either (legacy_gone).
 * It is set again only for another reservation (renew), so no trip of
 * the one standing is lost.
 */
static void legacy_sync(struct bs_rbd_resv *v, int renew)
{
	const struct bs_rbd_pr_legacy *l = &v->st.legacy;
	uint64_t mark = 0;

	if (!taken_here(v))
		v->legacy_itn = 0;
	else if (!v->legacy_itn) /* its RESERVE's answer was lost */
		v->legacy_itn = holder_itn(v);
	if (l->held)
		mark = v->legacy_itn ? v->legacy_itn : HELD_ELSEWHERE;
	if (mark == v->mark && !renew)
		return;
	v->mark = mark;
	v->rlu->lu->reserve_id = mark;
	del_work(&v->trip);
	if (mark)
		add_work(&v->trip, TRIP_S);
}

/* tgt cleared the reservation we set: its nexus went, or a LUN reset */
static int legacy_tripped(const struct bs_rbd_resv *v)
{
	return v->mark && v->rlu->lu->reserve_id != v->mark;
}

/*
 * Is the SPC-2 reservation gone, though still in the state?  tgt cleared
 * ours (the holder's nexus went, or a LUN reset here), its nexus is not
 * on the LU it was taken through, or that LU is gone.
 */
static int legacy_gone(const struct bs_rbd_resv *v)
{
	if (!v->loaded || !v->st.legacy.held)
		return 0;
	if (legacy_tripped(v))
		return 1;
	return taken_here(v) ? !v->legacy_itn : taker_gone(v);
}

static void take_state(struct bs_rbd_resv *v, const struct resv_job *j)
{
	int renew;

	if (!newer(v, j))
		return;
	renew = memcmp(&v->st.legacy, &j->st.legacy, sizeof(j->st.legacy));
	v->st = j->st;
	v->epoch = j->epoch;
	v->seq = j->seq;
	v->loaded = 1;
	legacy_sync(v, renew);
}

static struct resv_job *job_new(struct bs_rbd_resv *v,
				void (*work)(struct bs_rbd_work *),
				void (*done)(struct bs_rbd_done *))
{
	struct resv_job *j = calloc(1, sizeof(*j));

	if (!j)
		return NULL;
	j->v = v;
	j->img = v->rlu->img;
	bs_rbd_image_hold(j->img);
	j->work.fn = work;
	j->done.fn = done;
	v->jobs++;
	return j;
}

/* The job is over; its memory is the caller's (a PR OUT's request's). */
static void job_end(struct resv_job *j)
{
	struct bs_rbd_resv *v = j->v;

	v->jobs--;
	bs_rbd_image_put(j->img);
	resv_free_if_idle(v);
}

static void job_free(struct resv_job *j)
{
	job_end(j);
	free(j);
}

static int job_queue(struct resv_job *j)
{
	int ret = bs_rbd_worker_queue(&j->work);

	if (ret)
		job_free(j);
	return ret;
}

/* ---- SPC-2 reservations: a holder gone ------------------------------ */

/*
 * RESERVE(6) cmd through this LU is GOOD (the state taken).  A LUN reset
 * that came meanwhile (tgt marks the commands it waits for) released it:
 * tgt's own stays clear, the trip (legacy_gone) releases the image's.
 */
static void legacy_took(struct bs_rbd_resv *v, const struct scsi_cmd *cmd)
{
	v->legacy_itn = cmd->cmd_itn_id;
	legacy_sync(v, 0);
	if (cmd->mreq)
		v->rlu->lu->reserve_id = 0;
}

/*
 * A command's job to the workers (counted there only: a job that waits
 * for a look or a drop holds no worker), or its command ends with the
 * error (BUSY when MAX_JOBS are out).
 */
static void job_go(struct resv_job *j)
{
	int ret = -EBUSY;

	if (pr_outs < MAX_JOBS)
		ret = bs_rbd_worker_queue(&j->work) ? -ENOMEM : 0;
	if (ret) {
		bs_rbd_req_defer(j->req, ret);
		return;
	}
	pr_outs++;
	j->counted = 1;
}

static void told_free(struct bs_rbd_done *done)
{
	free(done);
}

/* Tell the other gateways of a change no command waits for. */
static void tell_others(struct bs_rbd_lu *rlu)
{
	struct bs_rbd_event ev = { BS_RBD_EVENT_PR, rlu->token, "" };
	struct bs_rbd_done *done = calloc(1, sizeof(*done));

	if (!done)
		return; /* they read it within REFRESH_S */
	done->fn = told_free;
	snprintf(ev.ident, sizeof(ev.ident), "%s", rlu->img->ident);
	if (bs_rbd_peers_send(rlu, &ev, done, NULL))
		free(done);
}

static void out_work(struct bs_rbd_work *work);

static void drop_done(struct bs_rbd_done *done)
{
	struct resv_job *j = container_of(done, struct resv_job, done);
	struct bs_rbd_resv *v = j->v;

	if (!j->then && !j->msg) /* drop_soon's */
		v->dropping = 0;
	if (v->rlu && j->ret)
		rbd_log(v->rlu,
			"cannot release the SPC-2 reservation of a "
			"nexus gone (%s): again at the next look",
			strerror(-j->ret));
	if (v->rlu && !j->ret && j->img == v->rlu->img) {
		take_state(v, j);
		if (j->fx.changed) {
			rbd_log(v->rlu, "the SPC-2 reservation's nexus is "
					"gone (or the LU was reset): released");
			tell_others(v->rlu);
		}
	}
	if (j->msg)
		bs_rbd_peers_ack(j->msg);
	if (j->then)
		job_go(j->then);
	job_free(j);
}

/*
 * Release the SPC-2 reservation as it is now (if it still is), then
 * acknowledge msg and queue then, if not NULL.
 */
static int drop(struct bs_rbd_resv *v, struct bs_rbd_peers_msg *msg,
		struct resv_job *then)
{
	struct resv_job *j = job_new(v, out_work, drop_done);

	if (!j)
		return -ENOMEM;
	/* tgt's own refuses no more meanwhile; the trip stays (mark kept) */
	v->rlu->lu->reserve_id = 0;
	j->sa = SA_DROP6;
	j->drop = v->st.legacy;
	j->msg = msg;
	j->then = then;
	return job_queue(j);
}

/* Once at a time, for the commands and looks that find the holder gone */
static void drop_soon(struct bs_rbd_resv *v)
{
	if (v->dropping || !v->rlu->img)
		return;
	v->dropping = 1;
	if (drop(v, NULL, NULL))
		v->dropping = 0;
}

static void trip(void *arg)
{
	struct bs_rbd_resv *v = arg;

	if (!v->mark)
		return;
	add_work(&v->trip, TRIP_S);
	if (legacy_gone(v))
		drop_soon(v);
}

/* ---- reading the state ---------------------------------------------- */

/* tgt's timer list takes a work once: re-arming moves it */
static void reload_in(struct bs_rbd_resv *v)
{
	del_work(&v->reload);
	add_work(&v->reload, RELOAD_S);
}

/* Is n the nexus want names (its rel_port 0: any port)? */
static int nexus_is(const struct bs_rbd_pr_nexus *want,
		    const struct bs_rbd_pr_nexus *n)
{
	return !strcmp(want->port, n->port) &&
	       (!want->rel_port || want->rel_port == n->rel_port);
}

/* The unit attentions for this gateway's nexuses of the LU */
static void queue_uas(struct bs_rbd_lu *rlu, const struct bs_rbd_pr_ua *ua,
		      int nr_ua)
{
	struct it_nexus_lu_info *itn_lu;
	struct bs_rbd_pr_nexus n;
	int i;

	list_for_each_entry(itn_lu, &rlu->lu->lu_itl_info_list,
			    lu_itl_info_siblings)
	{
		if (nexus_of(rlu, itn_lu->itn_id, &n))
			continue;
		for (i = 0; i < nr_ua; i++)
			if (nexus_is(&ua[i].nexus, &n))
				ua_sense_add_it_nexus(itn_lu->itn_id, rlu->lu,
						      ua[i].asc);
	}
}

/*
 * PREEMPT AND ABORT: this gateway's commands in flight of the nexuses
 * aborted (abort[], or those ua[] says were preempted), except the PR
 * OUT itself, end TASK ABORTED once librbd is done with them
 * (bs_rbd_lu_when_drained).  How many were marked.
 */
static unsigned int abort_tasks(struct bs_rbd_lu *rlu,
				const struct bs_rbd_pr_nexus *abort, int nr,
				const struct bs_rbd_pr_ua *ua, int nr_ua,
				const struct scsi_cmd *except)
{
	struct bs_rbd_pr_nexus n;
	struct bs_rbd_req *req;
	unsigned int marked = 0;
	int i, hit;

	list_for_each_entry(req, &rlu->inflight_reqs, inflight_entry)
	{
		if (req->aborted || req->cmd == except ||
		    nexus_of(rlu, req->cmd->cmd_itn_id, &n))
			continue;
		for (i = 0, hit = 0; i < nr && !hit; i++)
			hit = nexus_is(&abort[i], &n);
		for (i = 0; i < nr_ua && !hit; i++)
			hit = ua[i].asc ==
				      BS_RBD_PR_ASC_REGISTRATIONS_PREEMPTED &&
			      nexus_is(&ua[i].nexus, &n);
		if (hit) {
			req->aborted = 1;
			rlu->aborting++;
			marked++;
		}
	}
	return marked;
}

static void read_work(struct bs_rbd_work *work)
{
	struct resv_job *j = container_of(work, struct resv_job, work);

	j->ret = bs_rbd_prstore_read(bs_rbd_pool_ioctx(j->img->pool),
				     j->img->ident, &j->st, &j->epoch, &j->seq,
				     &j->ch);
	bs_rbd_done_push(&j->done);
}

/* The change is acknowledged once the commands it aborted have ended. */
static void read_acked(struct bs_rbd_done *done)
{
	struct resv_job *j = container_of(done, struct resv_job, done);

	bs_rbd_peers_ack(j->msg);
	job_free(j);
}

/* A change through another gateway (or LU): its attentions, and the
 * commands it aborts; 1 if the acknowledgement waits for them */
static int apply_change(struct bs_rbd_resv *v, struct resv_job *j)
{
	queue_uas(v->rlu, j->ch.ua, j->ch.nr_ua);
	if (!j->ch.aborts ||
	    !abort_tasks(v->rlu, NULL, 0, j->ch.ua, j->ch.nr_ua, NULL) ||
	    !j->msg)
		return 0;
	j->done.fn = read_acked;
	bs_rbd_lu_when_drained(v->rlu, &j->done);
	return 1;
}

static void read_done(struct bs_rbd_done *done)
{
	struct resv_job *j = container_of(done, struct resv_job, done);
	struct bs_rbd_resv *v = j->v;
	int waits = 0;

	if (v->rlu && !j->ret && j->img == v->rlu->img) {
		if (v->loaded && j->epoch && newer(v, j))
			waits = apply_change(v, j);
		take_state(v, j);
		if (legacy_gone(v))
			drop_soon(v);
	} else if (v->rlu && j->ret) {
		/* a change may have been missed: nothing until it is read */
		v->loaded = 0;
		rbd_log(v->rlu,
			"cannot read the image's reservations (%s): commands "
			"that a reservation could refuse get NOT READY; again "
			"in "
			"%d s",
			strerror(-j->ret), RELOAD_S);
		reload_in(v);
	}
	if (waits)
		return;
	if (j->msg)
		bs_rbd_peers_ack(j->msg);
	job_free(j);
}

/* Read the state on a worker; msg, if not NULL, acknowledged after. */
static int read_state(struct bs_rbd_resv *v, struct bs_rbd_peers_msg *msg)
{
	struct resv_job *j;

	if (!v->rlu->img)
		return -ENOENT;
	j = job_new(v, read_work, read_done);
	if (!j)
		return -ENOMEM;
	j->msg = msg;
	return job_queue(j);
}

static void reload(void *arg)
{
	struct bs_rbd_resv *v = arg;

	if (read_state(v, NULL))
		reload_in(v);
}

static void refresh(void *arg)
{
	struct bs_rbd_resv *v = arg;

	add_work(&v->refresh, REFRESH_S);
	if (v->rlu->img && v->rlu->state == BS_RBD_LU_OK)
		read_state(v, NULL);
}

void bs_rbd_resv_load(struct bs_rbd_lu *rlu)
{
	struct bs_rbd_resv *v = rlu->resv;

	if (v && read_state(v, NULL))
		reload_in(v);
}

void bs_rbd_resv_unload(struct bs_rbd_lu *rlu)
{
	if (rlu->resv)
		rlu->resv->loaded = 0;
}

int bs_rbd_resv_heard(struct bs_rbd_lu *rlu, const struct bs_rbd_event *ev,
		      struct bs_rbd_peers_msg *msg)
{
	struct bs_rbd_resv *v = rlu->resv;

	if (!v || ev->from == rlu->token || !rlu->img ||
	    strcmp(ev->ident, rlu->img->ident))
		return 0;
	/* a RESERVE(6) elsewhere meets a holder through us: gone? */
	if (ev->kind == BS_RBD_EVENT_PR_LOOK)
		return legacy_gone(v) && !drop(v, msg, NULL);
	/* a loaded state is never stale: GOOD waits for this read */
	if (!read_state(v, msg))
		return 1;
	v->loaded = 0;
	reload_in(v);
	return 0;
}

/* ---- PERSISTENT RESERVE IN ------------------------------------------- */

static int sense(struct scsi_cmd *cmd, uint8_t key, uint16_t asc)
{
	sense_data_build(cmd, key, asc);
	return SAM_STAT_CHECK_CONDITION;
}

/*
 * The state is not known here now (being read, the watch down, perhaps a
 * fence not found yet): like a LU in transition, NOT READY 04/0A, which
 * initiators retry, or send through another gateway.
 */
static int unknown_state(struct scsi_cmd *cmd)
{
	return sense(cmd, NOT_READY, BS_RBD_ASC_ALUA_TRANSITION);
}

/*
 * The commands another nexus may send while an SPC-2 reservation is held
 * (SPC-2 5.5.1; RELEASE has its own handler), and REPORT TARGET PORT
 * GROUPS, which multipath needs to keep choosing paths.  cdb NULL:
 * EXTENDED COPY's reads and writes.
 */
static int legacy_exempt(const uint8_t *cdb)
{
	if (!cdb)
		return 0;
	switch (cdb[0]) {
	case INQUIRY:
	case REQUEST_SENSE:
	case REPORT_LUNS:
	case MAINT_PROTOCOL_IN:
		return 1;
	default:
		return 0;
	}
}

/*
 * Does an SPC-2 reservation of another nexus stop this command of nexus
 * itn?  One whose nexus is gone does not: it is being released.
 */
static int legacy_conflict(struct bs_rbd_resv *v, uint64_t itn,
			   const uint8_t *cdb)
{
	struct bs_rbd_pr_nexus n;

	if (!v->st.legacy.held || legacy_exempt(cdb))
		return 0;
	if (legacy_gone(v)) {
		drop_soon(v);
		return 0;
	}
	return nexus_of(v->rlu, itn, &n) ||
	       bs_rbd_pr_reserved6_other(&v->st, &n);
}

/* May a PERSISTENT RESERVE IN or OUT run?  0, or the status to end with */
static int pr_admit(struct bs_rbd_lu *rlu, struct scsi_cmd *cmd)
{
	uint16_t asc;
	uint8_t key;

	if (bs_rbd_lu_admit(rlu, &key, &asc))
		return sense(cmd, key, asc);
	if (!rlu->resv->loaded)
		return unknown_state(cmd);
	return legacy_conflict(rlu->resv, cmd->cmd_itn_id, cmd->scb)
		       ? SAM_STAT_RESERVATION_CONFLICT
		       : 0;
}

static int pr_in(int host_no, struct scsi_cmd *cmd)
{
	struct bs_rbd_lu *rlu = bs_rbd_lu(cmd->dev);
	uint32_t alloc = get_unaligned_be16(&cmd->scb[7]);
	int n;

	(void)host_no;
	n = pr_admit(rlu, cmd);
	if (n)
		return n;
	alloc = min_t(uint32_t, alloc, scsi_get_in_length(cmd));
	n = bs_rbd_pr_in(&rlu->resv->st, cmd->scb[1] & 0x1f,
			 scsi_get_in_buffer(cmd), alloc);
	if (n < 0)
		return sense(cmd, ILLEGAL_REQUEST, ASC_INVALID_FIELD_IN_CDB);
	scsi_set_in_resid_by_actual(cmd, min_t(uint32_t, (uint32_t)n, alloc));
	return SAM_STAT_GOOD;
}

/* ---- PERSISTENT RESERVE OUT ------------------------------------------ */

/* A number for an object being made: not 0, and not another's */
static uint64_t new_epoch(void)
{
	uint64_t e = 0;

	if (getrandom(&e, sizeof(e), 0) != sizeof(e) || !e)
		e = (uint64_t)time(NULL) << 20 | (uint64_t)getpid();
	return e;
}

/*
 * Worker: REGISTER AND MOVE names a target port (bytes 18-19 of its
 * list): one of the image's gateways, registered - serving now or not.
 * 0 when it does (or the image has no registry: one port, ours), 1 with
 * the refusal in j->res, or a negative errno.
 */
static int move_port_unknown(struct resv_job *j, rados_ioctx_t io)
{
	uint16_t port;
	int ret;

	if (j->sa != BS_RBD_PR_REGISTER_MOVE || j->len < 20)
		return 0; /* the engine judges a short list */
	port = (uint16_t)(j->param[18] << 8 | j->param[19]);
	if (!j->img->tpg_id)
		ret = port == 1;
	else
		ret = bs_rbd_gateway_known(io, j->img->id, port);
	if (ret)
		return ret < 0 ? ret : 0;
	j->res.status = BS_RBD_PR_CHECK_CONDITION;
	j->res.sense_key = ILLEGAL_REQUEST;
	j->res.asc = BS_RBD_PR_ASC_INVALID_FIELD_IN_PARAM;
	return 1;
}

/* The job's command on the state it read */
static struct bs_rbd_pr_result apply(struct resv_job *j)
{
	struct bs_rbd_pr_result good = { BS_RBD_PR_GOOD, 0, 0 };

	if (j->sa == SA_DROP6) {
		j->fx.nr_ua = j->fx.nr_abort = 0;
		j->fx.changed = bs_rbd_pr_drop6(&j->st, &j->drop);
		return good;
	}
	if (j->sa == SA_RESERVE6)
		return bs_rbd_pr_reserve6(&j->st, &j->from, j->token, boot,
					  j->grant, &j->fx);
	if (j->sa == SA_RELEASE6)
		return bs_rbd_pr_release6(&j->st, &j->from, &j->fx);
	return bs_rbd_pr_out(&j->st, &j->from, j->sa, j->scope_type, j->param,
			     j->len, &j->fx);
}

/*
 * Worker: read, apply, write if nobody wrote meanwhile, else again.  A
 * command's job ends its request; a drop (no request) goes back itself.
 */
static void out_work(struct bs_rbd_work *work)
{
	struct resv_job *j = container_of(work, struct resv_job, work);
	rados_ioctx_t io = bs_rbd_pool_ioctx(j->img->pool);
	int tries;

	for (tries = 0; tries < WRITE_TRIES; tries++) {
		j->ret = bs_rbd_prstore_read(io, j->img->ident, &j->st,
					     &j->epoch, &j->seq, &j->ch);
		if (!j->ret && !tries)
			j->ret = move_port_unknown(j, io);
		if (j->ret) {
			j->ret = j->ret < 0 ? j->ret : 0; /* 1: refused */
			break;
		}
		j->res = apply(j);
		if (j->res.status != BS_RBD_PR_GOOD || !j->fx.changed)
			break;
		if (!j->seq)
			j->epoch = new_epoch();
		j->ch.nr_ua = j->fx.nr_ua;
		memcpy(j->ch.ua, j->fx.ua, sizeof(j->ch.ua));
		j->ch.aborts = j->fx.nr_abort > 0;
		j->ret = bs_rbd_prstore_write(io, j->img->ident, &j->st,
					      j->epoch, j->seq, &j->ch);
		if (j->ret != -ECANCELED)
			break;
	}
	if (!j->ret && j->fx.changed)
		j->seq++;
	if (!j->req)
		bs_rbd_done_push(&j->done);
	else
		bs_rbd_req_defer(j->req,
				 j->ret == -ECANCELED ? -EBUSY : j->ret);
}

/*
 * The state could not be changed: another gateway won the race every
 * time (BUSY: the initiator retries), or the object is not a state, or
 * the cluster failed.  A write may have landed all the same: read again.
 */
static void out_failed(struct bs_rbd_req *req, int err)
{
	if (req->rlu->resv)
		read_state(req->rlu->resv, NULL);
	if (err == -EBUSY) {
		bs_rbd_req_complete(req, SAM_STAT_BUSY);
	} else if (err == -EINVAL) {
		rbd_log(req->rlu, "the image's reservation object is not a "
				  "state bs_rbd wrote (README.rbd: clearing)");
		bs_rbd_req_sense(req, HARDWARE_ERROR, ASC_INTERNAL_TGT_FAILURE);
	} else {
		bs_rbd_req_fail(req, err);
	}
}

/* The change is known everywhere but on the gateways just fenced. */
static void fence_done(struct bs_rbd_done *done)
{
	struct bs_rbd_req *req = bs_rbd_to_req(done);
	struct resv_job *j = (struct resv_job *)req->buf;

	rbd_log(req->rlu,
		"reservations changed: %d gateway(s) of the image did not "
		"acknowledge it in time%s",
		j->fenced ? j->fenced : 1,
		j->fenced ? " and were blocklisted: they come back with the "
			    "new state"
			  : "; one that did not may apply the old state until "
			    "it reads the new one");
	free(j->reply.buf);
	bs_rbd_req_complete(req, SAM_STAT_GOOD);
}

/*
 * Worker: a gateway that did not acknowledge may go on with the old state,
 * so it is fenced before the change is GOOD: its client (found among the
 * image's watchers by its number) is blocklisted, and its LUs come back
 * on a new one that reads the state (bs_rbd_reopen.c).  Never this one.
 */
static void fence_work(struct bs_rbd_work *work)
{
	struct resv_job *j = container_of(work, struct resv_job, work);
	struct bs_rbd_image *img = j->req->img;
	rados_t cluster = bs_rbd_conn_rados(bs_rbd_pool_conn(img->pool));
	uint64_t gids[FENCE_MAX], me = rados_get_instance_id(cluster);
	rbd_image_watcher_t w[FENCE_MAX * 4];
	size_t nw = FENCE_MAX * 4, k;
	int n, i;

	n = bs_rbd_acks_silent(j->reply.buf, j->reply.len, gids, FENCE_MAX);
	if (n > 0 && !rbd_watchers_list(img->image, w, &nw)) {
		for (k = 0; k < nw; k++)
			for (i = 0; i < n; i++)
				if (w[k].id >= 0 &&
				    (uint64_t)w[k].id == gids[i] &&
				    gids[i] != me &&
				    !rados_blocklist_add(cluster, w[k].addr, 0))
					j->fenced++;
		rbd_watchers_list_cleanup(w, nw);
	}
	bs_rbd_req_defer(j->req, 0);
}

/* The other gateways have the new state, or some did not answer. */
static void out_told(struct bs_rbd_done *done)
{
	struct bs_rbd_req *req = bs_rbd_to_req(done);
	struct resv_job *j = (struct resv_job *)req->buf;

	if (done->ret >= 0) {
		free(j->reply.buf);
		bs_rbd_req_complete(req, SAM_STAT_GOOD);
		return;
	}
	req->done.fn = fence_done;
	j->work.fn = fence_work;
	if (bs_rbd_worker_queue(&j->work))
		bs_rbd_req_defer(req, 0);
}

/* The change is made, its aborted commands here have ended: the others */
static void out_tell(struct bs_rbd_done *done)
{
	struct bs_rbd_req *req = bs_rbd_to_req(done);
	struct resv_job *j = (struct resv_job *)req->buf;
	struct bs_rbd_event ev = { BS_RBD_EVENT_PR, req->rlu->token, "" };
	struct bs_rbd_lu *rlu = req->rlu;
	int ret;

	snprintf(ev.ident, sizeof(ev.ident), "%s", req->img->ident);
	req->done.fn = out_told;
	ret = bs_rbd_peers_send(rlu, &ev, &req->done, &j->reply);
	if (!ret)
		return;
	if (ret != -ENOTCONN) /* -ENOTCONN: no channel, no other gateway */
		rbd_log(rlu,
			"cannot tell the other gateways of a reservation "
			"change (%s): they read it within %d s",
			strerror(-ret), REFRESH_S);
	bs_rbd_req_complete(req, SAM_STAT_GOOD);
}

static void out_done(struct bs_rbd_done *done)
{
	struct bs_rbd_req *req = bs_rbd_to_req(done);
	struct resv_job *j = (struct resv_job *)req->buf;
	struct bs_rbd_lu *rlu = req->rlu;

	if (j->counted)
		pr_outs--;
	job_end(j);
	if (done->ret < 0) {
		out_failed(req, (int)done->ret);
		return;
	}
	take_state(rlu->resv, j);
	if (j->sa == SA_RESERVE6 && j->res.status == BS_RBD_PR_GOOD)
		legacy_took(rlu->resv, req->cmd);
	if (j->res.status == BS_RBD_PR_CHECK_CONDITION) {
		bs_rbd_req_sense(req, j->res.sense_key, j->res.asc);
		return;
	}
	if (j->res.status != BS_RBD_PR_GOOD || !j->fx.changed) {
		bs_rbd_req_complete(req, j->res.status);
		return;
	}
	queue_uas(rlu, j->fx.ua, j->fx.nr_ua);
	/* PREEMPT AND ABORT: here, then on the others, before GOOD */
	abort_tasks(rlu, j->fx.abort, j->fx.nr_abort, NULL, 0, req->cmd);
	req->done.fn = out_tell;
	bs_rbd_lu_when_drained(rlu, &req->done);
}

/* The others looked at their SPC-2 holders (or did not answer): go on */
static void asked(struct bs_rbd_done *done)
{
	job_go(container_of(done, struct resv_job, done));
}

/*
 * A RESERVE(6) that meets a holder through another gateway asks that one
 * whether its nexus is gone (it releases it, then answers) before the
 * job reads the state; one through us whose nexus is gone is released
 * first.
 */
static void out_queue(struct bs_rbd_resv *v, struct resv_job *j)
{
	struct bs_rbd_event ev = { BS_RBD_EVENT_PR_LOOK, v->rlu->token, "" };

	if (legacy_gone(v)) {
		if (drop(v, NULL, j))
			bs_rbd_req_defer(j->req, -ENOMEM);
		return;
	}
	if (j->sa != SA_RESERVE6 ||
	    !bs_rbd_pr_reserved6_other(&v->st, &j->from)) {
		job_go(j);
		return;
	}
	snprintf(ev.ident, sizeof(ev.ident), "%s", v->rlu->img->ident);
	j->done.fn = asked;
	if (bs_rbd_peers_send(v->rlu, &ev, &j->done, NULL))
		job_go(j);
}

/* Checks that need no cluster; then the job, or a status to end with. */
static int out_start(struct bs_rbd_lu *rlu, struct scsi_cmd *cmd, uint32_t len,
		     unsigned int sa)
{
	struct bs_rbd_req *req;
	struct resv_job *j;

	if (pr_outs >= MAX_JOBS)
		return SAM_STAT_BUSY;
	j = job_new(rlu->resv, out_work, NULL);
	if (!j)
		return sense(cmd, HARDWARE_ERROR, ASC_INTERNAL_TGT_FAILURE);
	req = nexus_of(rlu, cmd->cmd_itn_id, &j->from)
		      ? NULL
		      : bs_rbd_req_get(rlu, cmd, 0, 0, BS_RBD_DIR_READ);
	if (!req) {
		job_free(j);
		return sense(cmd, HARDWARE_ERROR, ASC_INTERNAL_TGT_FAILURE);
	}
	j->req = req;
	req->buf = (char *)j;
	j->sa = sa;
	j->token = rlu->token;
	j->grant = new_epoch();
	j->scope_type = cmd->scb[2];
	j->len = len;
	if (len)
		memcpy(j->param, scsi_get_out_buffer(cmd), len);
	bs_rbd_req_start(req, out_done);
	req->no_abandon = 1; /* bounded by op_timeout per try, and a look */
	out_queue(rlu->resv, j);
	return SAM_STAT_GOOD;
}

static int pr_out(int host_no, struct scsi_cmd *cmd)
{
	struct bs_rbd_lu *rlu = bs_rbd_lu(cmd->dev);
	uint32_t len = get_unaligned_be32(&cmd->scb[5]);
	int ret;

	(void)host_no;
	ret = pr_admit(rlu, cmd);
	if (ret)
		return ret;
	if (len > scsi_get_out_length(cmd) || len > MAX_PARAM)
		return sense(cmd, ILLEGAL_REQUEST,
			     ASC_PARAMETER_LIST_LENGTH_ERR);
	return out_start(rlu, cmd, len, cmd->scb[1] & 0x1f);
}

/*
 * Nothing to write: a RELEASE(6) from a nexus that does not hold the
 * reservation, or a RESERVE(6) from the one that holds it through us.
 */
static int legacy_settled(const struct bs_rbd_resv *v, unsigned int sa,
			  const struct bs_rbd_pr_nexus *n, uint64_t itn)
{
	const struct bs_rbd_pr_legacy *l = &v->st.legacy;

	if (sa == SA_RELEASE6)
		return !l->held || bs_rbd_pr_reserved6_other(&v->st, n);
	return l->held && !bs_rbd_pr_reserved6_other(&v->st, n) &&
	       l->token == v->rlu->token && l->boot == boot &&
	       v->legacy_itn == itn && !legacy_gone(v);
}

/* RESERVE(6) and RELEASE(6): one reservation for the image, as PR OUT */
static int legacy_cmd(int host_no, struct scsi_cmd *cmd)
{
	struct bs_rbd_lu *rlu = bs_rbd_lu(cmd->dev);
	struct bs_rbd_resv *v = rlu->resv;
	unsigned int sa = cmd->scb[0] == RESERVE ? SA_RESERVE6 : SA_RELEASE6;
	struct bs_rbd_pr_nexus n;
	uint16_t asc;
	uint8_t key;

	(void)host_no;
	if (bs_rbd_lu_admit(rlu, &key, &asc))
		return sense(cmd, key, asc);
	if (!v->loaded)
		return unknown_state(cmd);
	if (nexus_of(rlu, cmd->cmd_itn_id, &n))
		return sense(cmd, HARDWARE_ERROR, ASC_INTERNAL_TGT_FAILURE);
	/* CRH 0: they give way to persistent reservations */
	if (v->st.nr_regs)
		return SAM_STAT_RESERVATION_CONFLICT;
	if (legacy_settled(v, sa, &n, cmd->cmd_itn_id))
		return SAM_STAT_GOOD;
	return out_start(rlu, cmd, 0, sa);
}

void bs_rbd_resv_describe(const struct bs_rbd_lu *rlu, char *buf, size_t len)
{
	static const char *const types[] = { "none",  "we",    "?",
					     "ea",    "?",     "we_ro",
					     "ea_ro", "we_ar", "ea_ar" };
	const struct bs_rbd_resv *v = rlu->resv;

	if (!v || !v->loaded) {
		snprintf(buf, len, "pr=unknown");
		return;
	}
	snprintf(buf, len, "pr=%s pr_regs=%u pr_gen=%" PRIu32 " reserve6=%s",
		 v->st.type < ARRAY_SIZE(types) ? types[v->st.type] : "?",
		 (unsigned int)v->st.nr_regs, v->st.generation,
		 !v->st.legacy.held ? "none"
		 : v->legacy_itn    ? "here"
				    : "elsewhere");
}

/* ---- every other command --------------------------------------------- */

/*
 * 0: itn_id may access the LU so; else the status cmd ends with.  cdb:
 * the command's (NULL: a copy's read or write).
 */
static int conflict_of(struct bs_rbd_lu *rlu, uint64_t itn_id,
		       enum bs_rbd_pr_access acc, struct scsi_cmd *cmd,
		       const uint8_t *cdb)
{
	struct bs_rbd_resv *v = rlu->resv;
	struct bs_rbd_pr_nexus n;

	/* a LU that may not serve says so itself (NOT READY), and a fenced
	 * one must, so that its commands find the fence (bs_rbd_reopen.c) */
	if (rlu->state != BS_RBD_LU_OK ||
	    (acc == BS_RBD_PR_ALLOWED && !v->st.legacy.held))
		return 0;
	if (!v->loaded)
		return acc == BS_RBD_PR_ALLOWED ? 0 : unknown_state(cmd);
	if (legacy_conflict(v, itn_id, cdb))
		return SAM_STAT_RESERVATION_CONFLICT;
	if (v->st.type == BS_RBD_PR_NONE &&
	    (acc != BS_RBD_PR_LEGACY || !v->st.nr_regs))
		return 0;
	if (nexus_of(rlu, itn_id, &n))
		return SAM_STAT_RESERVATION_CONFLICT; /* nobody we know */
	return bs_rbd_pr_conflict(&v->st, &n, acc)
		       ? SAM_STAT_RESERVATION_CONFLICT
		       : 0;
}

static int conflict(struct bs_rbd_lu *rlu, struct scsi_cmd *cmd)
{
	return conflict_of(rlu, cmd->cmd_itn_id, access_of(cmd->scb), cmd,
			   cmd->scb);
}

int bs_rbd_resv_check(struct bs_rbd_lu *rlu, uint64_t itn_id, int write,
		      struct scsi_cmd *cmd)
{
	return conflict_of(rlu, itn_id,
			   write ? BS_RBD_PR_WRITE : BS_RBD_PR_READ, cmd, NULL);
}

int bs_rbd_resv_initiator(const struct bs_rbd_lu *rlu, uint64_t itn_id,
			  char *name, size_t len)
{
	struct bs_rbd_pr_nexus n;
	const char *end;

	if (nexus_of(rlu, itn_id, &n))
		return -EINVAL;
	end = strstr(n.port, ",i,0x");
	if (!end || (size_t)(end - n.port) >= len)
		return -EINVAL;
	memcpy(name, n.port, (size_t)(end - n.port));
	name[end - n.port] = 0;
	return 0;
}

static int checked(int host_no, struct scsi_cmd *cmd)
{
	struct bs_rbd_lu *rlu = bs_rbd_lu(cmd->dev);
	int ret = conflict(rlu, cmd);

	if (ret)
		return ret;
	return rlu->resv->orig[cmd->scb[0]](host_no, cmd);
}

void bs_rbd_resv_install(struct scsi_lu *lu)
{
	struct device_type_operations *ops = lu->dev_type_template.ops;
	struct bs_rbd_resv *v = bs_rbd_lu(lu)->resv;
	unsigned int op;

	for (op = 0; op < NR_SCSI_OPCODES; op++) {
		if (op == PERSISTENT_RESERVE_IN ||
		    op == PERSISTENT_RESERVE_OUT || op == RESERVE ||
		    op == RELEASE)
			continue;
		/* an opcode the LU lacks is refused as such, not checked */
		if (!ops[op].cmd_perform || ops[op].cmd_perform == checked ||
		    ops[op].cmd_perform == spc_illegal_op)
			continue;
		v->orig[op] = ops[op].cmd_perform;
		ops[op].cmd_perform = checked;
	}
	ops[PERSISTENT_RESERVE_IN].cmd_perform = pr_in;
	ops[PERSISTENT_RESERVE_OUT].cmd_perform = pr_out;
	ops[RESERVE].cmd_perform = legacy_cmd;
	ops[RELEASE].cmd_perform = legacy_cmd;
}

int bs_rbd_resv_start(struct bs_rbd_lu *rlu)
{
	struct bs_rbd_resv *v = calloc(1, sizeof(*v));

	if (!v)
		return -ENOMEM;
	v->rlu = rlu;
	bs_rbd_pr_init(&v->st);
	INIT_LIST_HEAD(&v->reload.entry);
	v->reload.func = reload;
	v->reload.data = v;
	INIT_LIST_HEAD(&v->refresh.entry);
	v->refresh.func = refresh;
	v->refresh.data = v;
	INIT_LIST_HEAD(&v->trip.entry);
	v->trip.func = trip;
	v->trip.data = v;
	if (!boot)
		boot = new_epoch();
	add_work(&v->refresh, REFRESH_S);
	rlu->resv = v;
	return 0;
}

/* The LU goes: a read out frees the state when it ends. */
void bs_rbd_resv_stop(struct bs_rbd_lu *rlu)
{
	struct bs_rbd_resv *v = rlu->resv;

	if (!v)
		return;
	del_work(&v->reload);
	del_work(&v->refresh);
	del_work(&v->trip);
	rlu->resv = NULL;
	v->rlu = NULL;
	resv_free_if_idle(v);
}
