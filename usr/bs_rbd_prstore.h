/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * bs_rbd: an image's persistent reservations, in RADOS next to the image
 * (bs_rbd_prstore.c).  Worker threads only: every call waits for the
 * cluster (bounded by op_timeout).
 */
#ifndef BS_RBD_PRSTORE_H
#define BS_RBD_PRSTORE_H

#include <stdint.h>

#include <rados/librados.h>

#include "bs_rbd_pr.h"

/*
 * The name of the device's reservation object: its identity (a snapshot
 * is another device), bs_rbd_ident.h
 */
#define BS_RBD_PRSTORE_OID_LEN 128
void bs_rbd_prstore_oid(const char *ident, char *oid, size_t len);

/* What a change asks of the gateways that did not make it */
struct bs_rbd_prstore_change {
	int nr_ua; /* unit attentions for their nexuses */
	struct bs_rbd_pr_ua ua[BS_RBD_PR_MAX_REGS];
	/* PREEMPT AND ABORT: the tasks of the nexuses whose registrations
	 * it preempted (those with REGISTRATIONS PREEMPTED) are aborted */
	int aborts;
};

/*
 * The device's state, its object's epoch and version (*epoch and *seq 0
 * when there is no object: the empty state), and what the change that
 * made it asks (ch).  0, or a negative errno (-EINVAL: the object holds
 * something that is not a state).
 */
int bs_rbd_prstore_read(rados_ioctx_t io, const char *ident,
			struct bs_rbd_pr_state *s, uint64_t *epoch,
			uint64_t *seq, struct bs_rbd_prstore_change *ch);
/*
 * Write s, and what the change asks, as version seq + 1 if the object is
 * still the one of epoch at version seq (seq 0: make the object, with
 * epoch, a random number not 0).  0, -ECANCELED when another gateway
 * wrote first, or a negative errno.
 */
int bs_rbd_prstore_write(rados_ioctx_t io, const char *ident,
			 const struct bs_rbd_pr_state *s, uint64_t epoch,
			 uint64_t seq, const struct bs_rbd_prstore_change *ch);

#endif
