/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * bs_rbd: the per-pool and per-image librbd settings an LU refuses.
 *
 * librbd lays the settings stored with a pool or an image (`rbd config
 * pool set`, `rbd config image set`) over the client's own, including
 * those bs_rbd sets on its clients (bs_rbd_conn.c).  Two of them, turned
 * back that way, would break what bs_rbd promises its initiators, so a
 * writable image with them is not served.
 */
#ifndef BS_RBD_IMGCONF_H
#define BS_RBD_IMGCONF_H

#include <stddef.h>

#include <rbd/librbd.h>

/*
 * Judge an image's effective settings (rbd_config_image_list's answer).
 * spec names the image as `rbd` takes it (pool[/ns]/image), pool its
 * pool.  0 if bs_rbd can serve it, else -EINVAL with the setting, where
 * it was set and how to undo it in err.
 */
int bs_rbd_imgconf_judge(const rbd_config_option_t *opts, int n,
			 const char *pool, const char *spec, char *err,
			 size_t errlen);

#endif
