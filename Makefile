# tapegrad -- see README.md. Every build variant has its own directory, so
# `make` and `make REAL=float` live side by side:
#   build/         double, optimised        build-float/   float, optimised
#   build-asan/    AddressSanitizer+UBSan   build-debug/   -O0 -g (for gdb)

REAL ?= double
MODE ?= release
PREFIX ?= /usr/local

CC ?= cc
CSTD := -std=gnu11
WARN := -Wall -Wextra -Wshadow -Wstrict-prototypes -Wno-unused-parameter
CPPFLAGS += -I. -MMD -MP

ifeq ($(MODE),asan)
  OPT := -O1 -g -fno-omit-frame-pointer -fsanitize=address,undefined -fno-sanitize-recover=all
  LDFLAGS += -fsanitize=address,undefined
  SUFFIX := -asan
else ifeq ($(MODE),debug)
  OPT := -O0 -g3
  SUFFIX := -debug
else ifeq ($(MODE),fuzz)
  # clang only (make fuzz sets CC=clang): libFuzzer's coverage, ASan, UBSan.
  OPT := -O1 -g -fno-omit-frame-pointer -fsanitize=fuzzer-no-link,address,undefined -fno-sanitize-recover=all \
         -Wno-pass-failed
  LDFLAGS += -fsanitize=address,undefined
  SUFFIX := -fuzz
else ifeq ($(MODE),valgrind)
  # valgrind 3.19 cannot decode AVX-512: no -march=native here. The tests
  # themselves at -O0 keep every local in its stack frame, so what an exit
  # test allocated before tg_fatal stopped it is still reachable at exit,
  # not "definitely lost"; the library stays at -O1 for speed.
  OPT := -O1 -g
  TEST_OPT := -O0
  SUFFIX := -valgrind
else
  OPT := -O2 -march=native -g
  SUFFIX :=
endif

ifeq ($(REAL),float)
  CPPFLAGS += -DTG_REAL_FLOAT
  SUFFIX := -float$(SUFFIX)
else ifneq ($(REAL),double)
  $(error REAL must be double or float)
endif

# BLAS=openblas: the benchmarks also time OpenBLAS, in the same run (the library never uses it).
ifeq ($(BLAS),openblas)
  BENCH_CPPFLAGS := -DTG_BENCH_OPENBLAS
  BENCH_LIBS := -lopenblas
  SUFFIX := $(SUFFIX)-openblas
endif

# BUILD_DIR=dir puts a variant somewhere else (so parallel work never shares objects).
B := $(if $(BUILD_DIR),$(BUILD_DIR),build$(SUFFIX))
CFLAGS ?=
# -fopenmp-simd: `#pragma omp simd` vectorisation hints only; no OpenMP runtime
# (threads are our own pool, see kernels/threads.c). -fno-math-errno: sqrt and
# the like never set errno (nothing reads it), so loops calling them vectorise
# (Adam's update did not: a branch to set errno); the results are the same.
CFLAGS += $(CSTD) $(OPT) $(WARN) -fopenmp-simd -fno-math-errno -pthread
LDFLAGS += -pthread
CHECK_CFLAGS := $(shell pkg-config --cflags check 2>/dev/null)
CHECK_LIBS := $(shell pkg-config --libs check 2>/dev/null || echo -lcheck)
LDLIBS := -lz -lm

LIB_DIRS := tensor kernels datasets autograd layers train apps
LIB_SRC := $(foreach d,$(LIB_DIRS),$(wildcard $(d)/*.c))
LIB_OBJ := $(LIB_SRC:%.c=$(B)/%.o)
LIB := $(B)/libtapegrad.a

CLI_SRC := $(wildcard cli/*.c)
CLI := $(B)/tapegrad
TEST_SRC := $(wildcard tests/test_*.c)
TEST_SUPPORT := $(filter-out $(TEST_SRC),$(wildcard tests/*.c))
TESTS := $(TEST_SRC:tests/%.c=$(B)/tests/%)
TUTORIAL_SRC := $(wildcard tutorials/*.c)
TUTORIALS := $(TUTORIAL_SRC:tutorials/%.c=$(B)/tutorials/%)
BENCH_SRC := $(wildcard bench/*.c)
BENCHES := $(BENCH_SRC:bench/%.c=$(B)/bench/%)

# Keep the objects of tests, tutorials and benches (make would delete them as
# intermediates and rebuild them every time).
.SECONDARY:

.PHONY: all check asan debug install clean gradcheck valgrind valgrind-run demo tutorial docs data bench bench-run pictures
all: $(LIB) $(CLI) $(TESTS) $(TUTORIALS) $(BENCHES)

$(B)/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(CFLAGS) -c $< -o $@

$(LIB): $(LIB_OBJ)
	@mkdir -p $(dir $@)
	rm -f $@
	ar rcs $@ $^

$(CLI): $(CLI_SRC:%.c=$(B)/%.o) $(LIB)
	$(CC) $(LDFLAGS) $^ $(LDLIBS) -o $@

$(B)/tests/%.o: tests/%.c
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(CFLAGS) $(TEST_OPT) $(CHECK_CFLAGS) -c $< -o $@

$(B)/tests/%: $(B)/tests/%.o $(TEST_SUPPORT:%.c=$(B)/%.o) $(LIB)
	$(CC) $(LDFLAGS) $^ $(CHECK_LIBS) $(LDLIBS) -o $@

$(B)/tutorials/%: $(B)/tutorials/%.o $(LIB)
	$(CC) $(LDFLAGS) $^ $(LDLIBS) -o $@

$(B)/bench/%.o: bench/%.c
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(BENCH_CPPFLAGS) $(CFLAGS) -c $< -o $@

$(B)/bench/%: $(B)/bench/%.o $(LIB)
	$(CC) $(LDFLAGS) $^ $(BENCH_LIBS) $(LDLIBS) -o $@

# Every suite runs even when one fails, each into $(B)/tests/<suite>.log
# (where the expected messages of exit tests stay); a failing test's own
# output and Check's reason are shown. Every tutorial runs too (output in
# $(B)/tutorials/*.out) and must exit 0; the outputs pasted in docs/ must
# match what the tutorials print now, and the data behind the pictures what
# `tapegrad graph` draws now (both in the optimised builds only: the
# sanitizer builds, without -march=native, round otherwise, and tutorial 9
# and the pictures train models), the API pages what the headers say,
# and every code example of the docs and headers must compile
# (docs/contributing.md); bench's command line must time any thread count
# and refuse what it cannot do (tests/bench_cli.sh). Then one line of
# counts; the exit status says if anything failed.
SNIPPET_FLAGS := $(CSTD) $(WARN) -Werror -Wno-unused -O0 -I. $(filter -D%,$(CPPFLAGS))
SNIPPET_LIBS := $(LIB) $(LDFLAGS) $(LDLIBS)
check: $(TESTS) $(TUTORIALS) $(CLI) $(B)/bench/bench
	@fail=0; suites=$$(sh tests/run_suites.sh $(TESTS)) || fail=1; \
	for t in $(TUTORIALS); do $$t </dev/null >$$t.out 2>&1 || { echo "tutorial failed: $$t (see $$t.out)"; fail=1; }; done; \
	docs=fresh; $(if $(filter release,$(MODE)),sh tutorials/docs_sync.sh check $(B) $(REAL) || { fail=1; docs=stale; };) \
	sh docs/gen_api.sh check || { fail=1; docs=stale; }; \
	$(if $(filter release,$(MODE)),sh tutorials/pictures_sync.sh check $(B) $(REAL) || { fail=1; docs=stale; };) \
	snippets=$$(CC='$(CC)' SNIPPET_FLAGS='$(SNIPPET_FLAGS)' SNIPPET_LIBS='$(SNIPPET_LIBS)' sh docs/check_examples.sh $(B)) || fail=1; \
	programs=$$($(MAKE) --no-print-directory examples) || { echo "$$programs"; fail=1; }; \
	layering=$$(sh tests/layering.sh) || { echo "$$layering"; fail=1; }; \
	bench_cli=$$(sh tests/bench_cli.sh $(B)) || { echo "$$bench_cli"; fail=1; }; \
	echo "make check: $$suites; $(words $(TUTORIALS)) tutorials; $$programs; $$snippets; $(if $(filter double-release,$(REAL)-$(MODE)),docs,API pages) $$docs ($(B))"; \
	if [ $$fail != 0 ]; then echo "SOME SUITES FAILED ($(B))"; exit 1; fi

# make examples: the programs of examples/ built as a user builds them, with
# nothing but the installed library: `make install` into $(B)/prefix, then
# each compiled alone with pkg-config's flags and strict C11, and run (in
# $(B)/examples, where they write their files). Each must exit 0 and print
# what its "make examples looks for:" line says (an extended regex).
EXAMPLE_SRC := $(wildcard examples/*.c)
EXAMPLE_PREFIX := $(abspath $(B))/prefix
EXAMPLE_PC := PKG_CONFIG_PATH=$(EXAMPLE_PREFIX)/lib/pkgconfig pkg-config
.PHONY: examples
examples:
	@mkdir -p $(B)/examples
	@$(MAKE) --no-print-directory install PREFIX=$(EXAMPLE_PREFIX) DESTDIR= >$(B)/examples/install.log
	@fail=0; for src in $(EXAMPLE_SRC); do e=$(B)/examples/$$(basename $$src .c); \
	  $(CC) -Wall -Wextra -Werror -std=c11 $$src $$($(EXAMPLE_PC) --cflags --libs tapegrad) -o $$e \
	    || { echo "example does not build: $$src"; fail=1; continue; }; \
	  (cd $(B)/examples && ./$$(basename $$e)) >$$e.out 2>&1 \
	    || { echo "example failed: $$e (see $$e.out)"; fail=1; continue; }; \
	  want=$$(sed -n 's/^ \* make examples looks for: //p' $$src); \
	  [ -n "$$want" ] && grep -Eq "$$want" $$e.out \
	    || { echo "example $$e: no line matches \"$$want\" (see $$e.out)"; fail=1; }; \
	done; [ $$fail = 0 ] && echo "$(words $(EXAMPLE_SRC)) example programs built against the installed library and run"

# make tutorial: every tutorial in order; T=lstm: those whose name contains
# "lstm"; STEP=1 passes --step (pause for Enter between steps).
TUTORIAL_PICK := $(if $(T),$(foreach t,$(TUTORIALS),$(if $(findstring $(T),$(notdir $(t))),$(t))),$(TUTORIALS))
tutorial: $(TUTORIALS)
	@[ -n "$(TUTORIAL_PICK)" ] || { echo "no tutorial matches T=$(T)"; exit 1; }
	@fail=0; for t in $(TUTORIAL_PICK); do echo; echo "### $$t"; $$t $(if $(STEP),--step) || fail=1; done; exit $$fail

# Runs the tutorials and refreshes their outputs pasted in docs/*.md, and
# writes the API pages docs/api*.md from the public headers, and draws the
# pictures.
docs: $(TUTORIALS) pictures
	sh tutorials/docs_sync.sh update $(B) $(REAL)
	sh docs/gen_api.sh update

# ---- Exercises (exercises/, docs/exercises.md) ----
# An exercise is exercises/NN_name.c; its grader, $(B)/exercises/name, links
# that file (and the files of the exercises it builds on) with its grading
# file exercises/grader/name.c, the grader's common parts and the library.
#   make exercise            every exercise with its grade (regraded when its file changed)
#   make exercise E=matmul   builds exercises/02_matmul.c and grades it
EXERCISE_SRC := $(sort $(wildcard exercises/[0-9][0-9]_*.c))
ex_name = $(patsubst $(firstword $(subst _, ,$(1)))_%,%,$(1))
EXERCISES := $(foreach f,$(EXERCISE_SRC:exercises/%.c=%),$(call ex_name,$(f)))
ex_file = $(foreach f,$(EXERCISE_SRC),$(if $(filter $(1),$(call ex_name,$(f:exercises/%.c=%))),$(f)))
# What an exercise calls of an earlier one.
EXERCISE_NEEDS_bptt := lstm_step
ex_files = $(foreach n,$(1) $(EXERCISE_NEEDS_$(1)),$(call ex_file,$(n)))
GRADER_COMMON_OBJ := $(patsubst %.c,$(B)/%.o,$(filter-out $(EXERCISES:%=exercises/grader/%.c),$(wildcard exercises/grader/*.c)))
# The grader's own tests (tests/test_exercises.c): each answer under
# tests/exercises/name/ linked in place of the functions the student writes.
# The shipped file comes along with its definitions made weak, so the
# answer's replace its stubs and its given forward is the one tested.
EXERCISE_ANSWERS := $(sort $(wildcard tests/exercises/*/*.c))
EXERCISE_BINS := $(EXERCISES:%=$(B)/exercises/%) $(EXERCISE_ANSWERS:tests/exercises/%.c=$(B)/exercises/tests/%)

define exercise_rules
$(B)/exercises/$(1): $(patsubst %.c,$(B)/%.o,$(call ex_files,$(1))) $(B)/exercises/grader/$(1).o $(GRADER_COMMON_OBJ) $(LIB)
	$$(CC) $$(LDFLAGS) $$^ $$(LDLIBS) -o $$@
$(B)/exercises/tests/$(1)/%: $(B)/exercises/tests/$(1)/%.o $(patsubst exercises/%.c,$(B)/exercises/weak/%.o,$(call ex_files,$(1))) $(EXERCISE_NEEDS_$(1):%=$(B)/exercises/tests/%/correct.o) $(B)/exercises/grader/$(1).o $(GRADER_COMMON_OBJ) $(LIB)
	$$(CC) $$(LDFLAGS) $$^ $$(LDLIBS) -o $$@
endef
$(foreach e,$(EXERCISES),$(eval $(call exercise_rules,$(e))))

$(B)/exercises/tests/%.o: tests/exercises/%.c
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(CFLAGS) -c $< -o $@

$(B)/exercises/weak/%.o: $(B)/exercises/%.o
	@mkdir -p $(dir $@)
	objcopy $$(nm -g --defined-only $< | awk '{ print "--weaken-symbol=" $$3 }') $< $@

$(B)/tests/test_exercises: | $(EXERCISE_BINS)
$(B)/tests/test_exercises.o: $(EXERCISE_ANSWERS) $(EXERCISE_SRC)
$(B)/tests/test_exercises.o: CPPFLAGS += -DTG_EXERCISES='"$(EXERCISES)"' \
  -DTG_EXERCISE_ANSWERS='"$(EXERCISE_ANSWERS:tests/exercises/%.c=%)"'

# A grade: the grader's whole report; the last line is the verdict (status
# 0 PASS, 1 FAIL). Any other status means it did not finish: 3 a tg_fatal
# of the grader's own, 124 the time limit (a loop that never ends), above
# 128 a signal (a crash).
$(B)/exercises/%.result: $(B)/exercises/%
	@rc=0; timeout 120 $< >$@.tmp 2>&1 || rc=$$?; \
	if [ $$rc -gt 1 ]; then echo "ERROR: the grader did not finish (exit status $$rc)" >>$@.tmp; fi; \
	mv $@.tmp $@

.PHONY: exercise
exercise:
ifeq ($(E),)
	@echo "The exercises (docs/exercises.md); make exercise E=NAME grades one and says why:"
	@pass=0; for f in $(EXERCISE_SRC:exercises/%.c=%); do e=$${f#*_}; \
	  if $(MAKE) -s --no-print-directory $(B)/exercises/$$e.result >/dev/null 2>&1; then \
	    v=$$(tail -n 1 $(B)/exercises/$$e.result | awk '{ print (length($$0) > 66 ? substr($$0, 1, 63) "..." : $$0) }'); \
	  else v="does not build"; fi; \
	  case $$v in PASS*) v=PASS; pass=$$((pass + 1)) ;; esac; \
	  printf '  %-16s E=%-12s %s\n' "$$f" "$$e" "$$v"; done; \
	echo "$$pass of $(words $(EXERCISES)) pass"
else
	@[ -n "$(filter $(E),$(EXERCISES))" ] || { echo "no exercise E=$(E); there are: $(EXERCISES)"; exit 1; }
	@$(MAKE) --no-print-directory $(B)/exercises/$(E)
	@rm -f $(B)/exercises/$(E).result
	@$(MAKE) -s --no-print-directory $(B)/exercises/$(E).result
	@cat $(B)/exercises/$(E).result; tail -n 1 $(B)/exercises/$(E).result | grep -q '^PASS'
endif

# The pictures of the pages, into docs/pictures/, each from the library's
# own numbers (tapegrad graph: Graphviz and gnuplot); make check holds the
# data behind them fresh.
pictures: $(CLI)
	sh tutorials/pictures_sync.sh update $(B) $(REAL)

gradcheck: $(CLI)
	$(CLI) gradcheck

asan:
	$(MAKE) MODE=asan check

# The document's models' benchmark in both precisions (noisy, so not part of
# check); bench/compare puts PyTorch's figures next to it.
bench:
	$(MAKE) REAL=double bench-run
	$(MAKE) REAL=float bench-run

bench-run: $(B)/bench/bench
	$(B)/bench/bench $(BENCH_ARGS)

# Check forks a child per test and valgrind follows the fork; any error or
# definite leak makes that test (and so the suite) fail.
VALGRIND := valgrind -q --error-exitcode=1 --leak-check=full --errors-for-leak-kinds=definite,indirect
valgrind:
	$(MAKE) MODE=valgrind valgrind-run

valgrind-run: $(TESTS)
	@printf '%s\n' $(TESTS) | xargs -P2 -I{} sh -c \
	  'CK_TIMEOUT_MULTIPLIER=10 $(VALGRIND) {} >{}.valgrind 2>&1 || { echo "valgrind: {}"; cat {}.valgrind; exit 1; }' \
	  && echo "valgrind: all suites clean"

# make fuzz: a libFuzzer target per reader (tests/fuzz/fuzz_*.c), built by
# clang with ASan + UBSan in build-fuzz/, started from seed files the
# project writes itself (tests/fuzz/seeds.c), each run for FUZZ_SECONDS (two
# at a time under -j2). Any crash, leak, hang of 10 s or RSS over 2 GB
# fails; the reproducer is left in build-fuzz/fuzz/crash-<target>-*.
FUZZ_SECONDS ?= 60
FUZZ_TARGETS := npy idx csv checkpoint cli plot
FUZZ_FLAGS := -max_total_time=$(FUZZ_SECONDS) -timeout=10 -rss_limit_mb=2048 -print_final_stats=1
FUZZERS := $(FUZZ_TARGETS:%=$(B)/fuzz/fuzz_%)
CLI_PARTS := $(filter-out $(B)/cli/main.o,$(CLI_SRC:%.c=$(B)/%.o))
# test_cli checks the command's parsers: it links the command without its main().
$(B)/tests/test_cli: $(B)/tests/test_cli.o $(TEST_SUPPORT:%.c=$(B)/%.o) $(CLI_PARTS) $(LIB)
	$(CC) $(LDFLAGS) $^ $(CHECK_LIBS) $(LDLIBS) -o $@
.PHONY: fuzz fuzz-build
fuzz:
	$(MAKE) CC=clang MODE=fuzz BUILD_DIR=build-fuzz fuzz-build
	$(MAKE) CC=clang MODE=fuzz BUILD_DIR=build-fuzz $(FUZZ_TARGETS:%=fuzz-run-%)
	@for t in $(FUZZ_TARGETS); do grep -h "stat::number_of_executed_units" build-fuzz/fuzz/$$t.log | sed "s/^/$$t: /"; done

fuzz-build: $(FUZZERS) $(B)/fuzz/seeds
	rm -rf $(B)/fuzz/seed
	$(B)/fuzz/seeds $(B)/fuzz/seed

$(B)/fuzz/fuzz_%: tests/fuzz/fuzz_%.c $(CLI_PARTS) $(LIB)
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) -D_GNU_SOURCE $(CFLAGS) $(LDFLAGS) -fsanitize=fuzzer $(filter %.c %.o %.a,$^) $(LDLIBS) -o $@

$(B)/fuzz/seeds: tests/fuzz/seeds.c $(LIB)
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) -D_GNU_SOURCE $(CFLAGS) $(LDFLAGS) $(filter %.c %.a,$^) $(LDLIBS) -o $@

# No .PHONY here: make skips pattern rules for phony targets.
fuzz-run-%:
	@mkdir -p $(B)/fuzz/corpus/$*
	@echo "== fuzz $* ($(FUZZ_SECONDS) s)"
	@$(B)/fuzz/fuzz_$* $(FUZZ_FLAGS) $(if $(filter cli,$*),-close_fd_mask=3) \
	  -artifact_prefix=$(B)/fuzz/crash-$*- \
	  $(B)/fuzz/corpus/$* $(B)/fuzz/seed/$* >$(B)/fuzz/$*.log 2>&1 \
	  || { tail -n 60 $(B)/fuzz/$*.log; echo "fuzz $*: FAILED (log: $(B)/fuzz/$*.log)"; exit 1; }

# make lint: cppcheck and clang-tidy (the checks in .clang-tidy) over the
# library, the command and the fuzz targets; any finding fails. One
# clang-tidy run per file, so -j2 halves the time.
LINT_SRC := $(LIB_SRC) $(CLI_SRC) $(wildcard tests/fuzz/*.c exercises/*.c exercises/grader/*.c)
LINT_FLAGS := -I. -std=gnu11 -fopenmp-simd -D_GNU_SOURCE
.PHONY: lint lint-cppcheck
lint: lint-cppcheck $(LINT_SRC:%=build-lint/%.tidy)
	@echo "lint: cppcheck and clang-tidy clean over $(words $(LINT_SRC)) files"

# cppcheck reports a log() argument in the wrapper tg_real_log, not at the
# call: log_softmax's sum, which it cannot see is >= 1 (the largest term is
# exp(0)); that one report is suppressed by file.
lint-cppcheck:
	cppcheck -q --std=c11 --enable=warning,portability,performance --inline-suppr \
	  --suppress=invalidFunctionArg:kernels/kernels.h --error-exitcode=1 -I. -D_GNU_SOURCE $(LINT_SRC)

build-lint/%.c.tidy: %.c .clang-tidy $(wildcard $(LIB_DIRS:%=%/*.h) $(LIB_DIRS:%=%/internal/*.h) cli/*.h tests/fuzz/*.h)
	@mkdir -p $(dir $@)
	clang-tidy -quiet $< -- $(LINT_FLAGS)
	@touch $@

# The README's main job.
demo: $(CLI)
	$(CLI) gradcheck
	@mkdir -p out
	$(CLI) train timeseries --embedded --epochs 5 --history out/demo_history.csv --plot out/demo.png
	@cat out/demo.txt

# The real data sets, from Debian's packages, without installing them (so
# without their Python dependencies): unpacked under data/ (git-ignored),
# where the library looks (datasets/data_path.h).
DATA_DEBS := dataset-fashion-mnist python3-vega-datasets
data:
	mkdir -p data/deb
	cd data/deb && apt-get download $(DATA_DEBS)
	for f in data/deb/*.deb; do dpkg-deb -x $$f data; done

debug:
	$(MAKE) MODE=debug all

# tapegrad.pc carries -DTG_REAL_FLOAT from a float build, and the sanitizers
# of an ASan build, whose library needs their runtime at link time.
install: $(LIB) $(CLI)
	install -d $(DESTDIR)$(PREFIX)/lib/pkgconfig $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/include/tapegrad
	install -m 644 $(LIB) $(DESTDIR)$(PREFIX)/lib/
	install -m 755 $(CLI) $(DESTDIR)$(PREFIX)/bin/
	install -m 644 tapegrad.h $(DESTDIR)$(PREFIX)/include/tapegrad/
	for d in $(LIB_DIRS); do install -d $(DESTDIR)$(PREFIX)/include/tapegrad/$$d; \
	  install -m 644 $$d/$$d.h $(DESTDIR)$(PREFIX)/include/tapegrad/$$d/; done
	sed -e 's|@PREFIX@|$(PREFIX)|' -e 's|@CFLAGS@|$(filter -DTG_REAL_FLOAT,$(CPPFLAGS))|' \
	  -e 's|@LIBS@|$(filter -fsanitize=%,$(LDFLAGS))|' \
	  tapegrad.pc.in > $(DESTDIR)$(PREFIX)/lib/pkgconfig/tapegrad.pc

clean:
	rm -rf build build-float build-asan build-float-asan build-debug build-float-debug build-valgrind build-float-valgrind build-fuzz build-lint

-include $(LIB_OBJ:.o=.d) $(wildcard $(B)/tests/*.d $(B)/cli/*.d $(B)/tutorials/*.d $(B)/bench/*.d $(B)/fuzz/*.d)
-include $(wildcard $(B)/exercises/*.d $(B)/exercises/grader/*.d $(B)/exercises/tests/*/*.d)
