/* The command-line front end: the only code that prints or picks an exit
 * status. Exit status: 0 success, 1 training diverged, 2 bad usage or input
 * or a failed write, 130/143 stopped by SIGINT/SIGTERM (a checkpoint was saved). */
#ifndef MM_CLI_H
#define MM_CLI_H

#include <stdio.h>

#include "checkpoint.h"
#include "dataset.h"
#include "json.h"
#include "runbuild.h"
#include "sample.h"

#define EXIT_USAGE 2
#define DEFAULT_INPUT "data/names.txt"
#define DEFAULT_WORKDIR "out"
#define LECTURE_SEED 2147483647ull

int cmd_train(int argc, char **argv);
/* train as one process of a data-parallel run (dist.h; NULL: alone). */
struct cli_dist;
int cmd_train_dist(int argc, char **argv, const struct cli_dist *d);
int cmd_sample(int argc, char **argv);
int cmd_probs(int argc, char **argv);
int cmd_eval(int argc, char **argv);
int cmd_export(int argc, char **argv);
int cmd_import(int argc, char **argv);
int cmd_neighbors(int argc, char **argv);
/* train's flag parsing and checks alone, touching no file: 0 if training
 * would go on (or --help was printed), else the exit status (the fuzz
 * harness's entry). */
int cmd_train_check_args(int argc, char **argv);

/* Prints "makemore: MSG" to stderr and returns EXIT_USAGE. */
int cli_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Text, vocabulary and splits for one input file (runbuild.h). */
typedef mm_run_data cli_data;

/* mm_run_data_load within the memory available. */
mm_status cli_data_load(cli_data *d, const char *path, const mm_data_opts *o, const mm_vocab *vocab,
                        mm_err *err);
void cli_data_free(cli_data *d);
/* 0 if the input can be tried; when -i was not given (given 0) and the
 * default file is missing, prints how to pass -i and returns EXIT_USAGE. */
int cli_check_input(const char *input, int given);
/* Prints that path's nitems items leave no training examples; EXIT_USAGE. */
int cli_empty_train_split(const char *path, size_t nitems);
/* Bytes the loaded data holds once its examples are built as o says */
uint64_t cli_data_mem(const cli_data *d, const mm_data_opts *o);
/* The examples a run's checkpoint was trained on: its block, its kind's
 * layout, its split */
mm_data_opts cli_run_data_opts(const mm_run *r);
/* Prints a loss, or null (JSON) / "-" (text) for an empty split's NaN */
void cli_print_loss(FILE *f, double loss, int json);
/* The memory a job may plan on: the machine's, or less under ulimit -v/-d */
uint64_t cli_memory_available(void);

/* --threads: 0 means every core; more than the cores is clamped to them,
 * with a warning on stderr. */
int cli_threads(int requested);
/* DIR/name into out; returns -1 if it does not fit */
int cli_path(char *out, size_t n, const char *dir, const char *name);
/* Writes one item of ids as UTF-8 to f */
void cli_print_item(FILE *f, const mm_vocab *v, const int *ids, int n);
/* One item of ids as a UTF-8 string in out, which holds mm_vocab_text_cap(v, n) bytes
 * (4 * n + 1 for characters) */
void cli_item_string(char *out, const mm_vocab *v, const int *ids, int n);
/* Ends j, prints it to stdout and frees it: 0, or the exit status when it
 * could not be built (out of memory). A failed write shows at exit. */
int cli_json_print(mm_json *j);
/* At exit: flushes stdout; rc, or when any of its writes failed, one line
 * saying so and rc or EXIT_USAGE. */
int cli_flush_stdout(int rc);
int cli_vocab_equal(const mm_vocab *a, const mm_vocab *b);
/* Creates DIR if need be and checks that DIR/model.bin (ckpt) can be
 * replaced; 0, or the exit status after printing an error. */
int cli_make_workdir(const char *dir, const char *ckpt);
/* A save killed mid-write leaves DIR/model.bin.tmp.PID (or log.csv.tmp.PID);
 * removes those whose process is gone, so they never pile up. */
void cli_remove_stale_temps(const char *dir);

#endif
