// SPDX-License-Identifier: GPL-2.0-only
/*
 * bs_rbd: a bounded pool of worker threads for blocking librados/librbd
 * calls.
 *
 * Threads start on demand, up to BS_RBD_WORKERS, and then stay; work
 * queues in order behind them.  Every blocking call a job makes is itself
 * bounded (connect_timeout, op_timeout), so a queued job waits at most for
 * those of the jobs ahead of it.  A job reports back to the main loop with
 * bs_rbd_done_push() or a bounded wait (bs_rbd_wait.h).
 *
 * tgtd may exit right after it handed work over (its last LU deleted), and
 * librados' static destructors must not run under a thread still inside
 * the library: an exit handler waits for the pending work, bounded.
 */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <time.h>

#include "bs_rbd_worker.h"

/* How long tgtd's exit waits for work still inside librados (s) */
#define EXIT_WAIT_S 10

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t work_cond = PTHREAD_COND_INITIALIZER;
static pthread_cond_t idle_cond = PTHREAD_COND_INITIALIZER;
static struct bs_rbd_work *head, *tail;
static unsigned int threads, idle, queued;
static unsigned int pending; /* queued, running, or in the background */
static int exit_wait_registered;

static void pending_sub(void)
{
	if (!--pending)
		pthread_cond_broadcast(&idle_cond);
}

static struct bs_rbd_work *next_work(void)
{
	struct bs_rbd_work *work;

	while (!head) {
		idle++;
		pthread_cond_wait(&work_cond, &lock);
		idle--;
	}
	work = head;
	head = work->next;
	if (!head)
		tail = NULL;
	queued--;
	return work;
}

static void *worker_main(void *arg)
{
	struct bs_rbd_work *work;

	(void)arg;
	/* what top -H and the tests count the pool by */
	pthread_setname_np(pthread_self(), BS_RBD_WORKER_NAME);
	pthread_mutex_lock(&lock);
	for (;;) {
		work = next_work();
		pthread_mutex_unlock(&lock);
		work->fn(work);
		pthread_mutex_lock(&lock);
		pending_sub();
	}
	return NULL;
}

/* At exit, before librados' static destructors (see below). */
static void exit_wait(void)
{
	struct timespec deadline;

	clock_gettime(CLOCK_REALTIME, &deadline);
	deadline.tv_sec += EXIT_WAIT_S;
	pthread_mutex_lock(&lock);
	while (pending && pthread_cond_timedwait(&idle_cond, &lock,
						 &deadline) != ETIMEDOUT)
		;
	pthread_mutex_unlock(&lock);
}

/*
 * With lock held: one more thread while queued work outnumbers the idle
 * threads (an idle thread only stops counting as idle once it woke up,
 * so two jobs queued meanwhile would otherwise wait for the same one).
 */
static int grow(void)
{
	pthread_attr_t attr;
	pthread_t thread;
	int ret;

	if (queued <= idle || threads >= BS_RBD_WORKERS)
		return 0;
	ret = pthread_attr_init(&attr);
	if (ret)
		return threads ? 0 : -ret;
	pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
	ret = pthread_create(&thread, &attr, worker_main, NULL);
	pthread_attr_destroy(&attr);
	if (!ret)
		threads++;
	/* without a thread nothing would ever run the work */
	return threads ? 0 : -ret;
}

/*
 * Exit handlers run in reverse order of registration: registered after
 * librados set up its statics (work only comes once a client exists),
 * ours runs before they are destroyed.
 */
static void register_exit_wait(void)
{
	if (!exit_wait_registered)
		exit_wait_registered = !atexit(exit_wait);
}

int bs_rbd_worker_queue(struct bs_rbd_work *work)
{
	int ret;

	pthread_mutex_lock(&lock);
	register_exit_wait();
	queued++;
	ret = grow();
	if (ret) {
		queued--;
	} else {
		work->next = NULL;
		if (tail)
			tail->next = work;
		else
			head = work;
		tail = work;
		pending++;
		pthread_cond_signal(&work_cond);
	}
	pthread_mutex_unlock(&lock);
	return ret;
}

void bs_rbd_worker_bg_begin(void)
{
	pthread_mutex_lock(&lock);
	register_exit_wait();
	pending++;
	pthread_mutex_unlock(&lock);
}

void bs_rbd_worker_bg_end(void)
{
	pthread_mutex_lock(&lock);
	pending_sub();
	pthread_mutex_unlock(&lock);
}
