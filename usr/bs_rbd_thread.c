// SPDX-License-Identifier: GPL-2.0-only
/*
 * bs_rbd: short-lived helper threads for work librados/librbd only offer
 * as blocking calls (connect, shutdown, diff iteration).
 *
 * tgtd may exit right after the work was handed over (its last LU
 * deleted), and librados' static destructors must not run under a thread
 * still inside the library: an exit handler waits for them, bounded.
 */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <time.h>

#include "bs_rbd.h"

static pthread_mutex_t helpers_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t helpers_cond = PTHREAD_COND_INITIALIZER;
static unsigned int helpers;
static int helpers_wait_registered; /* main loop only */

static void helpers_add(int n)
{
	pthread_mutex_lock(&helpers_lock);
	helpers += n;
	if (!helpers)
		pthread_cond_broadcast(&helpers_cond);
	pthread_mutex_unlock(&helpers_lock);
}

/* At exit, before librados' static destructors (see bs_rbd_thread_start). */
static void helpers_wait(void)
{
	struct timespec deadline;

	clock_gettime(CLOCK_REALTIME, &deadline);
	deadline.tv_sec += 10;
	pthread_mutex_lock(&helpers_lock);
	while (helpers && pthread_cond_timedwait(&helpers_cond, &helpers_lock,
						 &deadline) != ETIMEDOUT)
		;
	pthread_mutex_unlock(&helpers_lock);
}

/* Main loop: run fn(arg) on a detached thread that ends with _done(). */
int bs_rbd_thread_start(void *(*fn)(void *), void *arg)
{
	pthread_attr_t attr;
	pthread_t thread;
	int ret;

	ret = pthread_attr_init(&attr);
	if (ret)
		return -ret;
	pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
	/* exit handlers run in reverse order: registered after librados
	 * set up its statics, ours runs before they are destroyed */
	if (!helpers_wait_registered)
		helpers_wait_registered = !atexit(helpers_wait);
	helpers_add(1);
	ret = pthread_create(&thread, &attr, fn, arg);
	if (ret)
		helpers_add(-1);
	pthread_attr_destroy(&attr);
	return -ret;
}

/* Last call of a helper thread: it no longer touches librados. */
void bs_rbd_thread_done(void)
{
	helpers_add(-1);
}
