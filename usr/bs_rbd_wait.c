// SPDX-License-Identifier: GPL-2.0-only
/*
 * bs_rbd: waiting a bounded time for work running on another thread.
 */
#include <errno.h>
#include <pthread.h>
#include <time.h>

#include "bs_rbd_wait.h"

int bs_rbd_wait_init(struct bs_rbd_wait *wait,
		     void (*on_abandon)(struct bs_rbd_wait *wait))
{
	pthread_condattr_t attr;
	int ret;

	wait->done = 0;
	wait->abandoned = 0;
	wait->ret = 0;
	wait->on_abandon = on_abandon;

	ret = pthread_condattr_init(&attr);
	if (ret)
		return -ret;
	ret = pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
	if (!ret)
		ret = pthread_cond_init(&wait->cond, &attr);
	pthread_condattr_destroy(&attr);
	if (ret)
		return -ret;
	ret = pthread_mutex_init(&wait->lock, NULL);
	if (ret) {
		pthread_cond_destroy(&wait->cond);
		return -ret;
	}
	return 0;
}

void bs_rbd_wait_destroy(struct bs_rbd_wait *wait)
{
	pthread_cond_destroy(&wait->cond);
	pthread_mutex_destroy(&wait->lock);
}

int bs_rbd_wait_until(struct bs_rbd_wait *wait, const struct timespec *until)
{
	int ret = 0, done;

	pthread_mutex_lock(&wait->lock);
	while (!wait->done && ret != ETIMEDOUT)
		ret = pthread_cond_timedwait(&wait->cond, &wait->lock, until);
	done = wait->done;
	pthread_mutex_unlock(&wait->lock);
	return done;
}

int bs_rbd_wait_check(struct bs_rbd_wait *wait)
{
	int done;

	pthread_mutex_lock(&wait->lock);
	done = wait->done;
	pthread_mutex_unlock(&wait->lock);
	return done;
}

int bs_rbd_wait_settle(struct bs_rbd_wait *wait)
{
	int ret;

	pthread_mutex_lock(&wait->lock);
	if (!wait->done)
		wait->abandoned = 1;
	ret = wait->done ? 0 : -ETIMEDOUT;
	pthread_mutex_unlock(&wait->lock);
	return ret;
}

void bs_rbd_wait_deadline(struct timespec *deadline, unsigned int ms)
{
	clock_gettime(CLOCK_MONOTONIC, deadline);
	deadline->tv_sec += ms / 1000;
	deadline->tv_nsec += (long)(ms % 1000) * 1000000L;
	if (deadline->tv_nsec >= 1000000000L) {
		deadline->tv_sec++;
		deadline->tv_nsec -= 1000000000L;
	}
}

int bs_rbd_wait_for(struct bs_rbd_wait *wait, unsigned int seconds)
{
	struct timespec deadline;

	bs_rbd_wait_deadline(&deadline, seconds * 1000u);
	bs_rbd_wait_until(wait, &deadline);
	return bs_rbd_wait_settle(wait);
}

void bs_rbd_wait_finish(struct bs_rbd_wait *wait, ssize_t ret)
{
	int abandoned;

	pthread_mutex_lock(&wait->lock);
	abandoned = wait->abandoned;
	if (!abandoned) {
		wait->ret = ret;
		wait->done = 1;
		pthread_cond_signal(&wait->cond);
	}
	pthread_mutex_unlock(&wait->lock);

	/* nobody waits any more: the worker owns the wait from here on */
	if (abandoned) {
		wait->ret = ret;
		wait->on_abandon(wait);
	}
}
