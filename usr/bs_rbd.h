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

#include "list.h"

#include "bs_rbd_done.h"
#include "bs_rbd_opts.h"

struct scsi_lu;
struct scsi_cmd;

/* Largest VERIFY we read back into memory at once (bytes) */
#define BS_RBD_MAX_VERIFY (32u << 20)
/* Most UNMAP descriptors per command (Block Limits VPD) */
#define BS_RBD_MAX_UNMAP_DESC 1024

/* "rbd: tid:1 lun:2 rbd/img: ..." prefix for log lines about one LU */
#define BS_RBD_LOG_ID "rbd: tid:%d lun:%" PRIu64 " "

/* bs_rbd_loop.c: serving other LUs while a new LU waits for the cluster */
struct bs_rbd_wait;
void bs_rbd_loop_setup_begin(const struct scsi_lu *lu);
void bs_rbd_loop_setup_end(void);
/* bs_rbd_wait_for(), serving tgtd's events meanwhile if safe */
int bs_rbd_loop_wait(struct bs_rbd_wait *wait, unsigned int seconds);

/* bs_rbd_thread.c: helper threads for blocking librados/librbd calls */
int bs_rbd_thread_start(void *(*fn)(void *), void *arg);
void bs_rbd_thread_done(void);

/* bs_rbd_conn.c: refcounted connections and pool io contexts */
struct bs_rbd_conn;
struct bs_rbd_pool;

int bs_rbd_conn_get(const struct bs_rbd_opts *opts, struct bs_rbd_conn **out,
		    char *err, size_t errlen);
void bs_rbd_conn_hold(struct bs_rbd_conn *conn);
void bs_rbd_conn_put(struct bs_rbd_conn *conn);
/* After blocklisting: conn's replacement, or NULL while there is none
 * yet; start=1 starts connecting it. */
struct bs_rbd_conn *bs_rbd_conn_successor(struct bs_rbd_conn *conn, int start);
int bs_rbd_pool_get(struct bs_rbd_conn *conn, const char *pool, const char *ns,
		    struct bs_rbd_pool **out, char *err, size_t errlen);
void bs_rbd_pool_hold(struct bs_rbd_pool *pool);
void bs_rbd_pool_put(struct bs_rbd_pool *pool);
rados_ioctx_t bs_rbd_pool_ioctx(const struct bs_rbd_pool *pool);
struct bs_rbd_conn *bs_rbd_pool_conn(const struct bs_rbd_pool *pool);

/* bs_rbd_image.c: opening and closing images within a time bound */
int bs_rbd_image_open(struct bs_rbd_pool *pool, const char *image,
		      const char *snap, unsigned int timeout, rbd_image_t *out,
		      char *err, size_t errlen);
void bs_rbd_image_close(struct bs_rbd_pool *pool, rbd_image_t image,
			unsigned int timeout);
/*
 * Refuse a writable image whose pool or image settings undo bs_rbd's
 * (bs_rbd_imgconf.h); reading them is bounded by timeout.  0, or a
 * negative errno with err set.  On -ETIMEDOUT *image is NULL: the check
 * closes it in the background.  spec is pool[/ns]/image.
 */
int bs_rbd_image_check_conf(struct bs_rbd_pool *pool, rbd_image_t *image,
			    const char *pool_name, const char *spec,
			    unsigned int timeout, char *err, size_t errlen);
/* Without waiting: the close finishes (and frees) in the background. */
void bs_rbd_image_close_async(struct bs_rbd_pool *pool, rbd_image_t image);
/* Without waiting: done->fn runs on the main loop, *out set if ret >= 0. */
int bs_rbd_image_open_async(struct bs_rbd_pool *pool, const char *image,
			    const char *snap, rbd_image_t *out,
			    struct bs_rbd_done *done);

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
	struct scsi_cmd *cmd;
	uint64_t offset;     /* bytes into the image */
	size_t len;	     /* bytes */
	int dir;	     /* enum bs_rbd_dir: how a failure is reported */
	uint8_t flush_after; /* FUA: flush before completing */
	uint8_t stage;	     /* step of a multi-step command */
	uint8_t tgt_data_in; /* librbd writes into the command's buffer */
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

/* Commands that ended, by kind; errors by the sense key they got. */
#define BS_RBD_NR_ERR_KINDS 7
struct bs_rbd_stats {
	uint64_t reads, read_bytes, writes, write_bytes;
	uint64_t flushes, unmaps, other;
	uint64_t errors[BS_RBD_NR_ERR_KINDS];
	uint64_t lat_sum_us, lat_count, lat_max_us; /* of good commands */
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
	struct list_head inflight_reqs; /* oldest first */
	unsigned int inflight;
	uint64_t object_size;	      /* bytes, of the image's objects */
	struct bs_rbd_watch *watch;   /* resize watch, or NULL */
	struct bs_rbd_reopen *reopen; /* blocklisted: reopening, or NULL */
	struct bs_rbd_held *held;     /* watches for held commands */
	int gone;		      /* the image was removed */
	struct bs_rbd_stats stats;
	struct bs_rbd_lu *stats_next; /* bs_rbd_stats.c's list of LUs */
};

/* bs_rbd_req.c: the life of one command's request */
typedef int (*bs_rbd_aio_fn)(struct bs_rbd_req *req, rbd_completion_t comp);

struct bs_rbd_req *bs_rbd_req_get(struct bs_rbd_lu *rlu, struct scsi_cmd *cmd,
				  uint64_t offset, size_t len, int dir);
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

/* bs_rbd_sbc.c: the SCSI block commands that reach the backing store */
typedef int (*bs_rbd_cmd_fn)(struct bs_rbd_lu *rlu, struct scsi_cmd *cmd);

bs_rbd_cmd_fn bs_rbd_cmd_lookup(uint8_t opcode);
int bs_rbd_compare_and_write(int host_no, struct scsi_cmd *cmd);
int bs_rbd_get_lba_status(int host_no, struct scsi_cmd *cmd);

/* bs_rbd_resize.c: following image size changes */
struct bs_rbd_watch;
int bs_rbd_resize_watch(struct bs_rbd_lu *rlu);
void bs_rbd_resize_unwatch(struct bs_rbd_lu *rlu);

void bs_rbd_resize_check(struct bs_rbd_lu *rlu);

/* bs_rbd_reopen.c: getting an LU back after its client was blocklisted */
struct bs_rbd_reopen;
void bs_rbd_reopen_start(struct bs_rbd_lu *rlu);
void bs_rbd_reopen_cancel(struct bs_rbd_lu *rlu);

/* bs_rbd_held.c: commands librbd holds back for good (image removed) */
struct bs_rbd_held;
int bs_rbd_held_start(struct bs_rbd_lu *rlu);
void bs_rbd_held_stop(struct bs_rbd_lu *rlu);
void bs_rbd_held_arm(struct bs_rbd_lu *rlu);
void bs_rbd_held_probe(struct bs_rbd_lu *rlu);

/* bs_rbd_stats.c: counters and state in /var/run/tgtd/bs_rbd.PORT.stats */
uint64_t bs_rbd_now_us(void);
void bs_rbd_stats_account(struct bs_rbd_lu *rlu, const struct bs_rbd_req *req,
			  int status);
void bs_rbd_stats_add(struct bs_rbd_lu *rlu);
void bs_rbd_stats_del(struct bs_rbd_lu *rlu);

/* bs_rbd.c */
unsigned int bs_rbd_max_caw_blocks(const struct scsi_lu *lu);

/* Our per-LU state: tgt allocates bs_datasize bytes right after the LU. */
#define bs_rbd_lu(lu) ((struct bs_rbd_lu *)((lu) + 1))

/* One log line about an LU (needs tgt's log.h and target.h) */
#define rbd_log(rlu, fmt, args...)                                           \
	eprintf(BS_RBD_LOG_ID fmt "\n", (rlu)->lu->tgt->tid, (rlu)->lu->lun, \
		##args)

#endif
