// SPDX-License-Identifier: GPL-2.0-only
/*
 * libFuzzer harness for EXTENDED COPY's parameter list: any bytes, at any
 * alignment (copied to an odd address in a buffer of exactly their size,
 * so ASan sees every read past the end), parse the same way; a list that
 * parses names only descriptors it holds; and the same bytes read as a
 * VPD 0x83 page are never read past their end.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "bs_rbd_xcopy.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_list(const struct bs_rbd_xcopy_list *l)
{
	unsigned int i;

	if (l->nr_cscd > BS_RBD_XCOPY_MAX_CSCD ||
	    l->nr_segs > BS_RBD_XCOPY_MAX_SEGS)
		abort();
	for (i = 0; i < l->nr_cscd; i++)
		if (l->cscd[i].desig_len > BS_RBD_XCOPY_DESIG_MAX)
			abort();
	for (i = 0; i < l->nr_segs; i++)
		if (l->segs[i].src >= l->nr_cscd ||
		    l->segs[i].dst >= l->nr_cscd)
			abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct bs_rbd_xcopy_list a, b;
	struct bs_rbd_sense ea = { 0, 0 }, eb = { 0, 0 };
	uint8_t *copy = malloc(size + 1);
	int ra, rb;

	if (!copy)
		return 0;
	memcpy(copy + 1, data, size);
	ra = bs_rbd_xcopy_parse(copy + 1, size, &a, &ea);
	rb = bs_rbd_xcopy_parse(size ? data : NULL, size, &b, &eb);
	if (ra != rb || ea.key != eb.key || ea.asc != eb.asc)
		abort();
	if (!ra) {
		if (memcmp(&a, &b, sizeof(a)))
			abort();
		check_list(&a);
		if (a.nr_cscd)
			bs_rbd_xcopy_cscd_matches(&a.cscd[0], copy + 1, size);
	}
	free(copy);
	return 0;
}
