/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * bs_rbd: the image header watch, which follows size changes
 * (bs_rbd_watch.c).
 */
#ifndef BS_RBD_WATCH_H
#define BS_RBD_WATCH_H

#include <stdint.h>

struct bs_rbd_lu;

/* Watch the LU's current image. */
int bs_rbd_watch_start(struct bs_rbd_lu *rlu);
void bs_rbd_watch_stop(struct bs_rbd_lu *rlu);
/* The image has this size now: tell the initiators if it changed. */
void bs_rbd_watch_size_is(struct bs_rbd_lu *rlu, uint64_t size);

#endif
