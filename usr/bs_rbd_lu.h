/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * bs_rbd: an RBD logical unit, its one lifecycle state, and the one
 * admission check that every command's entry point makes.
 *
 * Threading model: tgtd runs one event loop thread.  Everything in this
 * module runs on it, except librbd's completion callbacks (librbd's own
 * threads) and the worker threads (bs_rbd_worker.h).  Those only ever
 * hand work back through bs_rbd_done_push(); the main loop finishes it.
 */
#ifndef BS_RBD_LU_H
#define BS_RBD_LU_H

#include <inttypes.h>
#include <stdint.h>

#include "list.h"

#include "bs_rbd_ident.h"
#include "bs_rbd_opts.h"

struct scsi_lu;
struct bs_rbd_conn;
struct bs_rbd_image;
struct bs_rbd_req;
struct bs_rbd_watch;
struct bs_rbd_watchdog;
struct bs_rbd_reopen;
struct bs_rbd_takeover;
struct bs_rbd_owner;
struct bs_rbd_peers;
struct bs_rbd_reset;
struct bs_rbd_resv;
struct bs_rbd_done;
struct bs_rbd_copies;

/*
 * closed --bs_open--> opening --> ok --EBLOCKLISTED--> fenced
 *   fenced --new client up--> reopening --> ok     (bs_rbd_reopen.c)
 *   ok/fenced/reopening --image removed--> removed (bs_rbd_watchdog.c)
 *   any --bs_close--> closed
 */
enum bs_rbd_lu_state {
	BS_RBD_LU_CLOSED,    /* no image: not opened, closed, failed open */
	BS_RBD_LU_OPENING,   /* bs_open is opening the image */
	BS_RBD_LU_OK,	     /* serving commands */
	BS_RBD_LU_FENCED,    /* the client is blocklisted */
	BS_RBD_LU_REOPENING, /* moving to a new client */
	BS_RBD_LU_REMOVED,   /* the image was removed from the cluster */
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
	enum bs_rbd_lu_state state; /* changed by bs_rbd_lu_set_state only */
	struct bs_rbd_opts opts;
	struct bs_rbd_path path;
	struct bs_rbd_conn *conn; /* the client the LU is on (held) */
	struct bs_rbd_image *img; /* held while the LU uses it, or NULL */
	struct bs_rbd_req *free_reqs;
	struct list_head inflight_reqs; /* oldest first */
	unsigned int inflight;
	unsigned int lba_job;		  /* a GET LBA STATUS diff is running */
	struct bs_rbd_watch *watch;	  /* size changes, or NULL */
	struct bs_rbd_reopen *reopen;	  /* fenced/reopening, or NULL */
	struct bs_rbd_watchdog *watchdog; /* removed image, or NULL */
	struct bs_rbd_takeover *takeover; /* a lock break under way, or NULL */
	uint64_t takeover_us;		  /* when the last one started */
	uint8_t takeover_told;		  /* logged that the holder answers */
	struct bs_rbd_owner *owner;	  /* ALUA state changes (polled) */
	struct bs_rbd_peers *peers;	  /* the image's gateways, or NULL */
	struct bs_rbd_reset *reset;	  /* LUN resets seen and heard */
	struct bs_rbd_resv *resv;	  /* persistent reservations */
	struct bs_rbd_copies *copies;	  /* EXTENDED COPY results, or NULL */
	unsigned int aborting;	     /* requests marked aborted, in flight */
	struct bs_rbd_done *drained; /* run once none is: chained by next */
	uint64_t token; /* names this LU's messages to the image's gateways */
	struct bs_rbd_stats stats;
	struct bs_rbd_lu *stats_next; /* bs_rbd_stats.c's list of LUs */
	char ident[BS_RBD_IDENT_LEN]; /* the identity we gave the LU, or "" */
	char gateway[BS_RBD_GATEWAY_MAX + 1]; /* gateway=, or the host's name */
	/* its group's state as last seen (REPORT TARGET PORT GROUPS, or
	 * bs_rbd_owner.c): 0 none yet, 1 active/optimized, 2 non-optimized */
	uint8_t alua_seen;
};

/* Our per-LU state: tgt allocates bs_datasize bytes right after the LU. */
#define bs_rbd_lu(lu) ((struct bs_rbd_lu *)((lu) + 1))

/* "rbd: tid:1 lun:2 ..." prefix for log lines about one LU */
#define BS_RBD_LOG_ID "rbd: tid:%d lun:%" PRIu64 " "

/* One log line about an LU (needs tgt's log.h and target.h) */
#define rbd_log(rlu, fmt, args...)                                           \
	eprintf(BS_RBD_LOG_ID fmt "\n", (rlu)->lu->tgt->tid, (rlu)->lu->lun, \
		##args)

/*
 * May a command start on this LU now?  0, or -1 with the sense it must
 * fail with (NOT READY and an ASC that says why).
 */
int bs_rbd_lu_admit(const struct bs_rbd_lu *rlu, uint8_t *key, uint16_t *asc);
void bs_rbd_lu_set_state(struct bs_rbd_lu *rlu, enum bs_rbd_lu_state state);
/* For operators: closed, opening, ok, blocklisted, reopening, removed */
const char *bs_rbd_lu_state_name(enum bs_rbd_lu_state state);
/*
 * Unit attention asc (ASC << 8 | ASCQ) on every I_T nexus of the LU that
 * has not got it waiting already.
 */
void bs_rbd_lu_ua(struct bs_rbd_lu *rlu, uint16_t asc);
/*
 * Commands aborted by PREEMPT AND ABORT: their requests are marked
 * (aborted) and end with TASK ABORTED when librbd is done with them.
 * done runs on the main loop once none of them is in flight any more -
 * on the next pass when none is now.
 */
void bs_rbd_lu_when_drained(struct bs_rbd_lu *rlu, struct bs_rbd_done *done);
/* An aborted request ended (bs_rbd_req.c) */
void bs_rbd_lu_aborted_end(struct bs_rbd_lu *rlu);
/* alua_seen for operators: "ao", "ano" or "-" */
const char *bs_rbd_lu_alua_name(const struct bs_rbd_lu *rlu);

#endif
