// SPDX-License-Identifier: GPL-2.0-only
/*
 * bs_rbd option parsing: the --backing-store path and the --bsopts string.
 *
 * Everything here is strict on purpose: a typo in an option must fail the
 * LUN creation with a message naming it, never be silently ignored.
 */
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bs_rbd_opts.h"

static int fail(char *err, size_t errlen, int ret, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static int fail(char *err, size_t errlen, int ret, const char *fmt, ...)
{
	va_list ap;

	if (err && errlen) {
		va_start(ap, fmt);
		vsnprintf(err, errlen, fmt, ap);
		va_end(ap);
	}
	return ret;
}

static int has_ctl_char(const char *s, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++)
		if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f)
			return 1;
	return 0;
}

/* Copy one path component [s, s+len) after checking it. */
static int path_part(const char *what, const char *s, size_t len, char **out,
		     char *err, size_t errlen)
{
	if (!len)
		return fail(err, errlen, -EINVAL,
			    "backing-store: empty %s name", what);
	if (len > BS_RBD_NAME_MAX)
		return fail(err, errlen, -EINVAL,
			    "backing-store: %s name longer than %d bytes", what,
			    BS_RBD_NAME_MAX);
	if (has_ctl_char(s, len))
		return fail(err, errlen, -EINVAL,
			    "backing-store: control character in %s name",
			    what);
	*out = strndup(s, len);
	if (!*out)
		return fail(err, errlen, -ENOMEM, "out of memory");
	return 0;
}

static int split_names(const char *s, size_t len, struct bs_rbd_path *path,
		       char *err, size_t errlen)
{
	const char *slash1 = memchr(s, '/', len);
	const char *slash2 = NULL;
	const char *img = s;
	size_t rest;
	int ret;

	if (slash1) {
		rest = len - (size_t)(slash1 + 1 - s);
		slash2 = memchr(slash1 + 1, '/', rest);
		if (slash2 &&
		    memchr(slash2 + 1, '/', len - (size_t)(slash2 + 1 - s)))
			return fail(err, errlen, -EINVAL,
				    "backing-store: too many '/'; expected "
				    "[pool/[namespace/]]image[@snap]");
		ret = path_part("pool", s, (size_t)(slash1 - s), &path->pool,
				err, errlen);
		if (ret)
			return ret;
		img = slash1 + 1;
	}
	if (slash2) {
		ret = path_part("namespace", slash1 + 1,
				(size_t)(slash2 - slash1 - 1), &path->ns, err,
				errlen);
		if (ret)
			return ret;
		img = slash2 + 1;
	}
	if (!path->pool) {
		path->pool = strdup(BS_RBD_DEFAULT_POOL);
		if (!path->pool)
			return fail(err, errlen, -ENOMEM, "out of memory");
	}
	return path_part("image", img, len - (size_t)(img - s), &path->image,
			 err, errlen);
}

int bs_rbd_path_parse(const char *spec, struct bs_rbd_path *path, char *err,
		      size_t errlen)
{
	const char *at;
	size_t len;
	int ret;

	memset(path, 0, sizeof(*path));
	if (!spec || !*spec)
		return fail(err, errlen, -EINVAL,
			    "backing-store: empty; expected "
			    "[pool/[namespace/]]image[@snap]");
	len = strnlen(spec, 4 * (BS_RBD_NAME_MAX + 1) + 1);
	if (len > 4 * (BS_RBD_NAME_MAX + 1))
		return fail(err, errlen, -EINVAL, "backing-store: too long");

	at = memchr(spec, '@', len);
	if (at) {
		size_t slen = len - (size_t)(at + 1 - spec);

		if (memchr(at + 1, '@', slen) || memchr(at + 1, '/', slen)) {
			ret = fail(err, errlen, -EINVAL,
				   "backing-store: a snapshot name may not "
				   "contain '@' or '/'");
			goto out;
		}
		ret = path_part("snapshot", at + 1, slen, &path->snap, err,
				errlen);
		if (ret)
			goto out;
		len = (size_t)(at - spec);
	}
	ret = split_names(spec, len, path, err, errlen);
out:
	if (ret)
		bs_rbd_path_free(path);
	return ret;
}

void bs_rbd_path_free(struct bs_rbd_path *path)
{
	free(path->pool);
	free(path->ns);
	free(path->image);
	free(path->snap);
	memset(path, 0, sizeof(*path));
}

enum opt_kind {
	OPT_STR,
	OPT_ID,
	OPT_NAME,
	OPT_SECONDS,
	OPT_NUMBER,
	OPT_REFUSED
};

struct opt_desc {
	const char *name;
	enum opt_kind kind;
	size_t off; /* of the char * or unsigned int in struct bs_rbd_opts */
	unsigned int min, max; /* OPT_SECONDS and OPT_NUMBER range */
};

#define OPT_FIELD(f) offsetof(struct bs_rbd_opts, f)

static const struct opt_desc opt_table[] = {
	{ "conf", OPT_STR, OPT_FIELD(conf), 0, 0 },
	{ "id", OPT_ID, OPT_FIELD(id), 0, 0 },
	{ "cluster", OPT_STR, OPT_FIELD(cluster), 0, 0 },
	{ "keyring", OPT_STR, OPT_FIELD(keyring), 0, 0 },
	{ "connect_timeout", OPT_SECONDS, OPT_FIELD(connect_timeout), 1,
	  BS_RBD_CONNECT_TIMEOUT_MAX },
	{ "op_timeout", OPT_SECONDS, OPT_FIELD(op_timeout), 0,
	  BS_RBD_OP_TIMEOUT_MAX },
	{ "connection", OPT_NUMBER, OPT_FIELD(connection), 0,
	  BS_RBD_CONNECTION_MAX },
	{ "gateway", OPT_NAME, OPT_FIELD(gateway), 0, 0 },
	{ "takeover", OPT_SECONDS, OPT_FIELD(takeover), 0,
	  BS_RBD_TAKEOVER_MAX },
	/* Debian's bs_rbd options that would put a key into tgtd's log */
	{ "cephx_key", OPT_REFUSED, 0, 0, 0 },
	{ "virsecretuuid", OPT_REFUSED, 0, 0, 0 },
};

#define OPT_KNOWN                                                   \
	"conf, id, cluster, keyring, connect_timeout, op_timeout, " \
	"connection, "                                              \
	"gateway, takeover"

static const struct opt_desc *opt_lookup(const char *key, size_t len)
{
	size_t i;

	for (i = 0; i < sizeof(opt_table) / sizeof(opt_table[0]); i++)
		if (strlen(opt_table[i].name) == len &&
		    !memcmp(opt_table[i].name, key, len))
			return &opt_table[i];
	return NULL;
}

static int parse_uint(const struct opt_desc *d, const char *v, size_t len,
		      unsigned int *out, char *err, size_t errlen)
{
	unsigned long val = 0;
	size_t i;

	if (!len || len > 9)
		goto bad;
	for (i = 0; i < len; i++) {
		if (v[i] < '0' || v[i] > '9')
			goto bad;
		val = val * 10 + (unsigned long)(v[i] - '0');
	}
	if (val < d->min || val > d->max)
		goto bad;
	*out = (unsigned int)val;
	return 0;
bad:
	return fail(err, errlen, -EINVAL,
		    "bsopts: %s must be a whole number%s from %u to %u",
		    d->name, d->kind == OPT_SECONDS ? " of seconds" : "",
		    d->min, d->max);
}

/* A name other gateways see (RADOS, REPORT TARGET PORT GROUPS, logs) */
static int check_name(const struct opt_desc *d, const char *v, size_t len,
		      char *err, size_t errlen)
{
	size_t i = 0;

	while (i < len && (isalnum((unsigned char)v[i]) || v[i] == '.' ||
			   v[i] == '_' || v[i] == '-'))
		i++;
	if (len > BS_RBD_GATEWAY_MAX || i < len)
		return fail(err, errlen, -EINVAL,
			    "bsopts: %s must be 1 to %d letters, digits, '.', "
			    "'_' or '-'",
			    d->name, BS_RBD_GATEWAY_MAX);
	return 0;
}

static int parse_string(const struct opt_desc *d, const char *v, size_t len,
			char **out, char *err, size_t errlen)
{
	if (d->kind == OPT_ID && len >= 7 && !memcmp(v, "client.", 7)) {
		v += 7;
		len -= 7;
	}
	if (!len)
		return fail(err, errlen, -EINVAL, "bsopts: %s has no value",
			    d->name);
	if (len > 4096)
		return fail(err, errlen, -EINVAL,
			    "bsopts: %s longer than 4096 bytes", d->name);
	if (has_ctl_char(v, len))
		return fail(err, errlen, -EINVAL,
			    "bsopts: control character in %s", d->name);
	if (d->kind == OPT_NAME && check_name(d, v, len, err, errlen))
		return -EINVAL;
	*out = strndup(v, len);
	if (!*out)
		return fail(err, errlen, -ENOMEM, "out of memory");
	return 0;
}

static int parse_item(const char *item, size_t len, struct bs_rbd_opts *opts,
		      unsigned int *seen, char *err, size_t errlen)
{
	const char *eq = memchr(item, '=', len);
	const struct opt_desc *d;
	size_t klen, vlen;
	unsigned int bit;
	void *field;

	klen = eq ? (size_t)(eq - item) : len;
	d = opt_lookup(item, klen);
	if (!d)
		return fail(err, errlen, -EINVAL,
			    "bsopts: unknown option '%.*s' (known: " OPT_KNOWN
			    ")",
			    (int)(klen > 64 ? 64 : klen), item);
	if (d->kind == OPT_REFUSED)
		return fail(err, errlen, -EINVAL,
			    "bsopts: %s is not supported: tgtd logs every "
			    "bsopts string, so a key must come from a file; "
			    "use keyring=/path/to/keyring",
			    d->name);
	if (!eq)
		return fail(err, errlen, -EINVAL,
			    "bsopts: option '%s' needs a value (%s=...)",
			    d->name, d->name);
	bit = 1u << (d - opt_table);
	if (*seen & bit)
		return fail(err, errlen, -EINVAL,
			    "bsopts: option '%s' given more than once",
			    d->name);
	*seen |= bit;

	vlen = len - klen - 1;
	field = (char *)opts + d->off;
	if (d->kind == OPT_SECONDS || d->kind == OPT_NUMBER)
		return parse_uint(d, eq + 1, vlen, field, err, errlen);
	return parse_string(d, eq + 1, vlen, field, err, errlen);
}

int bs_rbd_opts_parse(const char *bsopts, struct bs_rbd_opts *opts, char *err,
		      size_t errlen)
{
	const char *p = bsopts;
	unsigned int seen = 0;
	int ret = 0;

	memset(opts, 0, sizeof(*opts));
	opts->connect_timeout = BS_RBD_CONNECT_TIMEOUT_DEFAULT;
	opts->op_timeout = BS_RBD_OP_TIMEOUT_DEFAULT;
	opts->takeover = BS_RBD_TAKEOVER_DEFAULT;
	if (!p || !*p)
		return 0;
	if (strnlen(p, BS_RBD_OPTS_MAX + 1) > BS_RBD_OPTS_MAX)
		return fail(err, errlen, -EINVAL,
			    "bsopts: longer than %d bytes", BS_RBD_OPTS_MAX);

	for (;;) {
		const char *end = strchr(p, ';');
		size_t len = end ? (size_t)(end - p) : strlen(p);

		if (!len) {
			ret = fail(err, errlen, -EINVAL,
				   "bsopts: empty option at offset %zu (stray "
				   "';'?); expected key=value;key=value",
				   (size_t)(p - bsopts));
			break;
		}
		ret = parse_item(p, len, opts, &seen, err, errlen);
		if (ret || !end)
			break;
		p = end + 1;
	}
	if (ret)
		bs_rbd_opts_free(opts);
	return ret;
}

void bs_rbd_opts_free(struct bs_rbd_opts *opts)
{
	free(opts->conf);
	free(opts->id);
	free(opts->cluster);
	free(opts->keyring);
	free(opts->gateway);
	memset(opts, 0, sizeof(*opts));
}
