#ifndef PTV_CZLIB_SHIM_H
#define PTV_CZLIB_SHIM_H
/* zlib's gzip file interface: NumericsCore's GzipFile reads the gzipped IDX files of
   Fashion-MNIST (and writes the tests' fixtures). */
#include <zlib.h>
#endif
