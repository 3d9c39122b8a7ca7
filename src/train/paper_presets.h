/* --preset paper-mlp1 .. paper-mlp10, paper-kn5 and words-best
 * (paper_presets.c), for presets.c. */
#ifndef MM_PAPER_PRESETS_H
#define MM_PAPER_PRESETS_H

#define MM_PAPER_PRESET_NAMES "paper-mlp1 .. paper-mlp10, paper-kn5, words-best"
/* Room for a preset's settings: name, value, ..., NULL. */
#define MM_PAPER_PRESET_MAX 64
/* Fills set with preset name's settings and returns 1, or 0 if name is
 * not one of these. */
int mm_paper_preset(const char *name, const char **set);

#endif
