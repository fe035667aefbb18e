/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * bs_rbd: Ceph RBD backing store for tgt - shared declarations.
 *
 * Threading model: tgtd runs one event loop thread.  Everything in this
 * module runs on it, except librbd's completion callbacks (librbd's own
 * threads) and the thread that performs a bounded rados_connect().  Those
 * only ever hand work back through bs_rbd_done_push(); the main loop then
 * finishes it.  No other state is shared between threads.
 */
#ifndef BS_RBD_H
#define BS_RBD_H

#include <inttypes.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include <rados/librados.h>
#include <rbd/librbd.h>

#include "bs_rbd_opts.h"

struct scsi_lu;
struct scsi_cmd;

/* "rbd: tid:1 lun:2 rbd/img: ..." prefix for log lines about one LU */
#define BS_RBD_LOG_ID "rbd: tid:%d lun:%" PRIu64 " "

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

/* bs_rbd_conn.c: refcounted connections and pool io contexts */
struct bs_rbd_conn;
struct bs_rbd_pool;

int bs_rbd_conn_get(const struct bs_rbd_opts *opts, struct bs_rbd_conn **out,
		    char *err, size_t errlen);
void bs_rbd_conn_put(struct bs_rbd_conn *conn);
int bs_rbd_pool_get(struct bs_rbd_conn *conn, const char *pool, const char *ns,
		    struct bs_rbd_pool **out, char *err, size_t errlen);
void bs_rbd_pool_hold(struct bs_rbd_pool *pool);
void bs_rbd_pool_put(struct bs_rbd_pool *pool);
rados_ioctx_t bs_rbd_pool_ioctx(const struct bs_rbd_pool *pool);

/* bs_rbd_image.c: opening and closing images within a time bound */
int bs_rbd_image_open(struct bs_rbd_pool *pool, const char *image,
		      const char *snap, unsigned int timeout, rbd_image_t *out,
		      char *err, size_t errlen);
void bs_rbd_image_close(struct bs_rbd_pool *pool, rbd_image_t image,
			unsigned int timeout);

/* Per-command state, recycled through a per-LU free list. */
struct bs_rbd_req {
	struct bs_rbd_done done; /* first: the completion queue links it */
	struct bs_rbd_lu *rlu;
	struct scsi_cmd *cmd;
	uint64_t offset;
	size_t len;
	uint8_t flush_after; /* FUA write: flush before completing */
	struct bs_rbd_req *next_free;
};

/* Per-LU state, tgt places it right after struct scsi_lu (bs_datasize). */
struct bs_rbd_lu {
	struct scsi_lu *lu;
	struct bs_rbd_opts opts;
	struct bs_rbd_path path;
	struct bs_rbd_conn *conn;
	struct bs_rbd_pool *pool;
	rbd_image_t image;
	struct bs_rbd_req *free_reqs;
	unsigned int inflight;
};

#endif
