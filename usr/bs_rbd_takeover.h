/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * bs_rbd: taking an image over from a lock holder that does not hand it
 * over (bs_rbd_takeover.c).  Main loop only.
 */
#ifndef BS_RBD_TAKEOVER_H
#define BS_RBD_TAKEOVER_H

struct bs_rbd_lu;

/*
 * Once a second while commands are in flight: when the LU's oldest write
 * has waited its takeover= seconds, break the lock of the client holding
 * the image, if another does.
 */
void bs_rbd_takeover_check(struct bs_rbd_lu *rlu);
/* The LU goes: an attempt under way ends without it. */
void bs_rbd_takeover_cancel(struct bs_rbd_lu *rlu);

#endif
