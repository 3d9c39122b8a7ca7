/* The first two principal components of a small point cloud, for drawing
 * embeddings wider than two dimensions on a page. */
#ifndef MM_PCA_H
#define MM_PCA_H

#include "status.h"

/* X (n, d) row-major. coords (n, 2) receives each centred point projected
 * on the two leading principal axes; frac[k] the share of the total
 * variance along axis k. Power iteration in double with deflation; the
 * sign of each axis is fixed so its largest component is positive, so the
 * picture does not flip from run to run. */
mm_status mm_pca2(const float *X, int n, int d, double *coords, double frac[2], mm_err *err);

#endif
