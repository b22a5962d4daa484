#ifndef PIXELPILOT_CBLAS_SHIM_H
#define PIXELPILOT_CBLAS_SHIM_H
#include <cblas.h>
/* OpenBLAS extras: thread control. */
void openblas_set_num_threads(int num_threads);
int openblas_get_num_threads(void);
#endif
