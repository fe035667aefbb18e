/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * bs_rbd: a copy between two ranges of RBD images, inside the gateway
 * (bs_rbd_copy.c) - what EXTENDED COPY runs (bs_rbd_xcopy_cmd.c).
 *
 * The data goes through librbd aio in chunks of BS_RBD_COPY_CHUNK bytes,
 * BS_RBD_COPY_DEPTH of them in flight: a copy holds at most
 * BS_RBD_COPY_DEPTH chunks of memory, and a tgtd runs at most
 * BS_RBD_XCOPY_MAX_COPIES copies.  A chunk read as zeroes is written with
 * rbd_aio_write_zeroes, which leaves the destination's objects unwritten
 * (thin) instead of storing zeroes.  Everything but librbd's callbacks
 * runs on tgtd's main loop; nothing waits there.
 */
#ifndef BS_RBD_COPY_H
#define BS_RBD_COPY_H

#include <stdint.h>

#include "bs_rbd_done.h"
#include "bs_rbd_xcopy.h"

#define BS_RBD_COPY_CHUNK (4u << 20)
#define BS_RBD_COPY_DEPTH 4

struct bs_rbd_image;

/* One segment: len bytes from src at src_off to dst at dst_off */
struct bs_rbd_copy_range {
	struct bs_rbd_image *src, *dst; /* held by the copy */
	uint64_t src_off, dst_off, len;
};

struct bs_rbd_copy;

/* Where a copy is: a range, and bytes of it */
struct bs_rbd_copy_pos {
	unsigned int range;
	uint64_t off;
};

struct bs_rbd_copy_chunk {
	struct bs_rbd_done done; /* first: the completion queue links it */
	struct bs_rbd_copy *copy;
	struct bs_rbd_copy_pos pos;
	uint64_t src, dst, len; /* bytes into the images */
	char *buf;
	uint8_t writing; /* read done, the write is in flight */
	uint8_t busy;
};

struct bs_rbd_copy {
	struct bs_rbd_copy_range r[BS_RBD_XCOPY_MAX_SEGS];
	unsigned int nr;
	struct bs_rbd_copy_pos next;   /* what the next chunk starts at */
	struct bs_rbd_copy_pos failed; /* the first chunk that failed */
	unsigned int inflight;
	int err;		 /* the first error (negative errno), or 0 */
	uint8_t err_write;	 /* ... of a write */
	struct bs_rbd_done kick; /* the first chunks start from the loop */
	/* asked before each chunk: nonzero stops the copy (an abort) */
	int (*stop)(struct bs_rbd_copy *c);
	/* runs once, when the last chunk in flight is done */
	void (*end)(struct bs_rbd_copy *c);
	void *arg;
	struct bs_rbd_copy_chunk chunks[BS_RBD_COPY_DEPTH];
};

/*
 * Start c (r[], nr, stop, end and arg set; the rest zeroed): 0, or a
 * negative errno and nothing started (no memory; too many copies).
 * Ranges of one image that overlap are copied one chunk at a time, in
 * the direction that reads every block before it is overwritten.
 */
int bs_rbd_copy_start(struct bs_rbd_copy *c);
/* Bytes copied in order from the first range, and ranges done */
uint64_t bs_rbd_copy_done_bytes(const struct bs_rbd_copy *c);
unsigned int bs_rbd_copy_done_ranges(const struct bs_rbd_copy *c);
/* Let go of the images the ranges hold (after end) */
void bs_rbd_copy_release(struct bs_rbd_copy *c);
/* Copies running in this tgtd */
unsigned int bs_rbd_copy_running(void);

#endif
