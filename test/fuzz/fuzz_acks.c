// SPDX-License-Identifier: GPL-2.0-only
/*
 * libFuzzer harness for the reading of a RADOS notify's reply: any bytes,
 * at any alignment (the reply is copied to an odd address in a buffer of
 * exactly its size, so ASan sees every read past its end), give 1, 0 or
 * -EINVAL, and the answer does not depend on the alignment; nor does the
 * list of clients that did not answer, which stays within its room.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "bs_rbd_acks.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint64_t gid = 0, cookie = 0, gids[4], gids2[4];
	uint8_t *copy;
	int a, b;

	/* the watch looked for: the first 16 bytes */
	if (size < 16)
		return 0;
	memcpy(&gid, data, 8);
	memcpy(&cookie, data + 8, 8);
	data += 16;
	size -= 16;
	a = bs_rbd_acks_answered(size ? data : NULL, size, gid, cookie);
	copy = malloc(size + 1);
	if (!copy)
		return 0;
	memcpy(copy + 1, data, size);
	b = bs_rbd_acks_answered(copy + 1, size, gid, cookie);
	if (a != b || (a != 1 && a != 0 && a != -EINVAL))
		abort();
	/* who did not answer: within the room, the same at any alignment */
	a = bs_rbd_acks_silent(size ? data : NULL, size, gids, 4);
	b = bs_rbd_acks_silent(copy + 1, size, gids2, 4);
	free(copy);
	if (a != b || a < -EINVAL || a > 4 ||
	    (a > 0 && memcmp(gids, gids2, (size_t)a * sizeof(*gids))))
		abort();
	return 0;
}
