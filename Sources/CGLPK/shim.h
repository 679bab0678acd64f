#ifndef PTV_CGLPK_SHIM_H
#define PTV_CGLPK_SHIM_H
/* GLPK (GNU Linear Programming Kit): the exact rational simplex used by the Bounds module's
   certificate checker. Debian ships no pkg-config file, so the module map links "glpk". */
#include <glpk.h>
#endif
