/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * bs_rbd: what the statistics file needs from the connection registry.
 * Include it before tgt's headers: their log.h redefines dprintf.
 */
#ifndef BS_RBD_STATS_H
#define BS_RBD_STATS_H

#include <stdio.h>

/* bs_rbd_conn.c: one line per cluster client */
void bs_rbd_conn_print(FILE *f);

#endif
