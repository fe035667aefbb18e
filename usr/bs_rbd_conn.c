// SPDX-License-Identifier: GPL-2.0-only
/*
 * bs_rbd: cluster connections shared by every LU that uses the same
 * (cluster, id, conf, keyring, timeouts), refcounted, with one io
 * context per (pool, namespace).
 *
 * A rados client costs a dozen threads and its own sessions with every
 * OSD; one per LU (as tgt's original bs_rbd does) does not scale.
 * The registry is only touched from tgtd's main loop, so it needs no lock.
 */
#include <errno.h>
#include <stdint.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "list.h"
#include "util.h"
#include "log.h"

#include "bs_rbd_conn.h"
#include "bs_rbd_service.h"
#include "bs_rbd_loop.h"
#include "bs_rbd_wait.h"
#include "bs_rbd_worker.h"

struct bs_rbd_pool {
	struct bs_rbd_pool *next;
	struct bs_rbd_conn *conn;
	char *name;
	char *ns;
	rados_ioctx_t ioctx;
	unsigned int refs;
};

struct bs_rbd_conn {
	struct bs_rbd_conn *next;
	struct bs_rbd_opts key; /* what the connection was made with */
	rados_t rados;
	unsigned int refs;
	struct bs_rbd_pool *pools;
	/* after blocklisting: the new client replacing this one (held) */
	struct bs_rbd_conn *successor;
	int replacing; /* its connect is in flight */
	/* the gateway name it registered with (its first LU's) */
	char gateway[BS_RBD_GATEWAY_MAX + 1];
};

static struct bs_rbd_conn *conns;

/* A connect attempt; outlives the caller if the connect is abandoned. */
struct connect_job {
	struct bs_rbd_wait wait;
	struct bs_rbd_work work;
	rados_t rados;
	char gateway[BS_RBD_GATEWAY_MAX + 1];
};

static int str_eq(const char *a, const char *b)
{
	if (!a || !b)
		return a == b;
	return !strcmp(a, b);
}

static int opts_eq(const struct bs_rbd_opts *a, const struct bs_rbd_opts *b)
{
	return str_eq(a->conf, b->conf) && str_eq(a->id, b->id) &&
	       str_eq(a->cluster, b->cluster) &&
	       str_eq(a->keyring, b->keyring) &&
	       a->connect_timeout == b->connect_timeout &&
	       a->op_timeout == b->op_timeout && a->connection == b->connection;
}

static int dup_str(const char *src, char **dst)
{
	*dst = NULL;
	if (!src)
		return 0;
	*dst = strdup(src);
	return *dst ? 0 : -ENOMEM;
}

static int opts_copy(const struct bs_rbd_opts *src, struct bs_rbd_opts *dst)
{
	memset(dst, 0, sizeof(*dst));
	dst->connect_timeout = src->connect_timeout;
	dst->op_timeout = src->op_timeout;
	dst->connection = src->connection;
	if (dup_str(src->conf, &dst->conf) || dup_str(src->id, &dst->id) ||
	    dup_str(src->cluster, &dst->cluster) ||
	    dup_str(src->keyring, &dst->keyring)) {
		bs_rbd_opts_free(dst);
		return -ENOMEM;
	}
	return 0;
}

static int set_conf(rados_t rados, const char *name, const char *val, char *err,
		    size_t errlen)
{
	int ret = rados_conf_set(rados, name, val);

	if (ret < 0)
		snprintf(err, errlen, "cannot set ceph option %s=%s: %s", name,
			 val, strerror(-ret));
	return ret;
}

static int set_timeout(rados_t rados, const char *name, unsigned int secs,
		       char *err, size_t errlen)
{
	char val[16];

	snprintf(val, sizeof(val), "%u", secs);
	return set_conf(rados, name, val, err, errlen);
}

/*
 * librbd's default cache policy, write-around (rbd_cache = true,
 * rbd_cache_policy = writearound), completes a plain write once librbd has
 * sent it, before the OSD answers.  When the OSD then refuses it (pool
 * quota, full cluster), librbd keeps the error for a flush that finds
 * writes still in flight; a flush that finds none succeeds, so the write
 * is lost although SYNCHRONIZE CACHE returned GOOD.  Write-around keeps no
 * data (it is no read cache), so turning the cache off costs only that
 * early completion.  The object cacher's policies, when the conf asks for
 * them, report such an error (writethrough on the write, writeback on the
 * next flush) and are left alone.
 */
static int no_write_around(rados_t rados, char *err, size_t errlen)
{
	char cache[8], policy[32];
	int ret;

	ret = rados_conf_get(rados, "rbd_cache", cache, sizeof(cache));
	if (!ret)
		ret = rados_conf_get(rados, "rbd_cache_policy", policy,
				     sizeof(policy));
	if (ret < 0)
		return 0; /* no write-around in this librbd */
	if (strcmp(cache, "true") || strcmp(policy, "writearound"))
		return 0;
	return set_conf(rados, "rbd_cache", "false", err, errlen);
}

/*
 * librados runs librbd's completions (and its copy of read data) on a pool
 * of librados_thread_count threads, Ceph's default 2.  Their callbacks
 * only queue work for tgtd's single main loop, and with two threads the
 * completions of one burst wake both in turn.  One thread cuts tgtd's CPU
 * per 4 KiB read by about a fifth and raises reads at QD32 by 14-20%
 * (docs/BENCHMARKS.md).  Any other value the conf sets is kept.
 */
static int one_completion_thread(rados_t rados, char *err, size_t errlen)
{
	char count[16];

	if (rados_conf_get(rados, "librados_thread_count", count,
			   sizeof(count)) < 0 ||
	    strcmp(count, "2"))
		return 0;
	return set_conf(rados, "librados_thread_count", "1", err, errlen);
}

/*
 * librados opens these files on tgtd's main loop: anything but a readable
 * regular file (a FIFO would block it for good) is refused up front.
 */
static int check_readable(const char *what, const char *path, char *err,
			  size_t errlen)
{
	struct stat st;
	int ret = 0;

	if (!path)
		return 0;
	if (stat(path, &st) || access(path, R_OK))
		ret = -errno;
	else if (!S_ISREG(st.st_mode))
		ret = S_ISDIR(st.st_mode) ? -EISDIR : -EINVAL;
	if (ret)
		snprintf(err, errlen, "%s=%s: %s", what, path,
			 ret == -EINVAL ? "not a regular file"
					: strerror(-ret));
	return ret;
}

/* What bs_rbd's promises need of a client, whatever its conf says. */
static int own_settings(rados_t rados, const struct bs_rbd_opts *o, char *err,
			size_t errlen)
{
	int ret;

	/*
	 * librbd copies write data (here on tgtd's main loop, 1M instructions
	 * per MiB) unless told not to.  Without the copy, librbd 16.2 holds a
	 * write's completion until it drops the command's buffer, which it
	 * never does for a write that fails before reaching the objects (a
	 * blocklisted client cannot take the image's lock) nor while its
	 * write-through cache keeps the data: the command would never end.
	 * The copy also leaves bs_rbd_watchdog.c free to end a write librbd holds.
	 * Pool and image settings override the client's: bs_rbd_imgconf.c.
	 */
	ret = set_conf(rados, "rbd_disable_zero_copy_writes", "true", err,
		       errlen);
	if (!ret)
		ret = no_write_around(rados, err, errlen);
	if (!ret)
		ret = one_completion_thread(rados, err, errlen);
	/*
	 * Synchronous "aio" would run every librbd call, and its waits for
	 * the cluster, on tgtd's main loop; whatever the conf says, no.
	 */
	if (!ret)
		ret = set_conf(rados, "rbd_non_blocking_aio", "true", err,
			       errlen);
	/*
	 * Breaking a lock (librbd's own, or bs_rbd_takeover.c's) must fence
	 * its holder, or the holder's stale writes could land after ours.
	 */
	if (!ret)
		ret = set_conf(rados, "rbd_blocklist_on_break_lock", "true",
			       err, errlen);
	/*
	 * Bound every wait on the monitors by connect_timeout, and every OSD
	 * operation by op_timeout, so that neither a dead cluster nor a
	 * stuck OSD can hold tgtd or a command forever.
	 */
	if (!ret)
		ret = set_timeout(rados, "client_mount_timeout",
				  o->connect_timeout, err, errlen);
	if (!ret)
		ret = set_timeout(rados, "rados_mon_op_timeout",
				  o->connect_timeout, err, errlen);
	if (!ret)
		ret = set_timeout(rados, "rados_osd_op_timeout", o->op_timeout,
				  err, errlen);
	return ret;
}

/* Create the handle and apply configuration: local work, no network. */
static int conn_configure(const struct bs_rbd_opts *o, rados_t *out, char *err,
			  size_t errlen)
{
	char name[4200];
	rados_t rados;
	int ret;

	ret = check_readable("conf", o->conf, err, errlen);
	if (!ret)
		ret = check_readable("keyring", o->keyring, err, errlen);
	if (ret)
		return ret;

	snprintf(name, sizeof(name), "client.%s", o->id ? o->id : "admin");
	ret = rados_create2(&rados, o->cluster ? o->cluster : "ceph", name, 0);
	if (ret < 0) {
		snprintf(err, errlen, "cannot create rados client %s: %s", name,
			 strerror(-ret));
		return ret;
	}
	ret = rados_conf_read_file(rados, o->conf);
	if (ret < 0) {
		snprintf(err, errlen, "cannot read ceph config %s: %s",
			 o->conf ? o->conf : "(default search path)",
			 strerror(-ret));
		goto fail;
	}
	ret = rados_conf_parse_env(rados, NULL);
	if (ret < 0) {
		snprintf(err, errlen, "cannot parse CEPH_ARGS: %s",
			 strerror(-ret));
		goto fail;
	}
	if (o->keyring) {
		ret = set_conf(rados, "keyring", o->keyring, err, errlen);
		if (ret < 0)
			goto fail;
	}
	ret = own_settings(rados, o, err, errlen);
	if (ret < 0)
		goto fail;
	*out = rados;
	return 0;
fail:
	rados_shutdown(rados);
	return ret;
}

static void connect_abandoned(struct bs_rbd_wait *wait)
{
	struct connect_job *job = (struct connect_job *)wait;

	rados_shutdown(job->rados);
	bs_rbd_wait_destroy(&job->wait);
	free(job);
}

static void connect_work(struct bs_rbd_work *work)
{
	struct connect_job *job = container_of(work, struct connect_job, work);
	int ret = rados_connect(job->rados);

	if (!ret)
		bs_rbd_service_register(job->rados, job->gateway);
	bs_rbd_wait_finish(&job->wait, ret);
}

/*
 * rados_connect() blocks; run it on a worker thread and wait at most
 * connect_timeout for it, so that a dead cluster costs tgtd a bounded time.
 */
static int conn_connect(const struct bs_rbd_opts *o, const char *gateway,
			rados_t rados, char *err, size_t errlen)
{
	struct connect_job *job;
	int ret;

	job = calloc(1, sizeof(*job));
	if (!job)
		return -ENOMEM;
	job->rados = rados;
	snprintf(job->gateway, sizeof(job->gateway), "%s", gateway);
	ret = bs_rbd_wait_init(&job->wait, connect_abandoned);
	if (ret)
		goto free_job;
	job->work.fn = connect_work;
	ret = bs_rbd_worker_queue(&job->work);
	if (ret)
		goto destroy_wait;

	ret = bs_rbd_loop_wait(&job->wait, o->connect_timeout);
	if (ret == -ETIMEDOUT) {
		/* the worker owns job and rados from now on */
		snprintf(err, errlen,
			 "no answer from the cluster within connect_timeout "
			 "(%u s); check mon_host and the network",
			 o->connect_timeout);
		return ret;
	}
	ret = (int)job->wait.ret;
	if (ret < 0)
		snprintf(err, errlen, "cannot connect to the cluster: %s%s",
			 strerror(-ret),
			 ret == -ENOENT || ret == -EACCES || ret == -EPERM
				 ? " (check id, keyring and the client's caps)"
				 : "");
destroy_wait:
	bs_rbd_wait_destroy(&job->wait);
free_job:
	free(job);
	return ret;
}

static struct bs_rbd_conn *conn_lookup(const struct bs_rbd_opts *opts)
{
	struct bs_rbd_conn *c;

	for (c = conns; c; c = c->next)
		if (opts_eq(&c->key, opts))
			return c;
	return NULL;
}

int bs_rbd_conn_get(const struct bs_rbd_opts *opts, const char *gateway,
		    struct bs_rbd_conn **out, char *err, size_t errlen)
{
	struct bs_rbd_conn *c = conn_lookup(opts);
	rados_t rados;
	int ret;

	if (c) {
		c->refs++;
		*out = c;
		return 0;
	}
	c = calloc(1, sizeof(*c));
	if (!c || opts_copy(opts, &c->key)) {
		free(c);
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	ret = conn_configure(opts, &rados, err, errlen);
	if (!ret) {
		ret = conn_connect(opts, gateway, rados, err, errlen);
		if (ret < 0 && ret != -ETIMEDOUT)
			rados_shutdown(rados);
	}
	if (ret < 0) {
		bs_rbd_opts_free(&c->key);
		free(c);
		return ret;
	}
	c->rados = rados;
	c->refs = 1;
	snprintf(c->gateway, sizeof(c->gateway), "%s", gateway);
	c->next = conns;
	conns = c;
	*out = c;
	return 0;
}

struct shutdown_job {
	struct bs_rbd_work work; /* first */
	rados_t rados;
};

static void shutdown_work(struct bs_rbd_work *work)
{
	struct shutdown_job *job = (struct shutdown_job *)work;

	rados_shutdown(job->rados);
	free(job);
}

/* Shutting down talks to the cluster: keep it off the main loop. */
static void shutdown_async(rados_t rados)
{
	struct shutdown_job *job = calloc(1, sizeof(*job));

	if (job) {
		job->work.fn = shutdown_work;
		job->rados = rados;
		if (!bs_rbd_worker_queue(&job->work))
			return;
		free(job);
	}
	eprintf("rbd: no worker to shut a client down; leaking it\n");
}

/* Take conn out of the registry, if it is there. */
static void conn_unlink(struct bs_rbd_conn *conn)
{
	struct bs_rbd_conn **p;

	for (p = &conns; *p; p = &(*p)->next) {
		if (*p == conn) {
			*p = conn->next;
			return;
		}
	}
}

void bs_rbd_conn_hold(struct bs_rbd_conn *conn)
{
	conn->refs++;
}

void bs_rbd_conn_put(struct bs_rbd_conn *conn)
{
	if (--conn->refs)
		return;
	conn_unlink(conn);
	if (conn->successor)
		bs_rbd_conn_put(conn->successor);
	shutdown_async(conn->rados);
	bs_rbd_opts_free(&conn->key);
	free(conn);
}

static struct bs_rbd_pool *pool_find(struct bs_rbd_conn *conn, const char *name,
				     const char *ns)
{
	struct bs_rbd_pool *p;

	for (p = conn->pools; p; p = p->next)
		if (!strcmp(p->name, name) && str_eq(p->ns, ns))
			return p;
	return NULL;
}

/* Register an io context just created; it is the pool's from now on. */
static struct bs_rbd_pool *pool_link(struct bs_rbd_conn *conn, const char *name,
				     const char *ns, rados_ioctx_t ioctx)
{
	struct bs_rbd_pool *p = calloc(1, sizeof(*p));

	if (!p || dup_str(name, &p->name) || dup_str(ns, &p->ns)) {
		if (p) {
			free(p->name);
			free(p);
		}
		rados_ioctx_destroy(ioctx);
		return NULL;
	}
	p->ioctx = ioctx;
	if (ns)
		rados_ioctx_set_namespace(ioctx, ns);
	/* a full pool or quota fails writes (-EDQUOT/-ENOSPC), never hangs */
	rados_set_pool_full_try(ioctx);
	p->conn = conn;
	p->refs = 1;
	conn->refs++;
	p->next = conn->pools;
	conn->pools = p;
	return p;
}

static void pool_error(int ret, const char *name, char *err, size_t errlen)
{
	snprintf(err, errlen, "cannot open pool '%s': %s", name,
		 ret == -ENOENT ? "no such pool" : strerror(-ret));
}

int bs_rbd_pool_get(struct bs_rbd_conn *conn, const char *name, const char *ns,
		    struct bs_rbd_pool **out, char *err, size_t errlen)
{
	struct bs_rbd_pool *p = pool_find(conn, name, ns);
	rados_ioctx_t ioctx;
	int ret;

	if (p) {
		p->refs++;
		*out = p;
		return 0;
	}
	ret = rados_ioctx_create(conn->rados, name, &ioctx);
	if (ret < 0) {
		pool_error(ret, name, err, errlen);
		return ret;
	}
	p = pool_link(conn, name, ns, ioctx);
	if (!p) {
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	*out = p;
	return 0;
}

/* Creating an io context may wait for an osdmap: on a worker. */
struct pool_job {
	struct bs_rbd_done done; /* first: the completion queue links it */
	struct bs_rbd_work work;
	struct bs_rbd_conn *conn; /* held */
	struct bs_rbd_done *notify;
	struct bs_rbd_pool **out;
	rados_ioctx_t ioctx;
	char *name;
	char *ns;
};

static void pool_job_free(struct pool_job *job)
{
	bs_rbd_conn_put(job->conn);
	free(job->name);
	free(job->ns);
	free(job);
}

static void pool_work(struct bs_rbd_work *work)
{
	struct pool_job *job = container_of(work, struct pool_job, work);

	job->done.ret =
		rados_ioctx_create(job->conn->rados, job->name, &job->ioctx);
	bs_rbd_done_push(&job->done);
}

static void pool_created(struct bs_rbd_done *done)
{
	struct pool_job *job = (struct pool_job *)done;
	struct bs_rbd_done *notify = job->notify;
	struct bs_rbd_pool *p;
	int ret = (int)done->ret;

	if (!ret) {
		/* another LU may have opened the same pool meanwhile */
		p = pool_find(job->conn, job->name, job->ns);
		if (p) {
			p->refs++;
			rados_ioctx_destroy(job->ioctx);
		} else {
			p = pool_link(job->conn, job->name, job->ns,
				      job->ioctx);
		}
		if (p)
			*job->out = p;
		else
			ret = -ENOMEM;
	}
	pool_job_free(job);
	notify->ret = ret;
	notify->fn(notify);
}

int bs_rbd_pool_get_async(struct bs_rbd_conn *conn, const char *name,
			  const char *ns, struct bs_rbd_pool **out,
			  struct bs_rbd_done *done)
{
	struct pool_job *job = calloc(1, sizeof(*job));
	int ret;

	if (!job)
		return -ENOMEM;
	conn->refs++;
	job->conn = conn;
	job->notify = done;
	job->out = out;
	job->done.fn = pool_created;
	job->work.fn = pool_work;
	if (dup_str(name, &job->name) || dup_str(ns, &job->ns)) {
		pool_job_free(job);
		return -ENOMEM;
	}
	ret = bs_rbd_worker_queue(&job->work);
	if (ret)
		pool_job_free(job);
	return ret;
}

void bs_rbd_pool_hold(struct bs_rbd_pool *pool)
{
	pool->refs++;
}

void bs_rbd_pool_put(struct bs_rbd_pool *pool)
{
	struct bs_rbd_conn *conn = pool->conn;
	struct bs_rbd_pool **p;

	if (--pool->refs)
		return;
	for (p = &conn->pools; *p != pool; p = &(*p)->next)
		;
	*p = pool->next;
	rados_ioctx_destroy(pool->ioctx);
	free(pool->name);
	free(pool->ns);
	free(pool);
	bs_rbd_conn_put(conn);
}

rados_t bs_rbd_conn_rados(const struct bs_rbd_conn *conn)
{
	return conn->rados;
}

struct bs_rbd_conn *bs_rbd_pool_conn(const struct bs_rbd_pool *pool)
{
	return pool->conn;
}

rados_ioctx_t bs_rbd_pool_ioctx(const struct bs_rbd_pool *pool)
{
	return pool->ioctx;
}

/*
 * Replacing a blocklisted client.  librbd cannot take back an image lock
 * its own client held when it was fenced (breaking it would mean
 * blocklisting itself), so the LUs move to a new client, with a new
 * address, made with the same options.
 */
struct replace_job {
	struct bs_rbd_done done; /* first: the completion queue links it */
	struct bs_rbd_work work;
	struct bs_rbd_conn *old; /* held until the connect is over */
	rados_t rados;
	char gateway[BS_RBD_GATEWAY_MAX + 1];
};

static void replace_work(struct bs_rbd_work *work)
{
	struct replace_job *job = container_of(work, struct replace_job, work);

	job->done.ret = rados_connect(job->rados);
	if (!job->done.ret)
		bs_rbd_service_register(job->rados, job->gateway);
	bs_rbd_done_push(&job->done);
}

static void replaced(struct bs_rbd_done *done)
{
	struct replace_job *job = (struct replace_job *)done;
	struct bs_rbd_conn *old = job->old, *c = NULL;

	old->replacing = 0;
	if (done->ret >= 0) {
		c = calloc(1, sizeof(*c));
		if (c && opts_copy(&old->key, &c->key)) {
			free(c);
			c = NULL;
		}
	}
	if (!c) {
		eprintf("rbd: cannot reconnect after blocklisting: %s\n",
			strerror(done->ret < 0 ? (int)-done->ret : ENOMEM));
		shutdown_async(job->rados);
	} else {
		c->rados = job->rados;
		c->refs = 1; /* old's reference */
		memcpy(c->gateway, old->gateway, sizeof(c->gateway));
		conn_unlink(old);
		c->next = conns;
		conns = c;
		old->successor = c;
		eprintf("rbd: connected a new client to replace a blocklisted "
			"one\n");
	}
	free(job);
	bs_rbd_conn_put(old);
}

struct bs_rbd_conn *bs_rbd_conn_successor(struct bs_rbd_conn *conn, int start)
{
	struct replace_job *job;
	char err[BS_RBD_ERR_LEN];

	if (conn->successor || conn->replacing || !start)
		return conn->successor;
	job = calloc(1, sizeof(*job));
	if (!job)
		return NULL;
	if (conn_configure(&conn->key, &job->rados, err, sizeof(err))) {
		eprintf("rbd: cannot reconnect after blocklisting: %s\n", err);
		free(job);
		return NULL;
	}
	job->done.fn = replaced;
	job->work.fn = replace_work;
	job->old = conn;
	memcpy(job->gateway, conn->gateway, sizeof(job->gateway));
	if (bs_rbd_worker_queue(&job->work)) {
		shutdown_async(job->rados);
		free(job);
		return NULL;
	}
	conn->refs++;
	conn->replacing = 1;
	return NULL;
}

void bs_rbd_conn_successor_fenced(struct bs_rbd_conn *conn,
				  struct bs_rbd_conn *fenced)
{
	if (!fenced || conn->successor != fenced)
		return;
	eprintf("rbd: the client replacing a blocklisted one was "
		"blocklisted too; connecting another\n");
	/* no new LU may share it any more */
	conn_unlink(fenced);
	conn->successor = NULL;
	bs_rbd_conn_put(fenced);
}

void bs_rbd_conn_print(FILE *f)
{
	const struct bs_rbd_conn *c;
	const struct bs_rbd_pool *p;
	unsigned int pools;
	char *addr;

	for (c = conns; c; c = c->next) {
		pools = 0;
		for (p = c->pools; p; p = p->next)
			pools++;
		/* the address `ceph osd blocklist` and `rbd status` show */
		if (rados_getaddrs(c->rados, &addr) < 0)
			addr = NULL;
		fprintf(f,
			"client id=%s cluster=%s conf=%s connection=%u "
			"state=%s users=%u pools=%u addr=%s\n",
			c->key.id ? c->key.id : "admin",
			c->key.cluster ? c->key.cluster : "ceph",
			c->key.conf ? c->key.conf : "(default)",
			c->key.connection,
			c->replacing ? "blocklisted,reconnecting" : "connected",
			c->refs, pools, addr ? addr : "unknown");
		if (addr)
			rados_buffer_free(addr);
	}
}
