// SPDX-License-Identifier: GPL-2.0-only
/*
 * bs_rbd: opening an RBD image within a time bound, and the refcounted
 * handle that keeps it open while anything uses it.
 *
 * An open reads the image header from the OSDs (librbd aio), then a
 * worker thread reads the size and, for a writable image, the pool and
 * image settings (both only come as blocking calls).  bs_open waits a
 * bounded time for that (bs_rbd_loop.h); a reopen does not wait at all.
 * A late finisher cleans up after itself: an image that opened after the
 * waiter gave up is closed again, and the pool it used is only released
 * on the main loop, once librbd no longer needs it.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "list.h"
#include "util.h"
#include "log.h"

#include "bs_rbd_conn.h"
#include "bs_rbd_gateway.h"
#include "bs_rbd_image.h"
#include "bs_rbd_imgconf.h"
#include "bs_rbd_loop.h"
#include "bs_rbd_wait.h"
#include "bs_rbd_worker.h"

struct open_job {
	struct bs_rbd_wait wait;    /* first: on_abandon gets it */
	struct bs_rbd_work work;    /* the steps after the open */
	struct bs_rbd_done cleanup; /* main loop: the end of the job */
	struct bs_rbd_done *notify; /* async: the caller's, else NULL */
	struct bs_rbd_image **out;  /* async: where the handle goes */
	struct bs_rbd_image *img;   /* the handle, allocated up front */
	struct bs_rbd_pool *pool;   /* held while librbd may use it */
	rbd_image_t image; /* librbd writes it when the open completes */
	ssize_t ret;
	rbd_image_info_t info;
	char *err;
	size_t errlen;
	char errbuf[BS_RBD_ERR_LEN];
	char name[BS_RBD_NAME_MAX + 1];
	char snap[BS_RBD_NAME_MAX + 1]; /* empty: the head */
	char ns[BS_RBD_NAME_MAX + 1];	/* empty: the default namespace */
	char gateway[BS_RBD_GATEWAY_MAX + 1];
	char ident[BS_RBD_IDENT_LEN];
	char id[BS_RBD_IMAGE_ID_LEN];
	uint16_t tpg_id;
	int tpg_err;
	char pool_name[BS_RBD_NAME_MAX + 1];
	char spec[3 * BS_RBD_NAME_MAX + 3];
};

void bs_rbd_image_spec(const struct bs_rbd_path *p, char *buf, size_t len)
{
	snprintf(buf, len, "%s/%s%s%s", p->pool, p->ns ? p->ns : "",
		 p->ns ? "/" : "", p->image);
}

static void job_free(struct open_job *job)
{
	free(job->img);
	bs_rbd_pool_put(job->pool);
	bs_rbd_wait_destroy(&job->wait);
	free(job);
}

/* The job's result becomes the caller's handle. */
static struct bs_rbd_image *handle_take(struct open_job *job)
{
	struct bs_rbd_image *img = job->img;

	job->img = NULL;
	img->image = job->image;
	img->pool = job->pool;
	bs_rbd_pool_hold(img->pool);
	img->size = job->info.size;
	img->object_size = job->info.obj_size;
	memcpy(img->ident, job->ident, sizeof(img->ident));
	memcpy(img->id, job->id, sizeof(img->id));
	img->tpg_id = job->tpg_id;
	img->tpg_err = job->tpg_err;
	img->refs = 1;
	return img;
}

/* ---- the steps of an open, on librbd's and worker threads ------------- */

static void open_error(struct open_job *job, int ret)
{
	const char *name = job->name;

	if (ret == -ENOENT && *job->snap)
		snprintf(job->err, job->errlen,
			 "no image '%s' with snapshot '%s'", name, job->snap);
	else if (ret == -ENOENT)
		snprintf(job->err, job->errlen, "no image '%s'", name);
	else if (ret == -EPERM || ret == -EACCES)
		snprintf(job->err, job->errlen,
			 "cannot open image '%s': permission denied (check "
			 "the client's caps)",
			 name);
	else
		snprintf(job->err, job->errlen, "cannot open image '%s': %s",
			 name, strerror(-ret));
}

/* Hand the result over: to the main loop, or to the waiter. */
static void job_finish(struct open_job *job, int ret)
{
	job->ret = ret;
	if (job->notify)
		bs_rbd_done_push(&job->cleanup);
	else
		bs_rbd_wait_finish(&job->wait, ret);
}

/* Settings that undo bs_rbd's are refused (bs_rbd_imgconf.h). */
static int check_settings(struct open_job *job)
{
	rbd_config_option_t *opts = NULL;
	int n = 128, tries, ret = -ERANGE;

	/* ERANGE: n now says how many there are */
	for (tries = 0; tries < 3 && ret == -ERANGE; tries++) {
		free(opts);
		opts = calloc((size_t)n, sizeof(*opts));
		if (!opts)
			return -ENOMEM;
		ret = rbd_config_image_list(job->image, opts, &n);
	}
	if (ret < 0) {
		snprintf(job->err, job->errlen,
			 "cannot read the image's settings: %s",
			 strerror(-ret));
	} else {
		ret = bs_rbd_imgconf_judge(opts, n, job->pool_name, job->spec,
					   job->err, job->errlen);
		rbd_config_image_list_cleanup(opts, n);
	}
	free(opts);
	return ret;
}

/*
 * What names the image for good (bs_rbd_ident.h): cluster, pool id,
 * namespace, image id (an old format 1 image has none: its name), and
 * the snapshot's id.
 */
static int read_identity(struct open_job *job)
{
	rados_ioctx_t io = bs_rbd_pool_ioctx(job->pool);
	char fsid[64], id[BS_RBD_NAME_MAX + 4];
	struct bs_rbd_ident_src src = { fsid, rados_ioctx_get_id(io), job->ns,
					id, 0 };
	int ret;

	ret = rados_cluster_fsid(rados_ioctx_get_cluster(io), fsid,
				 sizeof(fsid));
	if (ret >= 0 && rbd_get_id(job->image, job->id, sizeof(job->id)) < 0)
		*job->id = 0;
	if (*job->id)
		snprintf(id, sizeof(id), "%s", job->id);
	else
		snprintf(id, sizeof(id), "v1:%s", job->name);
	if (ret >= 0 && *job->snap)
		ret = rbd_snap_get_id(job->image, job->snap, &src.snap_id);
	if (ret < 0) {
		snprintf(job->err, job->errlen,
			 "cannot read the image's identity: %s",
			 strerror(-ret));
		return ret;
	}
	bs_rbd_ident_make(&src, job->ident);
	return 0;
}

/*
 * This gateway serves the image: its port (group) number.  A client that
 * may not write the pool (a read-only snapshot export) goes without ALUA.
 */
static void join_gateways(struct open_job *job)
{
	rados_ioctx_t io = bs_rbd_pool_ioctx(job->pool);
	char *addr;

	/*
	 * An old format 1 image has no id; a snapshot is read-only, opened
	 * without a watch, and every path to it is as good as any other.
	 */
	job->tpg_err = -EOPNOTSUPP;
	if (!*job->id || !*job->gateway || *job->snap)
		return;
	job->tpg_err = rados_getaddrs(rados_ioctx_get_cluster(io), &addr);
	if (job->tpg_err < 0)
		return;
	job->tpg_err = bs_rbd_gateway_join(io, job->id, job->gateway, addr,
					   &job->tpg_id);
	rados_buffer_free(addr);
}

/* Worker: what librbd only answers blocking, on the open image. */
static void after_open(struct bs_rbd_work *work)
{
	struct open_job *job = container_of(work, struct open_job, work);
	int ret;

	ret = rbd_stat(job->image, &job->info, sizeof(job->info));
	if (ret < 0)
		snprintf(job->err, job->errlen, "cannot stat the image: %s",
			 strerror(-ret));
	if (!ret)
		ret = read_identity(job);
	if (!ret && !*job->snap)
		ret = check_settings(job);
	if (!ret)
		join_gateways(job);
	if (ret < 0) {
		rbd_close(job->image); /* a worker may block */
		job->image = NULL;
	}
	job_finish(job, ret);
}

static void closed_after_error(rbd_completion_t comp, void *arg)
{
	struct open_job *job = arg;

	rbd_aio_release(comp);
	job_finish(job, -ENOMEM);
}

/* librbd's thread: the header is read; the rest needs a worker. */
static void opened(rbd_completion_t comp, void *arg)
{
	struct open_job *job = arg;
	int ret = (int)rbd_aio_get_return_value(comp);
	rbd_image_t image;

	rbd_aio_release(comp);
	if (ret < 0) {
		job->image = NULL;
		open_error(job, ret);
		job_finish(job, ret);
		return;
	}
	job->work.fn = after_open;
	if (!bs_rbd_worker_queue(&job->work))
		return;
	snprintf(job->err, job->errlen, "no worker thread for the image");
	/* the close's callback may run before rbd_aio_close returns */
	image = job->image;
	job->image = NULL;
	if (rbd_aio_create_completion(job, closed_after_error, &comp) < 0)
		comp = NULL;
	if (!comp || rbd_aio_close(image, comp) < 0) {
		if (comp)
			rbd_aio_release(comp);
		/* cannot close it on librbd's thread: leak it */
		job_finish(job, -ENOMEM);
	}
}

/* ---- the main loop's side --------------------------------------------- */

/* Main loop: the job ended after its waiter gave up, or async. */
static void job_cleanup(struct bs_rbd_done *done)
{
	struct open_job *job = container_of(done, struct open_job, cleanup);
	struct bs_rbd_done *notify = job->notify;
	int ret = (int)job->ret;

	if (notify && !ret)
		*job->out = handle_take(job);
	job_free(job);
	if (notify) {
		notify->ret = ret;
		notify->fn(notify);
	}
}

/* The finisher's thread, after the waiter gave up: undo, then free. */
static void job_abandoned(struct bs_rbd_wait *wait)
{
	struct open_job *job = (struct open_job *)wait;

	/* an image is only ever open here on a worker, which may block */
	if (job->image) {
		eprintf("rbd: an image open finished after its timeout; "
			"closing the image\n");
		rbd_close(job->image);
		job->image = NULL;
	}
	job->ret = -ETIMEDOUT;
	bs_rbd_done_push(&job->cleanup);
}

static struct open_job *job_new(struct bs_rbd_pool *pool,
				const struct bs_rbd_path *path, const char *id,
				const char *gateway)
{
	struct open_job *job = calloc(1, sizeof(*job));

	if (!job)
		return NULL;
	job->img = calloc(1, sizeof(*job->img));
	if (!job->img || bs_rbd_wait_init(&job->wait, job_abandoned)) {
		free(job->img);
		free(job);
		return NULL;
	}
	bs_rbd_pool_hold(pool);
	job->pool = pool;
	job->cleanup.fn = job_cleanup;
	job->err = job->errbuf;
	job->errlen = sizeof(job->errbuf);
	snprintf(job->name, sizeof(job->name), "%s", path->image);
	snprintf(job->id, sizeof(job->id), "%s", id ? id : "");
	snprintf(job->snap, sizeof(job->snap), "%s",
		 path->snap ? path->snap : "");
	snprintf(job->pool_name, sizeof(job->pool_name), "%s", path->pool);
	snprintf(job->ns, sizeof(job->ns), "%s", path->ns ? path->ns : "");
	snprintf(job->gateway, sizeof(job->gateway), "%s",
		 gateway ? gateway : "");
	bs_rbd_image_spec(path, job->spec, sizeof(job->spec));
	return job;
}

/* Start the open; on failure the job is the caller's to free. */
static int job_start(struct open_job *job)
{
	rados_ioctx_t ioctx = bs_rbd_pool_ioctx(job->pool);
	rbd_completion_t comp;
	int ret;

	ret = rbd_aio_create_completion(job, opened, &comp);
	if (ret < 0)
		return ret;
	/* a snapshot is immutable: no header watch, no exclusive lock */
	if (*job->id && *job->snap)
		ret = rbd_aio_open_by_id_read_only(ioctx, job->id, &job->image,
						   job->snap, comp);
	else if (*job->id)
		ret = rbd_aio_open_by_id(ioctx, job->id, &job->image, NULL,
					 comp);
	else if (*job->snap)
		ret = rbd_aio_open_read_only(ioctx, job->name, &job->image,
					     job->snap, comp);
	else
		ret = rbd_aio_open(ioctx, job->name, &job->image, NULL, comp);
	if (ret < 0) {
		rbd_aio_release(comp);
		open_error(job, ret);
	}
	return ret;
}

int bs_rbd_image_open(struct bs_rbd_pool *pool, const struct bs_rbd_path *path,
		      const char *gateway, unsigned int timeout,
		      struct bs_rbd_image **out, char *err, size_t errlen)
{
	struct open_job *job = job_new(pool, path, NULL, gateway);
	int ret;

	if (!job) {
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	ret = job_start(job);
	if (ret < 0)
		goto out;
	ret = bs_rbd_loop_wait(&job->wait, timeout);
	if (ret == -ETIMEDOUT) {
		/* the job cleans up after itself */
		snprintf(err, errlen,
			 "opening image '%s' did not finish within %u s "
			 "(connect_timeout); are the OSDs up?",
			 path->image, timeout);
		return ret;
	}
	ret = (int)job->wait.ret;
	if (!ret)
		*out = handle_take(job);
out:
	if (ret)
		snprintf(err, errlen, "%s", job->errbuf);
	job_free(job);
	return ret;
}

int bs_rbd_image_open_async(struct bs_rbd_pool *pool,
			    const struct bs_rbd_path *path, const char *id,
			    const char *gateway, struct bs_rbd_image **out,
			    char *err, size_t errlen, struct bs_rbd_done *done)
{
	struct open_job *job = job_new(pool, path, id, gateway);
	int ret;

	if (!job) {
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	job->notify = done;
	job->out = out;
	job->err = err;
	job->errlen = errlen;
	ret = job_start(job);
	if (ret < 0)
		job_free(job);
	return ret;
}

/* ---- the handle --------------------------------------------------------- */

struct closer {
	struct bs_rbd_done done; /* first: the completion queue links it */
	struct bs_rbd_pool *pool;
};

static void closed(struct bs_rbd_done *done)
{
	struct closer *c = (struct closer *)done;

	if (done->ret < 0)
		eprintf("rbd: closing an image failed: %s\n",
			strerror((int)-done->ret));
	bs_rbd_pool_put(c->pool);
	free(c);
}

/* librbd's thread: the image let go of everything; exit may proceed. */
static void close_cb(rbd_completion_t comp, void *arg)
{
	struct closer *c = arg;

	c->done.ret = rbd_aio_get_return_value(comp);
	rbd_aio_release(comp);
	bs_rbd_worker_bg_end();
	bs_rbd_done_push(&c->done);
}

/*
 * Close without waiting: a close flushes and releases the exclusive lock,
 * as long as the cluster takes.  The pool (and client) stay until then.
 */
static void close_async(struct bs_rbd_image *img)
{
	struct closer *c = calloc(1, sizeof(*c));
	rbd_completion_t comp;

	if (!c || rbd_aio_create_completion(c, close_cb, &comp) < 0) {
		eprintf("rbd: out of memory closing an image; leaking it\n");
		free(c);
		return;
	}
	c->done.fn = closed;
	c->pool = img->pool;
	bs_rbd_worker_bg_begin();
	if (rbd_aio_close(img->image, comp) < 0) {
		bs_rbd_worker_bg_end();
		rbd_aio_release(comp);
		eprintf("rbd: cannot close an image; leaking it\n");
		free(c);
	}
}

int bs_rbd_image_header_oid(const struct bs_rbd_image *img, char *oid,
			    size_t len)
{
	int ret;

	if (!*img->id)
		return -EOPNOTSUPP; /* an old format 1 image: no header by id */
	ret = snprintf(oid, len, "rbd_header.%s", img->id);
	return ret < 0 || (size_t)ret >= len ? -ENAMETOOLONG : 0;
}

void bs_rbd_image_hold(struct bs_rbd_image *img)
{
	img->refs++;
}

void bs_rbd_image_put(struct bs_rbd_image *img)
{
	if (--img->refs)
		return;
	close_async(img);
	free(img);
}
