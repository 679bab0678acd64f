#ifndef PTV_CKERNELS_H
#define PTV_CKERNELS_H
#include <stddef.h>

/* The coefficient engine's per-step work for small shapes, fused and without a BLAS call per
   step: descent of the coordinates C, the inner products Z = Z0 + C G, and the forward pass
   (outputs and logistic-loss derivatives). All matrices are row-major doubles. The model is the
   two-class sum of ReLUs of the package's theory document, section 5; the Swift side documents
   each formula (NumericsCore.CoefficientKernel). */
typedef struct {
    int rows;                          /* 2m filters */
    int half;                          /* m: rows below it are class +1, the rest class -1 */
    int signal;                        /* S signal patches: columns 0..<S of Z and C */
    int samples;                       /* n training samples: columns S..<S+n */
    const double *gram;                /* G, K rows of gram_stride columns (K = S + n), zero beyond K */
    int gram_stride;                   /* K rounded up to a multiple of 16 */
    const double *initial_inner;       /* Z0, rows of gram_stride columns, zero beyond K; both may be NULL
                                          except for ptv_coefficient_advance */
    const double *labels;              /* y_i, n */
    const double *true_labels;         /* the clean label of sample i, n */
    const unsigned char *moving;       /* 1 for rows that train, 0 for frozen rows */
    double eta;                        /* step size */
} ptv_coefficient_problem;

/* The widest instruction set this CPU runs the kernels with: 0 baseline x86-64, 1 AVX2 with FMA,
   2 AVX-512. Every kernel takes the level to run at, lowered to this one. */
int ptv_kernel_level(void);

/* The scratch every call below needs, in doubles. */
size_t ptv_coefficient_scratch(const ptv_coefficient_problem *p);

/* outputs[i] = f(W, x_i) and derivatives[i] = l'(y_i f) at inner products z (rows x K, as are
   C and z below). */
void ptv_coefficient_forward(int level, const ptv_coefficient_problem *p, const double *z,
                             double *outputs, double *derivatives, double *scratch);

/* C <- C - eta dC at inner products z and the derivatives of the forward pass at z. */
void ptv_coefficient_descend(int level, const ptv_coefficient_problem *p, const double *z,
                             const double *derivatives, double *c, double *scratch);

/* `count` whole steps: descend, z <- Z0 + C G, forward. */
void ptv_coefficient_advance(int level, const ptv_coefficient_problem *p, long count, double *c, double *z,
                             double *outputs, double *derivatives, double *scratch);
#endif
