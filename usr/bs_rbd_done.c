// SPDX-License-Identifier: GPL-2.0-only
/*
 * bs_rbd: the queue that carries finished work from librbd's threads back
 * to tgtd's main loop.
 *
 * Producers push under a mutex and write the eventfd only when the queue
 * goes from empty to non-empty, so a burst of completions costs one wake-up
 * of the main loop, which then finishes the whole batch in order.
 */
#include <errno.h>
#include <pthread.h>
#include <stdint.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "list.h"
#include "tgtd.h"

#include "bs_rbd_done.h"

static pthread_mutex_t done_lock = PTHREAD_MUTEX_INITIALIZER;
static struct bs_rbd_done *done_head; /* newest first */
static int done_fd = -1;

static struct bs_rbd_done *reverse(struct bs_rbd_done *d)
{
	struct bs_rbd_done *prev = NULL, *next;

	for (; d; d = next) {
		next = d->next;
		d->next = prev;
		prev = d;
	}
	return prev;
}

static void done_handler(int fd, int events, void *data)
{
	struct bs_rbd_done *batch, *next;
	uint64_t count;

	(void)events;
	(void)data;
	if (read(fd, &count, sizeof(count)) < 0 && errno != EAGAIN)
		eprintf("rbd: completion eventfd read: %m\n");

	pthread_mutex_lock(&done_lock);
	batch = done_head;
	done_head = NULL;
	pthread_mutex_unlock(&done_lock);

	for (batch = reverse(batch); batch; batch = next) {
		next = batch->next;
		batch->fn(batch);
	}
}

/* Called on the main loop before the first use; idempotent. */
int bs_rbd_done_start(void)
{
	int fd;

	if (done_fd >= 0)
		return 0;
	fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (tgt_event_add(fd, EPOLLIN, done_handler, NULL)) {
		close(fd);
		return -EIO;
	}
	done_fd = fd;
	return 0;
}

int bs_rbd_done_fd(void)
{
	return done_fd;
}

void bs_rbd_done_push(struct bs_rbd_done *done)
{
	static const uint64_t one = 1;
	int was_empty;

	pthread_mutex_lock(&done_lock);
	was_empty = !done_head;
	done->next = done_head;
	done_head = done;
	pthread_mutex_unlock(&done_lock);

	if (was_empty && write(done_fd, &one, sizeof(one)) < 0)
		eprintf("rbd: completion eventfd write: %m\n");
}

/* librbd completion callback for anything that embeds a bs_rbd_done. */
void bs_rbd_done_aio_cb(rbd_completion_t comp, void *arg)
{
	struct bs_rbd_done *done = arg;

	done->ret = rbd_aio_get_return_value(comp);
	rbd_aio_release(comp);
	bs_rbd_done_push(done);
}
