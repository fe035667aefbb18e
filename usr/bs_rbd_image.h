/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * bs_rbd: an open RBD image, as one refcounted handle.
 *
 * The LU holds a reference while the image serves it; so does every
 * request, job and helper-thread step that uses the image, taken on the
 * main loop before the work starts.  The image closes (without blocking
 * the main loop) when the last reference goes, and only then lets go of
 * its pool and client.  Nothing but the handle reaches the rbd_image_t.
 */
#ifndef BS_RBD_IMAGE_H
#define BS_RBD_IMAGE_H

#include <stddef.h>
#include <stdint.h>

#include <rbd/librbd.h>

#include "bs_rbd_done.h"
#include "bs_rbd_ident.h"
#include "bs_rbd_opts.h"

struct bs_rbd_pool;

#define BS_RBD_IMAGE_ID_LEN 64

struct bs_rbd_image {
	rbd_image_t image;
	struct bs_rbd_pool *pool;     /* held: the image's client and ioctx */
	uint64_t size;		      /* bytes, when opened */
	uint64_t object_size;	      /* bytes */
	char ident[BS_RBD_IDENT_LEN]; /* its SCSI identity (bs_rbd_ident.h) */
	char id[BS_RBD_IMAGE_ID_LEN]; /* librbd's image id ("" for format 1) */
	uint16_t tpg_id;   /* this gateway's port (group), 0: no ALUA */
	int tpg_err;	   /* why tpg_id is 0 */
	unsigned int refs; /* main loop only */
};

/* pool[/ns]/image, as `rbd` names it */
void bs_rbd_image_spec(const struct bs_rbd_path *p, char *buf, size_t len);

/*
 * Open path's image (or snapshot) on pool, read its size and identity,
 * register this gateway (its name, unless NULL) in the image's gateway
 * registry (bs_rbd_gateway.h) and, for a writable image, refuse pool or image
 * settings that undo bs_rbd's
 * (bs_rbd_imgconf.h).  Bounded by timeout, serving other LUs meanwhile
 * (bs_rbd_loop.h).  0 with *out held, or a negative errno with err set.
 */
int bs_rbd_image_open(struct bs_rbd_pool *pool, const struct bs_rbd_path *path,
		      const char *gateway, unsigned int timeout,
		      struct bs_rbd_image **out, char *err, size_t errlen);
/*
 * The same without waiting: done->fn runs on the main loop, with *out set
 * and held when done->ret is 0, or err set.  out and err must live until
 * then; path is copied.  With an image id (not NULL or ""), the image is
 * opened by it: an image renamed or moved to the trash since is the same.
 */
int bs_rbd_image_open_async(struct bs_rbd_pool *pool,
			    const struct bs_rbd_path *path, const char *id,
			    const char *gateway, struct bs_rbd_image **out,
			    char *err, size_t errlen, struct bs_rbd_done *done);
/* Its header object's name ("rbd_header.ID"), which librbd watches */
int bs_rbd_image_header_oid(const struct bs_rbd_image *img, char *oid,
			    size_t len);
void bs_rbd_image_hold(struct bs_rbd_image *img);
void bs_rbd_image_put(struct bs_rbd_image *img);

#endif
