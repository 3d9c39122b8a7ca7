/* What training's big allocations cost, so a job too large for the machine
 * fails with a message before it allocates, instead of being killed by the
 * kernel halfway through. The data's share is mm_words_mem (text.h) and
 * mm_dataset_mem (dataset.h); docs/LIMITS.md puts them all in one table.
 * The estimates count the arrays that grow with the data or the model, not
 * the few kilobytes of bookkeeping around them. */
#ifndef MM_MEMORY_H
#define MM_MEMORY_H

#include <stdint.h>

#include "model.h"

/* Evaluating a split (mm_model_split_loss) holds scratch while it runs: its
 * distinct contexts and each example's index into them: 16 bytes an example
 * (docs/LIMITS.md); this leaves room. */
#define MM_MEM_EVAL_PER_EXAMPLE 24

/* Training nparams parameters in batches of B: parameters, gradients, the
 * checkpoint's write buffer, opt_slots optimizer buffers (0 for SGD), and
 * one batch's activations of a model of shape c (its kind's acts_bytes). */
uint64_t mm_mem_training(const mm_config *c, uint64_t nparams, int opt_slots, int B);

/* The memory a job may plan on: the machine's, or less under ulimit -v/-d */
uint64_t mm_memory_available(void);

#endif
