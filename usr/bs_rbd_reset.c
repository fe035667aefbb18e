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
 * Nothing runs here when tgt resets the LU, and tgt itself answers the
 * next command of the nexus that was reset (with the unit attention): a
 * reset is found at the next look.  We look every TICK_S while a nexus
 * exists, at each TEST UNIT READY we are given, and when another gateway
 * asks us to (a "look" event, answered once every reset found has been
 * told).  A TEST UNIT READY asks every gateway to look, and waits for
 * their answers (BS_RBD_PEERS_WAIT_MS at most), so that after a reset
 * through one path a TEST UNIT READY on any other reports the unit
 * attention.  One look per LU is out at a time; TEST UNIT READYs that
 * arrive meanwhile wait for the next.  Commands in flight on the other
 * gateways are not aborted: they complete.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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
	uint64_t *ids; /* the nexuses marked at the last look */
	unsigned int n, cap;
	int untold;		   /* a reset was found, not told yet */
	struct list_head tellings; /* our tells in flight */
	struct list_head looks;	   /* others' looks waiting for them */
	struct bs_rbd_done asked;  /* our look, while TURs wait for it */
	int asking;		   /* it is out */
	struct list_head turs;	   /* TEST UNIT READYs it answers */
	struct list_head next;	   /* ... and those for the next one */
};

/* A tell in flight; then, when it ends, or NULL */
struct telling {
	struct bs_rbd_done done;
	struct list_head entry; /* in r->tellings */
	struct bs_rbd_reset *r;
	struct bs_rbd_done *then;
	int tid;
	uint64_t lun;
};

/* A look or a TEST UNIT READY waiting */
struct waiter {
	struct list_head entry;
	void *what; /* struct bs_rbd_peers_msg or struct bs_rbd_req */
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

/*
 * Mark every nexus; a nexus we had marked that lost the mark went
 * through a reset: r->untold until it is told.
 */
static void look(struct bs_rbd_reset *r)
{
	struct list_head *nexuses = &r->rlu->lu->lu_itl_info_list;
	struct it_nexus_lu_info *itn_lu;
	unsigned int n = 0;

	list_for_each_entry(itn_lu, nexuses, lu_itl_info_siblings)
	{
		if (!(itn_lu->prevent & BS_RBD_RESET_MARK) &&
		    marked_before(r, itn_lu->itn_id))
			r->untold = 1;
		n++;
	}
	r->n = 0;
	/* out of memory: nothing marked, a reset until the next look missed */
	if (room_for(r, n))
		return;
	list_for_each_entry(itn_lu, nexuses, lu_itl_info_siblings)
	{
		itn_lu->prevent |= BS_RBD_RESET_MARK;
		r->ids[r->n++] = itn_lu->itn_id;
	}
}

static int waiter_add(struct list_head *list, void *what)
{
	struct waiter *w = malloc(sizeof(*w));

	if (!w)
		return -ENOMEM;
	w->what = what;
	list_add_tail(&w->entry, list);
	return 0;
}

/* Take the first waiter's what off list; NULL when empty. */
static void *waiter_take(struct list_head *list)
{
	struct waiter *w;
	void *what;

	if (list_empty(list))
		return NULL;
	w = list_first_entry(list, struct waiter, entry);
	list_del(&w->entry);
	what = w->what;
	free(w);
	return what;
}

static void ack_looks(struct bs_rbd_reset *r)
{
	struct bs_rbd_peers_msg *msg;

	while ((msg = waiter_take(&r->looks)))
		bs_rbd_peers_ack(msg);
}

static void reset_free_if_idle(struct bs_rbd_reset *r)
{
	if (r->rlu || r->asking || !list_empty(&r->tellings))
		return;
	free(r->ids);
	free(r);
}

static void told(struct bs_rbd_done *done)
{
	struct telling *t = container_of(done, struct telling, done);
	struct bs_rbd_reset *r = t->r;
	int ret = (int)done->ret;

	if (ret < 0)
		eprintf("rbd: tid:%d lun:%" PRIu64 " a LUN reset: not every "
			"gateway of the image acknowledged it (%s): their "
			"initiators may not get the unit attention\n",
			t->tid, t->lun, strerror(-ret));
	list_del(&t->entry);
	/* not sent at all (fenced?): again at the next look */
	if (ret < 0 && ret != -ETIMEDOUT && r->rlu)
		r->untold = 1;
	if (list_empty(&r->tellings))
		ack_looks(r);
	if (t->then) {
		t->then->ret = ret;
		t->then->fn(t->then);
	}
	free(t);
	reset_free_if_idle(r);
}

/* Tell the other gateways of the reset found; then, if not NULL, after. */
static int tell(struct bs_rbd_lu *rlu, struct bs_rbd_done *then)
{
	struct bs_rbd_event ev = { BS_RBD_EVENT_RESET, rlu->token, "" };
	struct telling *t = calloc(1, sizeof(*t));
	int ret;

	if (!t)
		return -ENOMEM;
	t->done.fn = told;
	t->r = rlu->reset;
	t->then = then;
	t->tid = rlu->lu->tgt->tid;
	t->lun = rlu->lu->lun;
	snprintf(ev.ident, sizeof(ev.ident), "%s", rlu->img->ident);
	ret = bs_rbd_peers_send(rlu, &ev, &t->done, NULL);
	if (ret) {
		free(t);
		return ret;
	}
	rbd_log(rlu, "a LUN reset: telling the image's other gateways");
	rlu->reset->untold = 0;
	list_add_tail(&t->entry, &rlu->reset->tellings);
	return 0;
}

/* Ask every gateway to look for a reset, and to tell of any it finds. */
static int ask(struct bs_rbd_reset *r)
{
	struct bs_rbd_event ev = { BS_RBD_EVENT_LOOK, r->rlu->token, "" };
	int ret;

	snprintf(ev.ident, sizeof(ev.ident), "%s", r->rlu->img->ident);
	ret = bs_rbd_peers_send(r->rlu, &ev, &r->asked, NULL);
	r->asking = !ret;
	return ret;
}

/*
 * A held TEST UNIT READY ends: with a unit attention queued on its nexus
 * meanwhile (a reset heard), NOT READY if the LU may no longer serve, or
 * GOOD.
 */
static void tur_end(struct bs_rbd_req *req)
{
	uint16_t asc;
	uint8_t key;

	if (!ua_sense_del(req->cmd, 1)) {
		req->skey = UNIT_ATTENTION;
		bs_rbd_req_complete(req, SAM_STAT_CHECK_CONDITION);
	} else if (bs_rbd_lu_admit(req->rlu, &key, &asc)) {
		bs_rbd_req_sense(req, key, asc);
	} else {
		bs_rbd_req_complete(req, SAM_STAT_GOOD);
	}
}

static void tur_waited(struct bs_rbd_done *done)
{
	tur_end(bs_rbd_to_req(done));
}

/* End them on the next main-loop pass (from within a command handler). */
static void turs_defer(struct list_head *turs)
{
	struct bs_rbd_req *req;

	while ((req = waiter_take(turs)))
		bs_rbd_req_defer(req, 0);
}

/* Our look ended: the TEST UNIT READYs it answers end; the next ask. */
static void looked(struct bs_rbd_done *done)
{
	struct bs_rbd_reset *r = container_of(done, struct bs_rbd_reset, asked);
	struct bs_rbd_req *req;

	r->asking = 0;
	if (!r->rlu) {
		reset_free_if_idle(r);
		return;
	}
	while ((req = waiter_take(&r->turs)))
		tur_end(req);
	list_splice_init(&r->next, &r->turs);
	if (!list_empty(&r->turs) && ask(r))
		while ((req = waiter_take(&r->turs)))
			tur_end(req);
}

/* Hold a GOOD TEST UNIT READY until the reset found is told, or until
 * every gateway has looked (after the look out now, if one is). */
static void tur_hold(struct bs_rbd_reset *r, struct bs_rbd_req *req)
{
	bs_rbd_req_start(req, tur_waited);
	req->no_abandon = 1; /* it ends within BS_RBD_PEERS_WAIT_MS */
	if (r->untold) {
		if (tell(r->rlu, &req->done))
			bs_rbd_req_defer(req, 0);
		return;
	}
	if (waiter_add(r->asking ? &r->next : &r->turs, req)) {
		bs_rbd_req_defer(req, 0);
		return;
	}
	if (!r->asking && ask(r))
		turs_defer(&r->turs);
}

int bs_rbd_reset_tur(struct bs_rbd_lu *rlu, struct scsi_cmd *cmd, int status)
{
	struct bs_rbd_reset *r = rlu->reset;
	struct bs_rbd_req *req = NULL;

	if (!r || !rlu->peers || !rlu->img)
		return 0;
	look(r);
	if (status == SAM_STAT_GOOD && (r->untold || bs_rbd_peers_others(rlu)))
		req = bs_rbd_req_get(rlu, cmd, 0, 0, BS_RBD_DIR_READ);
	if (req) {
		tur_hold(r, req);
		return 1;
	}
	/* alone as far as we know: ask anyway, so the others learn of us */
	if (r->untold)
		tell(rlu, NULL);
	else if (!r->asking)
		ask(r);
	return 0;
}

static void tick(void *arg)
{
	struct bs_rbd_reset *r = arg;
	struct bs_rbd_lu *rlu = r->rlu;

	add_work(&r->tick, TICK_S);
	if (list_empty(&rlu->lu->lu_itl_info_list))
		r->n = 0;
	else
		look(r);
	if (r->untold && rlu->peers && rlu->img)
		tell(rlu, NULL);
}

/* Another gateway asks: tell of a reset here, then acknowledge once every
 * tell of ours is done. */
static int look_asked(struct bs_rbd_lu *rlu, struct bs_rbd_peers_msg *msg)
{
	struct bs_rbd_reset *r = rlu->reset;

	look(r);
	if (r->untold)
		tell(rlu, NULL);
	if (list_empty(&r->tellings) || waiter_add(&r->looks, msg))
		return 0;
	return 1;
}

static void reset_heard(struct bs_rbd_lu *rlu)
{
	struct it_nexus_lu_info *itn_lu;

	rbd_log(rlu, "a LUN reset through another gateway: unit attention "
		     "for every initiator here");
	/* a reset ends PREVENT MEDIUM REMOVAL, as tgt's own does; the mark
	 * stays: this is not a reset to tell the others about */
	list_for_each_entry(itn_lu, &rlu->lu->lu_itl_info_list,
			    lu_itl_info_siblings)
	{
		itn_lu->prevent &= ~PREVENT_MASK;
	}
	bs_rbd_lu_ua(rlu, ASC_POWERON_RESET);
}

int bs_rbd_reset_heard(struct bs_rbd_lu *rlu, const struct bs_rbd_event *ev,
		       struct bs_rbd_peers_msg *msg)
{
	/* our own message, or about another device (a snapshot) */
	if (!rlu->reset || ev->from == rlu->token || !rlu->img ||
	    strcmp(ev->ident, rlu->img->ident))
		return 0;
	if (ev->kind == BS_RBD_EVENT_LOOK)
		return look_asked(rlu, msg);
	if (ev->kind == BS_RBD_EVENT_RESET)
		reset_heard(rlu);
	return 0;
}

int bs_rbd_reset_start(struct bs_rbd_lu *rlu)
{
	struct bs_rbd_reset *r = calloc(1, sizeof(*r));

	if (!r)
		return -ENOMEM;
	r->rlu = rlu;
	INIT_LIST_HEAD(&r->tellings);
	INIT_LIST_HEAD(&r->looks);
	INIT_LIST_HEAD(&r->turs);
	INIT_LIST_HEAD(&r->next);
	r->asked.fn = looked;
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
	r->rlu = NULL;
	ack_looks(r);
	/* tgt deletes no LU with commands in flight: no TUR waits here */
	reset_free_if_idle(r);
}
