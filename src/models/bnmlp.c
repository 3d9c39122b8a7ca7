/* The kind "bnmlp": Part 3's MLP with batch normalisation, n_layers x
 * [Linear (no bias), BatchNorm1d, tanh] over the flattened embedding of the
 * context (bnstack.h). */
#include "bnstack.h"

static int bnmlp_layers(const mm_config *c) { return c->n_layers; }

static void bnmlp_shape(const mm_config *c, int l, int *rows, int *K)
{
    *rows = 1;
    *K = l == 0 ? c->block_size * c->n_embd : c->n_hidden;
}

static mm_status bnmlp_check(const mm_config *c, mm_err *err)
{
    if (c->n_layers < 1 || c->n_layers > MM_MAX_LAYERS)
        return mm_fail(err, MM_EINVAL, "--n-layers %d is outside 1..%d", c->n_layers, MM_MAX_LAYERS);
    return mm_bnstack_check(c, err);
}

static const mm_bnstack_geom GEOM = {bnmlp_layers, bnmlp_shape};

const mm_kind mm_kind_bnmlp = {
    .name = "bnmlp",
    .summary = "Part 3's MLP with batch normalisation: n_layers x (Linear, BatchNorm1d, tanh)",
    .layout = MM_LAYOUT_CONTEXT,
    .uses = MM_USES_EMBD | MM_USES_HIDDEN | MM_USES_LAYERS | MM_USES_BN,
    .def_block = 3, .def_embd = 10, .def_hidden = 200, .def_layers = 1, .def_heads = 0,
    .check = bnmlp_check,
    .layout_tensors = mm_bnstack_layout,
    .init = mm_bnstack_init,
    .acts_build = mm_bnstack_acts_build,
    .acts_free = mm_bnstack_acts_free,
    .acts_bytes = mm_bnstack_acts_bytes,
    .forward = mm_bnstack_forward,
    .backward = mm_bnstack_backward,
    .logits = mm_bnstack_logits,
    .hidden = mm_bnstack_hidden,
    .head_of = mm_bnstack_head_of,
    .body_forward = mm_bnstack_body_forward,
    .body_backward = mm_bnstack_body_backward,
    .priv = &GEOM,
};
