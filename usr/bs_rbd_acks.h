/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * bs_rbd: who answered a RADOS notify, read from the reply rados_notify2
 * hands back (its format is in librados.h).
 *
 * Pure code, unit-tested and fuzzed on its own.
 */
#ifndef BS_RBD_ACKS_H
#define BS_RBD_ACKS_H

#include <stddef.h>
#include <stdint.h>

/*
 * 1: the watch (gid, cookie) acknowledged the notify; 0: it timed out or
 * is not listed; -EINVAL: the reply is not well formed.
 */
int bs_rbd_acks_answered(const void *reply, size_t len, uint64_t gid,
			 uint64_t cookie);

/*
 * The clients (gids, each once, at most max) with a watch that did not
 * acknowledge the notify in time: how many, or -EINVAL for a reply that
 * is not well formed.
 */
int bs_rbd_acks_silent(const void *reply, size_t len, uint64_t *gids, int max);

#endif
