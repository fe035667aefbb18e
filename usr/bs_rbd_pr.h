/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * bs_rbd: SCSI-3 persistent reservations (SPC-4 5.13, 6.16, 6.17) - the
 * pure parts: one image's reservation state as a plain struct, the
 * PERSISTENT RESERVE OUT and IN service actions as functions on it, the
 * conflict check of the data path, and the state as bytes to keep in RADOS.
 *
 * Pure code (no I/O, no locks), unit-tested and fuzzed on its own.  The
 * caller keeps one state per image, shared by the image's gateways: read
 * it, apply one command, write it back when the effects say it changed.
 *
 * An I_T nexus is an initiator port and a relative target port: each
 * gateway is one target port, numbered from 1 (bs_rbd_alua.h).  An
 * initiator port is named as its iSCSI TransportID names it (format 01b),
 * "NAME,i,0xISID": the iSCSI name, then the 6-byte ISID as 12 hex digits.
 * Names are ASCII and compared without regard to case (iSCSI names are
 * case-insensitive); the state keeps them in lowercase.
 *
 * Choices where SPC-4 leaves one, or where this model is simpler:
 * - A registration made with ALL_TG_PT=1 is one registration with
 *   rel_port 0 that stands for the initiator port through every target
 *   port.  A REGISTER through any of those nexuses changes or removes it
 *   as a whole (ALL_TG_PT is ignored from a registered nexus); when it
 *   holds the reservation, every nexus of that initiator port is a holder.  REGISTER with ALL_TG_PT=1 from an
 *   initiator port already registered through some target port is refused
 *   (ILLEGAL REQUEST, INVALID FIELD IN PARAMETER LIST), so that at most
 *   one registration ever matches a nexus.
 * - REGISTER (or REGISTER AND IGNORE EXISTING KEY) of key 0 from a nexus
 *   that is not registered changes nothing: GOOD, PRgeneration unchanged.
 *   Every other successful REGISTER, REGISTER AND IGNORE EXISTING KEY,
 *   CLEAR, PREEMPT, PREEMPT AND ABORT and REGISTER AND MOVE adds exactly 1.
 * - APTPL is taken from the successful REGISTER, REGISTER AND IGNORE
 *   EXISTING KEY and REGISTER AND MOVE (SPC-4 ignores it for the others).
 * - SPEC_I_PT is not supported (SIP_C 0): ILLEGAL REQUEST, INVALID FIELD
 *   IN PARAMETER LIST.  Only LU scope.  REPLACE LOST RESERVATION (SPC-5)
 *   is not supported: INVALID FIELD IN CDB.
 * - REGISTER AND MOVE needs an ISID (TransportID format 01b): a format
 *   00b TransportID names an initiator device, not a port.  A destination
 *   already registered keeps its key; otherwise it is registered with the
 *   SERVICE ACTION RESERVATION KEY.  The parameter list must be exactly
 *   24 bytes plus the TransportID.  Any relative target port id but 0 is
 *   taken: the caller may refuse ids no gateway has before calling.
 * - READ KEYS and READ FULL STATUS list an ALL_TG_PT registration once
 *   (READ FULL STATUS: one descriptor with ALL_TG_PT=1).
 * - Unit attentions "for every other registered I_T nexus" skip the
 *   sender's registration as a whole (all of an ALL_TG_PT one).
 * - A PREEMPT that changes the reservation's type gives RESERVATIONS
 *   RELEASED to every registrant that stays, but the sender.
 */
#ifndef BS_RBD_PR_H
#define BS_RBD_PR_H

#include <stddef.h>
#include <stdint.h>

/* Longest iSCSI name (RFC 3720), and a port name ",i,0x" + 12 + NUL */
#define BS_RBD_PR_NAME_MAX 223
#define BS_RBD_PR_PORT_MAX (BS_RBD_PR_NAME_MAX + 5 + 12 + 1)
/* Most registrations an image holds (one more: 55/04) */
#define BS_RBD_PR_MAX_REGS 128
/* state.holder when no single registration holds the reservation */
#define BS_RBD_PR_NO_HOLDER 0xffff
/* Largest encoding (bs_rbd_pr_encode) and TransportID we write */
#define BS_RBD_PR_ENCODED_MAX \
	(16 + (BS_RBD_PR_MAX_REGS + 1) * (27 + BS_RBD_PR_PORT_MAX - 1))
#define BS_RBD_PR_TID_MAX (4 + 244)

/* Reservation types (SPC-4 6.16.3.4), as in the CDB's TYPE field */
enum bs_rbd_pr_type {
	BS_RBD_PR_NONE = 0,  /* not reserved */
	BS_RBD_PR_WE = 1,    /* Write Exclusive */
	BS_RBD_PR_EA = 3,    /* Exclusive Access */
	BS_RBD_PR_WE_RO = 5, /* Write Exclusive - Registrants Only */
	BS_RBD_PR_EA_RO = 6, /* Exclusive Access - Registrants Only */
	BS_RBD_PR_WE_AR = 7, /* Write Exclusive - All Registrants */
	BS_RBD_PR_EA_AR = 8, /* Exclusive Access - All Registrants */
};

/* PERSISTENT RESERVE OUT service actions */
enum bs_rbd_pr_out_sa {
	BS_RBD_PR_REGISTER = 0,
	BS_RBD_PR_RESERVE = 1,
	BS_RBD_PR_RELEASE = 2,
	BS_RBD_PR_CLEAR = 3,
	BS_RBD_PR_PREEMPT = 4,
	BS_RBD_PR_PREEMPT_ABORT = 5,
	BS_RBD_PR_REGISTER_IGNORE = 6,
	BS_RBD_PR_REGISTER_MOVE = 7,
};

/* PERSISTENT RESERVE IN service actions */
enum bs_rbd_pr_in_sa {
	BS_RBD_PR_READ_KEYS = 0,
	BS_RBD_PR_READ_RESERVATION = 1,
	BS_RBD_PR_REPORT_CAPABILITIES = 2,
	BS_RBD_PR_READ_FULL_STATUS = 3,
};

/* SAM status codes a PR OUT ends with */
enum bs_rbd_pr_status {
	BS_RBD_PR_GOOD = 0x00,
	BS_RBD_PR_CHECK_CONDITION = 0x02,
	BS_RBD_PR_RESERVATION_CONFLICT = 0x18,
};

/* Sense keys and ASC << 8 | ASCQ used here */
#define BS_RBD_PR_KEY_HARDWARE_ERROR 0x04
#define BS_RBD_PR_KEY_ILLEGAL_REQUEST 0x05
#define BS_RBD_PR_ASC_PARAM_LIST_LENGTH 0x1a00
#define BS_RBD_PR_ASC_INVALID_FIELD_IN_CDB 0x2400
#define BS_RBD_PR_ASC_INVALID_FIELD_IN_PARAM 0x2600
#define BS_RBD_PR_ASC_INVALID_RELEASE 0x2604
#define BS_RBD_PR_ASC_RESERVATIONS_PREEMPTED 0x2a03
#define BS_RBD_PR_ASC_RESERVATIONS_RELEASED 0x2a04
#define BS_RBD_PR_ASC_REGISTRATIONS_PREEMPTED 0x2a05
#define BS_RBD_PR_ASC_INTERNAL_TARGET_FAILURE 0x4400
#define BS_RBD_PR_ASC_INSUFFICIENT_REG_RESOURCES 0x5504

/*
 * An I_T nexus; rel_port 0 (in a registration, a unit attention or an
 * abort) stands for every target port of that initiator port.
 */
struct bs_rbd_pr_nexus {
	char port[BS_RBD_PR_PORT_MAX]; /* "name,i,0xisid", NUL-terminated */
	uint16_t rel_port;
};

struct bs_rbd_pr_reg {
	uint64_t key; /* never 0 */
	struct bs_rbd_pr_nexus nexus;
};

/*
 * An SPC-2 reservation (RESERVE(6)), one for the image: the I_T nexus that
 * holds it, and who took it - the LU (its token, bs_rbd_lu.h) and that
 * LU's tgtd (boot, a number each tgtd draws when it starts) - so that the
 * gateway that sees the nexus go can tell it released; id tells this
 * grant from a later one of the same nexus.  held 0: none.
 */
struct bs_rbd_pr_legacy {
	uint8_t held;
	uint64_t token, boot, id;
	struct bs_rbd_pr_nexus nexus;
};

/*
 * An image's whole reservation state.  regs[0..nr_regs) in the order they
 * were made; holder indexes regs for the types WE, EA, WE_RO and EA_RO and
 * is BS_RBD_PR_NO_HOLDER otherwise (for WE_AR and EA_AR every registrant
 * holds the reservation).  Only LU scope exists.
 */
struct bs_rbd_pr_state {
	uint32_t generation; /* PRgeneration */
	uint8_t aptpl;	     /* last APTPL received: 0 or 1 (PTPL_A) */
	uint8_t type;	     /* enum bs_rbd_pr_type */
	uint16_t holder;
	uint16_t nr_regs;
	struct bs_rbd_pr_reg regs[BS_RBD_PR_MAX_REGS];
	struct bs_rbd_pr_legacy legacy;
};

/* How a command ended: status, and the sense of a CHECK CONDITION */
struct bs_rbd_pr_result {
	uint8_t status;	   /* enum bs_rbd_pr_status */
	uint8_t sense_key; /* 0 unless CHECK CONDITION */
	uint16_t asc;	   /* ASC << 8 | ASCQ */
};

/* A unit attention to establish on a nexus (rel_port 0: every port) */
struct bs_rbd_pr_ua {
	struct bs_rbd_pr_nexus nexus;
	uint16_t asc; /* 0x2a03, 0x2a04 or 0x2a05 */
};

/*
 * What a PR OUT asks of the caller besides its status.  changed: the
 * state is different, write it back (before answering GOOD).  ua: unit
 * attentions for the nexuses of initiators other than the sender.
 * abort (PREEMPT AND ABORT only): the nexuses whose tasks are to be
 * aborted (SPC-4 5.6); it may name the sender's own nexus when its key
 * was the one preempted - then all its tasks but this PR OUT.
 */
struct bs_rbd_pr_effects {
	int changed;
	int nr_ua;
	struct bs_rbd_pr_ua ua[BS_RBD_PR_MAX_REGS];
	int nr_abort;
	struct bs_rbd_pr_nexus abort[BS_RBD_PR_MAX_REGS];
};

/*
 * Access classes for bs_rbd_pr_conflict, after SPC-4 table 43 and SBC-3
 * table 13 (commands allowed in the presence of reservations; CRH 0):
 *
 * ALLOWED  INQUIRY, REPORT LUNS, REQUEST SENSE, TEST UNIT READY,
 *          READ CAPACITY(10/16), LOG SENSE, REPORT TARGET PORT GROUPS,
 *          REPORT SUPPORTED OPERATION CODES / TASK MANAGEMENT FUNCTIONS,
 *          READ MEDIA SERIAL NUMBER, PERSISTENT RESERVE IN and OUT (OUT
 *          follows its own rules, bs_rbd_pr_out), START STOP UNIT with
 *          START=1 and POWER CONDITION 0, PREVENT ALLOW MEDIUM REMOVAL
 *          with PREVENT=0.
 * READ     READ(6/10/12/16), VERIFY(10/12/16), MODE SENSE(6/10), GET LBA
 *          STATUS, PRE-FETCH(10/16), READ BUFFER, READ DEFECT DATA,
 *          RECEIVE DIAGNOSTIC RESULTS, RECEIVE COPY RESULTS.
 * WRITE    WRITE(6/10/12/16), WRITE AND VERIFY, WRITE SAME(10/16),
 *          COMPARE AND WRITE, UNMAP, SYNCHRONIZE CACHE(10/16), FORMAT
 *          UNIT, MODE SELECT(6/10), LOG SELECT, WRITE BUFFER, SEND
 *          DIAGNOSTIC, SET TARGET PORT GROUPS, REASSIGN BLOCKS, WRITE
 *          LONG, EXTENDED COPY, SANITIZE, START STOP UNIT otherwise,
 *          PREVENT ALLOW MEDIUM REMOVAL with PREVENT != 0.
 * LEGACY   RESERVE(6/10), RELEASE(6/10): conflict while any
 *          registration exists (and the caller answers PR OUT with
 *          RESERVATION CONFLICT while an SPC-2 reservation is held).
 *
 * READ conflicts: EA for all but the holder; EA_RO, EA_AR for
 * non-registrants.  WRITE conflicts: WE, EA for all but the holder;
 * WE_RO, EA_RO, WE_AR, EA_AR for non-registrants.
 */
enum bs_rbd_pr_access {
	BS_RBD_PR_ALLOWED,
	BS_RBD_PR_READ,
	BS_RBD_PR_WRITE,
	BS_RBD_PR_LEGACY,
};

/* No registration, no reservation, PRgeneration 0, APTPL 0. */
void bs_rbd_pr_init(struct bs_rbd_pr_state *s);

/*
 * The initiator port of an iSCSI session: "name,i,0xisid", lowercase, in
 * port.  0, or -EINVAL if name is not 1..223 printable ASCII characters
 * without ',' (the only ones accepted in a name anywhere here).
 */
int bs_rbd_pr_port(char port[BS_RBD_PR_PORT_MAX], const char *name,
		   const uint8_t isid[6]);

/*
 * PERSISTENT RESERVE OUT from nexus from: sa the CDB's SERVICE ACTION,
 * scope_type its byte 2, param the parameter list of len bytes (len the
 * PARAMETER LIST LENGTH; param may be NULL when len is 0).  On anything
 * but GOOD the state is untouched and fx says nothing changed.  s must be
 * a valid state (from bs_rbd_pr_init, bs_rbd_pr_decode, or these
 * functions); a sender nexus that is not valid (rel_port 0, bad port
 * name), or a reservation that is not, is the caller's bug: HARDWARE
 * ERROR, INTERNAL TARGET FAILURE.
 */
struct bs_rbd_pr_result bs_rbd_pr_out(struct bs_rbd_pr_state *s,
				      const struct bs_rbd_pr_nexus *from,
				      unsigned int sa, uint8_t scope_type,
				      const uint8_t *param, size_t len,
				      struct bs_rbd_pr_effects *fx);

/*
 * PERSISTENT RESERVE IN parameter data for service action sa: at most
 * alloc bytes written to buf (the ALLOCATION LENGTH); returns the whole
 * length (the residual is the difference), or -EINVAL for a service
 * action not supported (ILLEGAL REQUEST, INVALID FIELD IN CDB).
 */
int bs_rbd_pr_in(const struct bs_rbd_pr_state *s, unsigned int sa, uint8_t *buf,
		 size_t alloc);

/* 1 if a command of class acc from nexus n gets RESERVATION CONFLICT. */
int bs_rbd_pr_conflict(const struct bs_rbd_pr_state *s,
		       const struct bs_rbd_pr_nexus *n,
		       enum bs_rbd_pr_access acc);

/*
 * SPC-2 reservations, one state with the persistent ones (SPC-4 5.13.3,
 * CRH 0): RESERVE(6) and RELEASE(6) get RESERVATION CONFLICT while any
 * registration exists, and a PERSISTENT RESERVE OUT or IN from another
 * nexus while an SPC-2 reservation is held.
 *
 * RESERVE(6) from nexus from, through the LU token of tgtd boot, a new
 * grant numbered id: GOOD and held by from (again GOOD, unchanged, when
 * it holds it already through that LU), or CONFLICT.
 */
struct bs_rbd_pr_result bs_rbd_pr_reserve6(struct bs_rbd_pr_state *s,
					   const struct bs_rbd_pr_nexus *from,
					   uint64_t token, uint64_t boot,
					   uint64_t id,
					   struct bs_rbd_pr_effects *fx);
/* RELEASE(6): released if from holds it; GOOD either way (but CONFLICT
 * while a registration exists) */
struct bs_rbd_pr_result bs_rbd_pr_release6(struct bs_rbd_pr_state *s,
					   const struct bs_rbd_pr_nexus *from,
					   struct bs_rbd_pr_effects *fx);
/*
 * The holder's nexus went (I_T nexus loss), or a LUN reset: release the
 * SPC-2 reservation if it is still held as was (the same grant: nexus,
 * token, boot and id).  1 if it was released.
 */
int bs_rbd_pr_drop6(struct bs_rbd_pr_state *s,
		    const struct bs_rbd_pr_legacy *was);
/* 1 if an SPC-2 reservation is held by another nexus than n (which
 * commands that stops is the caller's: bs_rbd_pr_conflict judges
 * persistent reservations only) */
int bs_rbd_pr_reserved6_other(const struct bs_rbd_pr_state *s,
			      const struct bs_rbd_pr_nexus *n);
/* 1 if nexus n is registered (through its target port or ALL_TG_PT) */
int bs_rbd_pr_registered(const struct bs_rbd_pr_state *s,
			 const struct bs_rbd_pr_nexus *n);

/*
 * The state as bytes, little endian: "bsPR", version 1 (16 bits), the
 * number of registrations (16), PRgeneration (32), type (8), flags (8,
 * bit 0 APTPL), holder (16), then per registration its key (64), target
 * port (16, 0 for ALL_TG_PT), port name length (8) and name (no NUL).
 * Version 2 when an SPC-2 reservation is held: then its token (64), boot
 * (64), id (64), target port (16), port name length (8) and name follow (a
 * version 1 reader refuses it rather than miss the reservation).
 * Returns the length written, or 0 if s is not a valid state or len is
 * too small (BS_RBD_PR_ENCODED_MAX always fits).
 */
size_t bs_rbd_pr_encode(const struct bs_rbd_pr_state *s, uint8_t *buf,
			size_t len);
/*
 * 0 with *s set, or -EINVAL (and *s the empty state) for anything but
 * exactly the bytes bs_rbd_pr_encode gives for a valid state.
 */
int bs_rbd_pr_decode(const void *buf, size_t len, struct bs_rbd_pr_state *s);

/*
 * One iSCSI TransportID (SPC-4 7.6.4.6) at buf, len bytes available:
 * format 00b (name) or 01b (name,i,0xISID), protocol 5, reserved bits 0,
 * ADDITIONAL LENGTH a multiple of 4 and at least 20, the name NUL
 * terminated and NUL padded.  Returns its length (4 + ADDITIONAL LENGTH)
 * with port (lowercase) and *format set, or -EINVAL.
 */
int bs_rbd_pr_tid_parse(const uint8_t *buf, size_t len,
			char port[BS_RBD_PR_PORT_MAX], int *format);
/*
 * The TransportID of port (format 01b with an ISID, 00b without), the
 * shortest one: at most len bytes written; returns its whole length, or 0
 * if port is not a valid name.
 */
size_t bs_rbd_pr_tid_format(const char *port, uint8_t *buf, size_t len);

/*
 * The unit attentions of one change (PR OUT's effects) as bytes, for the
 * gateways that did not make it: "bsUA", version 1 (16 bits), count (16),
 * then per one its ASC (16), target port (16, 0: every port), port name
 * length (8) and name.  The length written, or 0 if ua is not valid or
 * len too small (BS_RBD_PR_UA_ENCODED_MAX always fits).
 */
#define BS_RBD_PR_UA_ENCODED_MAX \
	(8 + BS_RBD_PR_MAX_REGS * (5 + BS_RBD_PR_PORT_MAX))
size_t bs_rbd_pr_ua_encode(const struct bs_rbd_pr_ua *ua, int n, uint8_t *buf,
			   size_t len);
/* How many (at most max) were decoded into ua, or -EINVAL. */
int bs_rbd_pr_ua_decode(const void *buf, size_t len, struct bs_rbd_pr_ua *ua,
			int max);

#endif
