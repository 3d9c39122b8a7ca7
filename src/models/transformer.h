/* makemore.py's Transformer (GPT-2 style, pre-LayerNorm) as a model kind.
 *
 *   x = wte[X] + wpe[position]                               (B*T, E)
 *   L blocks: x += c_proj(attention(c_attn(ln_1(x))))        causal, NH heads
 *             x += mlp.c_proj(gelu(mlp.c_fc(ln_2(x))))       4E hidden, tanh GELU
 *   logits = ln_f(x) @ lm_head                               (B*T, V), no bias
 *
 * Tensors, in params order and named as makemore.py's state_dict():
 * transformer.wte.weight (V, E), transformer.wpe.weight (T, E); for each
 * block N: transformer.h.N.{ln_1.weight, ln_1.bias} (E), attn.bias
 * (1, 1, T, T) (a buffer: the causal mask, ones on and below the
 * diagonal), attn.c_attn.weight (E, 3E), attn.c_attn.bias (3E),
 * attn.c_proj.weight (E, E), attn.c_proj.bias (E), {ln_2.weight,
 * ln_2.bias} (E), mlp.c_fc.weight (E, 4E), mlp.c_fc.bias (4E),
 * mlp.c_proj.weight (4E, E), mlp.c_proj.bias (E); then
 * transformer.ln_f.{weight, bias} (E) and lm_head.weight (E, V). Linear
 * weights are stored (in, out), transposed against torch's (out, in). */
#ifndef MM_TRANSFORMER_H
#define MM_TRANSFORMER_H

#include "kind.h"

extern const mm_kind mm_kind_transformer;

#endif
