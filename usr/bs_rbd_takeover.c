// SPDX-License-Identifier: GPL-2.0-only
/*
 * bs_rbd: taking an image over from a gateway that does not hand it over.
 *
 * A write through a gateway that does not hold the image's exclusive lock
 * makes librbd ask the holder for it; a live holder lets go within
 * milliseconds, and nobody is fenced.  A frozen, dead or cut-off holder
 * never answers, and librbd breaks its lock only once the holder's watch
 * on the image has expired (osd_client_watch_timeout, 30 s by default).
 * So when the LU's oldest write has waited takeover= seconds, a worker
 * asks who holds the lock and whether that client is alive: a notify on
 * the image's header, which every watcher's librbd acknowledges at once
 * (as a header update).  A holder whose watch answers within
 * ALIVE_WAIT_MS is left alone: librbd asks it again.  One that does not
 * answer, or no longer watches the image, has its lock broken.
 * librbd then blocklists that client and waits for the OSD map that says
 * so before it removes the lock: none of the old holder's writes can land
 * after ours.  The OSDs drop the fenced client's watch, which ends our
 * pending lock request, and librbd takes the lock for the waiting write.
 * The fenced gateway comes back on a new client (bs_rbd_reopen.c).
 *
 * Two live gateways with initiators writing through both hand the lock to
 * and fro without fencing each other: librbd sometimes loses such a
 * request and asks again only 10 s later (client_notify_timeout), which
 * is why a slow handover alone is no reason to break a lock.  At most one
 * attempt per LU every takeover= seconds.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "list.h"
#include "tgtd.h"
#include "target.h"

#include "bs_rbd_acks.h"
#include "bs_rbd_conn.h"
#include "bs_rbd_done.h"
#include "bs_rbd_gateway.h"
#include "bs_rbd_image.h"
#include "bs_rbd_lu.h"
#include "bs_rbd_req.h"
#include "bs_rbd_sense.h"
#include "bs_rbd_takeover.h"
#include "bs_rbd_worker.h"

/* librados counts a notify's timeout in whole seconds */
#define ALIVE_WAIT_MS 1000
#define MAX_WATCHERS 64
#define HOLDER_ALIVE 1 /* an outcome: the holder answered, nothing done */
/* attempts out at once, of all LUs: workers stay free for the rest */
#define MAX_ATTEMPTS 2
/* a holder found dead is broken at once, without asking again, by the
 * other LUs it held (a gateway that dies holds many images) */
#define DEAD_KNOWN_US 10000000ull

static unsigned int attempts;
static char dead_holder[128];
static uint64_t dead_us;

struct bs_rbd_takeover {
	struct bs_rbd_work work;  /* who holds the lock, its break: a worker */
	struct bs_rbd_done done;  /* the outcome, on the main loop */
	struct bs_rbd_lu *rlu;	  /* NULL once the LU let go of us */
	struct bs_rbd_image *img; /* held */
	char owner[128];	  /* the holder's address, "" if none */
	char dead[128];		  /* a holder known not to answer, or "" */
	const char *why;	  /* why it is fenced */
};

/* The holder's watch on the image: 1 found, 0 it has none, or <0 */
static int holder_watch(struct bs_rbd_takeover *t, uint64_t *gid,
			uint64_t *cookie)
{
	rbd_image_watcher_t w[MAX_WATCHERS];
	size_t i, n = MAX_WATCHERS;
	int ret = rbd_watchers_list(t->img->image, w, &n);

	if (ret < 0)
		return ret;
	ret = 0;
	for (i = 0; i < n && !ret; i++) {
		if (!w[i].addr || strcmp(w[i].addr, t->owner))
			continue;
		*gid = (uint64_t)w[i].id;
		*cookie = w[i].cookie;
		ret = 1;
	}
	rbd_watchers_list_cleanup(w, n);
	return ret;
}

/* Does the holder answer?  1 yes, 0 no, or <0: cannot tell */
static int holder_alive(struct bs_rbd_takeover *t)
{
	rados_ioctx_t io = bs_rbd_pool_ioctx(t->img->pool);
	uint64_t gid = 0, cookie = 0;
	char oid[96], *reply = NULL;
	size_t len = 0;
	int ret;

	t->why = "does not answer";
	if (!strcmp(t->owner, t->dead))
		return 0;
	ret = holder_watch(t, &gid, &cookie);
	t->why = "no longer watches the image";
	if (ret <= 0)
		return ret;
	ret = bs_rbd_image_header_oid(t->img, oid, sizeof(oid));
	if (ret < 0)
		return ret;
	/* an empty payload: librbd takes it for a header update and acks */
	ret = rados_notify2(io, oid, "", 0, ALIVE_WAIT_MS, &reply, &len);
	if (!reply)
		return ret < 0 ? ret : -EIO;
	ret = bs_rbd_acks_answered(reply, len, gid, cookie);
	rados_buffer_free(reply);
	t->why = "does not answer";
	return ret;
}

/* This very client holds the lock: librbd keeps it, nothing to break */
static int holder_is_us(const struct bs_rbd_takeover *t)
{
	rados_ioctx_t io = bs_rbd_pool_ioctx(t->img->pool);
	char *addr;
	int us;

	if (rados_getaddrs(rados_ioctx_get_cluster(io), &addr) < 0)
		return 0;
	us = !strcmp(addr, t->owner);
	rados_buffer_free(addr);
	return us;
}

/* Worker: each call waits for the cluster (bounded by op_timeout). */
static void takeover_work(struct bs_rbd_work *work)
{
	struct bs_rbd_takeover *t =
		container_of(work, struct bs_rbd_takeover, work);
	int ret;

	ret = bs_rbd_gateway_lock_owner(t->img->image, t->owner,
					sizeof(t->owner));
	if (!ret && holder_is_us(t))
		*t->owner = 0;
	if (!ret && *t->owner)
		ret = holder_alive(t);
	if (ret > 0)
		ret = HOLDER_ALIVE;
	/* librbd refuses to break our own lock (EBUSY), or to fence us */
	else if (!ret && *t->owner)
		ret = rbd_lock_break(t->img->image, RBD_LOCK_MODE_EXCLUSIVE,
				     t->owner);
	t->done.ret = ret;
	bs_rbd_done_push(&t->done);
}

static void report(struct bs_rbd_lu *rlu, const struct bs_rbd_takeover *t,
		   int ret)
{
	/* once while the same holder keeps answering */
	if (ret == HOLDER_ALIVE && !rlu->takeover_told)
		rbd_log(rlu,
			"a write waited %u s for the image's lock; its holder "
			"%s answers, so it is not fenced",
			rlu->opts.takeover, t->owner);
	rlu->takeover_told = ret == HOLDER_ALIVE;
	if (!ret && *t->owner) {
		rbd_log(rlu,
			"the image's lock holder %s did not hand it over "
			"within %u s and %s: its lock is broken and it is "
			"blocklisted",
			t->owner, rlu->opts.takeover, t->why);
		memcpy(dead_holder, t->owner, sizeof(dead_holder));
		dead_us = bs_rbd_now_us();
	}
	/* the lock changed hands meanwhile (EBUSY, EAGAIN), or was released
	 * (ENOENT): librbd takes it */
	else if (ret < 0 && ret != -EBUSY && ret != -EAGAIN && ret != -ENOENT)
		rbd_log(rlu, "cannot take the image over from %s: %s",
			*t->owner ? t->owner : "the image's holder",
			strerror(-ret));
}

static void takeover_done(struct bs_rbd_done *done)
{
	struct bs_rbd_takeover *t =
		container_of(done, struct bs_rbd_takeover, done);

	attempts--;
	if (t->rlu) {
		t->rlu->takeover = NULL;
		report(t->rlu, t, (int)done->ret);
	}
	bs_rbd_image_put(t->img);
	free(t);
}

/* The oldest command that needs the image's lock, or NULL */
static struct bs_rbd_req *oldest_write(struct bs_rbd_lu *rlu)
{
	struct bs_rbd_req *req;

	list_for_each_entry(req, &rlu->inflight_reqs, inflight_entry)
	{
		if (req->dir == BS_RBD_DIR_WRITE)
			return req;
	}
	return NULL;
}

static int due(struct bs_rbd_lu *rlu, uint64_t now)
{
	uint64_t wait = rlu->opts.takeover * 1000000ull;
	struct bs_rbd_req *req;

	/* a snapshot has no lock */
	if (!wait || rlu->takeover || rlu->state != BS_RBD_LU_OK ||
	    rlu->path.snap || attempts >= MAX_ATTEMPTS)
		return 0;
	if (rlu->takeover_us && now - rlu->takeover_us < wait)
		return 0;
	req = oldest_write(rlu);
	return req && req->img == rlu->img && now - req->t0 >= wait;
}

void bs_rbd_takeover_check(struct bs_rbd_lu *rlu)
{
	uint64_t now = bs_rbd_now_us();
	struct bs_rbd_takeover *t;

	if (!due(rlu, now))
		return;
	t = calloc(1, sizeof(*t));
	if (!t)
		return;
	t->rlu = rlu;
	t->img = rlu->img;
	bs_rbd_image_hold(t->img);
	t->work.fn = takeover_work;
	t->done.fn = takeover_done;
	if (now - dead_us < DEAD_KNOWN_US)
		memcpy(t->dead, dead_holder, sizeof(t->dead));
	if (bs_rbd_worker_queue(&t->work)) {
		bs_rbd_image_put(t->img);
		free(t);
		return;
	}
	attempts++;
	rlu->takeover = t;
	rlu->takeover_us = now;
}

void bs_rbd_takeover_cancel(struct bs_rbd_lu *rlu)
{
	if (!rlu->takeover)
		return;
	rlu->takeover->rlu = NULL;
	rlu->takeover = NULL;
}
