// SPDX-License-Identifier: GPL-2.0-only
/*
 * bs_rbd: ALUA state changes, seen from one gateway.
 *
 * The Active/Optimized group is the gateway holding the image's exclusive
 * lock (bs_rbd_gateway.c); librbd moves the lock without telling anyone
 * but the two clients involved.  So every OWNER_POLL_S seconds, while an
 * initiator is logged in to the LU, a worker asks who holds the lock (one
 * RADOS read).  When the holder changed, it works out this gateway's
 * state as REPORT TARGET PORT GROUPS would (three reads), and if that
 * state changed, every I_T nexus of the LU here gets the unit attention
 * ASYMMETRIC ACCESS STATE CHANGED (2A/06): initiators then ask REPORT
 * TARGET PORT GROUPS again.  Each gateway does the same for its own
 * nexuses.  Not seen: which group is Active/Optimized while nobody holds
 * the lock (the lowest number) changing because a gateway joined or left.
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

#include "bs_rbd_alua.h"
#include "bs_rbd_conn.h"
#include "bs_rbd_done.h"
#include "bs_rbd_gateway.h"
#include "bs_rbd_image.h"
#include "bs_rbd_lu.h"
#include "bs_rbd_owner.h"
#include "bs_rbd_worker.h"

#define OWNER_POLL_S 2
/* questions out at once, of all LUs: the other workers stay free for
 * takeovers, reopens and commands when the cluster is slow to answer;
 * the others wait their turn, in order */
#define MAX_ASKING 1
#define ASC_ASYMMETRIC_ACCESS_STATE_CHANGED 0x2a06

static unsigned int asking;
static LIST_HEAD(waiting);

struct bs_rbd_owner {
	struct bs_rbd_work work;  /* the question, on a worker */
	struct bs_rbd_done done;  /* its answer, on the main loop */
	struct tgt_work tick;	  /* the next question */
	struct list_head turn;	  /* in waiting, or empty */
	struct bs_rbd_lu *rlu;	  /* NULL once the LU let go of us */
	struct bs_rbd_image *img; /* held while a question is out */
	int busy;
	uint8_t state; /* worker's answer: 0 holder unchanged, 1 AO, 2 ANO */
	char holder[BS_RBD_ADDR_LEN]; /* the worker's, "" none */
	char last[BS_RBD_ADDR_LEN];   /* the holder seen last time ... */
	int seen;		      /* ... if any was */
	uint8_t announced;	      /* the state last seen here, 0 none yet */
	struct bs_rbd_alua_port ports[BS_RBD_ALUA_MAX_PORTS];
};

/* Worker: this gateway's state, when the holder changed */
static void owner_work(struct bs_rbd_work *work)
{
	struct bs_rbd_owner *o = container_of(work, struct bs_rbd_owner, work);
	struct bs_rbd_image *img = o->img;
	int i, n;

	o->state = 0;
	o->done.ret = bs_rbd_gateway_lock_owner(img->image, o->holder,
						sizeof(o->holder));
	if (o->done.ret < 0 || (o->seen && !strcmp(o->holder, o->last)))
		goto out;
	n = bs_rbd_gateway_ports(bs_rbd_pool_ioctx(img->pool), img->image,
				 img->id, img->tpg_id, o->ports,
				 BS_RBD_ALUA_MAX_PORTS);
	o->done.ret = n < 0 ? n : 0;
	for (i = 0; i < n; i++)
		if (o->ports[i].id == img->tpg_id)
			o->state = o->ports[i].state == BS_RBD_ALUA_AO ? 1 : 2;
out:
	bs_rbd_done_push(&o->done);
}

/*
 * Compared with what this poll saw last, not with alua_seen: a REPORT
 * TARGET PORT GROUPS through this gateway has told one initiator, not
 * the others.
 */
static void state_is(struct bs_rbd_owner *o, uint8_t state)
{
	struct bs_rbd_lu *rlu = o->rlu;
	uint8_t was = o->announced;

	o->announced = state;
	rlu->alua_seen = state;
	if (!was || was == state)
		return;
	rbd_log(rlu, "this gateway's group is now %s",
		state == 1 ? "active/optimized" : "active/non-optimized");
	bs_rbd_lu_ua(rlu, ASC_ASYMMETRIC_ACCESS_STATE_CHANGED);
}

/* Ask again only while an initiator could be told, on a serving LU. */
static int worth_asking(const struct bs_rbd_lu *rlu)
{
	return rlu->state == BS_RBD_LU_OK && rlu->img && rlu->img->tpg_id &&
	       !list_empty(&rlu->lu->lu_itl_info_list);
}

static void ask(struct bs_rbd_owner *o)
{
	if (!worth_asking(o->rlu))
		return;
	o->img = o->rlu->img;
	bs_rbd_image_hold(o->img);
	o->busy = 1;
	asking++;
	if (!bs_rbd_worker_queue(&o->work))
		return;
	asking--;
	o->busy = 0;
	bs_rbd_image_put(o->img);
	o->img = NULL;
}

/* A question ended: the LU whose turn it is asks (one at most). */
static void next_turn(void)
{
	struct bs_rbd_owner *o;

	while (asking < MAX_ASKING && !list_empty(&waiting)) {
		o = list_first_entry(&waiting, struct bs_rbd_owner, turn);
		list_del_init(&o->turn);
		ask(o);
	}
}

static void owner_done(struct bs_rbd_done *done)
{
	struct bs_rbd_owner *o = container_of(done, struct bs_rbd_owner, done);
	struct bs_rbd_lu *rlu = o->rlu;

	o->busy = 0;
	asking--;
	if (rlu && !done->ret && o->state && o->img == rlu->img) {
		memcpy(o->last, o->holder, sizeof(o->last));
		o->seen = 1;
		state_is(o, o->state);
	}
	bs_rbd_image_put(o->img);
	o->img = NULL;
	if (!rlu)
		free(o);
	next_turn();
}

static void tick(void *arg)
{
	struct bs_rbd_owner *o = arg;

	add_work(&o->tick, OWNER_POLL_S);
	if (o->busy || !list_empty(&o->turn))
		return;
	if (asking < MAX_ASKING)
		ask(o);
	else
		list_add_tail(&o->turn, &waiting);
}

int bs_rbd_owner_start(struct bs_rbd_lu *rlu)
{
	struct bs_rbd_owner *o = calloc(1, sizeof(*o));

	if (!o)
		return -ENOMEM;
	o->rlu = rlu;
	o->work.fn = owner_work;
	o->done.fn = owner_done;
	INIT_LIST_HEAD(&o->tick.entry);
	INIT_LIST_HEAD(&o->turn);
	o->tick.func = tick;
	o->tick.data = o;
	rlu->owner = o;
	add_work(&o->tick, OWNER_POLL_S);
	return 0;
}

/* The LU goes: a question out frees the state when it is answered. */
void bs_rbd_owner_stop(struct bs_rbd_lu *rlu)
{
	struct bs_rbd_owner *o = rlu->owner;

	if (!o)
		return;
	del_work(&o->tick);
	list_del_init(&o->turn);
	rlu->owner = NULL;
	o->rlu = NULL;
	if (!o->busy)
		free(o);
}
