// SPDX-License-Identifier: GPL-2.0-only
/*
 * bs_rbd: the events between an image's gateways, as text - the pure
 * parts.  The format is strict: a message another version or anyone else
 * sent is refused whole, never half read.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "bs_rbd_event.h"

#define PREFIX "bs_rbd1 "
#define FROM_LEN 16
#define IDENT_DIGITS (BS_RBD_IDENT_LEN - 1)

static const char *const kinds[] = {
	[BS_RBD_EVENT_RESET] = "reset",
	[BS_RBD_EVENT_LOOK] = "look",
	[BS_RBD_EVENT_PR] = "pr",
	[BS_RBD_EVENT_PR_LOOK] = "held",
};

#define NR_KINDS (sizeof(kinds) / sizeof(kinds[0]))

static int is_hex(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (!((s[i] >= '0' && s[i] <= '9') ||
		      (s[i] >= 'a' && s[i] <= 'f')))
			return 0;
	return 1;
}

size_t bs_rbd_event_format(const struct bs_rbd_event *ev, char *buf, size_t len)
{
	int n;

	if ((size_t)ev->kind >= NR_KINDS || !kinds[ev->kind] ||
	    strlen(ev->ident) != IDENT_DIGITS ||
	    !is_hex(ev->ident, IDENT_DIGITS))
		return 0;
	n = snprintf(buf, len, PREFIX "%s %016llx %s", kinds[ev->kind],
		     (unsigned long long)ev->from, ev->ident);
	return n < 0 || (size_t)n >= len ? 0 : (size_t)n;
}

/* The kind msg starts with, and its length; 0 when none. */
static size_t kind_of(const char *msg, size_t len, struct bs_rbd_event *ev)
{
	size_t i, n;

	for (i = 1; i < NR_KINDS; i++) {
		n = strlen(kinds[i]);
		if (len > n && !memcmp(msg, kinds[i], n) && msg[n] == ' ') {
			ev->kind = (enum bs_rbd_event_kind)i;
			return n + 1;
		}
	}
	return 0;
}

/*
 * `rados notify OBJ MSG` (how an operator sends one, README.rbd) puts the
 * text's length before it, 32 bits little endian: skip that.
 */
static const char *unframe(const char *p, size_t *len)
{
	const unsigned char *b = (const unsigned char *)p;

	if (*len >= 4 && (size_t)(b[0] | b[1] << 8 | b[2] << 16 |
				  (unsigned long)b[3] << 24) == *len - 4) {
		*len -= 4;
		return p + 4;
	}
	return p;
}

int bs_rbd_event_parse(const void *msg, size_t len, struct bs_rbd_event *ev)
{
	const char *p = msg;
	unsigned long long from = 0;
	size_t n, i;

	if (p)
		p = unframe(p, &len);
	if (!p || len <= strlen(PREFIX) || memcmp(p, PREFIX, strlen(PREFIX)))
		return -EINVAL;
	p += strlen(PREFIX);
	len -= strlen(PREFIX);
	n = kind_of(p, len, ev);
	if (!n || len - n != FROM_LEN + 1 + IDENT_DIGITS)
		return -EINVAL;
	p += n;
	if (!is_hex(p, FROM_LEN) || p[FROM_LEN] != ' ' ||
	    !is_hex(p + FROM_LEN + 1, IDENT_DIGITS))
		return -EINVAL;
	for (i = 0; i < FROM_LEN; i++)
		from = from << 4 |
		       (unsigned long long)(p[i] <= '9' ? p[i] - '0'
							: p[i] - 'a' + 10);
	ev->from = from;
	memcpy(ev->ident, p + FROM_LEN + 1, IDENT_DIGITS);
	ev->ident[IDENT_DIGITS] = 0;
	return 0;
}
