#ifndef PTV_CGSL_SHIM_H
#define PTV_CGSL_SHIM_H
/* CBLAS comes from OpenBLAS; skip GSL's own gsl_cblas.h through its include guard so the two
   CBLAS declarations never meet in one Swift module. */
#include "../COpenBLAS/shim.h"
#define __GSL_CBLAS_H__ 1

#include <gsl/gsl_version.h>
#include <gsl/gsl_errno.h>
#include <gsl/gsl_math.h>
#include <gsl/gsl_sf_erf.h>
#include <gsl/gsl_sf_exp.h>
#include <gsl/gsl_sf_lambert.h>
#include <gsl/gsl_sf_log.h>
#include <gsl/gsl_sf_gamma.h>
#include <gsl/gsl_cdf.h>
#include <gsl/gsl_roots.h>
#include <gsl/gsl_integration.h>
#include <gsl/gsl_rng.h>
#include <gsl/gsl_randist.h>

/* Swift 6 rejects reads of mutable C globals; reach them through accessors. */
static inline const gsl_root_fsolver_type *ptv_gsl_root_fsolver_brent(void) { return gsl_root_fsolver_brent; }
static inline const char *ptv_gsl_version(void) { return gsl_version; }
static inline const gsl_rng_type *ptv_gsl_rng_mt19937(void) { return gsl_rng_mt19937; }
#endif
