#ifndef PTV_CYAML_SHIM_H
#define PTV_CYAML_SHIM_H
/* libyaml's event parser: NumericsCore's YAMLShape walks the events of an input file to bound
   its size, nesting depth and alias expansion before the file is composed into nodes. */
#include <yaml.h>
#endif
