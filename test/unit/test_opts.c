// SPDX-License-Identifier: GPL-2.0-only
/*
 * Unit tests of the --backing-store and --bsopts parsers.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "bs_rbd_opts.h"
#include "unit.h"

struct path_case {
	const char *spec;
	const char *pool, *ns, *image, *snap; /* expected on success */
	const char *err; /* expected substring of the error, NULL: success */
};

static const struct path_case path_cases[] = {
	{ "img", "rbd", NULL, "img", NULL, NULL },
	{ "pool/img", "pool", NULL, "img", NULL, NULL },
	{ "pool/ns/img", "pool", "ns", "img", NULL, NULL },
	{ "img@snap", "rbd", NULL, "img", "snap", NULL },
	{ "p/img@s1", "p", NULL, "img", "s1", NULL },
	{ "p/ns/img@s1", "p", "ns", "img", "s1", NULL },
	{ "p.x-1/im_g.2@s-3", "p.x-1", NULL, "im_g.2", "s-3", NULL },
	{ "", NULL, NULL, NULL, NULL, "empty" },
	{ "/img", NULL, NULL, NULL, NULL, "empty pool name" },
	{ "pool/", NULL, NULL, NULL, NULL, "empty image name" },
	{ "pool//img", NULL, NULL, NULL, NULL, "empty namespace name" },
	{ "a/b/c/d", NULL, NULL, NULL, NULL, "too many '/'" },
	{ "img@", NULL, NULL, NULL, NULL, "empty snapshot name" },
	{ "@snap", NULL, NULL, NULL, NULL, "empty image name" },
	{ "img@a@b", NULL, NULL, NULL, NULL, "may not contain '@'" },
	{ "img@a/b", NULL, NULL, NULL, NULL, "may not contain" },
	{ "pool/im\tg", NULL, NULL, NULL, NULL, "control character" },
	{ "pool/img\n", NULL, NULL, NULL, NULL, "control character" },
};

static void test_path_table(void)
{
	char err[BS_RBD_ERR_LEN];
	struct bs_rbd_path p;
	size_t i;

	for (i = 0; i < sizeof(path_cases) / sizeof(path_cases[0]); i++) {
		const struct path_case *c = &path_cases[i];
		int ret;

		err[0] = 0;
		ret = bs_rbd_path_parse(c->spec, &p, err, sizeof(err));
		if (c->err) {
			CHECK(ret == -EINVAL);
			CHECK(strstr(err, c->err) != NULL);
			if (!strstr(err, c->err))
				fprintf(stderr, "  spec \"%s\": got \"%s\"\n",
					c->spec, err);
			CHECK(!p.pool && !p.image && !p.snap && !p.ns);
			continue;
		}
		CHECK(ret == 0);
		CHECK_STR(p.pool, c->pool);
		CHECK_STR(p.ns, c->ns);
		CHECK_STR(p.image, c->image);
		CHECK_STR(p.snap, c->snap);
		bs_rbd_path_free(&p);
	}
}

static void test_path_null(void)
{
	char err[BS_RBD_ERR_LEN] = "";
	struct bs_rbd_path p;

	CHECK(bs_rbd_path_parse(NULL, &p, err, sizeof(err)) == -EINVAL);
	CHECK(strstr(err, "empty") != NULL);
}

static void test_path_long_names(void)
{
	char err[BS_RBD_ERR_LEN] = "";
	char spec[BS_RBD_NAME_MAX + 16];
	struct bs_rbd_path p;

	/* the longest name is fine */
	memset(spec, 'a', BS_RBD_NAME_MAX);
	spec[BS_RBD_NAME_MAX] = 0;
	CHECK(bs_rbd_path_parse(spec, &p, err, sizeof(err)) == 0);
	CHECK(p.image && strlen(p.image) == BS_RBD_NAME_MAX);
	bs_rbd_path_free(&p);

	/* one more byte is not */
	memset(spec, 'a', BS_RBD_NAME_MAX + 1);
	spec[BS_RBD_NAME_MAX + 1] = 0;
	CHECK(bs_rbd_path_parse(spec, &p, err, sizeof(err)) == -EINVAL);
	CHECK(strstr(err, "image name longer than") != NULL);
}

static void test_path_overlong_total(void)
{
	size_t len = 1 << 20;
	char *spec = malloc(len + 1);
	char err[BS_RBD_ERR_LEN] = "";
	struct bs_rbd_path p;

	CHECK(spec != NULL);
	if (!spec)
		return;
	memset(spec, 'x', len);
	spec[len] = 0;
	CHECK(bs_rbd_path_parse(spec, &p, err, sizeof(err)) == -EINVAL);
	CHECK(strstr(err, "too long") != NULL);
	free(spec);
}

static void test_opts_defaults(void)
{
	char err[BS_RBD_ERR_LEN] = "";
	struct bs_rbd_opts o;

	CHECK(bs_rbd_opts_parse(NULL, &o, err, sizeof(err)) == 0);
	CHECK(!o.conf && !o.id && !o.cluster && !o.keyring && !o.gateway);
	CHECK(o.connect_timeout == BS_RBD_CONNECT_TIMEOUT_DEFAULT);
	CHECK(o.op_timeout == BS_RBD_OP_TIMEOUT_DEFAULT);
	CHECK(o.connection == 0);
	CHECK(o.takeover == BS_RBD_TAKEOVER_DEFAULT);
	bs_rbd_opts_free(&o);

	CHECK(bs_rbd_opts_parse("", &o, err, sizeof(err)) == 0);
	CHECK(o.connect_timeout == BS_RBD_CONNECT_TIMEOUT_DEFAULT);
	bs_rbd_opts_free(&o);
}

static void test_opts_all(void)
{
	char err[BS_RBD_ERR_LEN] = "";
	struct bs_rbd_opts o;

	CHECK(bs_rbd_opts_parse("conf=/etc/ceph/x.conf;id=tgt;cluster=x;"
				"keyring=/k;connect_timeout=7;op_timeout=0;"
				"connection=63;gateway=gw-1.a_b;takeover=0",
				&o, err, sizeof(err)) == 0);
	CHECK_STR(o.conf, "/etc/ceph/x.conf");
	CHECK_STR(o.id, "tgt");
	CHECK_STR(o.cluster, "x");
	CHECK_STR(o.keyring, "/k");
	CHECK(o.connect_timeout == 7);
	CHECK(o.op_timeout == 0);
	CHECK(o.connection == 63);
	CHECK_STR(o.gateway, "gw-1.a_b");
	CHECK(o.takeover == 0);
	bs_rbd_opts_free(&o);
}

static void test_opts_client_prefix(void)
{
	char err[BS_RBD_ERR_LEN] = "";
	struct bs_rbd_opts o;

	CHECK(bs_rbd_opts_parse("id=client.tgt", &o, err, sizeof(err)) == 0);
	CHECK_STR(o.id, "tgt");
	bs_rbd_opts_free(&o);
	/* "client." alone names nobody */
	CHECK(bs_rbd_opts_parse("id=client.", &o, err, sizeof(err)) == -EINVAL);
}

struct opts_bad_case {
	const char *bsopts;
	const char *err;
};

static const struct opts_bad_case opts_bad[] = {
	{ ";", "empty option at offset 0" },
	{ "id=a;", "empty option at offset 5" },
	{ ";id=a", "empty option at offset 0" },
	{ "id=a;;conf=/x", "empty option at offset 5" },
	{ "foo=bar", "unknown option 'foo'" },
	{ "conf", "needs a value" },
	{ "conf=", "conf has no value" },
	{ "id=a;id=b", "'id' given more than once" },
	{ "ID=a", "unknown option 'ID'" },
	{ "conf =/x", "unknown option 'conf '" },
	{ "connect_timeout=0", "connect_timeout must be" },
	{ "connect_timeout=301", "connect_timeout must be" },
	{ "connect_timeout=5s", "connect_timeout must be" },
	{ "connect_timeout=-1", "connect_timeout must be" },
	{ "op_timeout=99999999999999", "op_timeout must be" },
	{ "op_timeout=", "op_timeout must be" },
	{ "connection=64", "connection must be a whole number from 0 to 63" },
	{ "connection=x", "connection must be" },
	{ "cephx_key=AQ==", "cephx_key is not supported" },
	{ "virsecretuuid=x", "virsecretuuid is not supported" },
	{ "conf=/a\nb", "control character in conf" },
	{ "gateway=", "gateway has no value" },
	{ "takeover=301", "takeover must be" },
	{ "takeover=-1", "takeover must be" },
	{ "gateway=a b", "gateway must be 1 to 63 letters" },
	{ "gateway=a/b", "gateway must be 1 to 63 letters" },
	{ "gateway=0123456789012345678901234567890123456789012345678901234567"
	  "890123",
	  "gateway must be 1 to 63 letters" },
};

static void test_opts_bad(void)
{
	char err[BS_RBD_ERR_LEN];
	struct bs_rbd_opts o;
	size_t i;

	for (i = 0; i < sizeof(opts_bad) / sizeof(opts_bad[0]); i++) {
		err[0] = 0;
		CHECK(bs_rbd_opts_parse(opts_bad[i].bsopts, &o, err,
					sizeof(err)) == -EINVAL);
		if (!strstr(err, opts_bad[i].err)) {
			fprintf(stderr, "  bsopts \"%s\": got \"%s\"\n",
				opts_bad[i].bsopts, err);
			CHECK(0);
		}
		/* nothing is left allocated on failure */
		CHECK(!o.conf && !o.id && !o.cluster && !o.keyring &&
		      !o.gateway);
	}
}

/* A key given inline is refused and never echoed back. */
static void test_opts_key_refused(void)
{
	static const char *const bad[] = {
		"cephx_key=SECRETKEY",
		"id=a;cephx_key=SECRETKEY;conf=/x",
		"cephx_key",
	};
	char err[BS_RBD_ERR_LEN];
	struct bs_rbd_opts o;
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		err[0] = 0;
		CHECK(bs_rbd_opts_parse(bad[i], &o, err, sizeof(err)) ==
		      -EINVAL);
		CHECK(strstr(err, "keyring=") != NULL);
		CHECK(strstr(err, "SECRET") == NULL);
		CHECK(!o.id && !o.conf);
	}
}

static void test_opts_overlong(void)
{
	size_t len = BS_RBD_OPTS_MAX + 1;
	char *s = malloc(len + 1);
	char err[BS_RBD_ERR_LEN] = "";
	struct bs_rbd_opts o;

	CHECK(s != NULL);
	if (!s)
		return;
	memcpy(s, "conf=", 5);
	memset(s + 5, 'a', len - 5);
	s[len] = 0;
	CHECK(bs_rbd_opts_parse(s, &o, err, sizeof(err)) == -EINVAL);
	CHECK(strstr(err, "longer than") != NULL);
	free(s);
}

static void test_err_buffer_small(void)
{
	char err[8];
	struct bs_rbd_opts o;

	/* a tiny buffer truncates the message, never overflows */
	CHECK(bs_rbd_opts_parse("nonsense=1", &o, err, sizeof(err)) == -EINVAL);
	CHECK(strlen(err) == sizeof(err) - 1);
	CHECK(bs_rbd_opts_parse("nonsense=1", &o, NULL, 0) == -EINVAL);
}

int main(void)
{
	RUN(test_path_table);
	RUN(test_path_null);
	RUN(test_path_long_names);
	RUN(test_path_overlong_total);
	RUN(test_opts_defaults);
	RUN(test_opts_all);
	RUN(test_opts_client_prefix);
	RUN(test_opts_bad);
	RUN(test_opts_key_refused);
	RUN(test_opts_overlong);
	RUN(test_err_buffer_small);
	return unit_report("unit/opts");
}
