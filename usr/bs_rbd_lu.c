// SPDX-License-Identifier: GPL-2.0-only
/*
 * bs_rbd: an LU's lifecycle state and the admission of its commands, and
 * the unit attentions the module raises on the LU's nexuses.
 *
 * Every entry point (bs_cmd_submit, the per-LU handlers of COMPARE AND
 * WRITE, GET LBA STATUS and TEST UNIT READY) asks bs_rbd_lu_admit()
 * before it starts anything, so a state added here is honoured by all.
 */
#include <stddef.h>
#include <stdint.h>

#include "list.h"
#include "util.h"
#include "log.h"
#include "scsi.h"
#include "tgtd.h"
#include "target.h"

#include "bs_rbd_done.h"
#include "bs_rbd_lu.h"
#include "bs_rbd_sense.h"

static const char *const state_names[] = {
	[BS_RBD_LU_CLOSED] = "closed",
	[BS_RBD_LU_OPENING] = "opening",
	[BS_RBD_LU_OK] = "ok",
	[BS_RBD_LU_FENCED] = "blocklisted",
	[BS_RBD_LU_REOPENING] = "reopening",
	[BS_RBD_LU_REMOVED] = "removed",
};

const char *bs_rbd_lu_state_name(enum bs_rbd_lu_state state)
{
	return (size_t)state < ARRAY_SIZE(state_names) ? state_names[state]
						       : "?";
}

static void drained(struct bs_rbd_lu *rlu)
{
	struct bs_rbd_done *d;

	while ((d = rlu->drained)) {
		rlu->drained = d->next;
		bs_rbd_done_push(d);
	}
}

void bs_rbd_lu_when_drained(struct bs_rbd_lu *rlu, struct bs_rbd_done *done)
{
	done->next = rlu->drained;
	rlu->drained = done;
	if (!rlu->aborting)
		drained(rlu);
}

void bs_rbd_lu_aborted_end(struct bs_rbd_lu *rlu)
{
	if (rlu->aborting && !--rlu->aborting)
		drained(rlu);
}

/* Sense as tgt's ua_sense_add builds it: descriptor or fixed format */
static int ua_is(const struct ua_sense *uas, uint16_t asc)
{
	const unsigned char *b = uas->ua_sense_buffer;

	if ((b[0] & 0x7f) == 0x72)
		return (b[2] << 8 | b[3]) == asc;
	return (b[12] << 8 | b[13]) == asc;
}

/* tgt queues one more each time: a lock that moves to and fro, or sizes
 * that change often, would pile them up on an idle nexus */
static int ua_waiting(struct it_nexus_lu_info *itn_lu, uint16_t asc)
{
	struct ua_sense *uas;

	list_for_each_entry(uas, &itn_lu->pending_ua_sense_list,
			    ua_sense_siblings) if (ua_is(uas, asc)) return 1;
	return 0;
}

void bs_rbd_lu_ua(struct bs_rbd_lu *rlu, uint16_t asc)
{
	struct it_nexus_lu_info *itn_lu;

	list_for_each_entry(itn_lu, &rlu->lu->lu_itl_info_list,
			    lu_itl_info_siblings) if (!ua_waiting(itn_lu, asc))
		ua_sense_add_it_nexus(itn_lu->itn_id, rlu->lu, asc);
}

const char *bs_rbd_lu_alua_name(const struct bs_rbd_lu *rlu)
{
	static const char *const names[] = { "-", "ao", "ano" };

	return names[rlu->alua_seen < ARRAY_SIZE(names) ? rlu->alua_seen : 0];
}

/*
 * A fenced LU refuses everything, not only what would reach an OSD: the
 * old image would still answer a READ from librbd's cache (data another
 * client may have overwritten since).  It says "ALUA transition" (04/0A),
 * not 04/00: the LU comes back by itself within seconds, and initiators
 * retry that or use another path (Linux fails the I/O on 04/00), and path
 * checkers that send TEST UNIT READY see the path is not usable yet.
 */
int bs_rbd_lu_admit(const struct bs_rbd_lu *rlu, uint8_t *key, uint16_t *asc)
{
	switch (rlu->state) {
	case BS_RBD_LU_OK:
		return 0;
	case BS_RBD_LU_FENCED:
	case BS_RBD_LU_REOPENING:
		*key = NOT_READY;
		*asc = BS_RBD_ASC_ALUA_TRANSITION;
		return -1;
	case BS_RBD_LU_OPENING:
		*key = NOT_READY;
		*asc = BS_RBD_ASC_NOT_READY_CAUSE_NOT_REPORTABLE;
		return -1;
	case BS_RBD_LU_REMOVED:
	case BS_RBD_LU_CLOSED:
	default:
		*key = NOT_READY;
		*asc = BS_RBD_ASC_MEDIUM_NOT_PRESENT;
		return -1;
	}
}

/* The transitions the diagram in bs_rbd_lu.h allows. */
static int allowed(enum bs_rbd_lu_state from, enum bs_rbd_lu_state to)
{
	switch (to) {
	case BS_RBD_LU_CLOSED:
		return 1;
	case BS_RBD_LU_OPENING:
		return from == BS_RBD_LU_CLOSED;
	case BS_RBD_LU_OK:
		return from == BS_RBD_LU_OPENING || from == BS_RBD_LU_REOPENING;
	case BS_RBD_LU_FENCED:
		return from == BS_RBD_LU_OK;
	case BS_RBD_LU_REOPENING:
		return from == BS_RBD_LU_FENCED;
	case BS_RBD_LU_REMOVED:
		return from == BS_RBD_LU_OK || from == BS_RBD_LU_FENCED ||
		       from == BS_RBD_LU_REOPENING;
	}
	return 0;
}

void bs_rbd_lu_set_state(struct bs_rbd_lu *rlu, enum bs_rbd_lu_state state)
{
	if (!allowed(rlu->state, state))
		rbd_log(rlu, "BUG: state %s -> %s",
			bs_rbd_lu_state_name(rlu->state),
			bs_rbd_lu_state_name(state));
	rlu->state = state;
}
