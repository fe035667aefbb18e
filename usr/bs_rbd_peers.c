// SPDX-License-Identifier: GPL-2.0-only
/*
 * bs_rbd: the channel between the gateways serving an image.
 *
 * Each LU serving an image with a gateway number watches the image's
 * registry object (bs_rbd_gateway.c).  A LU with news that every I_T
 * nexus of the device must hear, on every gateway, notifies the object
 * (rados_aio_notify: the main loop does not wait); RADOS hands the
 * message to every watch, the sender's own included, and answers the
 * sender once all acknowledged or BS_RBD_PEERS_WAIT_MS passed.  A watcher
 * acknowledges only after its main loop acted on the message, so a sender
 * that waits for the answer knows every gateway has.  The acknowledgement
 * does not wait for the OSD either (librados sends it and returns).
 *
 * The watch is set up and taken down on a worker (rados_watch3 and
 * rados_unwatch2 wait for the OSD).  librados calls back on its own
 * threads; our state outlives the LU until the watch is gone, its
 * callbacks flushed and every message handled.  A watch the OSDs drop
 * (a reconnection, the watch timing out) is set up again; one that cannot
 * be is tried again every RETRY_S.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "list.h"
#include "tgtd.h"
#include "target.h"
#include "work.h"

#include "bs_rbd_conn.h"
#include "bs_rbd_gateway.h"
#include "bs_rbd_image.h"
#include "bs_rbd_lu.h"
#include "bs_rbd_peers.h"
#include "bs_rbd_worker.h"

#define RETRY_S 5

struct bs_rbd_peers {
	struct bs_rbd_work work;   /* (un)watch on a worker ... */
	struct bs_rbd_done worked; /* ... and its end on the main loop */
	struct bs_rbd_done lost;   /* librados: the watch is gone */
	struct tgt_work retry;
	struct bs_rbd_lu *rlu;	  /* NULL once the LU let go of us */
	struct bs_rbd_image *img; /* held: its registry object is watched */
	bs_rbd_peers_fn fn;
	bs_rbd_peers_up_fn up;
	char oid[BS_RBD_GATEWAY_OID_LEN];
	uint64_t cookie; /* the watch, while watching */
	/* the worker's while busy, else the main loop's */
	int watching, stopping, flushed;
	int busy;	   /* main loop: the worker has us */
	int again;	   /* main loop: watch again once the worker is done */
	int told;	   /* main loop: a failure to watch was logged */
	int lost_queued;   /* atomic: lost is queued */
	int others;	   /* atomic: another client sent us a message */
	int lost_err;	   /* atomic: why the watch was lost */
	uint64_t gid;	   /* our client's, as RADOS names a sender */
	unsigned int msgs; /* atomic: messages not handled yet */
};

/* A message received, on its way to the main loop */
struct bs_rbd_peers_msg {
	struct bs_rbd_done done;
	struct bs_rbd_peers *p;
	uint64_t notify_id, cookie;
	size_t len;
	char data[];
};

/* A message sent, waiting for the acknowledgements */
struct peers_send {
	struct bs_rbd_done sent;
	struct bs_rbd_done *done; /* NULL once told (the deadline passed) */
	struct bs_rbd_peers_reply *out; /* the sender's copy, or NULL */
	struct tgt_work deadline;
	struct bs_rbd_image *img; /* held: its ioctx sends */
	rados_completion_t comp;
	char *reply;
	size_t reply_len;
};

static rados_ioctx_t io_of(const struct bs_rbd_peers *p)
{
	return bs_rbd_pool_ioctx(p->img->pool);
}

static void free_if_idle(struct bs_rbd_peers *p)
{
	if (p->rlu || p->busy || !p->flushed ||
	    __atomic_load_n(&p->msgs, __ATOMIC_SEQ_CST) ||
	    __atomic_load_n(&p->lost_queued, __ATOMIC_SEQ_CST))
		return;
	bs_rbd_image_put(p->img);
	free(p);
}

/* librados sends the acknowledgement without waiting for the OSD. */
void bs_rbd_peers_ack(struct bs_rbd_peers_msg *m)
{
	struct bs_rbd_peers *p = m->p;

	rados_notify_ack(io_of(p), p->oid, m->notify_id, m->cookie, NULL, 0);
	free(m);
	__atomic_sub_fetch(&p->msgs, 1, __ATOMIC_SEQ_CST);
	free_if_idle(p);
}

/* Main loop: act on the message; acknowledge it now or once acted on. */
static void handle_msg(struct bs_rbd_done *done)
{
	struct bs_rbd_peers_msg *m =
		container_of(done, struct bs_rbd_peers_msg, done);
	struct bs_rbd_peers *p = m->p;
	struct bs_rbd_event ev;

	/* not ours (another version's, anyone's): acknowledged unread */
	if (p->rlu && !bs_rbd_event_parse(m->data, m->len, &ev) &&
	    p->fn(p->rlu, &ev, m))
		return;
	bs_rbd_peers_ack(m);
}

/* librados' thread */
static void on_notify(void *arg, uint64_t notify_id, uint64_t cookie,
		      uint64_t notifier, void *data, size_t len)
{
	struct bs_rbd_peers *p = arg;
	struct bs_rbd_peers_msg *m;

	if (notifier != p->gid)
		__atomic_store_n(&p->others, 1, __ATOMIC_SEQ_CST);
	if (len > BS_RBD_EVENT_MAX)
		len = 0; /* too long to be one: acknowledged unread */
	m = malloc(sizeof(*m) + len);
	if (!m)
		return; /* the sender stops waiting at its timeout */
	m->done.fn = handle_msg;
	m->p = p;
	m->notify_id = notify_id;
	m->cookie = cookie;
	m->len = len;
	if (len)
		memcpy(m->data, data, len);
	__atomic_add_fetch(&p->msgs, 1, __ATOMIC_SEQ_CST);
	bs_rbd_done_push(&m->done);
}

/* librados' thread: the watch is gone (the OSDs lost it) */
static void on_error(void *arg, uint64_t cookie, int err)
{
	struct bs_rbd_peers *p = arg;

	(void)cookie;
	__atomic_store_n(&p->lost_err, err < 0 ? err : -ENOTCONN,
			 __ATOMIC_SEQ_CST);
	if (!__atomic_exchange_n(&p->lost_queued, 1, __ATOMIC_SEQ_CST))
		bs_rbd_done_push(&p->lost);
}

/* Worker: end the old watch; then watch again, or stop for good. */
static void peers_work(struct bs_rbd_work *work)
{
	struct bs_rbd_peers *p = container_of(work, struct bs_rbd_peers, work);
	rados_ioctx_t io = io_of(p);
	int ret = 0;

	if (p->watching)
		rados_unwatch2(io, p->cookie); /* fails only if already gone */
	p->watching = 0;
	if (p->stopping) {
		/* no callback of ours runs or is queued past this */
		rados_watch_flush(
			bs_rbd_conn_rados(bs_rbd_pool_conn(p->img->pool)));
		p->flushed = 1;
	} else {
		ret = rados_watch3(io, p->oid, &p->cookie, on_notify, on_error,
				   0, p);
		p->watching = !ret;
	}
	p->worked.ret = ret;
	bs_rbd_done_push(&p->worked);
}

/* tgt's timer list takes a work once: re-arming moves it */
static void retry_in(struct bs_rbd_peers *p, unsigned int s)
{
	del_work(&p->retry);
	add_work(&p->retry, s);
}

static void queue(struct bs_rbd_peers *p)
{
	del_work(&p->retry);
	p->busy = 1;
	p->again = 0;
	if (!bs_rbd_worker_queue(&p->work))
		return;
	p->busy = 0;
	retry_in(p, RETRY_S);
}

static void watch_failed(struct bs_rbd_peers *p, int err)
{
	if (!p->told)
		rbd_log(p->rlu,
			"cannot watch %s (%s): this gateway does not hear "
			"the others (LUN resets, reservation changes); "
			"trying again every %d s",
			p->oid, strerror(-err), RETRY_S);
	p->told = 1;
	retry_in(p, RETRY_S);
	p->up(p->rlu, err); /* last: it may stop us */
}

static void worked(struct bs_rbd_done *done)
{
	struct bs_rbd_peers *p =
		container_of(done, struct bs_rbd_peers, worked);

	p->busy = 0;
	if (!p->rlu) {
		p->stopping = 1;
		if (p->flushed)
			free_if_idle(p);
		else
			queue(p);
		return;
	}
	if (done->ret < 0) {
		watch_failed(p, (int)done->ret);
		return;
	}
	if (p->told)
		rbd_log(p->rlu, "watching %s again", p->oid);
	p->told = 0;
	if (p->again)
		queue(p);
	p->up(p->rlu, 0); /* last: it may stop us */
}

static void lost(struct bs_rbd_done *done)
{
	struct bs_rbd_peers *p = container_of(done, struct bs_rbd_peers, lost);

	__atomic_store_n(&p->lost_queued, 0, __ATOMIC_SEQ_CST);
	if (!p->rlu) {
		free_if_idle(p);
		return;
	}
	if (p->busy)
		p->again = 1;
	else
		queue(p);
	/* last: it may stop us */
	p->up(p->rlu, __atomic_load_n(&p->lost_err, __ATOMIC_SEQ_CST));
}

static void retry(void *arg)
{
	struct bs_rbd_peers *p = arg;

	if (!p->busy)
		queue(p);
}

int bs_rbd_peers_start(struct bs_rbd_lu *rlu, bs_rbd_peers_fn fn,
		       bs_rbd_peers_up_fn up)
{
	struct bs_rbd_peers *p = calloc(1, sizeof(*p));

	if (!p)
		return -ENOMEM;
	p->rlu = rlu;
	p->fn = fn;
	p->up = up;
	p->img = rlu->img;
	bs_rbd_image_hold(p->img);
	bs_rbd_gateway_oid(p->img->id, p->oid, sizeof(p->oid));
	p->gid = rados_get_instance_id(
		bs_rbd_conn_rados(bs_rbd_pool_conn(p->img->pool)));
	p->work.fn = peers_work;
	p->worked.fn = worked;
	p->lost.fn = lost;
	INIT_LIST_HEAD(&p->retry.entry);
	p->retry.func = retry;
	p->retry.data = p;
	rlu->peers = p;
	queue(p);
	return 0;
}

/* The watch ends on a worker; the state goes once nothing uses it. */
void bs_rbd_peers_stop(struct bs_rbd_lu *rlu)
{
	struct bs_rbd_peers *p = rlu->peers;

	if (!p)
		return;
	rlu->peers = NULL;
	p->rlu = NULL;
	del_work(&p->retry);
	if (p->busy)
		return; /* worked() goes on with the stop */
	p->stopping = 1;
	queue(p);
}

int bs_rbd_peers_others(const struct bs_rbd_lu *rlu)
{
	return rlu->peers &&
	       __atomic_load_n(&rlu->peers->others, __ATOMIC_SEQ_CST);
}

/* librados' thread */
static void sent_cb(rados_completion_t comp, void *arg)
{
	struct peers_send *s = arg;

	s->sent.ret = rados_aio_get_return_value(comp);
	bs_rbd_done_push(&s->sent);
}

static void tell_sender(struct peers_send *s, int ret)
{
	struct bs_rbd_done *done = s->done;

	s->done = NULL;
	done->ret = ret;
	done->fn(done);
}

/*
 * RADOS times a notify out only if the OSD answers at all: a stalled OSD
 * holds it for op_timeout.  The sender waits BS_RBD_PEERS_WAIT_MS at
 * most; the notify ends in the background.
 */
static void too_late(void *arg)
{
	tell_sender(arg, -ETIMEDOUT);
}

/* The sender asked for the reply (who answered): a copy of its own */
static void keep_reply(struct peers_send *s)
{
	if (!s->out || !s->reply || !s->reply_len)
		return;
	s->out->buf = malloc(s->reply_len);
	if (!s->out->buf)
		return;
	memcpy(s->out->buf, s->reply, s->reply_len);
	s->out->len = s->reply_len;
}

static void sent(struct bs_rbd_done *done)
{
	struct peers_send *s = container_of(done, struct peers_send, sent);

	rados_aio_release(s->comp);
	bs_rbd_image_put(s->img);
	if (s->done) {
		del_work(&s->deadline);
		keep_reply(s);
		tell_sender(s, (int)s->sent.ret);
	}
	if (s->reply)
		rados_buffer_free(s->reply);
	free(s);
}

int bs_rbd_peers_send(struct bs_rbd_lu *rlu, const struct bs_rbd_event *ev,
		      struct bs_rbd_done *done,
		      struct bs_rbd_peers_reply *reply)
{
	struct bs_rbd_peers *p = rlu->peers;
	char msg[BS_RBD_EVENT_MAX];
	struct peers_send *s;
	size_t len;
	int ret;

	if (!p)
		return -ENOTCONN;
	len = bs_rbd_event_format(ev, msg, sizeof(msg));
	if (!len)
		return -EINVAL;
	s = calloc(1, sizeof(*s));
	if (!s)
		return -ENOMEM;
	s->sent.fn = sent;
	s->done = done;
	s->out = reply;
	s->img = p->img;
	INIT_LIST_HEAD(&s->deadline.entry);
	s->deadline.func = too_late;
	s->deadline.data = s;
	ret = rados_aio_create_completion2(s, sent_cb, &s->comp);
	if (ret)
		goto out_free;
	ret = rados_aio_notify(io_of(p), p->oid, s->comp, msg, len,
			       BS_RBD_PEERS_WAIT_MS, &s->reply, &s->reply_len);
	if (ret)
		goto out_release;
	bs_rbd_image_hold(s->img);
	/* a second past RADOS' own timeout, which answers on time */
	add_work(&s->deadline, BS_RBD_PEERS_WAIT_MS / 1000 + 1);
	return 0;

out_release:
	rados_aio_release(s->comp);
out_free:
	free(s);
	return ret;
}
