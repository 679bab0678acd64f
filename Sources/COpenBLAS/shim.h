#ifndef PTV_COPENBLAS_SHIM_H
#define PTV_COPENBLAS_SHIM_H
#include <stddef.h>
#include <cblas.h>

/* LAPACK routines exported by OpenBLAS (Fortran symbols; OpenBLAS ships no LAPACKE).
   gfortran ABI: every argument by pointer, plus one hidden trailing size_t length per
   CHARACTER argument. Matrices are column-major. */

/* Cholesky factorisation of a symmetric positive-definite matrix. */
void dpotrf_(const char *uplo, const int *n, double *a, const int *lda, int *info, size_t uplo_len);

/* Cholesky factorisation with complete pivoting of a positive semi-definite matrix:
   P^T A P = U^T U (uplo "U"); `rank` is the computed rank, `piv` 1-based, work of size 2n. */
void dpstrf_(const char *uplo, const int *n, double *a, const int *lda, int *piv, int *rank,
             const double *tol, double *work, int *info, size_t uplo_len);

/* Stops OpenBLAS's worker threads (they are restarted on demand by a multi-threaded call).
   Exported by OpenBLAS's thread server; no header declares it. */
int blas_thread_shutdown_(void);
#endif
