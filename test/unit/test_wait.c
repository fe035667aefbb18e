// SPDX-License-Identifier: GPL-2.0-only
/*
 * Unit tests of the bounded wait (usr/bs_rbd_wait.c) with real worker
 * threads: waits that end before the deadline, waits that time out and
 * are then finished by the worker, and the race between the two.
 *
 * The contract: exactly one side owns the wait at the end.  If the waiter
 * gets 0, it has the result and frees the wait, even before the worker
 * thread has exited; if it gets -ETIMEDOUT it must not touch the wait
 * again, and the worker's bs_rbd_wait_finish runs on_abandon exactly once,
 * on the worker's thread, which frees it.  ThreadSanitizer (make
 * check-tsan) checks that neither side touches the wait after handing it
 * over.
 */
#include <errno.h>
#include <pthread.h>
#include <semaphore.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#include "bs_rbd_wait.h"
#include "unit.h"

/* The test's record of one wait; outlives it. */
struct rec {
	pthread_t worker;
	ssize_t result; /* what the worker reports */
	long delay_us;	/* the worker sleeps this long first */
	int gated;	/* the worker first waits for go */
	sem_t go;
	atomic_int abandons;
	pthread_t abandon_thread;
	ssize_t abandon_ret;
};

/* What bs_rbd's callers do: the wait inside a heap object of their own. */
struct job {
	struct bs_rbd_wait wait;
	struct rec *rec;
};

static void on_abandon(struct bs_rbd_wait *wait)
{
	struct job *job =
		(struct job *)((char *)wait - offsetof(struct job, wait));
	struct rec *rec = job->rec;

	rec->abandon_thread = pthread_self();
	rec->abandon_ret = wait->ret;
	atomic_fetch_add(&rec->abandons, 1);
	bs_rbd_wait_destroy(wait);
	free(job);
}

static void sleep_us(long us)
{
	struct timespec t = { us / 1000000, (us % 1000000) * 1000 };

	if (us > 0)
		nanosleep(&t, NULL);
}

static void *work(void *arg)
{
	struct job *job = arg;
	struct rec *rec = job->rec;
	struct timespec until;

	if (rec->gated) {
		/* bounded: a broken test must not hang */
		clock_gettime(CLOCK_REALTIME, &until);
		until.tv_sec += 20;
		while (sem_timedwait(&rec->go, &until) && errno == EINTR)
			;
	}
	sleep_us(rec->delay_us);
	bs_rbd_wait_finish(&job->wait, rec->result);
	/* job may be gone now */
	return NULL;
}

static void fail_hard(const char *what)
{
	fprintf(stderr, "%s failed\n", what);
	unit_failed++;
	exit(unit_report("unit/wait"));
}

/* A job with its worker running. */
static struct job *start_job(struct rec *rec)
{
	struct job *job = malloc(sizeof(*job));

	if (!job)
		fail_hard("malloc");
	job->rec = rec;
	atomic_init(&rec->abandons, 0);
	if (rec->gated && sem_init(&rec->go, 0, 0))
		fail_hard("sem_init");
	if (bs_rbd_wait_init(&job->wait, on_abandon))
		fail_hard("bs_rbd_wait_init");
	if (pthread_create(&rec->worker, NULL, work, job))
		fail_hard("pthread_create");
	return job;
}

/* The waiter's side after 0: it owns the wait. */
static void end_job(struct job *job)
{
	bs_rbd_wait_destroy(&job->wait);
	free(job);
}

static void join_worker(struct rec *rec)
{
	pthread_join(rec->worker, NULL);
	if (rec->gated)
		sem_destroy(&rec->go);
}

static long ms_since(const struct timespec *t0)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (t.tv_sec - t0->tv_sec) * 1000L +
	       (t.tv_nsec - t0->tv_nsec) / 1000000L;
}

/* The worker finishes in 20 ms; the waiter, allowed 10 s, wakes then. */
static void test_finish_before_deadline(void)
{
	struct rec rec = { .result = 42, .delay_us = 20000 };
	struct job *job = start_job(&rec);
	struct timespec t0;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	CHECK(bs_rbd_wait_for(&job->wait, 10) == 0);
	CHECK(ms_since(&t0) < 5000);
	CHECK(job->wait.ret == 42);
	end_job(job); /* before the worker has necessarily exited */
	join_worker(&rec);
	CHECK(atomic_load(&rec.abandons) == 0);
}

/* The worker finished before anyone waited. */
static void test_finished_before_wait(void)
{
	struct rec rec = { .result = -5 };
	struct job *job = start_job(&rec);
	struct timespec t0;

	join_worker(&rec);
	CHECK(bs_rbd_wait_check(&job->wait) == 1);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	CHECK(bs_rbd_wait_for(&job->wait, 10) == 0);
	CHECK(ms_since(&t0) < 1000);
	CHECK(job->wait.ret == -5);
	end_job(job);
	CHECK(atomic_load(&rec.abandons) == 0);
}

/*
 * The worker is held until the waiter gave up after 50 ms; finishing then
 * runs on_abandon once, on the worker's thread, with the result.
 */
static void test_timeout_then_worker_finishes(void)
{
	struct rec rec = { .result = 7, .gated = 1 };
	struct job *job = start_job(&rec);
	struct timespec deadline, t0;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	bs_rbd_wait_deadline(&deadline, 50);
	CHECK(bs_rbd_wait_until(&job->wait, &deadline) == 0);
	CHECK(ms_since(&t0) >= 49);
	CHECK(bs_rbd_wait_check(&job->wait) == 0);
	CHECK(bs_rbd_wait_settle(&job->wait) == -ETIMEDOUT);
	job = NULL; /* the worker's now */
	CHECK(atomic_load(&rec.abandons) == 0);

	sem_post(&rec.go);
	join_worker(&rec);
	CHECK(atomic_load(&rec.abandons) == 1);
	CHECK(pthread_equal(rec.abandon_thread, rec.worker));
	CHECK(rec.abandon_ret == 7);
}

/* bs_rbd_wait_for's own deadline, in whole seconds. */
static void test_wait_for_times_out(void)
{
	struct rec rec = { .result = 8, .gated = 1 };
	struct job *job = start_job(&rec);
	struct timespec t0;
	long ms;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	CHECK(bs_rbd_wait_for(&job->wait, 1) == -ETIMEDOUT);
	ms = ms_since(&t0);
	CHECK(ms >= 999 && ms < 5000);
	job = NULL;

	sem_post(&rec.go);
	join_worker(&rec);
	CHECK(atomic_load(&rec.abandons) == 1);
	CHECK(pthread_equal(rec.abandon_thread, rec.worker));
	CHECK(rec.abandon_ret == 8);
}

/*
 * The deadline passed, but the worker finished before the waiter settled:
 * the result is the waiter's after all and nothing is abandoned.
 */
static void test_finish_between_deadline_and_settle(void)
{
	struct rec rec = { .result = 9, .gated = 1 };
	struct job *job = start_job(&rec);
	struct timespec deadline;

	bs_rbd_wait_deadline(&deadline, 0);
	CHECK(bs_rbd_wait_until(&job->wait, &deadline) == 0);
	sem_post(&rec.go);
	join_worker(&rec);
	CHECK(bs_rbd_wait_check(&job->wait) == 1);
	CHECK(bs_rbd_wait_settle(&job->wait) == 0);
	CHECK(job->wait.ret == 9);
	end_job(job);
	CHECK(atomic_load(&rec.abandons) == 0);
}

/* 0 to 1000 us, 0 one time in 8 (finish and deadline at once). */
static long random_us(unsigned int *seed)
{
	if (rand_r(seed) % 8 == 0)
		return 0;
	return rand_r(seed) % 1001;
}

#define RACE_ROUNDS 2000
#define RACE_MS 4000

/*
 * Finish and timeout race, with random small delays on both sides: in
 * every round exactly one side ends up with the wait, the waiter sees the
 * result if and only if it got 0, and on_abandon runs once otherwise, on
 * the worker's thread.  Both outcomes must occur, or the race was not
 * run.  Bounded by RACE_ROUNDS and RACE_MS.
 */
static void test_finish_timeout_race(void)
{
	unsigned int seed = (unsigned int)time(NULL) ^ (unsigned int)getpid();
	unsigned int seed0 = seed;
	int round, won = 0, abandoned = 0, bad = 0;
	struct timespec t0, deadline;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (round = 0; round < RACE_ROUNDS && ms_since(&t0) < RACE_MS;
	     round++) {
		struct rec rec = { .result = round,
				   .delay_us = random_us(&seed) };
		long wait_us = random_us(&seed);
		struct job *job = start_job(&rec);
		int until, rc;

		bs_rbd_wait_deadline(&deadline, 0);
		deadline.tv_nsec += wait_us * 1000;
		if (deadline.tv_nsec >= 1000000000L) {
			deadline.tv_sec++;
			deadline.tv_nsec -= 1000000000L;
		}
		until = bs_rbd_wait_until(&job->wait, &deadline);
		rc = bs_rbd_wait_settle(&job->wait);
		if (rc == 0) {
			won++;
			bad += job->wait.ret != round;
			end_job(job);
		} else {
			abandoned++;
			bad += until != 0 || rc != -ETIMEDOUT;
		}
		join_worker(&rec);
		if (rc == 0)
			bad += atomic_load(&rec.abandons) != 0;
		else
			bad += atomic_load(&rec.abandons) != 1 ||
			       !pthread_equal(rec.abandon_thread, rec.worker) ||
			       rec.abandon_ret != round;
	}
	CHECK(bad == 0);
	CHECK(won > 0);
	CHECK(abandoned > 0);
	if (bad || !won || !abandoned)
		fprintf(stderr,
			"  seed %u: %d rounds, %d finished in time, "
			"%d abandoned, %d wrong\n",
			seed0, round, won, abandoned, bad);
}

/* deadline = now + ms, normalised. */
static void test_deadline(void)
{
	struct timespec now, d;
	long ms;

	clock_gettime(CLOCK_MONOTONIC, &now);
	bs_rbd_wait_deadline(&d, 1999);
	CHECK(d.tv_nsec >= 0 && d.tv_nsec < 1000000000L);
	ms = (d.tv_sec - now.tv_sec) * 1000L +
	     (d.tv_nsec - now.tv_nsec) / 1000000L;
	CHECK(ms >= 1999 && ms < 2100);
}

int main(void)
{
	RUN(test_deadline);
	RUN(test_finish_before_deadline);
	RUN(test_finished_before_wait);
	RUN(test_timeout_then_worker_finishes);
	RUN(test_wait_for_times_out);
	RUN(test_finish_between_deadline_and_settle);
	RUN(test_finish_timeout_race);
	return unit_report("unit/wait");
}
