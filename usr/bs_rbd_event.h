/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * bs_rbd: the events one gateway of an image tells the others through
 * RADOS (bs_rbd_peers.h), as the text a notify carries.
 *
 * Pure code, unit-tested and fuzzed on its own.  A message is
 * "bs_rbd1 KIND FROM IDENT": FROM the sending LU's token (16 hex digits,
 * so that it can skip its own message), IDENT the SCSI device it is
 * about (bs_rbd_ident.h: an image and a snapshot share a registry).
 */
#ifndef BS_RBD_EVENT_H
#define BS_RBD_EVENT_H

#include <stddef.h>
#include <stdint.h>

#include "bs_rbd_ident.h"

enum bs_rbd_event_kind {
	BS_RBD_EVENT_RESET = 1, /* a LUN RESET: UA 29/00 on every nexus */
	BS_RBD_EVENT_LOOK,	/* tell now of a LUN RESET not told yet */
	BS_RBD_EVENT_PR,	/* the reservations changed: read them */
	BS_RBD_EVENT_PR_LOOK,	/* release an SPC-2 reservation whose
				 * nexus is gone, now */
};

struct bs_rbd_event {
	enum bs_rbd_event_kind kind;
	uint64_t from;
	char ident[BS_RBD_IDENT_LEN];
};

/* Longest message, its NUL included */
#define BS_RBD_EVENT_MAX 64

/* The message for ev in buf; its length, or 0 when ev cannot be sent. */
size_t bs_rbd_event_format(const struct bs_rbd_event *ev, char *buf,
			   size_t len);
/*
 * 0 with *ev set, or -EINVAL for anything but a well-formed message (which
 * may come after its length, 32 bits little endian, as `rados notify`
 * sends it).
 */
int bs_rbd_event_parse(const void *msg, size_t len, struct bs_rbd_event *ev);

#endif
