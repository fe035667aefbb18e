// SPDX-License-Identifier: GPL-2.0-only
/*
 * scsi_cmd: send one raw CDB to an iSCSI LUN with libiscsi and print the
 * outcome, so tests can assert status and sense of edge cases that the
 * libiscsi tools and qemu never send (zero-length transfers, writes to a
 * write-protected LU, hostile ranges), and what task management does to a
 * command in flight.
 *
 *   scsi_cmd [-r LEN] [-w LEN:BYTE] [-f FILE] [-o FILE] [-n COUNT]
 *            [-I NAME] [-S N] [-t abort|lun-reset [-d MS] [-T MS]]
 *            [-H MS] [-E FILE] URL CDB_HEX
 *
 *   -r LEN       expect LEN bytes of data-in
 *   -w LEN:BYTE  send LEN bytes of data-out, all equal to BYTE
 *   -f FILE      send the contents of FILE as data-out
 *   -o FILE      write the data-in to FILE
 *   -n COUNT     send the command up to COUNT times, 100 ms apart, in one
 *                session, until it does not return GOOD (to see a unit
 *                attention that only an existing I_T nexus receives)
 *   -I NAME      log in as initiator NAME (default
 *                iqn.2026-11.org.bs-rbd:scsi-cmd)
 *   -S N         with the ISID of OUI format, qualifier N (default: a
 *                random ISID): the same NAME and N are the same initiator
 *                port in every run (persistent reservations)
 *   -t FUNC      task management: send the command, MS milliseconds later
 *                (-d, default 500) send ABORT TASK for it (abort) or
 *                LOGICAL UNIT RESET for its LUN (lun-reset), then wait for
 *                both answers; the command's answer, if any, comes before
 *                the TMF's on the connection, 1 s more is allowed for it
 *   -T MS        with -t: give up after MS milliseconds in all (default
 *                30000), login included
 *   -E FILE      write the time the answer came (CLOCK_MONOTONIC, in
 *                microseconds, the same clock for every process) to FILE:
 *                the order of two commands' answers, without the noise of
 *                logouts and process exits
 *   -H MS        keep the session MS milliseconds after the outcome is
 *                printed, then log out (an I_T nexus that holds a
 *                reservation: SIGKILL ends it without a logout)
 *
 * Logs in without failing on a LU that is not ready (see login()).
 *
 * Prints "status=0xSS key=0xK asc=0xAA ascq=0xQQ residual=N", followed by
 * " info=N" when the sense carries a valid INFORMATION field, and exits 0
 * when the command completed with any SCSI status, 2 on any other error.
 *
 * With -t, prints instead
 * "tmf=FUNC response=R tmf_ms=N inflight=I cmd=OUTCOME cmd_ms=N": R is the
 * TMF response (RFC 7143 11.6.1: 0 function complete, 1 task does not
 * exist, 5 not supported, 255 rejected) or "none" when no answer came,
 * tmf_ms the time from sending the TMF to its answer (-1: none), I 1 when
 * the command was still unanswered as the TMF went out, OUTCOME
 * "status=0xSS key=0xK asc=0xAA ascq=0xQQ" for a command the target
 * answered, "none" for one it never answered (aborted), "cancelled" or
 * "error" for libiscsi's own outcomes, and cmd_ms the time from sending
 * the command to its answer (-1: none).  Exits 0 when the TMF was
 * answered, 2 otherwise; on giving up it also says so on stderr.
 */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <iscsi/iscsi.h>
#include <iscsi/scsi-lowlevel.h>

/*
 * Log in, then take the unit attentions a new I_T nexus gets with TEST
 * UNIT READY, as libiscsi's full connect does; unlike it, accept any
 * other answer, so that a LU that is not ready (fenced, image removed)
 * can still be sent the command under test.
 */
static int login(struct iscsi_context *iscsi, const char *portal, int lun)
{
	struct scsi_task *task;
	int i, ua = 1;

	if (iscsi_connect_sync(iscsi, portal) || iscsi_login_sync(iscsi))
		return -1;
	for (i = 0; i < 5 && ua; i++) {
		task = iscsi_testunitready_sync(iscsi, lun);
		if (!task)
			return -1;
		ua = task->status == SCSI_STATUS_CHECK_CONDITION &&
		     task->sense.key == SCSI_SENSE_UNIT_ATTENTION;
		scsi_free_scsi_task(task);
	}
	return 0;
}

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

/* "status=0xSS key=0xK asc=0xAA ascq=0xQQ"; the sense of CHECK CONDITION */
static void print_status(const struct scsi_task *task)
{
	int cc = task->status == SCSI_STATUS_CHECK_CONDITION;

	printf("status=0x%02x key=0x%x asc=0x%02x ascq=0x%02x", task->status,
	       cc ? task->sense.key : 0,
	       cc ? (task->sense.ascq >> 8) & 0xff : 0,
	       cc ? task->sense.ascq & 0xff : 0);
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
	print_status(task);
	printf(" residual=%zu", task->residual);
	/* libiscsi keeps the response's sense, after its 2-byte length */
	if (task->status == SCSI_STATUS_CHECK_CONDITION &&
	    task->datain.size > 2 &&
	    sense_info(task->datain.data + 2, task->datain.size - 2, &info))
		printf(" info=%llu", (unsigned long long)info);
	printf("\n");
	fflush(stdout);
	return task;
}

/*
 * Task management mode.  The state lives as long as the context: libiscsi
 * calls the callbacks of what is still outstanding when it is destroyed.
 */
static struct {
	long long cmd_sent, cmd_at, tmf_sent, tmf_at, logout_at;
	int cmd_status;
	uint32_t response;
	int inflight;
} tm = { .cmd_at = -1, .tmf_at = -1, .logout_at = -1 };

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void cmd_cb(struct iscsi_context *iscsi, int status, void *command_data,
		   void *private_data)
{
	(void)iscsi;
	(void)command_data;
	(void)private_data;
	if (tm.cmd_at >= 0)
		return;
	tm.cmd_at = now_ms();
	tm.cmd_status = status;
}

static void tmf_cb(struct iscsi_context *iscsi, int status, void *command_data,
		   void *private_data)
{
	(void)iscsi;
	(void)private_data;
	if (tm.tmf_at >= 0 || status != SCSI_STATUS_GOOD || !command_data)
		return;
	tm.tmf_at = now_ms();
	tm.response = *(uint32_t *)command_data;
}

static void logout_cb(struct iscsi_context *iscsi, int status,
		      void *command_data, void *private_data)
{
	(void)iscsi;
	(void)status;
	(void)command_data;
	(void)private_data;
	tm.logout_at = now_ms();
}

/* Wait up to WAIT ms for the connection, and process what came. */
static int service(struct iscsi_context *iscsi, int wait)
{
	struct pollfd pfd = { .fd = iscsi_get_fd(iscsi) };

	pfd.events = (short)iscsi_which_events(iscsi);
	if (poll(&pfd, 1, wait) < 0) {
		if (errno != EINTR)
			return -1;
		pfd.revents = 0;
	}
	if (iscsi_service(iscsi, pfd.revents) < 0) {
		fprintf(stderr, "connection: %s\n", iscsi_get_error(iscsi));
		return -1;
	}
	return 0;
}

/* The time now, CLOCK_MONOTONIC microseconds, to FILE (-E) */
static int stamp(const char *file)
{
	struct timespec ts;
	FILE *f = fopen(file, "w");

	if (!f)
		return -1;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	fprintf(f, "%lld\n",
		(long long)ts.tv_sec * 1000000 + ts.tv_nsec / 1000);
	return fclose(f);
}

/* Keep the session MS ms, answering what the target sends. */
static void hold(struct iscsi_context *iscsi, int ms)
{
	long long end = now_ms() + ms;

	while (now_ms() < end && !service(iscsi, 100))
		;
}

static void alarm_handler(int sig)
{
	static const char msg[] = "scsi_cmd: gave up (-T limit)\n";

	(void)sig;
	if (write(STDERR_FILENO, msg, sizeof(msg) - 1) < 0)
		_exit(2);
	_exit(2);
}

/* Send TASK, DELAY ms later the TMF FUNC; print what came back. */
static int tmf_run(struct iscsi_context *iscsi, int lun, struct scsi_task *task,
		   struct iscsi_data *out, const char *name,
		   enum iscsi_task_mgmt_funcs func, int delay, long long end)
{
	int ret = 0;

	tm.cmd_sent = now_ms();
	if (iscsi_scsi_command_async(iscsi, lun, task, cmd_cb, out, NULL)) {
		fprintf(stderr, "command failed: %s\n", iscsi_get_error(iscsi));
		return 2;
	}
	while (now_ms() < end) {
		if (!tm.tmf_sent && now_ms() >= tm.cmd_sent + delay) {
			int abort = func == ISCSI_TM_ABORT_TASK;

			tm.inflight = tm.cmd_at < 0;
			tm.tmf_sent = now_ms();
			if (iscsi_task_mgmt_async(
				    iscsi, lun, func,
				    abort ? task->itt : 0xffffffff,
				    abort ? task->cmdsn : 0, tmf_cb, NULL)) {
				fprintf(stderr, "TMF failed: %s\n",
					iscsi_get_error(iscsi));
				return 2;
			}
		}
		if (tm.tmf_at >= 0 &&
		    (tm.cmd_at >= 0 || now_ms() >= tm.tmf_at + 1000))
			break;
		if (service(iscsi, 100)) {
			ret = 2;
			break;
		}
	}
	printf("tmf=%s response=", name);
	if (tm.tmf_at >= 0)
		printf("%u", tm.response);
	else
		printf("none");
	printf(" tmf_ms=%lld inflight=%d cmd=",
	       tm.tmf_at >= 0 ? tm.tmf_at - tm.tmf_sent : -1, tm.inflight);
	if (tm.cmd_at < 0)
		printf("none");
	else if (tm.cmd_status == SCSI_STATUS_CANCELLED)
		printf("cancelled");
	else if (tm.cmd_status == SCSI_STATUS_ERROR ||
		 tm.cmd_status == SCSI_STATUS_TIMEOUT)
		printf("error");
	else
		print_status(task);
	printf(" cmd_ms=%lld\n", tm.cmd_at >= 0 ? tm.cmd_at - tm.cmd_sent : -1);
	fflush(stdout);
	if (tm.tmf_at < 0) {
		fprintf(stderr, "scsi_cmd: gave up: no TMF answer within the "
				"-T limit\n");
		return 2;
	}
	if (ret)
		return ret;
	/* a clean logout, if it comes in time; the context goes anyway */
	if (!iscsi_logout_async(iscsi, logout_cb, NULL))
		while (tm.logout_at < 0 && now_ms() < end &&
		       !service(iscsi, 100))
			;
	return 0;
}

static void usage(void)
{
	fprintf(stderr, "usage: scsi_cmd [-r LEN] [-w LEN:BYTE] [-f FILE] "
			"[-o FILE] [-n COUNT]\n"
			"       [-I NAME] [-S N] "
			"[-t abort|lun-reset [-d MS] [-T MS]] [-H MS] "
			"[-E FILE] URL CDB_HEX\n");
	exit(2);
}

int main(int argc, char **argv)
{
	unsigned char cdb[SCSI_CDB_MAX_SIZE];
	struct iscsi_context *iscsi;
	struct iscsi_url *url;
	struct scsi_task *task;
	struct iscsi_data out = { 0, NULL };
	const char *outfile = NULL, *infile = NULL, *stampfile = NULL;
	const char *tmf = NULL, *name = "iqn.2026-11.org.bs-rbd:scsi-cmd";
	int isid = -1;
	int rlen = 0, wlen = 0, wbyte = 0, cdblen, opt, dir, count = 1;
	enum iscsi_task_mgmt_funcs func = ISCSI_TM_ABORT_TASK;
	int delay = 500, limit = 30000, hold_ms = 0;
	long long end = 0;

	while ((opt = getopt(argc, argv, "r:w:f:o:n:t:d:T:I:S:H:E:")) != -1) {
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
		case 't':
			tmf = optarg;
			break;
		case 'd':
			delay = atoi(optarg);
			break;
		case 'T':
			limit = atoi(optarg);
			break;
		case 'I':
			name = optarg;
			break;
		case 'S':
			isid = atoi(optarg);
			break;
		case 'H':
			hold_ms = atoi(optarg);
			break;
		case 'E':
			stampfile = optarg;
			break;
		default:
			usage();
		}
	}
	if (argc - optind != 2 || parse_cdb(argv[optind + 1], cdb, &cdblen))
		usage();
	if (tmf) {
		if (!strcmp(tmf, "abort"))
			func = ISCSI_TM_ABORT_TASK;
		else if (!strcmp(tmf, "lun-reset"))
			func = ISCSI_TM_LUN_RESET;
		else
			usage();
		if (delay < 0 || limit <= 0)
			usage();
		/* the loop below keeps to END; the alarm bounds the login */
		end = now_ms() + limit;
		signal(SIGALRM, alarm_handler);
		alarm((unsigned int)(limit / 1000 + 2));
	}

	iscsi = iscsi_create_context(name);
	if (!iscsi)
		return 2;
	if (isid >= 0)
		iscsi_set_isid_oui(iscsi, 0x00bd00, (uint32_t)isid);
	url = iscsi_parse_full_url(iscsi, argv[optind]);
	if (!url) {
		fprintf(stderr, "bad url: %s\n", iscsi_get_error(iscsi));
		return 2;
	}
	iscsi_set_targetname(iscsi, url->target);
	iscsi_set_session_type(iscsi, ISCSI_SESSION_NORMAL);
	iscsi_set_header_digest(iscsi, ISCSI_HEADER_DIGEST_NONE_CRC32C);
	if (login(iscsi, url->portal, url->lun)) {
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
	if (tmf) {
		int ret;

		task = scsi_create_task(cdblen, cdb, dir, wlen ? wlen : rlen);
		if (!task)
			return 2;
		ret = tmf_run(iscsi, url->lun, task, wlen ? &out : NULL, tmf,
			      func, delay, end);
		iscsi_destroy_url(url);
		iscsi_destroy_context(iscsi);
		scsi_free_scsi_task(task);
		free(out.data);
		return ret;
	}
	for (;;) {
		task = run(iscsi, url->lun, cdb, cdblen, dir,
			   wlen ? wlen : rlen, wlen ? &out : NULL);
		if (!task || (stampfile && stamp(stampfile)))
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
	hold(iscsi, hold_ms);
	iscsi_logout_sync(iscsi);
	iscsi_destroy_url(url);
	iscsi_destroy_context(iscsi);
	return 0;
}
