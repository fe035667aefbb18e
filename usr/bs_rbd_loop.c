// SPDX-License-Identifier: GPL-2.0-only
/*
 * bs_rbd: keeping tgtd's other LUs served while a new LU waits for the
 * cluster.
 *
 * tgtd runs a tgtadm request to its end before it looks at any other
 * event, so a LUN creation that waits connect_timeout for a dead cluster
 * would stall every initiator of this tgtd for that long.  While an LU
 * that no initiator can see yet is being set up, our bounded waits run
 * tgtd's own event set, one event at a time: iSCSI sockets, timers and
 * the completion eventfds of every backing store.  Never the management
 * sockets: the request being served is one of them, and another could
 * delete what this one is building.  The first time one is ready it is
 * taken out of tgtd's event set for the rest of the wait and put back
 * afterwards; a request pending on it stays pending (the socket stays
 * readable) and tgtd's loop serves it once we return.  Merely skipping it
 * would have epoll report it again at every turn, in place of the events
 * of the other LUs.
 */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "list.h"
#include "log.h"
#include "tgtd.h"

#include "bs_rbd_done.h"
#include "bs_rbd_loop.h"
#include "bs_rbd_wait.h"

/* Longest we sleep without looking at tgtd's events or the worker (ms) */
#define SLICE_MS 10
/* Management sockets set aside at once (tgtd serves one request at a time) */
#define MAX_MASKED 16

static int tgtd_epfd = -2;	       /* -2: not looked for yet; -1: none */
static const struct scsi_lu *setup_lu; /* LU being set up, invisible */
static int serving;		       /* inside a nested dispatch */

/* Management sockets out of tgtd's event set during a nested dispatch */
static struct masked_fd {
	struct event_data *tev;
	uint32_t events; /* as tgtd registered it */
} masked[MAX_MASKED];
static unsigned int nr_masked;

/* Does the epoll instance epfd watch fd?  (tfd lines of its fdinfo) */
static int epoll_watches(int epfd, int fd)
{
	char path[64], line[256];
	int tfd, found = 0;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/self/fdinfo/%d", epfd);
	f = fopen(path, "re");
	if (!f)
		return 0;
	while (!found && fgets(line, sizeof(line), f))
		found = sscanf(line, "tfd: %d", &tfd) == 1 && tfd == fd;
	fclose(f);
	return found;
}

/* tgtd keeps its epoll fd private: it is the one watching our eventfd. */
static int find_tgtd_epoll(int marker)
{
	char link[64];
	struct dirent *de;
	int fd, found = -1;
	ssize_t n;
	DIR *d;

	d = opendir("/proc/self/fd");
	if (!d)
		return -1;
	while (found < 0 && (de = readdir(d))) {
		if (de->d_name[0] == '.')
			continue;
		n = readlinkat(dirfd(d), de->d_name, link, sizeof(link) - 1);
		if (n <= 0)
			continue;
		link[n] = '\0';
		if (strcmp(link, "anon_inode:[eventpoll]"))
			continue;
		fd = atoi(de->d_name);
		if (epoll_watches(fd, marker))
			found = fd;
	}
	closedir(d);
	return found;
}

static int tgtd_epoll(void)
{
	if (tgtd_epfd == -2) {
		tgtd_epfd = find_tgtd_epoll(bs_rbd_done_fd());
		if (tgtd_epfd < 0)
			eprintf("rbd: cannot find tgtd's event set; other LUs "
				"wait while a new LU connects\n");
	}
	return tgtd_epfd;
}

static int is_mgmt_fd(int fd)
{
	socklen_t len = sizeof(int);
	int domain;

	if (getsockopt(fd, SOL_SOCKET, SO_DOMAIN, &domain, &len))
		return 0; /* not a socket: an eventfd or a timer */
	return domain == AF_UNIX;
}

/*
 * Take a management socket out of tgtd's event set until unmask_all().
 * tgtd registers one for EPOLLIN or for EPOLLOUT (a reply to send), and
 * epoll reports what it was registered for (or only an error or hang-up,
 * which the reading side then sees).  -1 when there is no room left.
 */
static int mask(int epfd, struct event_data *tev, uint32_t ready)
{
	struct masked_fd *m;

	if (nr_masked == MAX_MASKED ||
	    epoll_ctl(epfd, EPOLL_CTL_DEL, tev->fd, NULL))
		return -1;
	m = &masked[nr_masked++];
	m->tev = tev;
	m->events = ready & EPOLLOUT ? EPOLLOUT : EPOLLIN;
	return 0;
}

static void unmask_all(int epfd)
{
	struct epoll_event ev;

	while (nr_masked) {
		struct masked_fd *m = &masked[--nr_masked];

		memset(&ev, 0, sizeof(ev));
		ev.events = m->events;
		ev.data.ptr = m->tev;
		if (epoll_ctl(epfd, EPOLL_CTL_ADD, m->tev->fd, &ev))
			eprintf("rbd: cannot give tgtd back management "
				"socket %d: %m\n",
				m->tev->fd);
	}
}

/*
 * Serve at most one of tgtd's events, waiting up to timeout_ms for one.
 * 1: a management event that could not be set aside is pending; 0: served
 * one or none; <0: error.
 */
static int serve_one(int epfd, int timeout_ms)
{
	struct event_data *tev;
	struct epoll_event ev;
	int n;

	n = epoll_wait(epfd, &ev, 1, timeout_ms);
	if (n < 0)
		return errno == EINTR ? 0 : -errno;
	if (!n)
		return 0;
	tev = ev.data.ptr;
	if (is_mgmt_fd(tev->fd))
		return mask(epfd, tev, ev.events) ? 1 : 0;
	tev->handler(tev->fd, (int)ev.events, tev->data);
	return 0;
}

static void refresh_noop(int fd, int events, void *data)
{
	(void)fd;
	(void)events;
	(void)data;
}

/*
 * tgtd's loop is in the middle of a batch of events, some of which we may
 * have served: deleting an event makes it poll afresh instead.
 */
static void refresh_tgtd_batch(void)
{
	int fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);

	if (fd < 0)
		return;
	if (!tgt_event_add(fd, EPOLLIN, refresh_noop, NULL))
		tgt_event_del(fd);
	close(fd);
}

static long ms_until(const struct timespec *t)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (t->tv_sec - now.tv_sec) * 1000L +
	       (t->tv_nsec - now.tv_nsec) / 1000000L;
}

static void nested_wait(struct bs_rbd_wait *wait, int epfd,
			const struct timespec *deadline)
{
	struct timespec slice;
	long left;
	int ret;

	while (!bs_rbd_wait_check(wait)) {
		left = ms_until(deadline);
		if (left <= 0)
			return;
		ret = serve_one(epfd, left < SLICE_MS ? (int)left : SLICE_MS);
		if (ret < 0) {
			bs_rbd_wait_until(wait, deadline);
			return;
		}
		if (ret == 1) {
			/* cannot set it aside: sleep rather than spin on it */
			bs_rbd_wait_deadline(&slice, SLICE_MS);
			bs_rbd_wait_until(wait, &slice);
		}
	}
}

int bs_rbd_loop_wait(struct bs_rbd_wait *wait, unsigned int seconds)
{
	struct timespec deadline;
	int epfd;

	if (!setup_lu || serving)
		return bs_rbd_wait_for(wait, seconds);
	epfd = tgtd_epoll();
	if (epfd < 0)
		return bs_rbd_wait_for(wait, seconds);

	bs_rbd_wait_deadline(&deadline, seconds * 1000u);
	serving = 1;
	nested_wait(wait, epfd, &deadline);
	unmask_all(epfd);
	serving = 0;
	refresh_tgtd_batch();
	return bs_rbd_wait_settle(wait);
}

void bs_rbd_loop_setup_begin(const struct scsi_lu *lu)
{
	/* tgt lists an LU for initiators only once it is set up */
	setup_lu = lu->device_siblings.next ? NULL : lu;
}

void bs_rbd_loop_setup_end(void)
{
	setup_lu = NULL;
}
