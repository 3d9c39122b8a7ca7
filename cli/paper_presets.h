/* --preset paper-mlp1 .. paper-mlp10, paper-kn5 and words-best
 * (paper_presets.c). */
#ifndef MM_PAPER_PRESETS_H
#define MM_PAPER_PRESETS_H

/* Fills argv (room for PAPER_PRESET_ARGS, NULL-terminated) with the flags
 * of preset name and returns 1, or 0 if name is not one of these. */
#define PAPER_PRESET_ARGS 48
int paper_preset(const char *name, const char **argv);
/* "paper-mlp1 .. paper-mlp10, paper-kn5, words-best", for messages. */
const char *paper_preset_names(void);

#endif
