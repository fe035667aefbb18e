// SPDX-License-Identifier: GPL-2.0-only
/*
 * bs_rbd: a copy between ranges of RBD images, inside the gateway.
 *
 * Ranges are copied in order, each in chunks: a chunk is read from the
 * source into its buffer, then written to the destination, and the next
 * chunk of the range takes its place.  A range starts only when the
 * chunks of the one before it are done, so a range that reads what an
 * earlier one wrote reads the new data, as SPC's segments in order ask.
 * After an error or a stop no chunk starts; the copy ends when the
 * chunks in flight are done.
 */
#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "bs_rbd_copy.h"
#include "bs_rbd_image.h"

static unsigned int running; /* main loop only */

unsigned int bs_rbd_copy_running(void)
{
	return running;
}

static int same_image(const struct bs_rbd_image *a,
		      const struct bs_rbd_image *b)
{
	return a == b || !strcmp(a->ident, b->ident);
}

/* Source and destination share blocks: one chunk at a time. */
static int overlaps(const struct bs_rbd_copy_range *r)
{
	return same_image(r->src, r->dst) && r->src_off < r->dst_off + r->len &&
	       r->dst_off < r->src_off + r->len;
}

/* ... copied from its end when the destination lies after the source */
static int backward(const struct bs_rbd_copy_range *r)
{
	return overlaps(r) && r->dst_off > r->src_off;
}

static int pos_before(struct bs_rbd_copy_pos a, struct bs_rbd_copy_pos b)
{
	return a.range < b.range || (a.range == b.range && a.off < b.off);
}

/* Where the copy is done up to: the oldest chunk in flight, or next. */
static struct bs_rbd_copy_pos done_pos(const struct bs_rbd_copy *c)
{
	struct bs_rbd_copy_pos p = c->err ? c->failed : c->next;
	unsigned int i;

	for (i = 0; i < BS_RBD_COPY_DEPTH; i++)
		if (c->chunks[i].busy && pos_before(c->chunks[i].pos, p))
			p = c->chunks[i].pos;
	/* a range copied from its end has no done prefix until it ends */
	if (p.range < c->nr && p.off && backward(&c->r[p.range]))
		p.off = 0;
	return p;
}

uint64_t bs_rbd_copy_done_bytes(const struct bs_rbd_copy *c)
{
	struct bs_rbd_copy_pos p = done_pos(c);
	uint64_t n = p.off;
	unsigned int i;

	for (i = 0; i < p.range && i < c->nr; i++)
		n += c->r[i].len;
	return n;
}

unsigned int bs_rbd_copy_done_ranges(const struct bs_rbd_copy *c)
{
	return done_pos(c).range;
}

void bs_rbd_copy_release(struct bs_rbd_copy *c)
{
	unsigned int i;

	for (i = 0; i < BS_RBD_COPY_DEPTH; i++) {
		free(c->chunks[i].buf);
		c->chunks[i].buf = NULL;
	}
	for (i = 0; i < c->nr; i++) {
		if (c->r[i].src)
			bs_rbd_image_put(c->r[i].src);
		if (c->r[i].dst)
			bs_rbd_image_put(c->r[i].dst);
		c->r[i].src = c->r[i].dst = NULL;
	}
}

static void fail_at(struct bs_rbd_copy *c, struct bs_rbd_copy_pos pos, int err,
		    int writing)
{
	if (c->err && !pos_before(pos, c->failed))
		return;
	c->err = err;
	c->err_write = (uint8_t)writing;
	c->failed = pos;
}

/* Skip ranges with nothing left; 1: a chunk of next.range may start. */
static int next_range(struct bs_rbd_copy *c)
{
	while (c->next.range < c->nr &&
	       c->next.off >= c->r[c->next.range].len) {
		if (c->inflight)
			return 0; /* the range's chunks end first */
		c->next.range++;
		c->next.off = 0;
	}
	if (c->next.range >= c->nr)
		return 0;
	return !c->inflight || !overlaps(&c->r[c->next.range]);
}

/* The chunk at c->next: its bytes, and where it reads and writes */
static void chunk_place(struct bs_rbd_copy *c, struct bs_rbd_copy_chunk *k)
{
	const struct bs_rbd_copy_range *r = &c->r[c->next.range];
	uint64_t left = r->len - c->next.off, at, edge;

	k->pos = c->next;
	k->len = left < BS_RBD_COPY_CHUNK ? left : BS_RBD_COPY_CHUNK;
	if (backward(r)) {
		at = left - k->len;
	} else {
		at = c->next.off;
		/* whole destination chunks, once aligned */
		edge = BS_RBD_COPY_CHUNK -
		       (r->dst_off + at) % BS_RBD_COPY_CHUNK;
		if (k->len > edge)
			k->len = edge;
	}
	k->src = r->src_off + at;
	k->dst = r->dst_off + at;
	c->next.off += k->len;
}

static int all_zero(const char *b, uint64_t len)
{
	return !b[0] && !memcmp(b, b + 1, len - 1);
}

/* Hand the chunk's read, or its write, to librbd. */
static int chunk_io(struct bs_rbd_copy_chunk *k)
{
	const struct bs_rbd_copy_range *r = &k->copy->r[k->pos.range];
	rbd_completion_t comp;
	int ret;

	ret = rbd_aio_create_completion(&k->done, bs_rbd_done_aio_cb, &comp);
	if (ret < 0)
		return ret;
	if (!k->writing)
		ret = rbd_aio_read(r->src->image, k->src, k->len, k->buf, comp);
	else if (all_zero(k->buf, k->len))
		ret = rbd_aio_write_zeroes(r->dst->image, k->dst, k->len, comp,
					   0, 0);
	else
		ret = rbd_aio_write(r->dst->image, k->dst, k->len, k->buf,
				    comp);
	if (ret < 0)
		rbd_aio_release(comp);
	return ret;
}

/* A step librbd refused ends on the next loop pass, as if it ran. */
static void chunk_step(struct bs_rbd_copy_chunk *k)
{
	int ret = chunk_io(k);

	if (ret < 0) {
		k->done.ret = ret;
		bs_rbd_done_push(&k->done);
	}
}

static struct bs_rbd_copy_chunk *idle_chunk(struct bs_rbd_copy *c)
{
	unsigned int i;

	for (i = 0; i < BS_RBD_COPY_DEPTH; i++)
		if (!c->chunks[i].busy)
			return &c->chunks[i];
	return NULL;
}

/* Start what may start; the copy ends when nothing is left in flight. */
static void issue(struct bs_rbd_copy *c)
{
	struct bs_rbd_copy_chunk *k;

	while (!c->err && next_range(c) && (k = idle_chunk(c))) {
		if (c->stop(c)) {
			fail_at(c, c->next, -ECANCELED, 0);
			break;
		}
		if (!k->buf)
			k->buf = malloc(BS_RBD_COPY_CHUNK);
		if (!k->buf) {
			fail_at(c, c->next, -ENOMEM, 0);
			break;
		}
		chunk_place(c, k);
		k->busy = 1;
		k->writing = 0;
		c->inflight++;
		chunk_step(k);
	}
	if (c->inflight)
		return;
	running--;
	c->end(c);
}

/* A chunk's read or write ended (main loop). */
static void chunk_done(struct bs_rbd_done *done)
{
	struct bs_rbd_copy_chunk *k = (struct bs_rbd_copy_chunk *)done;
	struct bs_rbd_copy *c = k->copy;
	ssize_t ret = done->ret;

	/* librbd reads no further than the image's end: it shrank */
	if (!k->writing && ret >= 0 && (uint64_t)ret != k->len)
		ret = -ERANGE;
	if (ret < 0) {
		fail_at(c, k->pos, (int)ret, k->writing);
	} else if (!k->writing && !c->err) {
		k->writing = 1;
		chunk_step(k);
		return;
	}
	k->busy = 0;
	c->inflight--;
	issue(c);
}

static void kicked(struct bs_rbd_done *done)
{
	issue((struct bs_rbd_copy *)((char *)done -
				     offsetof(struct bs_rbd_copy, kick)));
}

int bs_rbd_copy_start(struct bs_rbd_copy *c)
{
	unsigned int i;

	if (running >= BS_RBD_XCOPY_MAX_COPIES)
		return -EBUSY;
	running++;
	for (i = 0; i < BS_RBD_COPY_DEPTH; i++) {
		c->chunks[i].copy = c;
		c->chunks[i].done.fn = chunk_done;
	}
	c->kick.fn = kicked;
	c->kick.ret = 0;
	bs_rbd_done_push(&c->kick);
	return 0;
}
