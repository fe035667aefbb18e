// SPDX-License-Identifier: GPL-2.0-only
/*
 * bs_rbd: the per-pool and per-image librbd settings an LU refuses.
 *
 * Pure code: judges rbd_config_image_list's answer (unit-tested).
 * Messages go to tgtd's log, whose lines end at 256 bytes: each names
 * the setting, who set it and the command that undoes it, briefly.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "bs_rbd_imgconf.h"

static const rbd_config_option_t *find(const rbd_config_option_t *opts, int n,
				       const char *name)
{
	int i;

	for (i = 0; i < n; i++)
		if (opts[i].name && !strcmp(opts[i].name, name))
			return &opts[i];
	return NULL;
}

static int is(const rbd_config_option_t *o, const char *value)
{
	return o && o->value && !strcmp(o->value, value);
}

/*
 * A boolean as Ceph reads it: true/false in any case, or an integer (0 is
 * false).  librbd returns pool and image settings as they were typed.
 * 1 true, 0 false, -1 neither (librbd refuses to store that).
 */
static int conf_bool(const rbd_config_option_t *o)
{
	char *end;
	long v;

	if (!o || !o->value || !*o->value)
		return -1;
	if (!strcasecmp(o->value, "true"))
		return 1;
	if (!strcasecmp(o->value, "false"))
		return 0;
	errno = 0;
	v = strtol(o->value, &end, 10);
	if (errno || *end)
		return -1;
	return v != 0;
}

/* "rbd config pool rbd sets" / "rbd config image rbd/img sets" */
static void setter(const rbd_config_option_t *o, const char *pool,
		   const char *spec, char *buf, size_t len)
{
	if (o->source == RBD_CONFIG_SOURCE_POOL)
		snprintf(buf, len, "rbd config pool %s sets", pool);
	else if (o->source == RBD_CONFIG_SOURCE_IMAGE)
		snprintf(buf, len, "rbd config image %s sets", spec);
	else
		snprintf(buf, len, "the conf sets");
}

/* The command that takes o's setting away again. */
static void undo(const rbd_config_option_t *o, const char *pool,
		 const char *spec, char *buf, size_t len)
{
	if (o->source == RBD_CONFIG_SOURCE_POOL)
		snprintf(buf, len, "rbd config pool remove %s %s", pool,
			 o->name);
	else if (o->source == RBD_CONFIG_SOURCE_IMAGE)
		snprintf(buf, len, "rbd config image remove %s %s", spec,
			 o->name);
	else
		snprintf(buf, len, "remove %s from the conf", o->name);
}

/*
 * A boolean bs_rbd sets true on its clients, which a pool or image
 * setting must not turn off again; harm says what would happen.
 */
static int judge_true(const rbd_config_option_t *opts, int n, const char *name,
		      const char *harm, const char *pool, const char *spec,
		      char *err, size_t errlen)
{
	const rbd_config_option_t *o;
	char who[128], fix[192];

	o = find(opts, n, name);
	/* only a value that is surely true is safe */
	if (!o || conf_bool(o) == 1)
		return 0;
	setter(o, pool, spec, who, sizeof(who));
	undo(o, pool, spec, fix, sizeof(fix));
	snprintf(err, errlen, "%s %s=%s, which %s (README.rbd 7); undo: %s",
		 who, o->name, o->value ? o->value : "", harm, fix);
	return -EINVAL;
}

/*
 * Write-around acknowledges a write before the OSDs answer and can lose
 * their refusal (pool quota, full cluster); bs_rbd turns it off on its
 * clients, but a pool or image setting turns it back on.
 */
static int judge_write_around(const rbd_config_option_t *opts, int n,
			      const char *pool, const char *spec, char *err,
			      size_t errlen)
{
	const rbd_config_option_t *cache, *policy, *o;
	char who[128];

	cache = find(opts, n, "rbd_cache");
	policy = find(opts, n, "rbd_cache_policy");
	/* only a cache that is surely off is safe with write-around */
	if (!cache || conf_bool(cache) == 0 || !is(policy, "writearound"))
		return 0;
	/* name the setting that is not the client's own */
	o = cache->source != RBD_CONFIG_SOURCE_CONFIG ? cache : policy;
	setter(o, pool, spec, who, sizeof(who));
	snprintf(err, errlen,
		 "%s %s=%s: write-around can lose write errors (README.rbd "
		 "7); fix: rbd config image set %s rbd_cache false",
		 who, o->name, o->value, spec);
	return -EINVAL;
}

int bs_rbd_imgconf_judge(const rbd_config_option_t *opts, int n,
			 const char *pool, const char *spec, char *err,
			 size_t errlen)
{
	int ret;

	/*
	 * Zero-copy writes: librbd then holds a write's completion until it
	 * drops the command's buffer, which it never does for a write
	 * refused before it reaches the objects, nor while a writethrough
	 * cache keeps the data; the command would never end (README.rbd
	 * 9.3).
	 */
	ret = judge_true(opts, n, "rbd_disable_zero_copy_writes",
			 "can hang writes", pool, spec, err, errlen);
	if (!ret)
		ret = judge_write_around(opts, n, pool, spec, err, errlen);
	/*
	 * Synchronous "aio": every librbd call, and its waits for the
	 * cluster, would run on tgtd's main loop.
	 */
	if (!ret)
		ret = judge_true(opts, n, "rbd_non_blocking_aio",
				 "would block tgtd on every I/O", pool, spec,
				 err, errlen);
	/* a lock broken without fencing its holder lets stale writes land */
	if (!ret)
		ret = judge_true(opts, n, "rbd_blocklist_on_break_lock",
				 "lets a fenced gateway's writes land", pool,
				 spec, err, errlen);
	return ret;
}
