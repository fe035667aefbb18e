/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * A minimal test harness for the pure parts of bs_rbd: each case is a
 * function; a case fails when any of its checks fails.
 */
#ifndef BS_RBD_UNIT_H
#define BS_RBD_UNIT_H

#include <stdio.h>
#include <string.h>

static int unit_case_failed;
static int unit_passed, unit_failed;

#define CHECK(cond)                                                    \
	do {                                                           \
		if (!(cond)) {                                         \
			fprintf(stderr, "  %s:%d: check failed: %s\n", \
				__FILE__, __LINE__, #cond);            \
			unit_case_failed = 1;                          \
		}                                                      \
	} while (0)

#define CHECK_STR(a, b)                                                       \
	do {                                                                  \
		const char *a_ = (a), *b_ = (b);                              \
		if (!((a_ == NULL && b_ == NULL) ||                           \
		      (a_ && b_ && !strcmp(a_, b_)))) {                       \
			fprintf(stderr,                                       \
				"  %s:%d: '%s' is \"%s\", expected \"%s\"\n", \
				__FILE__, __LINE__, #a, a_ ? a_ : "(null)",   \
				b_ ? b_ : "(null)");                          \
			unit_case_failed = 1;                                 \
		}                                                             \
	} while (0)

static inline void unit_run(const char *name, void (*fn)(void))
{
	unit_case_failed = 0;
	fn();
	if (unit_case_failed) {
		unit_failed++;
		fprintf(stderr, "FAIL %s\n", name);
	} else {
		unit_passed++;
	}
}

#define RUN(fn) unit_run(#fn, fn)

/* Last line: what test/run-unit.sh adds up. */
static inline int unit_report(const char *suite)
{
	printf("%s: %d passed, %d failed\n", suite, unit_passed, unit_failed);
	return unit_failed ? 1 : 0;
}

#endif
