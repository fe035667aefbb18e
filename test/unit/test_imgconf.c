// SPDX-License-Identifier: GPL-2.0-only
/*
 * Unit tests of the pool and image settings an LU refuses.
 */
#include <errno.h>

#include "bs_rbd_imgconf.h"
#include "unit.h"

#define CONF RBD_CONFIG_SOURCE_CONFIG
#define POOL RBD_CONFIG_SOURCE_POOL
#define IMAGE RBD_CONFIG_SOURCE_IMAGE

/* Settings judged, and others, as rbd_config_image_list reports them. */
static rbd_config_option_t opts[7];

static void set(int i, const char *name, const char *value, int source)
{
	opts[i].name = (char *)name;
	opts[i].value = (char *)value;
	opts[i].source = (rbd_config_source_t)source;
}

/* bs_rbd's own settings, nothing from the pool or the image */
static void defaults(void)
{
	set(0, "rbd_cache", "false", CONF);
	set(1, "rbd_cache_policy", "writearound", CONF);
	set(2, "rbd_disable_zero_copy_writes", "true", CONF);
	set(3, "rbd_skip_partial_discard", "true", CONF);
	set(4, "rbd_read_from_replica_policy", "default", CONF);
	set(5, "rbd_non_blocking_aio", "true", CONF);
	set(6, "rbd_blocklist_on_break_lock", "true", CONF);
}

static int judge(char *err, size_t len)
{
	err[0] = 0;
	return bs_rbd_imgconf_judge(opts, 7, "rbd", "rbd/ns1/img", err, len);
}

static void accepts_own_settings(void)
{
	char err[256];

	defaults();
	CHECK(judge(err, sizeof(err)) == 0);
	CHECK_STR(err, "");
}

static void accepts_object_cacher(void)
{
	char err[256];

	defaults();
	set(0, "rbd_cache", "true", POOL);
	set(1, "rbd_cache_policy", "writeback", IMAGE);
	CHECK(judge(err, sizeof(err)) == 0);
	set(1, "rbd_cache_policy", "writethrough", CONF);
	CHECK(judge(err, sizeof(err)) == 0);
}

static void refuses_zero_copy_from_pool(void)
{
	char err[256];

	defaults();
	set(2, "rbd_disable_zero_copy_writes", "false", POOL);
	CHECK(judge(err, sizeof(err)) == -EINVAL);
	CHECK_STR(err, "rbd config pool rbd sets "
		       "rbd_disable_zero_copy_writes=false, which can hang "
		       "writes (README.rbd 7); undo: rbd config pool remove "
		       "rbd rbd_disable_zero_copy_writes");
}

static void refuses_zero_copy_from_image(void)
{
	char err[256];

	defaults();
	set(2, "rbd_disable_zero_copy_writes", "false", IMAGE);
	CHECK(judge(err, sizeof(err)) == -EINVAL);
	CHECK(strstr(err, "rbd config image rbd/ns1/img sets") == err);
	CHECK(strstr(err, "undo: rbd config image remove rbd/ns1/img "
			  "rbd_disable_zero_copy_writes") != NULL);
}

static void refuses_write_around_cache_from_pool(void)
{
	char err[256];

	defaults();
	set(0, "rbd_cache", "true", POOL);
	CHECK(judge(err, sizeof(err)) == -EINVAL);
	CHECK_STR(err, "rbd config pool rbd sets rbd_cache=true: "
		       "write-around can lose write errors (README.rbd 7); "
		       "fix: rbd config image set rbd/ns1/img rbd_cache false");
}

/* the conf asked for writeback, the image brought write-around back */
static void refuses_write_around_policy_from_image(void)
{
	char err[256];

	defaults();
	set(0, "rbd_cache", "true", CONF);
	set(1, "rbd_cache_policy", "writearound", IMAGE);
	CHECK(judge(err, sizeof(err)) == -EINVAL);
	CHECK(strstr(err, "rbd config image rbd/ns1/img sets "
			  "rbd_cache_policy=writearound:") == err);
}

/* librbd returns booleans as typed; Ceph reads any case and integers */
static void booleans_as_ceph_reads_them(void)
{
	static const char *const off[] = { "0", "FALSE", "False", "00" };
	static const char *const on[] = { "1", "TRUE", "True", "-1", "7" };
	char err[256];
	size_t i;

	for (i = 0; i < sizeof(off) / sizeof(off[0]); i++) {
		defaults();
		set(2, "rbd_disable_zero_copy_writes", off[i], IMAGE);
		CHECK(judge(err, sizeof(err)) == -EINVAL);
		defaults();
		set(0, "rbd_cache", off[i], POOL);
		CHECK(judge(err, sizeof(err)) == 0);
	}
	for (i = 0; i < sizeof(on) / sizeof(on[0]); i++) {
		defaults();
		set(2, "rbd_disable_zero_copy_writes", on[i], IMAGE);
		CHECK(judge(err, sizeof(err)) == 0);
		defaults();
		set(0, "rbd_cache", on[i], POOL);
		CHECK(judge(err, sizeof(err)) == -EINVAL);
	}
	defaults();
	set(0, "rbd_cache", "1", POOL);
	CHECK(judge(err, sizeof(err)) == -EINVAL);
	CHECK(strstr(err, "rbd config pool rbd sets rbd_cache=1:") == err);
}

/* what is not surely safe is refused */
static void unreadable_values(void)
{
	char err[256];

	defaults();
	set(2, "rbd_disable_zero_copy_writes", "yes", IMAGE);
	CHECK(judge(err, sizeof(err)) == -EINVAL);
	defaults();
	set(2, "rbd_disable_zero_copy_writes", "", IMAGE);
	CHECK(judge(err, sizeof(err)) == -EINVAL);
	defaults();
	set(0, "rbd_cache", "1x", POOL);
	CHECK(judge(err, sizeof(err)) == -EINVAL);
	defaults();
	set(0, "rbd_cache", "99999999999999999999", POOL);
	CHECK(judge(err, sizeof(err)) == -EINVAL);
}

/* synchronous aio would run librbd's waits on tgtd's loop */
static void refuses_blocking_aio(void)
{
	static const char *const off[] = { "false", "0", "FALSE" };
	char err[256];
	unsigned int i;

	for (i = 0; i < 3; i++) {
		defaults();
		set(5, "rbd_non_blocking_aio", off[i], i ? IMAGE : POOL);
		CHECK(judge(err, sizeof(err)) == -EINVAL);
		CHECK(strstr(err, "rbd_non_blocking_aio") != NULL);
	}
	CHECK(strstr(err, "undo: rbd config image remove rbd/ns1/img "
			  "rbd_non_blocking_aio") != NULL);
	defaults();
	set(5, "rbd_non_blocking_aio", "1", POOL);
	CHECK(judge(err, sizeof(err)) == 0);
}

/* a lock broken without blocklisting lets the holder's writes land */
static void refuses_unfenced_lock_break(void)
{
	char err[256];

	defaults();
	set(6, "rbd_blocklist_on_break_lock", "false", IMAGE);
	CHECK(judge(err, sizeof(err)) == -EINVAL);
	CHECK(strstr(err, "rbd_blocklist_on_break_lock=false") != NULL);
	set(6, "rbd_blocklist_on_break_lock", "true", POOL);
	CHECK(judge(err, sizeof(err)) == 0);
}

/* a short buffer truncates the message, never overruns it */
static void short_buffer(void)
{
	char err[24];

	defaults();
	set(2, "rbd_disable_zero_copy_writes", "false", POOL);
	CHECK(judge(err, sizeof(err)) == -EINVAL);
	CHECK(strlen(err) == sizeof(err) - 1);
}

/* settings this librbd does not have are not judged */
static void missing_settings(void)
{
	char err[64] = "";

	CHECK(bs_rbd_imgconf_judge(NULL, 0, "rbd", "rbd/img", err,
				   sizeof(err)) == 0);
	CHECK_STR(err, "");
}

int main(void)
{
	RUN(accepts_own_settings);
	RUN(accepts_object_cacher);
	RUN(refuses_zero_copy_from_pool);
	RUN(refuses_zero_copy_from_image);
	RUN(refuses_write_around_cache_from_pool);
	RUN(refuses_write_around_policy_from_image);
	RUN(booleans_as_ceph_reads_them);
	RUN(unreadable_values);
	RUN(refuses_blocking_aio);
	RUN(refuses_unfenced_lock_break);
	RUN(short_buffer);
	RUN(missing_settings);
	return unit_report("unit/imgconf");
}
