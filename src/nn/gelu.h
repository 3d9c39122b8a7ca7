/* GELU with the tanh approximation of GPT-2 (makemore.py's NewGELU):
 *   gelu(x) = x/2 (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3)))
 * tanh is simd.h's approximation (within 6 ulp of libm). */
#ifndef MM_GELU_H
#define MM_GELU_H

/* out (n) = gelu(x (n)); out may alias x. Each element is computed alone,
 * the same whatever the thread count. */
void mm_gelu_forward(float *out, const float *x, long n, int nthreads);
/* dx (n) = dout * gelu'(x); dx may alias dout */
void mm_gelu_backward(float *dx, const float *dout, const float *x, long n, int nthreads);

#endif
