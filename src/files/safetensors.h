/* A model's tensors as safetensors (https://huggingface.co/docs/safetensors):
 * an 8-byte little-endian header length, a JSON header naming each tensor's
 * dtype, shape and byte range, then the data. Each tensor is written under
 * its name (mm_tensor.name: makemore.py's state_dict key for its kinds) with
 * torch's shape: a 2-D weight stored (in, out) that torch holds (out, in)
 * (mm_tensor.transposed) is written transposed. Buffers are written too, as
 * state_dict() has them. */
#ifndef MM_SAFETENSORS_H
#define MM_SAFETENSORS_H

#include <stddef.h>

#include "model.h"

/* The whole file's bytes, in a new buffer for the caller to free. */
mm_status mm_safetensors_encode(const mm_model *m, unsigned char **out, size_t *len, mm_err *err);
/* Writes the file atomically (temp + rename). */
mm_status mm_export_safetensors(const mm_model *m, const char *path, mm_err *err);

/* Fills m's parameters and buffers (m built with the shape the file should
 * have) from len bytes of a safetensors file. Every tensor of m must be in
 * the file as F32 with torch's shape, and the file may hold no other; the
 * first mismatch is refused in one line naming path and the tensor
 * (MM_EFORMAT). m is unchanged on failure. */
mm_status mm_import_safetensors(mm_model *m, const unsigned char *buf, size_t len, const char *path,
                                mm_err *err);

#endif
