/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * bs_rbd: the gateways serving an image, in RADOS next to the image
 * (bs_rbd_gateway.c).  Worker threads only, but for bs_rbd_gateway_oid():
 * every call waits for the cluster (bounded by op_timeout).
 */
#ifndef BS_RBD_GATEWAY_H
#define BS_RBD_GATEWAY_H

#include <stdint.h>

#include <rados/librados.h>
#include <rbd/librbd.h>

#include "bs_rbd_alua.h"

/* The name of the image's registry object, in its pool and namespace */
#define BS_RBD_GATEWAY_OID_LEN 128
void bs_rbd_gateway_oid(const char *image_id, char *oid, size_t len);

/*
 * Register gateway name, whose client has address addr, for the image:
 * *id is the number it had, or the smallest one free.  0, or a negative
 * errno.
 */
int bs_rbd_gateway_join(rados_ioctx_t io, const char *image_id,
			const char *name, const char *addr, uint16_t *id);

/*
 * Is id the number of a gateway registered for the image (serving it
 * now or not)?  1, 0, or a negative errno.
 */
int bs_rbd_gateway_known(rados_ioctx_t io, const char *image_id, uint16_t id);

/*
 * The address of the client holding the image's exclusive lock ("" when
 * none does, or the image has no such lock).  0, or a negative errno.
 */
int bs_rbd_gateway_lock_owner(rbd_image_t image, char *owner, size_t len);

/*
 * The gateways serving the open image now (registered, and watching it;
 * self, the number of the gateway asking, always) with their ALUA states
 * (bs_rbd_alua_states); how many, or a negative errno.
 */
int bs_rbd_gateway_ports(rados_ioctx_t io, rbd_image_t image,
			 const char *image_id, uint16_t self,
			 struct bs_rbd_alua_port *ports, int max);

#endif
