#include "memory.h"

#include "kind.h"

uint64_t mm_mem_training(const mm_config *c, uint64_t nparams, int opt_slots, int B)
{
    /* params, grads and the save buffer; the kind's activations; train.c's
     * batch of indices, examples and targets */
    const mm_kind *k = mm_kind_at(c->kind);
    uint64_t per_param = 4 * (3 + (uint64_t)(opt_slots > 0 ? opt_slots : 0));
    uint64_t T = (uint64_t)c->block_size, ny = k && k->layout == MM_LAYOUT_SEQUENCE ? T : 1;
    uint64_t acts = k ? k->acts_bytes(c, B) : 0;
    return per_param * nparams + acts + 4 * (T + 1 + ny) * (uint64_t)B;
}
