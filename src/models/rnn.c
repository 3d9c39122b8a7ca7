/* makemore.py's RNN with its RNNCell (recurrent.h). */
#include "recurrent.h"
#include "seqkinds.h"

static mm_status check(const mm_config *c, mm_err *err)
{
    return MM_OK;
}

const mm_kind mm_kind_rnn = {
    .makemore_type = "rnn",
    .name = "rnn",
    .summary = "makemore.py's RNN: h = tanh([x, h] @ W + b) from a learned start state",
    .layout = MM_LAYOUT_SEQUENCE,
    .uses = MM_USES_EMBD | MM_USES_HIDDEN | MM_USES_DROPOUT,
    .def_block = 0, .def_embd = 64, .def_hidden = 64,
    .check = check,
    .layout_tensors = mm_rec_layout,
    .init = mm_rec_init,
    .acts_build = mm_rec_acts_build,
    .acts_free = mm_seq_acts_free,
    .acts_bytes = mm_rec_acts_bytes,
    .forward = mm_rec_forward,
    .backward = mm_rec_backward,
    .logits = mm_rec_logits,
    .gen_build = mm_rec_gen_build,
    .gen_step = mm_rec_gen_step,
    .gen_free = mm_rec_gen_free,
    .head_of = mm_rec_head_of,
    .body_forward = mm_rec_body_forward,
    .body_backward = mm_rec_body_backward,
};
