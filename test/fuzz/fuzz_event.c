// SPDX-License-Identifier: GPL-2.0-only
/*
 * libFuzzer harness for the events between an image's gateways: any bytes,
 * at any alignment (copied to an odd address in a buffer of exactly their
 * size, so ASan sees every read past the end), parse the same way, and a
 * message that parses is formatted back to exactly the same bytes (after
 * the length `rados notify` may put first).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "bs_rbd_event.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct bs_rbd_event a, b;
	char out[BS_RBD_EVENT_MAX];
	uint8_t *copy = malloc(size + 1);
	int ra, rb;

	if (!copy)
		return 0;
	memcpy(copy + 1, data, size);
	ra = bs_rbd_event_parse(size ? data : NULL, size, &a);
	rb = bs_rbd_event_parse(copy + 1, size, &b);
	free(copy);
	if (ra != rb)
		abort();
	if (ra)
		return 0;
	if (a.kind != b.kind || a.from != b.from || strcmp(a.ident, b.ident))
		abort();
	/* the text after its length, if `rados notify` framed it */
	if (size >= 4 && (size_t)(data[0] | data[1] << 8 | data[2] << 16 |
				  (unsigned long)data[3] << 24) == size - 4) {
		data += 4;
		size -= 4;
	}
	if (bs_rbd_event_format(&a, out, sizeof(out)) != size ||
	    memcmp(out, data, size))
		abort();
	return 0;
}
