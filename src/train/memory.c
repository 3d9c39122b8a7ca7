#include "memory.h"

uint64_t mm_mem_training(const mm_config *c, uint64_t nparams, int opt_slots, int B)
{
    uint64_t K = (uint64_t)c->block_size * (uint64_t)c->n_embd;
    uint64_t H = (uint64_t)c->n_hidden, V = (uint64_t)c->vocab_size;
    /* params, grads and the save buffer; model.c's emb, h, logits, dh and
     * demb; train.c's batch of indices, contexts and targets */
    uint64_t per_param = 4 * (3 + (uint64_t)(opt_slots > 0 ? opt_slots : 0));
    uint64_t per_row = 4 * (2 * K + 2 * H + V) + 4 * ((uint64_t)c->block_size + 2);
    return per_param * nparams + per_row * (uint64_t)B;
}
