// SPDX-License-Identifier: GPL-2.0-only
/*
 * libFuzzer harness for the --bsopts and --backing-store parsers: any byte
 * string must parse or fail cleanly, never crash, leak or overrun, and a
 * successful parse must satisfy the parsers' promises.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "bs_rbd_opts.h"

static void check_opts(const char *s)
{
	char err[BS_RBD_ERR_LEN];
	struct bs_rbd_opts o;

	err[0] = 0;
	if (bs_rbd_opts_parse(s, &o, err, sizeof(err))) {
		if (!err[0] || o.conf || o.id || o.cluster || o.keyring)
			abort();
		return;
	}
	if (o.connect_timeout < 1 ||
	    o.connect_timeout > BS_RBD_CONNECT_TIMEOUT_MAX ||
	    o.op_timeout > BS_RBD_OP_TIMEOUT_MAX)
		abort();
	if ((o.id && !*o.id) || (o.conf && !*o.conf))
		abort();
	bs_rbd_opts_free(&o);
}

static void check_path(const char *s)
{
	char err[BS_RBD_ERR_LEN];
	struct bs_rbd_path p;

	err[0] = 0;
	if (bs_rbd_path_parse(s, &p, err, sizeof(err))) {
		if (!err[0] || p.pool || p.image || p.snap || p.ns)
			abort();
		return;
	}
	if (!p.pool || !p.image || !*p.pool || !*p.image ||
	    strchr(p.image, '/') || strchr(p.image, '@') ||
	    (p.snap && (!*p.snap || strchr(p.snap, '@'))) ||
	    strlen(p.image) > BS_RBD_NAME_MAX)
		abort();
	bs_rbd_path_free(&p);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = malloc(size + 1);

	if (!s)
		return 0;
	memcpy(s, data, size);
	s[size] = 0;
	check_opts(s);
	check_path(s);
	free(s);
	return 0;
}
