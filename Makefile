# makemore.c — see README.md.  make | make test | make run | make bench
#              make PORTABLE=1 (no -march=native) | make sanitize | make fuzz

CC      ?= gcc
PORTABLE ?= 0
ARCH    := $(if $(filter 1,$(PORTABLE)),,-march=native)
# -ffp-contract=fast lets the compiler fuse a*b+c into one FMA in every
# build; the ISO C mode would otherwise forbid it and halve the kernels' speed.
CFLAGS  ?= -O3
CFLAGS  += -std=c11 -Wall -Wextra -Wshadow -Wno-unused-parameter -fopenmp \
           -ffp-contract=fast -D_POSIX_C_SOURCE=200809L $(ARCH) $(EXTRA_CFLAGS)
LDLIBS  += -lm
LDFLAGS += -fopenmp

BUILD   := build$(if $(filter 1,$(PORTABLE)),-portable,)$(BUILD_SUFFIX)
LIB_SRC := $(wildcard src/*.c)
CLI_SRC := $(wildcard cli/*.c)
LIB_OBJ := $(LIB_SRC:%.c=$(BUILD)/%.o)
CLI_OBJ := $(CLI_SRC:%.c=$(BUILD)/%.o)
TEST_SRC := $(wildcard tests/test_*.c)
TEST_BIN := $(TEST_SRC:tests/%.c=$(BUILD)/tests/%)
BIN     := makemore$(if $(filter 1,$(PORTABLE)),-portable,)$(BUILD_SUFFIX)

NAMES_SHA256 := 0a30b5557f192f32ab962680889aac5f6fda0f4cecf40a6d0b5694f58ea8cc4d
NAMES_URL    := https://raw.githubusercontent.com/karpathy/makemore/master/names.txt

.PHONY: all test run data clean bench sanitize fuzz
all: $(BIN)

$(BUILD)/%.o: %.c $(wildcard src/*.h cli/*.h tests/*.h)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -c $< -o $@

$(BUILD)/libmakemore.a: $(LIB_OBJ)
	ar rcs $@ $^

$(BIN): $(CLI_OBJ) $(BUILD)/libmakemore.a
	$(CC) $(LDFLAGS) $^ -o $@ $(LDLIBS)

$(BUILD)/tests/%: tests/%.c tests/check.h $(BUILD)/libmakemore.a
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $< $(BUILD)/libmakemore.a -o $@ $(LDFLAGS) $(LDLIBS)

# Unit tests, end-to-end CLI tests and (when torch imports) PyTorch parity.
test: $(BIN) $(TEST_BIN)
	@MAKEMORE=./$(BIN) TEST_BIN_DIR=$(BUILD)/tests bash tests/run.sh

data: data/names.txt
data/names.txt:
	@bash tests/get_data.sh data/names.txt $(NAMES_SHA256) $(NAMES_URL)

# The lecture's full run: 200,000 steps, then 20 samples.
run: $(BIN) data/names.txt
	./$(BIN) train -i data/names.txt -o out

clean:
	rm -rf build build-* makemore makemore-*
