// SPDX-License-Identifier: GPL-2.0-only
/*
 * bs_rbd: a LUN RESET through one gateway, heard on every gateway.
 *
 * tgt's core handles task management itself and tells no backing store:
 * a LOGICAL UNIT RESET queues POWER ON, RESET (29/00) on the LU's I_T
 * nexuses of this tgtd only, and clears each one's PREVENT ALLOW MEDIUM
 * REMOVAL state (it_nexus_lu_info.prevent).  An image served by several
 * gateways is one device, and SAM wants the unit attention on all of its
 * nexuses.  So we mark each nexus of the LU with a bit of `prevent` tgt
 * does not use (BS_RBD_RESET_MARK); a nexus that had the mark and lost it
 * went through a reset (bs_rbd.c's PREVENT ALLOW MEDIUM REMOVAL keeps the
 * mark).  A gateway that finds a reset tells the others through the
 * image's channel (bs_rbd_peers.h); they queue 29/00 on their nexuses.
 *
 * Nothing runs here when tgt resets the LU: a reset is found at the next
 * look.  We look every TICK_S while a nexus exists, and at each TEST
 * UNIT READY, which is what an initiator sends after a reset, and which
 * first asks every gateway to look (a "look" event, answered once any
 * reset found has been told), so that a TEST UNIT READY on any path after
 * a reset on another reports the unit attention.  Such a TEST UNIT READY
 * waits for the other gateways, BS_RBD_PEERS_WAIT_MS at most.  Commands
 * in flight on the other gateways are not aborted: they complete.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>
#include <unistd.h>

#include "list.h"
#include "tgtd.h"
#include "scsi.h"
#include "target.h"
#include "work.h"

#include "bs_rbd_event.h"
#include "bs_rbd_image.h"
#include "bs_rbd_lu.h"
#include "bs_rbd_peers.h"
#include "bs_rbd_req.h"
#include "bs_rbd_reset.h"
#include "bs_rbd_sense.h"

#define TICK_S 2

struct bs_rbd_reset {
	struct tgt_work tick;
	struct bs_rbd_lu *rlu;
	uint64_t token; /* names this LU's messages */
	uint64_t *ids;	/* the nexuses marked at the last look */
	unsigned int n, cap;
};

/* What a held TEST UNIT READY waits for (req->stage) */
enum { TUR_ASKED = 1, TUR_TOLD };

/* A reset told without a command waiting for it */
struct telling {
	struct bs_rbd_done done;
	int tid;
	uint64_t lun;
	struct bs_rbd_peers_msg *msg; /* to acknowledge once told, or NULL */
};

static int marked_before(const struct bs_rbd_reset *r, uint64_t id)
{
	unsigned int i;

	for (i = 0; i < r->n; i++)
		if (r->ids[i] == id)
			return 1;
	return 0;
}

static int room_for(struct bs_rbd_reset *r, unsigned int n)
{
	uint64_t *ids;

	if (n <= r->cap)
		return 0;
	ids = realloc(r->ids, n * sizeof(*ids));
	if (!ids)
		return -ENOMEM;
	r->ids = ids;
	r->cap = n;
	return 0;
}

/* Mark every nexus; 1 when one we had marked lost the mark (a reset). */
static int look(struct bs_rbd_reset *r)
{
	struct list_head *nexuses = &r->rlu->lu->lu_itl_info_list;
	struct it_nexus_lu_info *itn_lu;
	unsigned int n = 0;
	int reset = 0;

	list_for_each_entry(itn_lu, nexuses, lu_itl_info_siblings)
	{
		if (!(itn_lu->prevent & BS_RBD_RESET_MARK) &&
		    marked_before(r, itn_lu->itn_id))
			reset = 1;
		n++;
	}
	r->n = 0;
	/* out of memory: nothing marked, a reset until the next look missed */
	if (room_for(r, n))
		return reset;
	list_for_each_entry(itn_lu, nexuses, lu_itl_info_siblings)
	{
		itn_lu->prevent |= BS_RBD_RESET_MARK;
		r->ids[r->n++] = itn_lu->itn_id;
	}
	return reset;
}

static void log_told(int tid, uint64_t lun, int ret)
{
	if (ret < 0)
		eprintf("rbd: tid:%d lun:%" PRIu64 " a LUN reset: not every "
			"gateway of the image acknowledged it (%s): their "
			"initiators may not get the unit attention\n",
			tid, lun, strerror(-ret));
}

static void told(struct bs_rbd_done *done)
{
	struct telling *t = container_of(done, struct telling, done);

	log_told(t->tid, t->lun, (int)done->ret);
	if (t->msg)
		bs_rbd_peers_ack(t->msg);
	free(t);
}

/* Tell the other gateways; done, if not NULL, when they acknowledged. */
static int tell(struct bs_rbd_lu *rlu, struct bs_rbd_done *done)
{
	struct bs_rbd_event ev = { BS_RBD_EVENT_RESET, rlu->reset->token, "" };
	struct telling *t = NULL;
	int ret;

	rbd_log(rlu, "a LUN reset: telling the image's other gateways");
	snprintf(ev.ident, sizeof(ev.ident), "%s", rlu->img->ident);
	if (!done) {
		t = calloc(1, sizeof(*t));
		if (!t)
			return -ENOMEM;
		t->done.fn = told;
		t->tid = rlu->lu->tgt->tid;
		t->lun = rlu->lu->lun;
		done = &t->done;
	}
	ret = bs_rbd_peers_send(rlu, &ev, done);
	if (ret) {
		log_told(rlu->lu->tgt->tid, rlu->lu->lun, ret);
		free(t);
	}
	return ret;
}

/* Ask every gateway to look for a reset, and tell of any it finds. */
static int ask(struct bs_rbd_lu *rlu, struct bs_rbd_done *done)
{
	struct bs_rbd_event ev = { BS_RBD_EVENT_LOOK, rlu->reset->token, "" };

	snprintf(ev.ident, sizeof(ev.ident), "%s", rlu->img->ident);
	return bs_rbd_peers_send(rlu, &ev, done);
}

/*
 * The held TEST UNIT READY ends, with the unit attention a reset heard
 * meanwhile queued on its nexus, or GOOD.
 */
static void tur_done(struct bs_rbd_done *done)
{
	struct bs_rbd_req *req = bs_rbd_to_req(done);
	struct scsi_lu *lu = req->rlu->lu;

	if (req->stage == TUR_TOLD)
		log_told(lu->tgt->tid, lu->lun, (int)done->ret);
	if (ua_sense_del(req->cmd, 1)) {
		bs_rbd_req_complete(req, SAM_STAT_GOOD);
		return;
	}
	req->skey = UNIT_ATTENTION;
	bs_rbd_req_complete(req, SAM_STAT_CHECK_CONDITION);
}

int bs_rbd_reset_tur(struct bs_rbd_lu *rlu, struct scsi_cmd *cmd, int status)
{
	struct bs_rbd_req *req;
	int reset, ret;

	if (!rlu->reset || !rlu->peers || !rlu->img)
		return 0;
	reset = look(rlu->reset);
	req = status == SAM_STAT_GOOD
		      ? bs_rbd_req_get(rlu, cmd, 0, 0, BS_RBD_DIR_READ)
		      : NULL;
	if (!req) {
		if (reset)
			tell(rlu, NULL);
		return 0;
	}
	bs_rbd_req_start(req, tur_done);
	req->no_abandon = 1; /* it ends within BS_RBD_PEERS_WAIT_MS */
	req->stage = reset ? TUR_TOLD : TUR_ASKED;
	ret = reset ? tell(rlu, &req->done) : ask(rlu, &req->done);
	if (ret)
		bs_rbd_req_defer(req, 0);
	return 1;
}

static void tick(void *arg)
{
	struct bs_rbd_reset *r = arg;

	add_work(&r->tick, TICK_S);
	if (list_empty(&r->rlu->lu->lu_itl_info_list))
		r->n = 0;
	else if (look(r) && r->rlu->peers && r->rlu->img)
		tell(r->rlu, NULL);
}

/* Another gateway asks: tell of a reset here, then acknowledge. */
static int look_asked(struct bs_rbd_lu *rlu, struct bs_rbd_peers_msg *msg)
{
	struct telling *t;

	if (!look(rlu->reset))
		return 0;
	t = calloc(1, sizeof(*t));
	if (!t)
		return 0;
	t->done.fn = told;
	t->tid = rlu->lu->tgt->tid;
	t->lun = rlu->lu->lun;
	t->msg = msg;
	if (!tell(rlu, &t->done))
		return 1;
	free(t);
	return 0;
}

static void reset_heard(struct bs_rbd_lu *rlu)
{
	struct it_nexus_lu_info *itn_lu;

	rbd_log(rlu, "a LUN reset through another gateway: unit attention "
		     "for every initiator here");
	/* a reset ends PREVENT MEDIUM REMOVAL, as tgt's own does; the mark
	 * stays: this is not a reset to tell the others about */
	list_for_each_entry(itn_lu, &rlu->lu->lu_itl_info_list,
			    lu_itl_info_siblings) itn_lu->prevent &=
		~PREVENT_MASK;
	bs_rbd_lu_ua(rlu, ASC_POWERON_RESET);
}

static int heard(struct bs_rbd_lu *rlu, const struct bs_rbd_event *ev,
		 struct bs_rbd_peers_msg *msg)
{
	/* our own message, or about another device (a snapshot) */
	if (!rlu->reset || ev->from == rlu->reset->token || !rlu->img ||
	    strcmp(ev->ident, rlu->img->ident))
		return 0;
	if (ev->kind == BS_RBD_EVENT_LOOK)
		return look_asked(rlu, msg);
	if (ev->kind == BS_RBD_EVENT_RESET)
		reset_heard(rlu);
	return 0;
}

int bs_rbd_reset_listen(struct bs_rbd_lu *rlu)
{
	int ret;

	if (!rlu->img->tpg_id)
		return 0; /* not registered: no other gateway knows of us */
	ret = bs_rbd_peers_start(rlu, heard);
	if (ret)
		rbd_log(rlu, "cannot hear the other gateways' LUN resets: %s",
			strerror(-ret));
	return ret;
}

int bs_rbd_reset_start(struct bs_rbd_lu *rlu)
{
	struct bs_rbd_reset *r = calloc(1, sizeof(*r));

	if (!r)
		return -ENOMEM;
	if (getrandom(&r->token, sizeof(r->token), GRND_NONBLOCK) !=
	    sizeof(r->token))
		r->token = (uint64_t)time(NULL) << 32 ^ (uint64_t)getpid() ^
			   (uint64_t)(uintptr_t)r;
	r->rlu = rlu;
	INIT_LIST_HEAD(&r->tick.entry);
	r->tick.func = tick;
	r->tick.data = r;
	rlu->reset = r;
	add_work(&r->tick, TICK_S);
	return 0;
}

void bs_rbd_reset_stop(struct bs_rbd_lu *rlu)
{
	struct bs_rbd_reset *r = rlu->reset;

	if (!r)
		return;
	del_work(&r->tick);
	rlu->reset = NULL;
	free(r->ids);
	free(r);
}
