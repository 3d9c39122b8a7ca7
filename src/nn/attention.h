/* Causal multi-head self-attention for short sequences, fused per
 * (example, head): scores, mask, softmax and the weighted sum of values in
 * one pass that stays in L1 for T up to about 64.
 *
 * Letters: B examples, T positions, E width, NH heads of HS = E / NH
 * features. qkv (B*T, 3E) holds each position's query, key and value side
 * by side (makemore.py's c_attn output, split at E and 2E), head h in
 * columns h*HS.. of each. att (B, NH, T, T) holds the softmax
 * probabilities, zeros above the diagonal. Every (example, head) is
 * independent of the others and threads take whole ones, so results do
 * not depend on the thread count. */
#ifndef MM_ATTENTION_H
#define MM_ATTENTION_H

/* Floats of scratch the kernels below need: B * T * (E + NH * T), a slice
 * for each (example, head), so threads never share one. */
long mm_attention_scratch(int B, int T, int E, int NH);

/* y (B*T, E) = softmax(q k^T / sqrt(HS), causal) v, heads side by side;
 * att (B, NH, T, T) the probabilities; scratch (mm_attention_scratch). */
void mm_attention_forward(float *y, float *att, float *scratch, const float *qkv, int B, int T,
                          int E, int NH, int nthreads);
/* dqkv (B*T, 3E) = the gradient of q, k and v (overwritten) from dy
 * (B*T, E), given the forward's qkv and att. */
void mm_attention_backward(float *dqkv, float *scratch, const float *dy, const float *att,
                           const float *qkv, int B, int T, int E, int NH, int nthreads);

#endif
