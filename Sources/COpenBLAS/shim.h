#ifndef PTV_COPENBLAS_SHIM_H
#define PTV_COPENBLAS_SHIM_H
#include <stddef.h>
#include <cblas.h>
#endif
