// SPDX-License-Identifier: GPL-2.0-only
/*
 * bs_rbd: opening and closing RBD images within a time bound.
 *
 * Opening reads the image header from the OSDs and closing flushes and
 * releases locks; against a sick cluster either can take as long as the
 * cluster likes.  Both run as librbd aio and tgtd waits at most a bounded
 * time.  A late finisher is cleaned up on the main loop: an image that
 * opened after tgtd gave up is closed again, and the pool it used is only
 * released once librbd no longer needs it.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "list.h"
#include "tgtd.h"

#include "bs_rbd.h"
#include "bs_rbd_imgconf.h"
#include "bs_rbd_wait.h"

struct image_job {
	struct bs_rbd_wait wait;    /* first: on_abandon gets it */
	struct bs_rbd_done cleanup; /* main-loop work after abandonment */
	struct bs_rbd_pool *pool;   /* held while librbd may use it */
	rbd_image_t image; /* librbd writes it when the open completes */
	int closing;
	/* settings check: rbd_config_image_list's answer */
	int list_ret;
	int nopts;
	rbd_config_option_t *opts;
};

static void job_free(struct image_job *job)
{
	if (job->opts) {
		rbd_config_image_list_cleanup(job->opts, job->nopts);
		free(job->opts);
	}
	bs_rbd_pool_put(job->pool);
	bs_rbd_wait_destroy(&job->wait);
	free(job);
}

static void job_cleanup(struct bs_rbd_done *done);

/* Close an image nobody waits for; job_cleanup runs again afterwards. */
static int job_close_async(struct image_job *job)
{
	rbd_completion_t comp;
	int ret;

	job->closing = 1;
	job->cleanup.fn = job_cleanup;
	ret = rbd_aio_create_completion(&job->cleanup, bs_rbd_done_aio_cb,
					&comp);
	if (ret < 0)
		return ret;
	ret = rbd_aio_close(job->image, comp);
	if (ret < 0)
		rbd_aio_release(comp);
	return ret;
}

/* Main loop: a job whose waiter gave up has finished a step. */
static void job_cleanup(struct bs_rbd_done *done)
{
	struct image_job *job =
		(struct image_job *)((char *)done -
				     offsetof(struct image_job, cleanup));

	if (!job->closing && job->image && done->ret >= 0) {
		eprintf("rbd: an image open or check finished after its "
			"timeout; closing the image\n");
		if (!job_close_async(job))
			return;
		eprintf("rbd: cannot close the late image; leaking it\n");
	}
	job_free(job);
}

/* librbd thread, after the waiter gave up: finish on the main loop. */
static void job_abandoned(struct bs_rbd_wait *wait)
{
	struct image_job *job = (struct image_job *)wait;

	job->cleanup.fn = job_cleanup;
	job->cleanup.ret = wait->ret;
	bs_rbd_done_push(&job->cleanup);
}

static void job_aio_cb(rbd_completion_t comp, void *arg)
{
	struct image_job *job = arg;
	ssize_t ret = rbd_aio_get_return_value(comp);

	rbd_aio_release(comp);
	bs_rbd_wait_finish(&job->wait, ret);
}

static struct image_job *job_alloc(struct bs_rbd_pool *pool)
{
	struct image_job *job = calloc(1, sizeof(*job));

	if (!job)
		return NULL;
	if (bs_rbd_wait_init(&job->wait, job_abandoned)) {
		free(job);
		return NULL;
	}
	bs_rbd_pool_hold(pool);
	job->pool = pool;
	return job;
}

static struct image_job *job_new(struct bs_rbd_pool *pool,
				 rbd_completion_t *comp)
{
	struct image_job *job = job_alloc(pool);

	if (job && rbd_aio_create_completion(job, job_aio_cb, comp) < 0) {
		job_free(job);
		return NULL;
	}
	return job;
}

static void open_error(int ret, const char *image, const char *snap, char *err,
		       size_t errlen)
{
	if (ret == -ENOENT && snap)
		snprintf(err, errlen, "no image '%s' with snapshot '%s'", image,
			 snap);
	else if (ret == -ENOENT)
		snprintf(err, errlen, "no image '%s'", image);
	else if (ret == -EPERM || ret == -EACCES)
		snprintf(err, errlen,
			 "cannot open image '%s': permission denied (check "
			 "the client's caps)",
			 image);
	else
		snprintf(err, errlen, "cannot open image '%s': %s", image,
			 strerror(-ret));
}

int bs_rbd_image_open(struct bs_rbd_pool *pool, const char *image,
		      const char *snap, unsigned int timeout, rbd_image_t *out,
		      char *err, size_t errlen)
{
	rados_ioctx_t ioctx = bs_rbd_pool_ioctx(pool);
	struct image_job *job;
	rbd_completion_t comp;
	int ret;

	job = job_new(pool, &comp);
	if (!job) {
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	/* a snapshot is immutable: no header watch, no exclusive lock */
	if (snap)
		ret = rbd_aio_open_read_only(ioctx, image, &job->image, snap,
					     comp);
	else
		ret = rbd_aio_open(ioctx, image, &job->image, NULL, comp);
	if (ret < 0) {
		rbd_aio_release(comp);
		open_error(ret, image, snap, err, errlen);
		job_free(job);
		return ret;
	}

	ret = bs_rbd_loop_wait(&job->wait, timeout);
	if (ret == -ETIMEDOUT) {
		snprintf(err, errlen,
			 "opening image '%s' did not finish within %u s "
			 "(connect_timeout); are the OSDs up?",
			 image, timeout);
		return ret;
	}
	ret = (int)job->wait.ret;
	if (ret < 0)
		open_error(ret, image, snap, err, errlen);
	else
		*out = job->image;
	job_free(job);
	return ret;
}

void bs_rbd_image_close(struct bs_rbd_pool *pool, rbd_image_t image,
			unsigned int timeout)
{
	struct image_job *job;
	rbd_completion_t comp;
	int ret;

	job = job_new(pool, &comp);
	if (!job) {
		/* no memory for the bounded path: close the plain way */
		rbd_close(image);
		return;
	}
	job->image = image;
	job->closing = 1;
	ret = rbd_aio_close(image, comp);
	if (ret < 0) {
		rbd_aio_release(comp);
		eprintf("rbd: cannot close image: %s\n", strerror(-ret));
		job_free(job);
		return;
	}
	if (bs_rbd_loop_wait(&job->wait, timeout) == -ETIMEDOUT) {
		eprintf("rbd: closing an image did not finish within %u s; "
			"finishing in the background\n",
			timeout);
		return;
	}
	if (job->wait.ret < 0)
		eprintf("rbd: closing an image failed: %s\n",
			strerror((int)-job->wait.ret));
	job_free(job);
}

void bs_rbd_image_close_async(struct bs_rbd_pool *pool, rbd_image_t image)
{
	struct image_job *job = job_alloc(pool);

	if (!job) {
		eprintf("rbd: out of memory closing an image; leaking it\n");
		return;
	}
	job->image = image;
	if (job_close_async(job) < 0) {
		eprintf("rbd: cannot close an image; leaking it\n");
		job_free(job);
	}
}

int bs_rbd_image_open_async(struct bs_rbd_pool *pool, const char *image,
			    const char *snap, rbd_image_t *out,
			    struct bs_rbd_done *done)
{
	rados_ioctx_t ioctx = bs_rbd_pool_ioctx(pool);
	rbd_completion_t comp;
	int ret;

	ret = rbd_aio_create_completion(done, bs_rbd_done_aio_cb, &comp);
	if (ret < 0)
		return ret;
	if (snap)
		ret = rbd_aio_open_read_only(ioctx, image, out, snap, comp);
	else
		ret = rbd_aio_open(ioctx, image, out, NULL, comp);
	if (ret < 0)
		rbd_aio_release(comp);
	return ret;
}

/* ---- the image's pool and image settings ------------------------------ */

/* Helper thread: librbd lists an image's settings only blocking. */
static void *conf_thread(void *arg)
{
	struct image_job *job = arg;
	int n = 128, tries, ret = -ERANGE;

	/* ERANGE: n now says how many there are */
	for (tries = 0; tries < 3 && ret == -ERANGE; tries++) {
		free(job->opts);
		job->opts = calloc((size_t)n, sizeof(*job->opts));
		if (!job->opts) {
			ret = -ENOMEM;
			break;
		}
		ret = rbd_config_image_list(job->image, job->opts, &n);
	}
	if (ret < 0) {
		free(job->opts);
		job->opts = NULL;
	} else {
		job->nopts = n;
	}
	job->list_ret = ret;
	/* 0 always: an abandoned job then closes the image (job_cleanup) */
	bs_rbd_wait_finish(&job->wait, 0);
	bs_rbd_thread_done();
	return NULL;
}

int bs_rbd_image_check_conf(struct bs_rbd_pool *pool, rbd_image_t *image,
			    const char *pool_name, const char *spec,
			    unsigned int timeout, char *err, size_t errlen)
{
	struct image_job *job;
	int ret;

	job = job_alloc(pool);
	if (!job) {
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	job->image = *image;
	ret = bs_rbd_thread_start(conf_thread, job);
	if (ret) {
		snprintf(err, errlen, "cannot start a thread: %s",
			 strerror(-ret));
		job_free(job);
		return ret;
	}
	ret = bs_rbd_loop_wait(&job->wait, timeout);
	if (ret == -ETIMEDOUT) {
		*image = NULL; /* the job closes it once librbd answers */
		snprintf(err, errlen,
			 "reading the image's settings did not finish within "
			 "%u s (connect_timeout); are the OSDs up?",
			 timeout);
		return ret;
	}
	ret = job->list_ret;
	if (ret < 0)
		snprintf(err, errlen, "cannot read the image's settings: %s",
			 strerror(-ret));
	else
		ret = bs_rbd_imgconf_judge(job->opts, job->nopts, pool_name,
					   spec, err, errlen);
	job_free(job);
	return ret;
}
