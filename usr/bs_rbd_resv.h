/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * bs_rbd: an LU's persistent reservations - one state per image, kept in
 * RADOS and shared by every gateway of the image (bs_rbd_resv.c).  Main
 * loop only.
 */
#ifndef BS_RBD_RESV_H
#define BS_RBD_RESV_H

#include <stddef.h>
#include <stdint.h>

struct bs_rbd_lu;
struct bs_rbd_event;
struct bs_rbd_peers_msg;
struct scsi_cmd;
struct scsi_lu;

int bs_rbd_resv_start(struct bs_rbd_lu *rlu);
void bs_rbd_resv_stop(struct bs_rbd_lu *rlu);
/* The LU serves an image (again), or hears it again: read its state. */
void bs_rbd_resv_load(struct bs_rbd_lu *rlu);
/* Changes may go unheard: nothing that could conflict runs until read. */
void bs_rbd_resv_unload(struct bs_rbd_lu *rlu);
/*
 * Install the reservation handlers (PERSISTENT RESERVE IN and OUT,
 * RESERVE(6) and RELEASE(6)) and the check every other command of the LU
 * goes through first.
 */
void bs_rbd_resv_install(struct scsi_lu *lu);
/*
 * For operators: "pr=TYPE pr_regs=N pr_gen=G reserve6=R" (TYPE none, we,
 * ea, we_ro, ea_ro, we_ar, ea_ar; R none, here - held through this LU -
 * or elsewhere), or "pr=unknown" before the state was read.
 */
void bs_rbd_resv_describe(const struct bs_rbd_lu *rlu, char *buf, size_t len);
/*
 * Would a read (write 0) or write of the LU by I_T nexus itn_id (of the
 * LU's target) conflict with its reservations (persistent, or
 * RESERVE(6))?  0, or the status cmd ends with (sense built on it):
 * what EXTENDED COPY asks of the LUs it reads and writes.
 */
int bs_rbd_resv_check(struct bs_rbd_lu *rlu, uint64_t itn_id, int write,
		      struct scsi_cmd *cmd);
/* The initiator's iSCSI name of nexus itn_id of the LU's target, in
 * name (NUL-terminated); 0, or -EINVAL */
int bs_rbd_resv_initiator(const struct bs_rbd_lu *rlu, uint64_t itn_id,
			  char *name, size_t len);
/* An event from the image's channel: another gateway changed the state. */
int bs_rbd_resv_heard(struct bs_rbd_lu *rlu, const struct bs_rbd_event *ev,
		      struct bs_rbd_peers_msg *msg);

#endif
