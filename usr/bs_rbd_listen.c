// SPDX-License-Identifier: GPL-2.0-only
/*
 * bs_rbd: what an LU follows of its image's other gateways.  The image's
 * channel (bs_rbd_peers.c) carries events of several kinds; each goes to
 * the part of the module it is about.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "list.h"
#include "tgtd.h"
#include "target.h"

#include "bs_rbd_event.h"
#include "bs_rbd_image.h"
#include "bs_rbd_listen.h"
#include "bs_rbd_lu.h"
#include "bs_rbd_peers.h"
#include "bs_rbd_reset.h"
#include "bs_rbd_resv.h"

static int heard(struct bs_rbd_lu *rlu, const struct bs_rbd_event *ev,
		 struct bs_rbd_peers_msg *msg)
{
	switch (ev->kind) {
	case BS_RBD_EVENT_RESET:
	case BS_RBD_EVENT_LOOK:
		return bs_rbd_reset_heard(rlu, ev, msg);
	case BS_RBD_EVENT_PR:
	case BS_RBD_EVENT_PR_LOOK:
		return bs_rbd_resv_heard(rlu, ev, msg);
	}
	return 0;
}

/*
 * Reservation changes may go unheard while the watch is down: the state
 * read before is not trusted, and is read again once the watch is up.  A
 * watch lost to a blocklist (another gateway fenced this one, 7.1 of
 * README.rbd) is a fence like any other: the LU moves to a new client.
 */
/* what a fenced LU does (bs_rbd_reopen_start), as every caller says */
static void (*fenced)(struct bs_rbd_lu *rlu);

static void watching(struct bs_rbd_lu *rlu, int err)
{
	if (!err) {
		bs_rbd_resv_load(rlu);
		return;
	}
	bs_rbd_resv_unload(rlu);
	if (err == -ESHUTDOWN && fenced)
		fenced(rlu);
}

int bs_rbd_listen_start(struct bs_rbd_lu *rlu,
			void (*on_fence)(struct bs_rbd_lu *rlu))
{
	int ret = 0;

	fenced = on_fence;
	/* registered: other gateways may know of this one */
	if (rlu->img->tpg_id)
		ret = bs_rbd_peers_start(rlu, heard, watching);
	if (ret)
		rbd_log(rlu,
			"cannot hear the image's other gateways (LUN resets, "
			"reservation changes): %s",
			strerror(-ret));
	bs_rbd_resv_load(rlu);
	return ret;
}

void bs_rbd_listen_stop(struct bs_rbd_lu *rlu)
{
	bs_rbd_peers_stop(rlu);
	bs_rbd_resv_unload(rlu);
}
