#ifndef PTV_CGLPK_SHIM_H
#define PTV_CGLPK_SHIM_H
/* GLPK (GNU Linear Programming Kit): the exact rational simplex behind NumericsCore's
   ExactLinearProgram (the Bounds module's certificate checker uses it). Debian ships no pkg-config file, so the module map links "glpk". */
#include <glpk.h>
#endif
