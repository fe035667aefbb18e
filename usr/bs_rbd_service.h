/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * bs_rbd: the gateways in Ceph's service map (bs_rbd_service.c), so that
 * `ceph -s` counts them and `ceph service dump` / `ceph service status`
 * list them with the state of each LU they serve (bs_rbd_stats.c).
 */
#ifndef BS_RBD_SERVICE_H
#define BS_RBD_SERVICE_H

#include <stddef.h>

#include <rados/librados.h>

/* Right after rados_connect, any thread: rados is gateway's client. */
void bs_rbd_service_register(rados_t rados, const char *gateway);
/*
 * Append "key\0value\0" to the librados dict in buf (pos bytes so far,
 * kept ended by a "\0"): 0, or -1 when it would not fit.
 */
int bs_rbd_service_dict_add(char *buf, size_t len, size_t *pos, const char *key,
			    const char *val);

#endif
