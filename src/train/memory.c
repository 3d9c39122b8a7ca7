#include "memory.h"

#include "kind.h"

#ifndef __wasi__
#include <sys/resource.h>
#endif
#include <unistd.h>

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

uint64_t mm_memory_available(void)
{
#ifdef __wasi__
    /* wasm32 addresses 4 GiB; the web build lets its memory grow to 2 */
    return (uint64_t)2 << 30;
#else
    long pages = sysconf(_SC_PHYS_PAGES), size = sysconf(_SC_PAGESIZE);
    uint64_t avail = pages > 0 && size > 0 ? (uint64_t)pages * (uint64_t)size : UINT64_MAX;
    /* ulimit -v and -d bound what malloc can get, whatever the machine has */
    int limits[] = {RLIMIT_AS, RLIMIT_DATA};
    for (int i = 0; i < 2; i++) {
        struct rlimit rl;
        if (getrlimit(limits[i], &rl) == 0 && rl.rlim_cur != RLIM_INFINITY && (uint64_t)rl.rlim_cur < avail)
            avail = (uint64_t)rl.rlim_cur;
    }
    return avail;
#endif
}
