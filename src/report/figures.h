/* The lecture's pictures as SVG documents: the learning-rate sweep, the
 * training loss curve and the embedding map. Each returns a whole SVG
 * document in *out (to write to a file and to inline in the report). */
#ifndef MM_FIGURES_H
#define MM_FIGURES_H

#include "losslog.h"
#include "lrfind.h"
#include "model.h"
#include "text.h"

/* log10 of the minibatch loss against step (faint points), its moving mean
 * over about 0.5% of the steps, and the whole-split train and dev losses
 * of the evaluation rows as markers. */
mm_status mm_fig_loss(mm_sbuf *out, const mm_losslog *log, mm_err *err);
/* Each character at its embedding: dimensions 0 and 1 (the lecture's
 * picture); for wider embeddings a second panel with the first two
 * principal components, titled with their share of the variance.
 * MM_EINVAL for a model without an embedding (m->embedding < 0). */
mm_status mm_fig_embedding(mm_sbuf *out, const mm_model *m, const mm_vocab *v, mm_err *err);
/* Loss against log10 learning rate, raw and smoothed, with the lowest
 * smoothed point and the suggestion marked. */
mm_status mm_fig_lrfind(mm_sbuf *out, const mm_lrfind *f, mm_err *err);

#endif
