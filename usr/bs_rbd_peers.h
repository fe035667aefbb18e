/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * bs_rbd: the channel between the gateways serving an image - a RADOS
 * watch on the image's gateway registry object (bs_rbd_gateway.h), over
 * which a gateway notifies events (bs_rbd_event.h) and every gateway's
 * LU on the image receives and acknowledges them (bs_rbd_peers.c).
 * Main loop only.
 */
#ifndef BS_RBD_PEERS_H
#define BS_RBD_PEERS_H

#include "bs_rbd_done.h"
#include "bs_rbd_event.h"

struct bs_rbd_lu;

/*
 * How long a sender waits for every gateway's acknowledgement (ms; RADOS
 * counts whole seconds): a TEST UNIT READY may wait that long while a
 * gateway is frozen, until the OSDs drop its watch.
 */
#define BS_RBD_PEERS_WAIT_MS 2000

/* A message received, until acknowledged */
struct bs_rbd_peers_msg;

/*
 * Called on the main loop for an event another LU (of any gateway, this
 * one included) sent about the LU's image.  0: acknowledge it when this
 * returns; 1: the callee calls bs_rbd_peers_ack(msg) later (main loop).
 */
typedef int (*bs_rbd_peers_fn)(struct bs_rbd_lu *rlu,
			       const struct bs_rbd_event *ev,
			       struct bs_rbd_peers_msg *msg);

void bs_rbd_peers_ack(struct bs_rbd_peers_msg *msg);

/*
 * Called on the main loop when the LU's watch is set up (err 0: from now
 * on, nothing sent is missed) or lost or not set up (err why, negative).
 * It may stop the channel (bs_rbd_peers_stop).
 */
typedef void (*bs_rbd_peers_up_fn)(struct bs_rbd_lu *rlu, int err);

/* Join the channel of the LU's current image (one with a gateway number). */
int bs_rbd_peers_start(struct bs_rbd_lu *rlu, bs_rbd_peers_fn fn,
		       bs_rbd_peers_up_fn up);
void bs_rbd_peers_stop(struct bs_rbd_lu *rlu);
/*
 * Has another client (another gateway) spoken on the channel since the
 * LU joined it?  Until one has, nobody waits for the others.
 */
int bs_rbd_peers_others(const struct bs_rbd_lu *rlu);

/* A notify's reply (bs_rbd_acks.h reads it): buf is the caller's to free */
struct bs_rbd_peers_reply {
	char *buf;
	size_t len;
};

/*
 * Tell every gateway of the LU's image.  done->fn runs on the main loop
 * with done->ret 0 once all acknowledged, -ETIMEDOUT when some did not
 * within BS_RBD_PEERS_WAIT_MS (whatever the OSD does), or another
 * negative errno; unless this returns a negative errno itself.  reply,
 * if not NULL (and zeroed), then holds the reply RADOS gave, if any.
 */
int bs_rbd_peers_send(struct bs_rbd_lu *rlu, const struct bs_rbd_event *ev,
		      struct bs_rbd_done *done,
		      struct bs_rbd_peers_reply *reply);

#endif
