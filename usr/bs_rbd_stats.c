// SPDX-License-Identifier: GPL-2.0-only
/*
 * bs_rbd: per-LU counters and connection state, for operators.
 *
 * tgtadm offers a backing store no way to add to its output, so they go
 * to a text file beside tgtd's management socket: /var/run/tgtd/
 * bs_rbd.PORT.stats, PORT being tgtd's control port (the directory follows
 * TGT_IPC_SOCKET as tgtd's socket does).  It is rewritten (write, then
 * rename) once a second while RBD LUs exist, one key=value line per
 * connection and per LU, and removed with the last LU.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "bs_rbd_stats.h"

#include "list.h"
#include "tgtd.h"
#include "scsi.h"
#include "target.h"
#include "work.h"

#include "bs_rbd_conn.h"
#include "bs_rbd_image.h"
#include "bs_rbd_lu.h"
#include "bs_rbd_resv.h"
#include "bs_rbd_req.h"
#include "bs_rbd_service.h"

#define STATS_PERIOD_S 1
#define STATUS_MAX 65536 /* bytes of one client's service map status */

extern short control_port; /* tgtd.c */

static struct bs_rbd_lu *lus; /* every LU set up, newest first */
static struct tgt_work stats_work = {
	.entry = LIST_HEAD_INIT(stats_work.entry),
};

static const char *const error_names[BS_RBD_NR_ERR_KINDS] = {
	"not_ready", "medium",	   "illegal", "protect",
	"aborted",   "miscompare", "other",
};

uint64_t bs_rbd_now_us(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (uint64_t)t.tv_sec * 1000000u + (uint64_t)t.tv_nsec / 1000u;
}

static int error_kind(uint8_t key)
{
	switch (key) {
	case NOT_READY:
		return 0;
	case MEDIUM_ERROR:
		return 1;
	case ILLEGAL_REQUEST:
		return 2;
	case DATA_PROTECT:
		return 3;
	case ABORTED_COMMAND:
		return 4;
	case MISCOMPARE:
		return 5;
	default:
		return 6;
	}
}

static uint64_t *op_counter(struct bs_rbd_stats *s, uint8_t opcode,
			    uint64_t **bytes)
{
	*bytes = NULL;
	switch (opcode) {
	case READ_6:
	case READ_10:
	case READ_12:
	case READ_16:
		*bytes = &s->read_bytes;
		return &s->reads;
	case WRITE_6:
	case WRITE_10:
	case WRITE_12:
	case WRITE_16:
	case WRITE_VERIFY:
	case WRITE_VERIFY_12:
	case WRITE_VERIFY_16:
	case ORWRITE_16:
	case COMPARE_AND_WRITE:
		*bytes = &s->write_bytes;
		return &s->writes;
	case SYNCHRONIZE_CACHE:
	case SYNCHRONIZE_CACHE_16:
		return &s->flushes;
	case UNMAP:
	case WRITE_SAME:
	case WRITE_SAME_16:
		return &s->unmaps;
	default:
		return &s->other;
	}
}

void bs_rbd_stats_account(struct bs_rbd_lu *rlu, const struct bs_rbd_req *req,
			  int status)
{
	struct bs_rbd_stats *s = &rlu->stats;
	uint64_t *count, *bytes, lat = bs_rbd_now_us() - req->t0;

	if (status != SAM_STAT_GOOD) {
		s->errors[error_kind(req->skey)]++;
		return;
	}
	count = op_counter(s, req->cmd->scb[0], &bytes);
	(*count)++;
	if (bytes)
		*bytes += req->len;
	s->lat_sum_us += lat;
	s->lat_count++;
	if (lat > s->lat_max_us)
		s->lat_max_us = lat;
}

/*
 * The reservation, this gateway's name, its ALUA port group for the
 * image, and the state last seen for that group (nothing here may ask the cluster: librbd's
 * lock-owner check pings an OSD).
 */
static void print_gateway(FILE *f, const struct bs_rbd_lu *rlu)
{
	struct bs_rbd_image *img = rlu->img;
	char pr[64];

	bs_rbd_resv_describe(rlu, pr, sizeof(pr));
	fprintf(f, " %s gateway=%s tpg=%u alua=%s\n", pr, rlu->gateway,
		img ? (unsigned int)img->tpg_id : 0u, bs_rbd_lu_alua_name(rlu));
}

/* pool/[ns/]image[@snap] of the LU ("/" before it has one) */
static void lu_image(const struct bs_rbd_lu *rlu, char *buf, size_t len)
{
	const struct bs_rbd_path *p = &rlu->path;

	snprintf(buf, len, "%s/%s%s%s%s%s", p->pool ? p->pool : "",
		 p->ns ? p->ns : "", p->ns ? "/" : "", p->image ? p->image : "",
		 p->snap ? "@" : "", p->snap ? p->snap : "");
}

static void print_lu(FILE *f, const struct bs_rbd_lu *rlu)
{
	const struct bs_rbd_stats *s = &rlu->stats;
	char image[4 * BS_RBD_NAME_MAX + 4];
	unsigned int i;

	lu_image(rlu, image, sizeof(image));
	fprintf(f, "lun tid=%d lun=%" PRIu64 " image=%s state=%s",
		rlu->lu->tgt->tid, rlu->lu->lun, image,
		bs_rbd_lu_state_name(rlu->state));
	fprintf(f,
		" inflight=%u reads=%" PRIu64 " read_bytes=%" PRIu64
		" writes=%" PRIu64 " write_bytes=%" PRIu64 " flushes=%" PRIu64
		" unmaps=%" PRIu64 " other=%" PRIu64,
		rlu->inflight, s->reads, s->read_bytes, s->writes,
		s->write_bytes, s->flushes, s->unmaps, s->other);
	for (i = 0; i < BS_RBD_NR_ERR_KINDS; i++)
		fprintf(f, " err_%s=%" PRIu64, error_names[i], s->errors[i]);
	fprintf(f, " lat_avg_us=%" PRIu64 " lat_max_us=%" PRIu64,
		s->lat_count ? s->lat_sum_us / s->lat_count : 0, s->lat_max_us);
	print_gateway(f, rlu);
}

static void stats_path(char *buf, size_t len)
{
	const char *sock = getenv("TGT_IPC_SOCKET");
	const char *slash = sock ? strrchr(sock, '/') : NULL;

	if (slash)
		snprintf(buf, len, "%.*s/bs_rbd.%d.stats", (int)(slash - sock),
			 sock, control_port);
	else
		snprintf(buf, len, "/var/run/tgtd/bs_rbd.%d.stats",
			 control_port);
}

static void stats_write(void)
{
	char path[4096], tmp[4200];
	const struct bs_rbd_lu *rlu;
	FILE *f;

	stats_path(path, sizeof(path));
	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	f = fopen(tmp, "we");
	if (!f)
		return;
	fprintf(f, "# bs_rbd statistics of tgtd pid %d, control port %d\n",
		(int)getpid(), control_port);
	bs_rbd_conn_print(f);
	for (rlu = lus; rlu; rlu = rlu->stats_next)
		print_lu(f, rlu);
	if (fclose(f) || rename(tmp, path))
		unlink(tmp);
}

static void lu_status(const struct bs_rbd_lu *rlu, char *key, size_t klen,
		      char *val, size_t vlen)
{
	char image[4 * BS_RBD_NAME_MAX + 4] = "-";

	snprintf(key, klen, "tid:%d lun:%" PRIu64, rlu->lu->tgt->tid,
		 rlu->lu->lun);
	if (rlu->path.image)
		lu_image(rlu, image, sizeof(image));
	snprintf(val, vlen, "%s %s %s", image, bs_rbd_lu_state_name(rlu->state),
		 bs_rbd_lu_alua_name(rlu));
}

/* The status of conn: its LUs, first, and those after it in the list. */
static void publish_conn(struct bs_rbd_lu *first, char *buf, size_t len)
{
	char key[64], val[4 * BS_RBD_NAME_MAX + 96];
	struct bs_rbd_lu *rlu;
	size_t pos = 0;

	buf[0] = 0;
	for (rlu = first; rlu; rlu = rlu->stats_next) {
		if (rlu->conn != first->conn)
			continue;
		lu_status(rlu, key, sizeof(key), val, sizeof(val));
		if (bs_rbd_service_dict_add(buf, len, &pos, key, val))
			break;
	}
	rados_service_update_status(bs_rbd_conn_rados(first->conn), buf);
}

/*
 * Each client's status in the service map: its LUs, "tid:T lun:L" =
 * "POOL/IMAGE STATE ALUA"; the gateway whose LU says "ao" holds the lock.
 */
static void service_publish(void)
{
	static char buf[STATUS_MAX];
	struct bs_rbd_lu *rlu, *prev;

	for (rlu = lus; rlu; rlu = rlu->stats_next) {
		if (!rlu->conn)
			continue;
		/* once per client: at its first LU in the list */
		for (prev = lus; prev != rlu; prev = prev->stats_next)
			if (prev->conn == rlu->conn)
				break;
		if (prev == rlu)
			publish_conn(rlu, buf, sizeof(buf));
	}
}

static void stats_tick(void *data)
{
	(void)data;
	stats_write();
	service_publish();
	if (lus)
		add_work(&stats_work, STATS_PERIOD_S);
}

struct bs_rbd_lu *bs_rbd_stats_lus(void)
{
	return lus;
}

void bs_rbd_stats_add(struct bs_rbd_lu *rlu)
{
	rlu->stats_next = lus;
	lus = rlu;
	if (!stats_work.func) {
		stats_work.func = stats_tick;
		stats_work.data = NULL;
	}
	if (list_empty(&stats_work.entry))
		add_work(&stats_work, STATS_PERIOD_S);
	stats_write();
}

void bs_rbd_stats_del(struct bs_rbd_lu *rlu)
{
	struct bs_rbd_lu **p;
	char path[4096];

	for (p = &lus; *p; p = &(*p)->stats_next) {
		if (*p == rlu) {
			*p = rlu->stats_next;
			break;
		}
	}
	if (lus) {
		stats_write();
		return;
	}
	del_work(&stats_work);
	stats_path(path, sizeof(path));
	unlink(path);
}
