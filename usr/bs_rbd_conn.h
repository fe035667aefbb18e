/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * bs_rbd: cluster clients shared by LUs with the same options, and their
 * io contexts per (pool, namespace).  Main loop only.
 */
#ifndef BS_RBD_CONN_H
#define BS_RBD_CONN_H

#include <stddef.h>

#include <stdio.h>

#include <rados/librados.h>

#include "bs_rbd_done.h"
#include "bs_rbd_opts.h"

struct bs_rbd_conn;
struct bs_rbd_pool;

/*
 * The client for these options (shared by every LU with the same), made
 * if need be and then registered in the service map as gateway's.
 */
int bs_rbd_conn_get(const struct bs_rbd_opts *opts, const char *gateway,
		    struct bs_rbd_conn **out, char *err, size_t errlen);
rados_t bs_rbd_conn_rados(const struct bs_rbd_conn *conn);
/* For the statistics file: one line per cluster client */
void bs_rbd_conn_print(FILE *f);
void bs_rbd_conn_hold(struct bs_rbd_conn *conn);
void bs_rbd_conn_put(struct bs_rbd_conn *conn);
/*
 * After blocklisting: conn's replacement, or NULL while there is none
 * yet; start=1 starts connecting it.
 */
struct bs_rbd_conn *bs_rbd_conn_successor(struct bs_rbd_conn *conn, int start);
/*
 * conn's replacement `fenced` was blocklisted as well: unless conn has
 * another by now, the next one is a new client.
 */
void bs_rbd_conn_successor_fenced(struct bs_rbd_conn *conn,
				  struct bs_rbd_conn *fenced);

/* Bounded by connect_timeout (librados' mon op timeout). */
int bs_rbd_pool_get(struct bs_rbd_conn *conn, const char *pool, const char *ns,
		    struct bs_rbd_pool **out, char *err, size_t errlen);
/*
 * Without blocking the main loop: done->fn runs there, with *out set and
 * held when done->ret is 0.
 */
int bs_rbd_pool_get_async(struct bs_rbd_conn *conn, const char *pool,
			  const char *ns, struct bs_rbd_pool **out,
			  struct bs_rbd_done *done);
void bs_rbd_pool_hold(struct bs_rbd_pool *pool);
void bs_rbd_pool_put(struct bs_rbd_pool *pool);
rados_ioctx_t bs_rbd_pool_ioctx(const struct bs_rbd_pool *pool);
struct bs_rbd_conn *bs_rbd_pool_conn(const struct bs_rbd_pool *pool);

#endif
