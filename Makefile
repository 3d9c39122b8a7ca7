# makemore.c — see README.md.  make | make test | make run | make bench
#              make PORTABLE=1 (no -march=native) | make sanitize | make fuzz

CC      ?= gcc
PORTABLE ?= 0
ARCH    := $(if $(filter 1,$(PORTABLE)),,-march=native)
# -ffp-contract=fast lets the compiler fuse a*b+c into one FMA in every
# build; the ISO C mode would otherwise forbid it and halve the kernels' speed.
# -fno-math-errno: nothing reads errno after a math call, and without it gcc
# keeps a scalar libm call for every sqrtf (AdamW, batch norm) in a loop.
CFLAGS  ?= -O3
CFLAGS  += -std=c11 -Wall -Wextra -Wshadow -Wno-unused-parameter -fopenmp \
           -ffp-contract=fast -fno-math-errno -D_POSIX_C_SOURCE=200809L $(ARCH) $(INCLUDES) $(EXTRA_CFLAGS)
LDLIBS  += -lm
LDFLAGS += -fopenmp $(EXTRA_LDFLAGS)

INCLUDES = $(SRC_DIRS:%/=-I%) -Icli
BUILD   := build$(if $(filter 1,$(PORTABLE)),-portable,)$(BUILD_SUFFIX)
SRC_DIRS := $(sort $(dir $(wildcard src/*/*.c src/*/*.h)))
LIB_SRC := $(wildcard src/*/*.c)
HEADERS := $(wildcard src/*/*.h cli/*.h tests/*.h)
CLI_SRC := $(wildcard cli/*.c)
LIB_OBJ := $(LIB_SRC:%.c=$(BUILD)/%.o)
CLI_OBJ := $(CLI_SRC:%.c=$(BUILD)/%.o)
TEST_SRC := $(wildcard tests/test_*.c)
TEST_BIN := $(TEST_SRC:tests/%.c=$(BUILD)/tests/%)
# Each fuzz harness is also built as a test that replays its committed
# inputs (fuzz/corpus, fuzz/regressions) without libFuzzer.
FUZZ_NAMES := text checkpoint args safetensors
CLI_LIB_OBJ := $(filter-out $(BUILD)/cli/main.o,$(CLI_OBJ))
TEST_BIN += $(FUZZ_NAMES:%=$(BUILD)/tests/test_fuzz_%)
BIN     := makemore$(if $(filter 1,$(PORTABLE)),-portable,)$(BUILD_SUFFIX)

NAMES_SHA256 := 0a30b5557f192f32ab962680889aac5f6fda0f4cecf40a6d0b5694f58ea8cc4d
NAMES_URL    := https://raw.githubusercontent.com/karpathy/makemore/master/names.txt

.PHONY: all test run data clean bench sanitize fuzz
all: $(BIN)

$(BUILD)/%.o: %.c $(HEADERS)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -c $< -o $@

$(BUILD)/libmakemore.a: $(LIB_OBJ)
	ar rcs $@ $^

$(BIN): $(CLI_OBJ) $(BUILD)/libmakemore.a
	$(CC) $(LDFLAGS) $^ -o $@ $(LDLIBS)

$(BUILD)/tests/%: tests/%.c tests/check.h $(BUILD)/libmakemore.a
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $< $(BUILD)/libmakemore.a -o $@ $(LDFLAGS) $(LDLIBS)

$(BUILD)/tests/test_fuzz_%: fuzz/fuzz_%.c fuzz/replay.c $(CLI_LIB_OBJ) $(BUILD)/libmakemore.a
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -DFUZZ_NAME='"$*"' fuzz/fuzz_$*.c fuzz/replay.c $(CLI_LIB_OBJ) \
	    $(BUILD)/libmakemore.a -o $@ $(LDFLAGS) $(LDLIBS)

# Unit tests, end-to-end CLI tests and (when torch imports) PyTorch parity.
test: $(BIN) $(TEST_BIN)
	@MAKEMORE=./$(BIN) TEST_BIN_DIR=$(BUILD)/tests bash tests/run.sh

# makemore against the PyTorch peer side by side (about 6 minutes): writes
# bench/RESULTS.md. Needs python3-torch and names.txt (NAMES_TXT).
BENCH_BIN := $(addprefix $(BUILD)/bench/,peak evaltime kernels)
bench: $(BIN) $(BENCH_BIN)
	MAKEMORE=./$(BIN) BENCH_BIN=$(BUILD)/bench /usr/bin/python3 bench/bench.py

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

$(BUILD)/test-bins: $(TEST_BIN)
	@touch $@

# libFuzzer (clang) on the text reader, the checkpoint loader and the flag
# parser, FUZZ_SECONDS each; fails on any crash, hang or sanitizer report.
FUZZ_CC      ?= clang
FUZZ_SECONDS ?= 60
FUZZ_CFLAGS   = -std=c11 -g -O1 -D_POSIX_C_SOURCE=200809L $(INCLUDES) \
                -fsanitize=fuzzer,address,undefined,float-cast-overflow -fno-sanitize-recover=all
FUZZ_SRC     := $(LIB_SRC) $(filter-out cli/main.c,$(CLI_SRC))
fuzz: $(FUZZ_NAMES:%=build-fuzz/fuzz_%)
	@bash fuzz/run.sh $(FUZZ_SECONDS) $(FUZZ_NAMES)

build-fuzz/fuzz_%: fuzz/fuzz_%.c $(FUZZ_SRC) $(HEADERS)
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(FUZZ_CFLAGS) $< $(FUZZ_SRC) -o $@ -lm

data: data/names.txt
data/names.txt:
	@bash tests/get_data.sh data/names.txt $(NAMES_SHA256) $(NAMES_URL)

# The lecture's full run: 200,000 steps, then 20 samples.
run: $(BIN) data/names.txt
	./$(BIN) train -i data/names.txt -o out

clean:
	rm -rf build build-* makemore makemore-*
