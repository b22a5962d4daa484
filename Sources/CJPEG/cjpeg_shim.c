// libjpeg (libjpeg-turbo) reports errors by calling error_exit, which must not return: this shim
// turns that into a return code with setjmp/longjmp, which Swift cannot do itself.
#include "cjpeg_shim.h"
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <jpeglib.h>

struct pp_error {
    struct jpeg_error_mgr mgr;
    jmp_buf jump;
    char *message;
    size_t length;
};

static void pp_error_exit(j_common_ptr cinfo) {
    struct pp_error *e = (struct pp_error *)cinfo->err;
    char buffer[JMSG_LENGTH_MAX];
    (*cinfo->err->format_message)(cinfo, buffer);
    if (e->message && e->length > 0) { strncpy(e->message, buffer, e->length - 1); e->message[e->length - 1] = 0; }
    longjmp(e->jump, 1);
}

static void pp_quiet(j_common_ptr cinfo) { (void)cinfo; }

int pp_jpeg_decode(const unsigned char *data, size_t size, unsigned char **out, int *width, int *height,
                   char *err, size_t errlen) {
    struct jpeg_decompress_struct cinfo;
    struct pp_error jerr;
    unsigned char *volatile pixels = NULL;
    *out = NULL;
    cinfo.err = jpeg_std_error(&jerr.mgr);
    jerr.mgr.error_exit = pp_error_exit;
    jerr.mgr.output_message = pp_quiet;
    jerr.message = err; jerr.length = errlen;
    if (setjmp(jerr.jump)) {
        jpeg_destroy_decompress(&cinfo);
        free(pixels);
        return 1;
    }
    jpeg_create_decompress(&cinfo);
    jpeg_mem_src(&cinfo, data, (unsigned long)size);
    jpeg_read_header(&cinfo, TRUE);
    cinfo.out_color_space = JCS_RGB;
    jpeg_start_decompress(&cinfo);
    if (cinfo.output_components != 3 || cinfo.output_width == 0 || cinfo.output_height == 0 ||
        cinfo.output_width > 32768 || cinfo.output_height > 32768) {
        if (err && errlen) snprintf(err, errlen, "unsupported JPEG (%u x %u, %d components)", cinfo.output_width, cinfo.output_height, cinfo.output_components);
        jpeg_destroy_decompress(&cinfo);
        return 2;
    }
    size_t stride = (size_t)cinfo.output_width * 3;
    pixels = malloc(stride * cinfo.output_height);
    if (!pixels) { if (err && errlen) snprintf(err, errlen, "out of memory"); jpeg_destroy_decompress(&cinfo); return 3; }
    while (cinfo.output_scanline < cinfo.output_height) {
        JSAMPROW row = pixels + stride * cinfo.output_scanline;
        jpeg_read_scanlines(&cinfo, &row, 1);
    }
    jpeg_finish_decompress(&cinfo);
    *width = (int)cinfo.output_width;
    *height = (int)cinfo.output_height;
    jpeg_destroy_decompress(&cinfo);
    *out = pixels;
    return 0;
}

int pp_jpeg_encode(const unsigned char *rgb, int width, int height, int quality, unsigned char **out,
                   unsigned long *out_size, char *err, size_t errlen) {
    struct jpeg_compress_struct cinfo;
    struct pp_error jerr;
    unsigned char *buffer = NULL;
    unsigned long size = 0;
    *out = NULL; *out_size = 0;
    cinfo.err = jpeg_std_error(&jerr.mgr);
    jerr.mgr.error_exit = pp_error_exit;
    jerr.mgr.output_message = pp_quiet;
    jerr.message = err; jerr.length = errlen;
    if (setjmp(jerr.jump)) {
        jpeg_destroy_compress(&cinfo);
        free(buffer);
        return 1;
    }
    jpeg_create_compress(&cinfo);
    jpeg_mem_dest(&cinfo, &buffer, &size);
    cinfo.image_width = (JDIMENSION)width;
    cinfo.image_height = (JDIMENSION)height;
    cinfo.input_components = 3;
    cinfo.in_color_space = JCS_RGB;
    jpeg_set_defaults(&cinfo);
    jpeg_set_quality(&cinfo, quality, TRUE);
    jpeg_start_compress(&cinfo, TRUE);
    size_t stride = (size_t)width * 3;
    while (cinfo.next_scanline < cinfo.image_height) {
        JSAMPROW row = (JSAMPROW)(rgb + stride * cinfo.next_scanline);
        jpeg_write_scanlines(&cinfo, &row, 1);
    }
    jpeg_finish_compress(&cinfo);
    jpeg_destroy_compress(&cinfo);
    *out = buffer;
    *out_size = size;
    return 0;
}

void pp_jpeg_free(void *p) { free(p); }
