/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * bs_rbd: the life of one command's request (bs_rbd_req.c).
 */
#ifndef BS_RBD_REQ_H
#define BS_RBD_REQ_H

#include <stddef.h>
#include <stdint.h>

#include <rbd/librbd.h>

#include "list.h"

#include "bs_rbd_done.h"

struct scsi_cmd;
struct bs_rbd_lu;
struct bs_rbd_image;
struct bs_rbd_req;

/* One of several librbd operations a request waits for (UNMAP). */
struct bs_rbd_sub {
	struct bs_rbd_done done; /* first: the completion queue links it */
	struct bs_rbd_req *req;
	uint64_t offset;
	uint64_t len;
};

/* Per-command state, recycled through a per-LU free list. */
struct bs_rbd_req {
	struct bs_rbd_done done; /* first: the completion queue links it */
	struct bs_rbd_lu *rlu;
	struct bs_rbd_image *img; /* held: the image the command runs on */
	struct scsi_cmd *cmd;
	uint64_t offset;     /* bytes into the image */
	size_t len;	     /* bytes */
	int dir;	     /* enum bs_rbd_dir: how a failure is reported */
	uint8_t flush_after; /* FUA: flush before completing */
	uint8_t stage;	     /* step of a multi-step command */
	uint8_t no_abandon;  /* the watchdog must let it end by itself */
	uint8_t aborted;     /* PREEMPT AND ABORT: ends TASK ABORTED */
	char *buf;	     /* scratch data owned by the request, or NULL */
	struct bs_rbd_sub *subs; /* UNMAP descriptors, or NULL */
	unsigned int pending;	 /* subs in flight */
	int sub_err;		 /* first error of a sub */
	uint64_t mismatch; /* compare-and-write: offset of first difference */
	uint64_t t0;	   /* when the command reached us (us) */
	uint8_t skey;	   /* sense key (deferred or sent) ... */
	uint16_t sasc;	   /* ... and ASC/ASCQ */
	struct bs_rbd_req *next_free;
	struct list_head inflight_entry; /* the LU's inflight_reqs */
};

typedef int (*bs_rbd_aio_fn)(struct bs_rbd_req *req, rbd_completion_t comp);

/* A request on the LU's current image; NULL: out of memory. */
struct bs_rbd_req *bs_rbd_req_get(struct bs_rbd_lu *rlu, struct scsi_cmd *cmd,
				  uint64_t offset, size_t len, int dir);
void bs_rbd_req_put_unused(struct bs_rbd_req *req);
void bs_rbd_req_pool_free(struct bs_rbd_lu *rlu);
void bs_rbd_req_start(struct bs_rbd_req *req,
		      void (*fn)(struct bs_rbd_done *done));
void bs_rbd_req_submit(struct bs_rbd_req *req, bs_rbd_aio_fn fn);
void bs_rbd_req_defer(struct bs_rbd_req *req, int ret);
void bs_rbd_req_complete(struct bs_rbd_req *req, int status);
void bs_rbd_req_fail(struct bs_rbd_req *req, int err);
void bs_rbd_req_sense(struct bs_rbd_req *req, uint8_t key, uint16_t asc);
void bs_rbd_req_miscompare(struct bs_rbd_req *req, uint64_t offset);
void bs_rbd_req_unmap_subs(struct bs_rbd_req *req, unsigned int n);
void bs_rbd_req_defer_sense(struct bs_rbd_req *req, uint8_t key, uint16_t asc);
void bs_rbd_req_abandon(struct bs_rbd_req *req, uint8_t key, uint16_t asc);
int bs_rbd_aio_read(struct bs_rbd_req *req, rbd_completion_t comp);
int bs_rbd_aio_read_scratch(struct bs_rbd_req *req, rbd_completion_t comp);
int bs_rbd_aio_write(struct bs_rbd_req *req, rbd_completion_t comp);
int bs_rbd_aio_write_scratch(struct bs_rbd_req *req, rbd_completion_t comp);
int bs_rbd_aio_flush(struct bs_rbd_req *req, rbd_completion_t comp);

static inline struct bs_rbd_req *bs_rbd_to_req(struct bs_rbd_done *done)
{
	return (struct bs_rbd_req *)done;
}

/* The time commands are measured with (us, monotonic) */
uint64_t bs_rbd_now_us(void);

#endif
