// SPDX-License-Identifier: GPL-2.0-only
/*
 * Unit tests of the completion queue (usr/bs_rbd_done.c) with real threads:
 * producer threads push while a consumer thread, standing in for tgtd's
 * main loop, polls the eventfd and runs the queue's handler.
 *
 * What bs_rbd_done.c promises: every item pushed is run exactly once, on
 * the thread that runs the handler, in push order per producer; a producer
 * writes the eventfd only when the queue goes from empty to non-empty.
 * With a single consumer that runs the handler only when the eventfd is
 * readable, that means the eventfd's counter is exactly 1 whenever the
 * consumer wakes and each wake-up finds work (a push that wrote the
 * eventfd while the queue was not empty would show up as a count of 2 or
 * as a wake-up with nothing to do).
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/epoll.h>
#include <time.h>
#include <unistd.h>

#include "list.h"
#include "tgtd.h"

#include "bs_rbd_done.h"
#include "unit.h"

/*
 * Link seam, not a mock: bs_rbd_done.c calls tgt_event_add() and, through
 * eprintf, log_error(); both are functions of the tgtd executable that
 * loads the module, so a unit test has to define them.  tgt_event_add
 * here only records the fd and handler, and the consumer thread below
 * plays tgtd's event loop with them; log_error counts and prints.  The
 * queue itself is the real usr/bs_rbd_done.c.
 */
static int seam_fd = -1;
static event_handler_t seam_handler;
static void *seam_data;
static int seam_events;
static int seam_adds;
static int seam_fail; /* the next tgt_event_add fails */
static atomic_int seam_errors;

int tgt_event_add(int fd, int events, event_handler_t handler, void *data)
{
	seam_adds++;
	seam_fd = fd;
	if (seam_fail) {
		seam_fail = 0;
		return -1;
	}
	seam_events = events;
	seam_handler = handler;
	seam_data = data;
	return 0;
}

void log_error(const char *fmt, ...)
{
	va_list ap;

	atomic_fetch_add(&seam_errors, 1);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
}

#define MAX_PRODUCERS 8
#define CONSUME_MS 20000 /* a consumer gives up after this long */

/* What the consumer saw; only its thread writes it while it runs. */
struct consumer {
	pthread_t thread; /* for pthread_join */
	pthread_t self;	  /* the thread that runs the handler */
	unsigned long expected, delivered;
	unsigned int next_seq[MAX_PRODUCERS];
	unsigned long wakeups, empty_wakeups, bad_counts;
	unsigned long wrong_thread, duplicates, bad_ret, out_of_order;
	int timed_out;
};

struct item {
	struct bs_rbd_done done;
	struct consumer *c;
	int producer;
	unsigned int seq;
	int delivered;
	struct item *then; /* pushed by this item's fn */
};

#define ITEM(d) ((struct item *)((char *)(d)-offsetof(struct item, done)))

static void item_fn(struct bs_rbd_done *d)
{
	struct item *it = ITEM(d);
	struct consumer *c = it->c;

	if (!pthread_equal(pthread_self(), c->self))
		c->wrong_thread++;
	if (it->delivered++)
		c->duplicates++;
	if (d->ret != (ssize_t)it->seq)
		c->bad_ret++;
	if (it->seq != c->next_seq[it->producer])
		c->out_of_order++;
	c->next_seq[it->producer] = it->seq + 1;
	c->delivered++;
	if (it->then)
		bs_rbd_done_push(&it->then->done);
}

static void item_init(struct item *it, struct consumer *c, int producer,
		      unsigned int seq)
{
	memset(it, 0, sizeof(*it));
	it->done.fn = item_fn;
	it->done.ret = seq;
	it->c = c;
	it->producer = producer;
	it->seq = seq;
}

/* The eventfd's counter, read without consuming it; -1 if unknown. */
static long eventfd_count(int fd)
{
	char path[64], line[128];
	unsigned long v;
	long count = -1;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/self/fdinfo/%d", fd);
	f = fopen(path, "r");
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "eventfd-count: %lx", &v) == 1) {
			count = (long)v;
			break;
		}
	fclose(f);
	return count;
}

static int readable(int fd)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };

	return poll(&p, 1, 0) == 1;
}

static long ms_since(const struct timespec *t0)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (t.tv_sec - t0->tv_sec) * 1000L +
	       (t.tv_nsec - t0->tv_nsec) / 1000000L;
}

/* One wake-up of "tgtd's main loop": check the counter, run the handler. */
static void consumer_wakeup(struct consumer *c)
{
	unsigned long before = c->delivered;

	c->wakeups++;
	if (eventfd_count(seam_fd) != 1)
		c->bad_counts++;
	seam_handler(seam_fd, EPOLLIN, seam_data);
	if (c->delivered == before)
		c->empty_wakeups++;
}

static void *consume(void *arg)
{
	struct consumer *c = arg;
	struct timespec t0;
	int n;

	c->self = pthread_self();
	clock_gettime(CLOCK_MONOTONIC, &t0);
	while (c->delivered < c->expected) {
		struct pollfd p = { .fd = seam_fd, .events = POLLIN };

		if (ms_since(&t0) > CONSUME_MS) {
			c->timed_out = 1;
			break;
		}
		n = poll(&p, 1, 100);
		if (n == 1)
			consumer_wakeup(c);
	}
	return NULL;
}

static void check_consumer(const struct consumer *c)
{
	CHECK(!c->timed_out);
	CHECK(c->delivered == c->expected);
	CHECK(c->duplicates == 0);
	CHECK(c->out_of_order == 0);
	CHECK(c->bad_ret == 0);
	CHECK(c->wrong_thread == 0);
	CHECK(c->bad_counts == 0);
	CHECK(c->empty_wakeups == 0);
	if (c->bad_counts || c->empty_wakeups)
		fprintf(stderr,
			"  %lu wake-ups: %lu with a count other than 1,"
			" %lu with nothing to do\n",
			c->wakeups, c->bad_counts, c->empty_wakeups);
}

struct producer {
	pthread_t thread;
	int id;
	unsigned int seed;
	struct item *items;
	unsigned int n;
	int pause; /* now and then sleep a few microseconds */
	pthread_barrier_t *start;
};

static void *produce(void *arg)
{
	struct producer *p = arg;
	struct timespec pause = { 0, 0 };
	unsigned int i;

	pthread_barrier_wait(p->start);
	for (i = 0; i < p->n; i++) {
		bs_rbd_done_push(&p->items[i].done);
		if (!p->pause || rand_r(&p->seed) % 128)
			continue;
		pause.tv_nsec = 1000 + rand_r(&p->seed) % 50000;
		nanosleep(&pause, NULL);
	}
	return NULL;
}

static void start_thread(pthread_t *t, void *(*fn)(void *), void *arg)
{
	if (pthread_create(t, NULL, fn, arg) != 0) {
		fprintf(stderr, "pthread_create failed\n");
		unit_failed++;
		exit(unit_report("unit/done"));
	}
}

/*
 * nprod producers push n items each, all at once, while c drains the queue
 * on a thread of its own if with_consumer, else nobody drains it.  The
 * items, for the caller to check and free.
 */
static struct item *run_producers(struct consumer *c, int nprod, unsigned int n,
				  int with_consumer, int pause)
{
	struct producer p[MAX_PRODUCERS];
	pthread_barrier_t start;
	struct item *items;
	unsigned int j;
	int i;

	items = calloc((size_t)nprod * n, sizeof(*items));
	if (!items) {
		fprintf(stderr, "out of memory\n");
		unit_failed++;
		exit(unit_report("unit/done"));
	}
	c->expected = (unsigned long)nprod * n;
	for (i = 0; i < nprod; i++)
		for (j = 0; j < n; j++)
			item_init(&items[(size_t)i * n + j], c, i, j);

	pthread_barrier_init(&start, NULL, nprod);
	if (with_consumer)
		start_thread(&c->thread, consume, c);
	for (i = 0; i < nprod; i++) {
		p[i].id = i;
		p[i].seed = (unsigned int)time(NULL) + i;
		p[i].items = &items[(size_t)i * n];
		p[i].n = n;
		p[i].pause = pause;
		p[i].start = &start;
		start_thread(&p[i].thread, produce, &p[i]);
	}
	for (i = 0; i < nprod; i++)
		pthread_join(p[i].thread, NULL);
	if (with_consumer)
		pthread_join(c->thread, NULL);
	pthread_barrier_destroy(&start);
	return items;
}

/* Each of the n items ran exactly once; frees them. */
static void check_items(struct item *items, size_t n)
{
	size_t i, bad = 0;

	for (i = 0; i < n; i++)
		bad += items[i].delivered != 1;
	CHECK(bad == 0);
	free(items);
}

/* A failed registration closes the eventfd and leaves the queue unset. */
static void test_start_fails_cleanly(void)
{
	seam_fail = 1;
	CHECK(bs_rbd_done_start() == -EIO);
	CHECK(seam_adds == 1);
	CHECK(bs_rbd_done_fd() == -1);
	CHECK(fcntl(seam_fd, F_GETFD) == -1 && errno == EBADF);
	seam_fd = -1;
}

static void test_start_once(void)
{
	int fd, fl;

	CHECK(bs_rbd_done_start() == 0);
	fd = bs_rbd_done_fd();
	CHECK(fd >= 0);
	CHECK(fd == seam_fd);
	CHECK(seam_adds == 2);
	CHECK(seam_events == EPOLLIN);
	CHECK(seam_handler != NULL);
	fl = fcntl(fd, F_GETFL);
	CHECK(fl != -1 && (fl & O_NONBLOCK));
	fl = fcntl(fd, F_GETFD);
	CHECK(fl != -1 && (fl & FD_CLOEXEC));
	CHECK(eventfd_count(fd) == 0);

	CHECK(bs_rbd_done_start() == 0);
	CHECK(bs_rbd_done_fd() == fd);
	CHECK(seam_adds == 2);
}

/* 100 pushes on an empty queue: one eventfd write, one batch, in order. */
static void test_batch_is_one_wakeup(void)
{
	struct consumer c = { .self = pthread_self(), .expected = 100 };
	struct item items[100];
	unsigned int i;

	for (i = 0; i < 100; i++) {
		item_init(&items[i], &c, 0, i);
		bs_rbd_done_push(&items[i].done);
	}
	CHECK(c.delivered == 0);
	CHECK(readable(seam_fd));
	consumer_wakeup(&c);
	check_consumer(&c);
	CHECK(c.wakeups == 1);
	CHECK(eventfd_count(seam_fd) == 0);
	CHECK(!readable(seam_fd));
	for (i = 0; i < 100; i++)
		CHECK(items[i].delivered == 1);
}

/*
 * Producers push concurrently into a queue nobody drains: however the
 * pushes interleave, only the first writes the eventfd.
 */
static void test_concurrent_burst_is_one_wakeup(void)
{
	struct consumer c = { .self = pthread_self() };

	struct item *items = run_producers(&c, 4, 5000, 0, 0);

	CHECK(c.delivered == 0);
	CHECK(eventfd_count(seam_fd) == 1);
	consumer_wakeup(&c);
	check_consumer(&c);
	CHECK(c.wakeups == 1);
	CHECK(!readable(seam_fd));
	check_items(items, c.expected);
}

/*
 * Producers push while the consumer drains: everything arrives once, in
 * order per producer, on the consumer's thread; every wake-up finds the
 * counter at 1 and work to do; nothing is left behind.
 */
static void test_producers_and_consumer(void)
{
	struct consumer c = { 0 };

	struct item *items = run_producers(&c, 4, 20000, 1, 1);

	check_consumer(&c);
	check_items(items, c.expected);
	CHECK(c.wakeups >= 1 && c.wakeups <= c.delivered);
	CHECK(eventfd_count(seam_fd) == 0);
	CHECK(!readable(seam_fd));
}

/* The same with more producers than CPUs and no pauses. */
static void test_many_producers_no_pauses(void)
{
	struct consumer c = { 0 };

	struct item *items = run_producers(&c, MAX_PRODUCERS, 5000, 1, 0);

	check_consumer(&c);
	check_items(items, c.expected);
	CHECK(!readable(seam_fd));
}

/*
 * fn runs without the queue's lock: it can push more work, which comes
 * in the next wake-up (the queue was empty again, so it writes).
 */
static void test_push_from_fn(void)
{
	struct consumer c = { 0 };
	struct item a, b;

	item_init(&a, &c, 0, 0);
	item_init(&b, &c, 0, 1);
	a.then = &b;
	c.expected = 2;
	bs_rbd_done_push(&a.done);
	start_thread(&c.thread, consume, &c);
	pthread_join(c.thread, NULL);
	check_consumer(&c);
	CHECK(c.wakeups == 2);
	CHECK(a.delivered == 1 && b.delivered == 1);
	CHECK(!readable(seam_fd));
}

static void test_nothing_logged(void)
{
	CHECK(atomic_load(&seam_errors) == 0);
}

int main(void)
{
	RUN(test_start_fails_cleanly);
	RUN(test_start_once);
	if (seam_handler == NULL || seam_fd < 0) {
		fprintf(stderr, "no queue: the other cases cannot run\n");
		unit_failed++;
		return unit_report("unit/done");
	}
	RUN(test_batch_is_one_wakeup);
	RUN(test_concurrent_burst_is_one_wakeup);
	RUN(test_producers_and_consumer);
	RUN(test_many_producers_no_pauses);
	RUN(test_push_from_fn);
	RUN(test_nothing_logged);
	return unit_report("unit/done");
}
