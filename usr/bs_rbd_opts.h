/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * bs_rbd option parsing: the --backing-store path and the --bsopts string.
 *
 * Pure code (no tgt, no librados), unit-tested and fuzzed on its own.
 */
#ifndef BS_RBD_OPTS_H
#define BS_RBD_OPTS_H

#include <stddef.h>

#define BS_RBD_DEFAULT_POOL "rbd"
#define BS_RBD_NAME_MAX 1023 /* longest pool, namespace, image or snap */
#define BS_RBD_OPTS_MAX 8192 /* longest bsopts string accepted */
#define BS_RBD_ERR_LEN 256   /* room for one error message */

#define BS_RBD_CONNECT_TIMEOUT_DEFAULT 5 /* seconds */
#define BS_RBD_CONNECT_TIMEOUT_MAX 300
#define BS_RBD_OP_TIMEOUT_DEFAULT 30 /* seconds, 0 = never */
#define BS_RBD_OP_TIMEOUT_MAX 3600
#define BS_RBD_TAKEOVER_DEFAULT 2 /* seconds, 0 = never */
#define BS_RBD_TAKEOVER_MAX 300
#define BS_RBD_CONNECTION_MAX 63 /* connection=0..63 */
#define BS_RBD_GATEWAY_MAX 63	 /* longest gateway= name */

/* [pool/[namespace/]]image[@snap] */
struct bs_rbd_path {
	char *pool;
	char *ns; /* NULL: the pool's default namespace */
	char *image;
	char *snap; /* NULL: the image head, writable */
};

struct bs_rbd_opts {
	char *conf;    /* ceph.conf path; NULL: librados' search path */
	char *id;      /* client id without "client."; NULL: admin */
	char *cluster; /* cluster name; NULL: ceph */
	char *keyring; /* keyring file path */
	unsigned int connect_timeout; /* seconds */
	unsigned int op_timeout;      /* seconds, 0 = never */
	unsigned int connection;      /* LUs share a client only if equal */
	/* seconds a write may wait for the lock another client holds before
	 * that client's lock is broken (bs_rbd_takeover.h); 0 = never */
	unsigned int takeover;
	char *gateway; /* this tgtd's name among gateways; NULL: host name */
};

/*
 * Both parsers return 0 on success, or -EINVAL (bad syntax or value) or
 * -ENOMEM with a human-readable message in err.
 *
 * There is deliberately no option that carries a cephx key: tgtd logs the
 * whole bsopts string of every LU it creates, so keys travel by keyring=.
 * On failure the output holds nothing that needs freeing.
 */
int bs_rbd_path_parse(const char *spec, struct bs_rbd_path *path, char *err,
		      size_t errlen);
void bs_rbd_path_free(struct bs_rbd_path *path);

int bs_rbd_opts_parse(const char *bsopts, struct bs_rbd_opts *opts, char *err,
		      size_t errlen);
void bs_rbd_opts_free(struct bs_rbd_opts *opts);

#endif
