// SPDX-License-Identifier: GPL-2.0-only
/*
 * bs_rbd: the gateways in Ceph's service map.
 *
 * Every client bs_rbd connects registers with the manager as a daemon of
 * service "tgt-rbd" named GATEWAY.GID (several clients of one tgtd, and a
 * client replacing a blocklisted one, need names of their own), with the
 * metadata gateway=GATEWAY and daemon_type=gateway, which `ceph -s` counts
 * ("tgt-rbd: 2 gateways active").  Its status (bs_rbd_stats.c sets it)
 * is what the manager shows in `ceph service status`.  librados only
 * queues both for its next report to the manager: nothing waits for the
 * cluster.  Without a manager, nothing is shown and nothing fails.
 */
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "log.h"

#include "bs_rbd_service.h"

#define SERVICE "tgt-rbd"

int bs_rbd_service_dict_add(char *buf, size_t len, size_t *pos, const char *key,
			    const char *val)
{
	size_t k = strlen(key) + 1, v = strlen(val) + 1;

	/* room for the final "\0" that ends the dict */
	if (*pos + k + v + 1 > len)
		return -1;
	memcpy(buf + *pos, key, k);
	memcpy(buf + *pos + k, val, v);
	*pos += k + v;
	buf[*pos] = 0;
	return 0;
}

void bs_rbd_service_register(rados_t rados, const char *gateway)
{
	char name[128], meta[256];
	size_t pos = 0;
	int ret;

	snprintf(name, sizeof(name), "%s.%" PRIu64, gateway,
		 rados_get_instance_id(rados));
	meta[0] = 0;
	if (bs_rbd_service_dict_add(meta, sizeof(meta), &pos, "gateway",
				    gateway) ||
	    bs_rbd_service_dict_add(meta, sizeof(meta), &pos, "daemon_type",
				    "gateway"))
		return;
	ret = rados_service_register(rados, SERVICE, name, meta);
	if (ret < 0)
		eprintf("rbd: cannot register %s in the service map: %s\n",
			name, strerror(-ret));
}
