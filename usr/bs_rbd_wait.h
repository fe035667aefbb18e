/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * bs_rbd: waiting a bounded time for work running on another thread.
 *
 * librados/librbd cannot cancel a connect or an image open.  When the wait
 * times out, the waiter walks away and the worker, once it finally
 * finishes, calls on_abandon to clean up what it produced.
 */
#ifndef BS_RBD_WAIT_H
#define BS_RBD_WAIT_H

#include <pthread.h>
#include <sys/types.h>
#include <time.h>

struct bs_rbd_wait {
	pthread_mutex_t lock;
	pthread_cond_t cond;
	int done;
	int abandoned;
	ssize_t ret;
	/* runs on the worker's thread if the waiter gave up */
	void (*on_abandon)(struct bs_rbd_wait *wait);
};

int bs_rbd_wait_init(struct bs_rbd_wait *wait,
		     void (*on_abandon)(struct bs_rbd_wait *wait));
/* Only when done (the worker no longer touches it). */
void bs_rbd_wait_destroy(struct bs_rbd_wait *wait);

/* 0 with wait->ret set, or -ETIMEDOUT: then the worker owns the wait. */
int bs_rbd_wait_for(struct bs_rbd_wait *wait, unsigned int seconds);

/*
 * The same in steps: wait_until returns 1 once the worker finished (or 0
 * at the CLOCK_MONOTONIC deadline); settle then ends the wait like
 * bs_rbd_wait_for, handing the wait to the worker if it has not finished.
 */
int bs_rbd_wait_until(struct bs_rbd_wait *wait, const struct timespec *until);
int bs_rbd_wait_settle(struct bs_rbd_wait *wait);
/* 1 if the worker has finished, without waiting */
int bs_rbd_wait_check(struct bs_rbd_wait *wait);
/* deadline = now + ms on CLOCK_MONOTONIC */
void bs_rbd_wait_deadline(struct timespec *deadline, unsigned int ms);

/* Worker side: report the result. */
void bs_rbd_wait_finish(struct bs_rbd_wait *wait, ssize_t ret);

#endif
