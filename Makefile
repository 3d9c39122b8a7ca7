# makemore.c — see README.md.  make | make test | make run | make bench
#              make PORTABLE=1 (no -march=native) | make sanitize | make fuzz
#              make MPI=1 (also ./makemore-mpi, data-parallel training on Open MPI)
#              make install [PREFIX=/usr/local] [DESTDIR=] | make uninstall
#              make dist (source tarball) | python3 -m pip install . (the Python package)
#              make web (the page: web/dist/makemore.html, and report.html's panel)

CC      ?= gcc
PORTABLE ?= 0
# x86-64 builds target AVX2 + FMA (x86-64-v3), not the build machine, so a
# binary runs alike wherever it goes; the AVX-512 kernels inside are picked
# at run time by CPU (src/nn/cpu.h). Elsewhere (arm64, ...) -march=native.
NATIVE  := $(if $(filter x86_64,$(shell uname -m)),-march=x86-64-v3 -mtune=generic,-march=native)
ARCH    := $(if $(filter 1,$(PORTABLE)),,$(NATIVE))
# -ffp-contract=fast lets the compiler fuse a*b+c into one FMA in every
# build; the ISO C mode would otherwise forbid it and halve the kernels' speed.
# -fno-math-errno: nothing reads errno after a math call, and without it gcc
# keeps a scalar libm call for every sqrtf (AdamW, batch norm) in a loop.
CFLAGS  ?= -O3
CFLAGS  += -std=c11 -Wall -Wextra -Wshadow -Wno-unused-parameter -fopenmp \
           -ffp-contract=fast -fno-math-errno -D_POSIX_C_SOURCE=200809L $(ARCH) $(INCLUDES) $(EXTRA_CFLAGS)
LDLIBS  += -lm
LDFLAGS += -fopenmp $(EXTRA_LDFLAGS)

INCLUDES = -Iinclude $(SRC_DIRS:%/=-I%) -Icli
BUILD   := build$(if $(filter 1,$(PORTABLE)),-portable,)$(BUILD_SUFFIX)
SRC_DIRS := $(sort $(dir $(wildcard src/*/*.c src/*/*.h)))
LIB_SRC := $(wildcard src/*/*.c)
HEADERS := $(wildcard include/*.h src/*/*.h cli/*.h tests/*.h)
# cli/mpi_*.c include mpi.h: only makemore-mpi (make MPI=1) is built from them
CLI_SRC := $(filter-out cli/mpi_%.c,$(wildcard cli/*.c))
MPI_SRC := $(wildcard cli/mpi_*.c)
MPICC   ?= mpicc
LIB_OBJ := $(LIB_SRC:%.c=$(BUILD)/%.o)
CLI_OBJ := $(CLI_SRC:%.c=$(BUILD)/%.o)
TEST_SRC := $(wildcard tests/test_*.c)
TEST_BIN := $(TEST_SRC:tests/%.c=$(BUILD)/tests/%)
# Drivers the parity tests run (not tests themselves)
TOOL_BIN := $(patsubst tests/%.c,$(BUILD)/tests/%,$(wildcard tests/tools/*.c))
# Each fuzz harness is also built as a test that replays its committed
# inputs (fuzz/corpus, fuzz/regressions) without libFuzzer.
FUZZ_NAMES := text checkpoint args safetensors
CLI_LIB_OBJ := $(filter-out $(BUILD)/cli/main.o,$(CLI_OBJ))
TEST_BIN += $(FUZZ_NAMES:%=$(BUILD)/tests/test_fuzz_%)
BIN     := makemore$(if $(filter 1,$(PORTABLE)),-portable,)$(BUILD_SUFFIX)

NAMES_SHA256 := 0a30b5557f192f32ab962680889aac5f6fda0f4cecf40a6d0b5694f58ea8cc4d
NAMES_URL    := https://raw.githubusercontent.com/karpathy/makemore/master/names.txt

# make test also runs the MPI tests when ./makemore-mpi was built (make MPI=1)
MPI_BIN := $(if $(filter 1,$(MPI)),makemore-mpi,$(if $(BUILD_SUFFIX)$(filter 1,$(PORTABLE)),,$(wildcard makemore-mpi)))

# The shared library: soname libmakemore.so.$(SO_MAJOR); only the public API
# (include/makemore.h, marked MAKEMORE_API) is exported from it.
# The version is written once, in include/makemore.h (the Python wheel reads it there too).
version_part = $(shell sed -n 's/^\#define MAKEMORE_VERSION_$(1) \([0-9][0-9]*\).*/\1/p' include/makemore.h)
SO_MAJOR := $(call version_part,MAJOR)
VERSION := $(SO_MAJOR).$(call version_part,MINOR)
SO_VERSION := $(VERSION).0
SO_NAME := libmakemore.so.$(SO_MAJOR)
# Library objects serve both libraries, so they are position independent;
# -fno-semantic-interposition keeps calls inside the library direct, as
# they are without -fPIC (the CLI links the static library).
LIB_CFLAGS := -fPIC -fno-semantic-interposition -fvisibility=hidden

.PHONY: all test run data clean bench bench-zoo bench-paper sanitize fuzz install uninstall web dist
all: $(BIN) $(BUILD)/$(SO_NAME) $(MPI_BIN)

$(BUILD)/src/%.o: src/%.c $(HEADERS)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(LIB_CFLAGS) -c $< -o $@

$(BUILD)/%.o: %.c $(HEADERS)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -c $< -o $@

# train puts the interactive panel that make web builds into report.html
# when the file is there (web/README.md); MAKEMORE_REPORT_PANEL overrides.
$(BUILD)/cli/trainfiles.o: CFLAGS += -DMM_REPORT_PANEL='"$(CURDIR)/web/dist/report-panel.html"'

$(BUILD)/libmakemore.a: $(LIB_OBJ)
	ar rcs $@ $^

$(BUILD)/$(SO_NAME): $(LIB_OBJ)
	$(CC) -shared -Wl,-soname,$(SO_NAME) $(LDFLAGS) $^ -o $@ $(LDLIBS)

$(BIN): $(CLI_OBJ) $(BUILD)/libmakemore.a
	$(CC) $(LDFLAGS) $^ -o $@ $(LDLIBS)

$(BUILD)/mpi/%.o: cli/%.c $(HEADERS)
	@mkdir -p $(dir $@)
	$(MPICC) $(CFLAGS) -c $< -o $@

makemore-mpi: $(MPI_SRC:cli/%.c=$(BUILD)/mpi/%.o) $(CLI_LIB_OBJ) $(BUILD)/libmakemore.a
	$(MPICC) $(LDFLAGS) $^ -o $@ $(LDLIBS)

$(BUILD)/tests/%: tests/%.c tests/check.h $(BUILD)/libmakemore.a
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $< $(BUILD)/libmakemore.a -o $@ $(LDFLAGS) $(LDLIBS)

$(BUILD)/tests/test_fuzz_%: fuzz/fuzz_%.c fuzz/replay.c fuzz/outcome.c fuzz/outcome.h $(CLI_LIB_OBJ) $(BUILD)/libmakemore.a
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -Ifuzz -DFUZZ_NAME='"$*"' fuzz/fuzz_$*.c fuzz/replay.c fuzz/outcome.c $(CLI_LIB_OBJ) \
	    $(BUILD)/libmakemore.a -o $@ $(LDFLAGS) $(LDLIBS)

# Unit tests, end-to-end CLI tests, make install into a temporary DESTDIR
# with the README's C example, the Python module, (when ./makemore-mpi was
# built) the MPI tests, and (when torch imports) PyTorch parity.
test: $(BIN) $(BUILD)/$(SO_NAME) $(TEST_BIN) $(TOOL_BIN) $(MPI_BIN)
	@MAKEMORE=./$(BIN) MAKEMORE_MPI=$(if $(MPI_BIN),./$(MPI_BIN)) TEST_BIN_DIR=$(BUILD)/tests bash tests/run.sh

# makemore against the PyTorch peers side by side: the lecture's MLP against
# torch_mlp.py (bench.py), then every makemore.py type against makemore.py
# itself (zoo.py; make bench-zoo runs it alone). The peers run under
# OpenBLAS, the figure every ratio is against, and under the reference BLAS
# as a second column (bench/peer_blas.py checks which one torch loaded);
# bench/setup.sh installs libopenblas0-pthread when it is missing. Both
# write bench/RESULTS.md. Needs python3-torch, names.txt (NAMES_TXT) and
# makemore.py (MAKEMORE_PY). bench/pareto.py (not run here: about 6
# minutes) draws docs/pareto.svg with build/bench/pareto.
BENCH_BIN := $(addprefix $(BUILD)/bench/,peak evaltime kernels transformer pareto ngram_ppl)
BENCH_ENV := MAKEMORE=./$(BIN) BENCH_BIN=$(BUILD)/bench
bench: $(BIN) $(BENCH_BIN)
	bash bench/setup.sh
	$(BENCH_ENV) /usr/bin/python3 bench/bench.py
	$(BENCH_ENV) /usr/bin/python3 bench/zoo.py

bench-zoo: $(BIN) $(BENCH_BIN)
	bash bench/setup.sh
	$(BENCH_ENV) /usr/bin/python3 bench/zoo.py

# Bengio et al. 2003's Table 1 on Brown (BROWN_TXT, default
# ../shared/data/brown.txt): the n-gram baselines, the paper's MLP rows
# alone and mixed, --preset words-best, and the paper's MLP against PyTorch
# (reference BLAS and OpenBLAS); writes docs/PAPER.md. Hours on two cores;
# bench/paper.py --rows/--epochs run a part. build/bench/ngram_ppl FILE
# gives the n-gram rows alone in seconds.
bench-paper: $(BIN) $(BENCH_BIN)
	$(BENCH_ENV) BROWN_TXT=$(or $(BROWN_TXT),../shared/data/brown.txt) /usr/bin/python3 bench/paper.py

$(BUILD)/bench/%: bench/%.c $(BUILD)/libmakemore.a
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $< $(BUILD)/libmakemore.a -o $@ $(LDFLAGS) $(LDLIBS)

# The whole suite against an AddressSanitizer + UBSan build (gcc, so OpenMP
# keeps working through libgomp). -O2 with frame pointers keeps stack traces usable; any UB
# report aborts, and LeakSanitizer runs at every exit.
SAN_FLAGS := -fsanitize=address,undefined,float-cast-overflow -fno-sanitize-recover=all
sanitize:
	@$(MAKE) --no-print-directory BUILD_SUFFIX=-asan \
	    EXTRA_CFLAGS="-O2 -g -fno-omit-frame-pointer $(SAN_FLAGS)" \
	    EXTRA_LDFLAGS="$(SAN_FLAGS)" makemore-asan build-asan/test-bins
	@rm -rf build-asan/reports && mkdir -p build-asan/reports
	@ASAN_OPTIONS=detect_leaks=1:exitcode=99:log_path=$(CURDIR)/build-asan/reports/asan \
	    UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1:exitcode=99:log_path=$(CURDIR)/build-asan/reports/ubsan \
	    MM_SANITIZER=1 MAKEMORE=./makemore-asan TEST_BIN_DIR=build-asan/tests bash tests/run.sh
	@# reports go to files too, so one from a process whose status a test ignores still fails
	@if ls build-asan/reports/* >/dev/null 2>&1; then cat build-asan/reports/*; \
	    echo "sanitize: sanitizer reports above"; exit 1; fi

$(BUILD)/test-bins: $(TEST_BIN) $(TOOL_BIN)
	@touch $@

# libFuzzer (clang) on the text reader, the checkpoint loader, the
# safetensors importer and the flag parser, FUZZ_SECONDS each (FUZZ_JOBS at
# once); fails on any crash, hang or sanitizer report. The library and the
# CLI's files are compiled once, instrumented (fuzzer-no-link), into one
# archive that each harness links.
FUZZ_CC      ?= clang
FUZZ_SECONDS ?= 60
FUZZ_JOBS    ?= $(shell nproc)
FUZZ_CFLAGS   = -std=c11 -g -O1 -D_POSIX_C_SOURCE=200809L $(INCLUDES) -Ifuzz \
                -fsanitize=address,undefined,float-cast-overflow -fno-sanitize-recover=all
FUZZ_SRC     := $(LIB_SRC) $(filter-out cli/main.c,$(CLI_SRC)) fuzz/outcome.c
FUZZ_OBJ     := $(FUZZ_SRC:%.c=build-fuzz/%.o)
fuzz: $(FUZZ_NAMES:%=build-fuzz/fuzz_%)
	@FUZZ_JOBS=$(FUZZ_JOBS) bash fuzz/run.sh $(FUZZ_SECONDS) $(FUZZ_NAMES)

build-fuzz/%.o: %.c $(HEADERS) fuzz/outcome.h
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -fsanitize=fuzzer-no-link -c $< -o $@

build-fuzz/libfuzzed.a: $(FUZZ_OBJ)
	ar rcs $@ $^

build-fuzz/fuzz_%: fuzz/fuzz_%.c build-fuzz/libfuzzed.a $(HEADERS) fuzz/outcome.h
	$(FUZZ_CC) $(FUZZ_CFLAGS) -fsanitize=fuzzer $< build-fuzz/libfuzzed.a -o $@ -lm

# The page (web/README.md): the CLI compiled to wasm32-wasi with clang and
# Debian's wasi-libc (apt-get install clang lld wasi-libc
# libclang-rt-14-dev-wasm32), then one self-contained HTML file with the
# module and names.txt inlined. Single-threaded: no -fopenmp (the omp_ calls
# are all under #ifdef _OPENMP; an unguarded one fails the link), and sweep,
# which runs its trainings in threads, is left out (web/stubs.c).
WASM_CC     ?= clang
WASM_SIMD   ?= -msimd128
WASM_CFLAGS  = --target=wasm32-wasi -nostdlibinc -isystem /usr/include/wasm32-wasi -O3 $(WASM_SIMD) \
               -std=c11 -Wall -Wextra -Wshadow -Wno-unused-parameter -Wno-unknown-pragmas \
               -ffp-contract=fast -fno-math-errno -D_POSIX_C_SOURCE=200809L \
               -D_WASI_EMULATED_SIGNAL -D_WASI_EMULATED_GETPID $(INCLUDES)
WASM_LDFLAGS = --target=wasm32-wasi -Wl,--strip-all -Wl,-z,stack-size=1048576 \
               -Wl,--max-memory=2147483648 -lwasi-emulated-signal -lwasi-emulated-getpid
WASM_SRC    := $(LIB_SRC) $(filter-out cli/cmd_sweep.c,$(CLI_SRC)) web/stubs.c
WASM_OBJ    := $(WASM_SRC:%.c=build-wasm/%.o)
WEB_PARTS   := web/page.html web/app.js web/nextprobs.js web/wasi.js web/worker.js web/bundle.py

web: web/dist/makemore.html web/dist/report-panel.html

# Bulk memory turns memset and memcpy into single instructions (zeroing the
# gradients every step). Not for files that use errno: LLVM 14 then keeps
# wasi-libc's thread-local errno, which its wasm32-wasi backend refuses.
WASM_BULK   := $(filter build-wasm/src/nn/% build-wasm/src/models/% build-wasm/src/train/%,$(WASM_OBJ))
$(WASM_BULK): WASM_CFLAGS += -mbulk-memory

build-wasm/%.o: %.c $(HEADERS)
	@mkdir -p $(dir $@)
	$(WASM_CC) $(WASM_CFLAGS) -c $< -o $@

build-wasm/makemore.wasm: $(WASM_OBJ)
	$(WASM_CC) $^ -o $@ $(WASM_LDFLAGS)

web/dist/makemore.html: build-wasm/makemore.wasm data/names.txt $(WEB_PARTS)
	@mkdir -p $(dir $@)
	python3 web/bundle.py build-wasm/makemore.wasm data/names.txt $@

# report.html's panel: the same module, wasi.js, nextprobs.js and report.js in one HTML fragment
web/dist/report-panel.html: build-wasm/makemore.wasm web/report-panel.html web/report.js web/nextprobs.js web/wasi.js \
                            web/worker.js web/bundle.py
	@mkdir -p $(dir $@)
	python3 web/bundle.py --panel build-wasm/makemore.wasm $@

data: data/names.txt
data/names.txt:
	@bash tests/get_data.sh data/names.txt $(NAMES_SHA256) $(NAMES_URL)

# The lecture's full run: 200,000 steps, then 20 samples.
run: $(BIN) data/names.txt
	./$(BIN) train -i data/names.txt -o out

# Install like a C library; DESTDIR stages into a folder (packaging, tests).
PREFIX ?= /usr/local
DESTDIR ?=
BINDIR := $(PREFIX)/bin
LIBDIR := $(PREFIX)/lib
INCLUDEDIR := $(PREFIX)/include
MANDIR := $(PREFIX)/share/man/man1
PCDIR := $(LIBDIR)/pkgconfig
INSTALLED := $(BINDIR)/makemore $(LIBDIR)/libmakemore.a $(LIBDIR)/libmakemore.so.$(SO_VERSION) \
             $(LIBDIR)/$(SO_NAME) $(LIBDIR)/libmakemore.so $(INCLUDEDIR)/makemore.h $(PCDIR)/makemore.pc \
             $(MANDIR)/makemore.1

$(BUILD)/makemore.pc: makemore.pc.in Makefile
	@mkdir -p $(dir $@)
	sed -e 's|@PREFIX@|$(PREFIX)|' -e 's|@LIBDIR@|$(LIBDIR)|' -e 's|@INCLUDEDIR@|$(INCLUDEDIR)|' \
	    -e 's|@VERSION@|$(SO_VERSION)|' $< > $@

install: $(BIN) $(BUILD)/libmakemore.a $(BUILD)/$(SO_NAME) $(BUILD)/makemore.pc
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(LIBDIR) $(DESTDIR)$(INCLUDEDIR) $(DESTDIR)$(MANDIR) $(DESTDIR)$(PCDIR)
	install -m 755 $(BIN) $(DESTDIR)$(BINDIR)/makemore
	install -m 644 $(BUILD)/libmakemore.a $(DESTDIR)$(LIBDIR)/libmakemore.a
	install -m 755 $(BUILD)/$(SO_NAME) $(DESTDIR)$(LIBDIR)/libmakemore.so.$(SO_VERSION)
	ln -sf libmakemore.so.$(SO_VERSION) $(DESTDIR)$(LIBDIR)/$(SO_NAME)
	ln -sf $(SO_NAME) $(DESTDIR)$(LIBDIR)/libmakemore.so
	install -m 644 include/makemore.h $(DESTDIR)$(INCLUDEDIR)/makemore.h
	install -m 644 $(BUILD)/makemore.pc $(DESTDIR)$(PCDIR)/makemore.pc
	install -m 644 man/makemore.1 $(DESTDIR)$(MANDIR)/makemore.1

uninstall:
	rm -f $(addprefix $(DESTDIR),$(INSTALLED))

# A source tarball, dist/makemore-$(VERSION).tar.gz: the tracked files and
# PKG-INFO. Unpacked, it builds with make && make install, and installs
# with python3 -m pip install DIR or the tarball (python/makemore_build.py).
dist:
	python3 python/makemore_build.py sdist dist

clean:
	rm -rf build build-* makemore makemore-* web/dist dist
