# SPDX-License-Identifier: GPL-2.0-only
#
# bs_rbd: Ceph RBD backing store for tgt, built out of tree against the
# headers of the installed tgt.
#
#   make                 build usr/bs_rbd.so
#   make install         install it where the installed tgtd loads modules
#   make demo            throwaway cluster + tgtd + initiator I/O, explained
#   make check           unit, integration and compliance tests, real stack
#   make check-asan      the integration cases, module built with ASan+UBSan
#   make compliance      libiscsi's iscsi-test-cu: our LUN vs tgt's file store
#   make bench           qemu-img bench: ours vs librbd vs Debian's module,
#                        and EXTENDED COPY vs qemu-img convert vs rbd cp
#   make fuzz            libFuzzer on the parsers
#
# Variables: TGT_SRC=/path/to/tgt (headers; default: fetch the Debian
# source of the installed tgt), DESTDIR, BSDIR (module directory; default:
# the one compiled into the installed tgtd), TGT_VERSION_CHECK=0.

CC ?= cc
BUILD ?= build
TGT_SRC ?=
TGTD ?= /usr/sbin/tgtd

WARN := -Wall -Wextra -Werror -Wstrict-prototypes -Wshadow
CFLAGS ?= -O2 -g
MODULE_CFLAGS := $(CFLAGS) $(WARN) -std=gnu11 -D_GNU_SOURCE -fPIC \
	-fvisibility=hidden
LDLIBS := -lrbd -lrados -lpthread

SO := usr/bs_rbd.so
SRCS := usr/bs_rbd.c usr/bs_rbd_alua.c usr/bs_rbd_conn.c usr/bs_rbd_copy.c usr/bs_rbd_done.c \
	usr/bs_rbd_acks.c usr/bs_rbd_event.c usr/bs_rbd_gateway.c usr/bs_rbd_ident.c usr/bs_rbd_image.c usr/bs_rbd_imgconf.c \
	usr/bs_rbd_lbamap.c usr/bs_rbd_listen.c usr/bs_rbd_pr.c usr/bs_rbd_prstore.c usr/bs_rbd_resv.c \
	usr/bs_rbd_loop.c usr/bs_rbd_lu.c usr/bs_rbd_opts.c usr/bs_rbd_owner.c \
	usr/bs_rbd_peers.c usr/bs_rbd_reopen.c usr/bs_rbd_req.c usr/bs_rbd_reset.c usr/bs_rbd_sbc.c usr/bs_rbd_service.c \
	usr/bs_rbd_sense.c usr/bs_rbd_stats.c usr/bs_rbd_wait.c \
	usr/bs_rbd_takeover.c usr/bs_rbd_watch.c usr/bs_rbd_watchdog.c usr/bs_rbd_worker.c \
	usr/bs_rbd_xcopy.c usr/bs_rbd_xcopy_cmd.c
HDRS := $(wildcard usr/*.h)

# The module directory compiled into tgtd (BSDIR), e.g. /usr/lib/tgt/backing-store
BSDIR ?= $(shell grep -ao '/[[:alnum:]/._-]*/backing-store' $(TGTD) 2>/dev/null | head -n 1)

.PHONY: all install uninstall check unit integration demo clean distclean \
	format format-check lint fuzz FORCE

all: $(SO)

# Which tgt headers to build against; rewritten only when the answer changes.
$(BUILD)/tgt-inc: FORCE
	@mkdir -p $(BUILD)
	@scripts/tgt-headers.sh "$(BUILD)" "$(TGT_SRC)" >$@.new
	@cmp -s $@.new $@ && rm -f $@.new || mv $@.new $@

$(SO): $(SRCS) $(HDRS) $(BUILD)/tgt-inc
	$(CC) $(MODULE_CFLAGS) -Iusr -isystem "$$(cat $(BUILD)/tgt-inc)" \
		-shared -o $@ $(SRCS) $(LDFLAGS) $(LDLIBS)

install: $(SO)
	@test -n "$(BSDIR)" || { echo "cannot find tgtd's module directory; set BSDIR=" >&2; exit 1; }
	install -d -m 755 $(DESTDIR)$(BSDIR)
	install -m 644 $(SO) $(DESTDIR)$(BSDIR)/bs_rbd.so
	@echo "installed $(DESTDIR)$(BSDIR)/bs_rbd.so; restart tgtd to load it"

uninstall:
	rm -f $(DESTDIR)$(BSDIR)/bs_rbd.so

# ---- tests ---------------------------------------------------------------

UNIT_TESTS := $(BUILD)/unit/test_opts $(BUILD)/unit/test_sense \
	$(BUILD)/unit/test_lbamap $(BUILD)/unit/test_imgconf $(BUILD)/unit/test_ident \
	$(BUILD)/unit/test_alua $(BUILD)/unit/test_acks $(BUILD)/unit/test_event \
	$(BUILD)/unit/test_done $(BUILD)/unit/test_wait $(BUILD)/unit/test_pr \
	$(BUILD)/unit/test_xcopy

# A unit test of one pure file: test/unit/test_X.c with usr/bs_rbd_X.c
$(BUILD)/unit/test_%: test/unit/test_%.c usr/bs_rbd_%.c usr/bs_rbd_%.h \
		test/unit/unit.h
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) $(WARN) -std=gnu11 -D_GNU_SOURCE -Iusr -o $@ \
		test/unit/test_$*.c usr/bs_rbd_$*.c

# The thread tests, also built with ThreadSanitizer (check-tsan below).
# test_done links librbd only for the rbd_aio_* calls of bs_rbd_done.c;
# it defines tgtd's tgt_event_add and log_error itself.
TSAN_DIR := $(BUILD)/tsan
TSAN_FLAGS := -fsanitize=thread -g -O1
TSAN_TESTS := $(TSAN_DIR)/test_done $(TSAN_DIR)/test_wait
THREAD_CFLAGS = $(CFLAGS)
$(TSAN_TESTS): THREAD_CFLAGS = $(TSAN_FLAGS)

$(BUILD)/unit/test_done $(TSAN_DIR)/test_done: test/unit/test_done.c \
		usr/bs_rbd_done.c $(HDRS) test/unit/unit.h $(BUILD)/tgt-inc
	@mkdir -p $(@D)
	$(CC) $(THREAD_CFLAGS) $(WARN) -std=gnu11 -D_GNU_SOURCE -Iusr \
		-isystem "$$(cat $(BUILD)/tgt-inc)" -o $@ \
		test/unit/test_done.c usr/bs_rbd_done.c $(LDLIBS)

$(BUILD)/unit/test_wait $(TSAN_DIR)/test_wait: test/unit/test_wait.c \
		usr/bs_rbd_wait.c usr/bs_rbd_wait.h test/unit/unit.h
	@mkdir -p $(@D)
	$(CC) $(THREAD_CFLAGS) $(WARN) -std=gnu11 -D_GNU_SOURCE -Iusr -o $@ \
		test/unit/test_wait.c usr/bs_rbd_wait.c -lpthread

unit: $(UNIT_TESTS)
	@test/run-unit.sh $(UNIT_TESTS)

integration: $(SO)
	@scripts/deps.sh
	@test/integration.sh

# Unit tests, then the real stack; ends with "N passed, N failed".
check:
	@scripts/deps.sh
	@$(MAKE) --no-print-directory $(SO) $(UNIT_TESTS)
	@test/check.sh $(UNIT_TESTS)

# The integration cases with an ASan + UBSan build of the module in the
# stock tgtd (libasan and libstdc++ preloaded); fails on a failed case or
# any sanitizer report with a bs_rbd frame.  Reports: $(ASAN_DIR)/log/.
ASAN_DIR := $(BUILD)/asan
ASAN_SO := $(ASAN_DIR)/bs_rbd.so
ASAN_FLAGS := -O1 -g -fno-omit-frame-pointer -fsanitize=address,undefined \
	-fsanitize-recover=address

$(ASAN_SO): $(SRCS) $(HDRS) $(BUILD)/tgt-inc
	@mkdir -p $(@D)
	$(CC) $(ASAN_FLAGS) $(WARN) -std=gnu11 -D_GNU_SOURCE -fPIC \
		-fvisibility=hidden -Iusr -isystem "$$(cat $(BUILD)/tgt-inc)" \
		-shared -o $@ $(SRCS) $(LDLIBS)

.PHONY: check-asan
check-asan:
	@scripts/deps.sh
	@$(MAKE) --no-print-directory $(ASAN_SO) $(UNIT_TESTS)
	@test/check-asan.sh "$(ASAN_SO)" "$(ASAN_DIR)/log" $(UNIT_TESTS)

# The thread tests built with ThreadSanitizer; fails on a failed case or
# any report (halt_on_error; reports kept in $(TSAN_DIR)/log/).  The other
# unit tests run no threads.  libtsan2 comes with gcc (libgcc-12-dev).
.PHONY: check-tsan
check-tsan:
	@$(MAKE) --no-print-directory $(TSAN_TESTS)
	@rm -rf $(TSAN_DIR)/log && mkdir -p $(TSAN_DIR)/log
	@rc=0; \
	TSAN_OPTIONS="halt_on_error=1 exitcode=66 log_path=$(TSAN_DIR)/log/tsan" \
		test/run-unit.sh $(TSAN_TESTS) || rc=1; \
	if [ -n "$$(ls $(TSAN_DIR)/log)" ]; then \
		cat $(TSAN_DIR)/log/*; rc=1; \
		echo "ThreadSanitizer reports: $(TSAN_DIR)/log/" >&2; \
	fi; \
	exit $$rc

demo:
	@scripts/deps.sh
	@$(MAKE) --no-print-directory $(SO)
	@scripts/demo.sh

# qemu-img bench through our module, librbd directly and Debian's tgt-rbd
# module, side by side, then bench-xcopy; ~12 minutes.  bench-scale: tgtd's threads, memory
# and LUN-add time at 1..256 LUNs.  See docs/BENCHMARKS.md.
.PHONY: bench bench-scale
bench:
	@scripts/deps.sh
	@$(MAKE) --no-print-directory $(SO)
	@scripts/bench.sh
	@scripts/bench-xcopy.sh

bench-scale:
	@scripts/deps.sh
	@$(MAKE) --no-print-directory $(SO)
	@scripts/bench-scale.sh

# Two gateways, the lock holder frozen or killed: takeover and return
# times (10 trials each; up to ~25 minutes).  See docs/BENCHMARKS.md.
.PHONY: bench-failover
bench-failover:
	@scripts/deps.sh
	@$(MAKE) --no-print-directory $(SO)
	@scripts/bench-failover.sh

# N busy LUNs on one cluster client vs one client each (connection=N).
.PHONY: bench-spread
bench-spread:
	@scripts/deps.sh
	@$(MAKE) --no-print-directory $(SO)
	@scripts/bench-spread.sh

# 4 KiB QD32 reads with no reservation, a registration, a reservation held
# by another initiator (the check of every command); about 3 minutes.
.PHONY: bench-pr
bench-pr:
	@scripts/deps.sh
	@$(MAKE) --no-print-directory $(SO)
	@scripts/bench-pr.sh

# 1 GiB copied by EXTENDED COPY vs qemu-img convert (the initiator) vs
# rbd cp, each onto a new image; about 2 minutes.  Also the end of bench.
.PHONY: bench-xcopy
bench-xcopy:
	@scripts/deps.sh
	@$(MAKE) --no-print-directory $(SO)
	@scripts/bench-xcopy.sh

# Instructions per I/O in tgtd (valgrind --tool=callgrind), ours vs
# Debian's module; about a minute.  See docs/BENCHMARKS.md.
.PHONY: bench-cost
bench-cost:
	@scripts/deps.sh valgrind binutils perl
	@$(MAKE) --no-print-directory $(SO)
	@scripts/bench-cost.sh

# ---- fuzzing (libFuzzer + ASan + UBSan) ----------------------------------

FUZZ_SECONDS ?= 15
FUZZ_CC ?= clang
FUZZ_FLAGS := -g -O1 -fsanitize=fuzzer,address,undefined -Iusr
FUZZERS := $(BUILD)/fuzz/fuzz_opts $(BUILD)/fuzz/fuzz_lbamap \
	$(BUILD)/fuzz/fuzz_acks $(BUILD)/fuzz/fuzz_event $(BUILD)/fuzz/fuzz_pr \
	$(BUILD)/fuzz/fuzz_xcopy

$(BUILD)/fuzz/fuzz_xcopy: test/fuzz/fuzz_xcopy.c usr/bs_rbd_xcopy.c \
		usr/bs_rbd_xcopy.h
	@mkdir -p $(@D)
	$(FUZZ_CC) $(FUZZ_FLAGS) -o $@ test/fuzz/fuzz_xcopy.c usr/bs_rbd_xcopy.c

$(BUILD)/fuzz/fuzz_pr: test/fuzz/fuzz_pr.c usr/bs_rbd_pr.c usr/bs_rbd_pr.h
	@mkdir -p $(@D)
	$(FUZZ_CC) $(FUZZ_FLAGS) -o $@ test/fuzz/fuzz_pr.c usr/bs_rbd_pr.c

$(BUILD)/fuzz/fuzz_event: test/fuzz/fuzz_event.c usr/bs_rbd_event.c \
		usr/bs_rbd_event.h usr/bs_rbd_ident.h
	@mkdir -p $(@D)
	$(FUZZ_CC) $(FUZZ_FLAGS) -o $@ test/fuzz/fuzz_event.c usr/bs_rbd_event.c

$(BUILD)/fuzz/fuzz_acks: test/fuzz/fuzz_acks.c usr/bs_rbd_acks.c usr/bs_rbd_acks.h
	@mkdir -p $(@D)
	$(FUZZ_CC) $(FUZZ_FLAGS) -o $@ test/fuzz/fuzz_acks.c usr/bs_rbd_acks.c

$(BUILD)/fuzz/fuzz_opts: test/fuzz/fuzz_opts.c usr/bs_rbd_opts.c usr/bs_rbd_opts.h
	@mkdir -p $(@D)
	$(FUZZ_CC) $(FUZZ_FLAGS) -o $@ test/fuzz/fuzz_opts.c usr/bs_rbd_opts.c

$(BUILD)/fuzz/fuzz_lbamap: test/fuzz/fuzz_lbamap.c usr/bs_rbd_lbamap.c \
		usr/bs_rbd_lbamap.h
	@mkdir -p $(@D)
	$(FUZZ_CC) $(FUZZ_FLAGS) -o $@ test/fuzz/fuzz_lbamap.c usr/bs_rbd_lbamap.c

# Each parser FUZZ_SECONDS long (CI: 15 s; see docs/TESTING.md for more).
fuzz:
	@scripts/deps.sh clang libclang-rt-14-dev
	@$(MAKE) --no-print-directory $(FUZZERS)
	@for f in opts lbamap acks event pr xcopy; do \
		mkdir -p $(BUILD)/fuzz/corpus-$$f && \
		echo "fuzzing $$f for $(FUZZ_SECONDS) s" && \
		$(BUILD)/fuzz/fuzz_$$f -max_total_time=$(FUZZ_SECONDS) -timeout=5 \
			-max_len=4096 -artifact_prefix=$(BUILD)/fuzz/ \
			$(BUILD)/fuzz/corpus-$$f test/fuzz/seeds/$$f \
			>$(BUILD)/fuzz/$$f.log 2>&1; rc=$$?; \
		grep -E '^Done|ERROR|SUMMARY' $(BUILD)/fuzz/$$f.log; \
		[ $$rc -eq 0 ] || { echo "fuzz_$$f failed: $(BUILD)/fuzz/$$f.log"; exit 1; }; \
	done

# ---- style ----------------------------------------------------------------

C_FILES := $(wildcard usr/*.c usr/*.h test/unit/*.c test/unit/*.h \
	test/tools/*.c test/fuzz/*.c)

format:
	clang-format -i $(C_FILES)

format-check:
	clang-format --dry-run -Werror $(C_FILES)

# tgt's headers are read (for their macros) but not judged
lint: $(BUILD)/tgt-inc
	cppcheck --quiet --error-exitcode=1 --enable=warning,performance,portability \
		--inline-suppr -D_GNU_SOURCE -Iusr -I"$$(cat $(BUILD)/tgt-inc)" \
		--suppress="*:$$(cat $(BUILD)/tgt-inc)/*" \
		--suppress=missingIncludeSystem usr/*.c test/unit/*.c test/tools/*.c

clean:
	rm -f $(SO)
	rm -rf $(BUILD)/unit $(BUILD)/tgt-inc

distclean: clean
	rm -rf $(BUILD)

# Debian packages, see README.rbd section 2.  deb: tgt-bs-rbd (our module,
# replaces tgt-rbd) in $(BUILD)/.  distro-deb: Debian's tgt source package
# rebuilt with our module in place of its bs_rbd.c, tgt and tgt-rbd .debs in
# $(BUILD)/distro/ (installs tgt's build dependencies; about 20 s).
.PHONY: deb distro-deb
deb:
	@scripts/deb.sh $(BUILD)

distro-deb:
	@scripts/distro-rebuild.sh $(BUILD)/distro

# libiscsi's iscsi-test-cu against an RBD LUN and a tgt file (rdwr) LUN in
# the same tgtd; about a minute.  See docs/COMPLIANCE.md.
.PHONY: compliance
compliance:
	@scripts/deps.sh
	@$(MAKE) --no-print-directory $(SO)
	@test/compliance.sh
