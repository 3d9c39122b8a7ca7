/* The kind "wavenet": Part 5's hierarchical model. Over a context of
 * T = 2^L positions, pairs of neighbouring positions are fused layer by
 * layer: L x [FlattenConsecutive(2), Linear (no bias), BatchNorm1d over
 * dims (0, 1), tanh] (bnstack.h). */
#include "bnstack.h"

/* log2(T); n_layers is derived, not stored by the user */
static int wavenet_layers(const mm_config *c)
{
    int L = 0;
    while ((1 << L) < c->block_size) L++;
    return L;
}

static void wavenet_shape(const mm_config *c, int l, int *rows, int *K)
{
    *rows = c->block_size >> (l + 1);
    *K = 2 * (l == 0 ? c->n_embd : c->n_hidden);
}

static mm_status wavenet_check(const mm_config *c, mm_err *err)
{
    if (c->block_size < 2 || (c->block_size & (c->block_size - 1)))
        return mm_fail(err, MM_EINVAL, "--block-size %d: the wavenet model fuses pairs of positions, so it "
                       "needs a power of two >= 2 (the lecture's is 8)", c->block_size);
    return mm_bnstack_check(c, err);
}

static const mm_bnstack_geom GEOM = {wavenet_layers, wavenet_shape};

const mm_kind mm_kind_wavenet = {
    .name = "wavenet",
    .summary = "Part 5's WaveNet: pairs of positions fused layer by layer, with batch normalisation",
    .layout = MM_LAYOUT_CONTEXT,
    .uses = MM_USES_EMBD | MM_USES_HIDDEN | MM_USES_BN,
    .def_block = 8, .def_embd = 24, .def_hidden = 128, .def_layers = 0, .def_heads = 0,
    .check = wavenet_check,
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
