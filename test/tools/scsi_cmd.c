// SPDX-License-Identifier: GPL-2.0-only
/*
 * scsi_cmd: send one raw CDB to an iSCSI LUN with libiscsi and print the
 * outcome, so tests can assert status and sense of edge cases that the
 * libiscsi tools and qemu never send (zero-length transfers, writes to a
 * write-protected LU, hostile ranges).
 *
 *   scsi_cmd [-r LEN] [-w LEN:BYTE] [-f FILE] [-o FILE] URL CDB_HEX
 *
 *   -r LEN       expect LEN bytes of data-in
 *   -w LEN:BYTE  send LEN bytes of data-out, all equal to BYTE
 *   -f FILE      send the contents of FILE as data-out
 *   -o FILE      write the data-in to FILE
 *   -n COUNT     send the command up to COUNT times, 100 ms apart, in one
 *                session, until it does not return GOOD (to see a unit
 *                attention that only an existing I_T nexus receives)
 *
 * Prints "status=0xSS key=0xK asc=0xAA ascq=0xQQ residual=N", followed by
 * " info=N" when the sense carries a valid INFORMATION field, and exits 0
 * when the command completed with any SCSI status, 2 on any other error.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <iscsi/iscsi.h>
#include <iscsi/scsi-lowlevel.h>

static int parse_cdb(const char *hex, unsigned char *cdb, int *len)
{
	size_t n = strlen(hex);
	size_t i;

	if (n % 2 || n / 2 > SCSI_CDB_MAX_SIZE || !n)
		return -1;
	for (i = 0; i < n / 2; i++) {
		unsigned int b;

		if (sscanf(hex + 2 * i, "%2x", &b) != 1)
			return -1;
		cdb[i] = (unsigned char)b;
	}
	*len = (int)(n / 2);
	return 0;
}

/* The sense INFORMATION field, fixed or descriptor format, if valid. */
static int sense_info(const unsigned char *sense, int len, uint64_t *info)
{
	int i;

	if (len >= 7 && (sense[0] & 0x7f) == 0x70 && (sense[0] & 0x80)) {
		*info = (uint64_t)sense[3] << 24 | (uint64_t)sense[4] << 16 |
			(uint64_t)sense[5] << 8 | sense[6];
		return 1;
	}
	if (len < 8 || (sense[0] & 0x7f) != 0x72)
		return 0;
	for (i = 8; i + 12 <= len; i += 2 + sense[i + 1]) {
		int j;

		if (sense[i] != 0x00 || !(sense[i + 2] & 0x80))
			continue;
		*info = 0;
		for (j = 0; j < 8; j++)
			*info = *info << 8 | sense[i + 4 + j];
		return 1;
	}
	return 0;
}

static int read_file(const char *path, struct iscsi_data *out)
{
	FILE *f = fopen(path, "r");
	long len;
	int ret = -1;

	if (!f)
		return -1;
	if (fseek(f, 0, SEEK_END) || (len = ftell(f)) < 0 ||
	    fseek(f, 0, SEEK_SET))
		goto out;
	out->size = (size_t)len;
	out->data = malloc(out->size ? out->size : 1);
	if (out->data && fread(out->data, 1, out->size, f) == out->size)
		ret = 0;
out:
	fclose(f);
	return ret;
}

/* Send one command and print its outcome. */
static struct scsi_task *run(struct iscsi_context *iscsi, int lun,
			     unsigned char *cdb, int cdblen, int dir, int len,
			     struct iscsi_data *out)
{
	struct scsi_task *task = scsi_create_task(cdblen, cdb, dir, len);
	uint64_t info;

	if (!task)
		return NULL;
	if (!iscsi_scsi_command_sync(iscsi, lun, task, out)) {
		fprintf(stderr, "command failed: %s\n", iscsi_get_error(iscsi));
		return NULL;
	}
	printf("status=0x%02x key=0x%x asc=0x%02x ascq=0x%02x residual=%zu",
	       task->status,
	       task->status == SCSI_STATUS_CHECK_CONDITION ? task->sense.key
							   : 0,
	       task->status == SCSI_STATUS_CHECK_CONDITION
		       ? (task->sense.ascq >> 8) & 0xff
		       : 0,
	       task->status == SCSI_STATUS_CHECK_CONDITION
		       ? task->sense.ascq & 0xff
		       : 0,
	       task->residual);
	/* libiscsi keeps the response's sense, after its 2-byte length */
	if (task->status == SCSI_STATUS_CHECK_CONDITION &&
	    task->datain.size > 2 &&
	    sense_info(task->datain.data + 2, task->datain.size - 2, &info))
		printf(" info=%llu", (unsigned long long)info);
	printf("\n");
	fflush(stdout);
	return task;
}

static void usage(void)
{
	fprintf(stderr, "usage: scsi_cmd [-r LEN] [-w LEN:BYTE] [-f FILE] "
			"[-o FILE] URL CDB_HEX\n");
	exit(2);
}

int main(int argc, char **argv)
{
	unsigned char cdb[SCSI_CDB_MAX_SIZE];
	struct iscsi_context *iscsi;
	struct iscsi_url *url;
	struct scsi_task *task;
	struct iscsi_data out = { 0, NULL };
	const char *outfile = NULL, *infile = NULL;
	int rlen = 0, wlen = 0, wbyte = 0, cdblen, opt, dir, count = 1;

	while ((opt = getopt(argc, argv, "r:w:f:o:n:")) != -1) {
		switch (opt) {
		case 'r':
			rlen = atoi(optarg);
			break;
		case 'w':
			if (sscanf(optarg, "%d:%i", &wlen, &wbyte) != 2)
				usage();
			break;
		case 'f':
			infile = optarg;
			break;
		case 'o':
			outfile = optarg;
			break;
		case 'n':
			count = atoi(optarg);
			break;
		default:
			usage();
		}
	}
	if (argc - optind != 2 || parse_cdb(argv[optind + 1], cdb, &cdblen))
		usage();

	iscsi = iscsi_create_context("iqn.2026-11.org.bs-rbd:scsi-cmd");
	if (!iscsi)
		return 2;
	url = iscsi_parse_full_url(iscsi, argv[optind]);
	if (!url) {
		fprintf(stderr, "bad url: %s\n", iscsi_get_error(iscsi));
		return 2;
	}
	iscsi_set_targetname(iscsi, url->target);
	iscsi_set_session_type(iscsi, ISCSI_SESSION_NORMAL);
	iscsi_set_header_digest(iscsi, ISCSI_HEADER_DIGEST_NONE_CRC32C);
	if (iscsi_full_connect_sync(iscsi, url->portal, url->lun)) {
		fprintf(stderr, "login failed: %s\n", iscsi_get_error(iscsi));
		return 2;
	}

	if (infile) {
		if (read_file(infile, &out))
			return 2;
		wlen = (int)out.size;
	}
	dir = wlen ? SCSI_XFER_WRITE : rlen ? SCSI_XFER_READ : SCSI_XFER_NONE;
	if (wlen && !infile) {
		out.size = (size_t)wlen;
		out.data = malloc(out.size);
		if (!out.data)
			return 2;
		memset(out.data, wbyte, out.size);
	}
	for (;;) {
		task = run(iscsi, url->lun, cdb, cdblen, dir,
			   wlen ? wlen : rlen, wlen ? &out : NULL);
		if (!task)
			return 2;
		if (--count <= 0 || task->status != SCSI_STATUS_GOOD)
			break;
		scsi_free_scsi_task(task);
		usleep(100 * 1000);
	}
	if (outfile && task->datain.size &&
	    task->status != SCSI_STATUS_CHECK_CONDITION) {
		FILE *f = fopen(outfile, "w");

		if (!f ||
		    fwrite(task->datain.data, 1, (size_t)task->datain.size,
			   f) != (size_t)task->datain.size)
			return 2;
		fclose(f);
	}
	scsi_free_scsi_task(task);
	free(out.data);
	iscsi_logout_sync(iscsi);
	iscsi_destroy_url(url);
	iscsi_destroy_context(iscsi);
	return 0;
}
