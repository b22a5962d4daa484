#ifndef PIXELPILOT_CPNG_SHIM_H
#define PIXELPILOT_CPNG_SHIM_H
#include <png.h>
#endif
