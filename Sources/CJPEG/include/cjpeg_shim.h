#ifndef PIXELPILOT_CJPEG_SHIM_H
#define PIXELPILOT_CJPEG_SHIM_H
#include <stddef.h>

/// Decodes JPEG bytes to 8-bit RGB (malloc'd into *out; free with pp_jpeg_free).
/// Returns 0 on success; otherwise non-zero with a message in err.
int pp_jpeg_decode(const unsigned char *data, size_t size, unsigned char **out, int *width, int *height,
                   char *err, size_t errlen);

/// Encodes 8-bit RGB pixels as JPEG at quality 1-100 (malloc'd into *out; free with pp_jpeg_free).
int pp_jpeg_encode(const unsigned char *rgb, int width, int height, int quality, unsigned char **out,
                   unsigned long *out_size, char *err, size_t errlen);

void pp_jpeg_free(void *p);
#endif
