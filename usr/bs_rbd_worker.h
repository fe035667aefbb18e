/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * bs_rbd: a bounded pool of worker threads for the librados/librbd calls
 * that only come blocking (connect, shutdown, settings, diff iteration,
 * a header refresh).  tgtd's main loop never makes such a call itself.
 */
#ifndef BS_RBD_WORKER_H
#define BS_RBD_WORKER_H

/* Most threads the pool runs; further work queues behind them. */
#define BS_RBD_WORKERS 4
/* The workers' thread name (/proc/PID/task/TID/comm) */
#define BS_RBD_WORKER_NAME "bs_rbd-worker"

/* Embed it in the job; fn runs on a worker thread and may block. */
struct bs_rbd_work {
	struct bs_rbd_work *next;
	void (*fn)(struct bs_rbd_work *work);
};

/* Any thread: run work->fn on a worker.  0, or a negative errno. */
int bs_rbd_worker_queue(struct bs_rbd_work *work);

/*
 * Background work outside the pool that still uses librbd (an image
 * closing): tgtd's exit waits for it, bounded, like for queued work.
 * Any thread.
 */
void bs_rbd_worker_bg_begin(void);
void bs_rbd_worker_bg_end(void);

#endif
