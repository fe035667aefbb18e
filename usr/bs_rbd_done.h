/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * bs_rbd: the queue that carries work finished on librbd's and helper
 * threads back to tgtd's main loop (bs_rbd_done.c).
 */
#ifndef BS_RBD_DONE_H
#define BS_RBD_DONE_H

#include <sys/types.h>

#include <rbd/librbd.h>

/*
 * Work finished on another thread, to be completed on tgtd's main loop.
 * fn runs on the main loop with ret set by the thread that pushed it.
 */
struct bs_rbd_done {
	struct bs_rbd_done *next;
	void (*fn)(struct bs_rbd_done *done);
	ssize_t ret;
};

/* bs_rbd_done.c */
int bs_rbd_done_start(void);
void bs_rbd_done_push(struct bs_rbd_done *done);
void bs_rbd_done_aio_cb(rbd_completion_t comp, void *arg);
int bs_rbd_done_fd(void);

#endif
