/* What a harness saw for one input, in words: the error it got, the
 * vocabulary it loaded, the values it parsed. Under libFuzzer it is only
 * written; the replay (replay.c) compares it, for each file of
 * fuzz/regressions/NAME, with that file's line in fuzz/regressions/NAME.expect,
 * so every regression input pins its own fix, not just "no crash". */
#ifndef FUZZ_OUTCOME_H
#define FUZZ_OUTCOME_H

#define FUZZ_OUTCOME_MAX 4096

extern char fuzz_outcome[FUZZ_OUTCOME_MAX];

/* Appends one finding, separated from the one before by " | ". */
void fuzz_note(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
