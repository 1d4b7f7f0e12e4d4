// Part of swift-media-capture, under the Apache License 2.0 (see LICENSE).
// The virtual camera's picture: four vertical bars a test can check after any scaling or format
// conversion, and its JPEG for MJPEG modes. The JPEG is encoded as a webcam's is (libjpeg, quality
// 88, 4:2:2) from the bars with detail added (fine noise and a zone plate, zero on average, a few
// levels at the bars' centres), so that it is a few hundred kB at 1080p and costs to decode what a
// webcam's frame costs, not a flat picture's.
#include "virtual_camera.h"

#include <math.h>
#include <setjmp.h>
#include <stdio.h>  // before jpeglib.h, which uses FILE
#include <stdlib.h>
#include <string.h>

#include <jpeglib.h>

static const uint8_t bars[4][3] = {{220, 40, 40}, {40, 200, 40}, {40, 40, 220}, {230, 230, 230}};

void vc_pattern_rgb(uint32_t x, uint32_t width, uint8_t rgb[3]) {
    uint32_t bar = width ? (uint32_t)((uint64_t)x * 4 / width) : 0;
    memcpy(rgb, bars[bar > 3 ? 3 : bar], 3);
}

// libjpeg reports a fatal error by calling error_exit, whose default ends the process: here it
// jumps back, and the frame is empty.
typedef struct {
    struct jpeg_error_mgr manager;
    jmp_buf back;
} recovery;

static void jump_back(j_common_ptr info) { longjmp(((recovery *)info->err)->back, 1); }

static uint8_t clamp(double value) { return value < 0 ? 0 : value > 255 ? 255 : (uint8_t)(value + 0.5); }

// A deterministic noise in [-1, 1] per pixel.
static double noise(uint32_t x, uint32_t y) {
    uint32_t h = x * 374761393u + y * 668265263u;
    h = (h ^ (h >> 13)) * 1274126177u;
    return (double)((h ^ (h >> 16)) & 0xFFFF) / 32767.5 - 1.0;
}

uint8_t *vc_encode_pattern_jpeg(uint32_t width, uint32_t height, size_t *size) {
    *size = 0;
    if (width == 0 || height == 0 || width > 65500 || height > 65500) return NULL;
    struct jpeg_compress_struct info;
    recovery errors;
    info.err = jpeg_std_error(&errors.manager);
    errors.manager.error_exit = jump_back;
    unsigned char *volatile out = NULL;
    unsigned long volatile length = 0;
    uint8_t *volatile row = NULL;
    if (setjmp(errors.back)) {
        jpeg_destroy_compress(&info);
        free(out);
        free(row);
        return NULL;
    }
    jpeg_create_compress(&info);
    jpeg_mem_dest(&info, (unsigned char **)&out, (unsigned long *)&length);
    info.image_width = width;
    info.image_height = height;
    info.input_components = 3;
    info.in_color_space = JCS_YCbCr;
    jpeg_set_defaults(&info);
    jpeg_set_quality(&info, 88, TRUE);
    // 4:2:2 as UVC cameras send it: Y sampled 2x1, Cb and Cr 1x1.
    info.comp_info[0].h_samp_factor = 2;
    info.comp_info[0].v_samp_factor = 1;
    info.comp_info[1].h_samp_factor = info.comp_info[1].v_samp_factor = 1;
    info.comp_info[2].h_samp_factor = info.comp_info[2].v_samp_factor = 1;
    info.dct_method = JDCT_ISLOW;
    jpeg_start_compress(&info, TRUE);
    row = malloc((size_t)width * 3);
    if (!row) longjmp(errors.back, 1);
    double scale = 3.14159265358979 / (double)(width > height ? width : height);
    while (info.next_scanline < height) {
        uint32_t y = info.next_scanline;
        for (uint32_t x = 0; x < width; x++) {
            uint8_t rgb[3];
            vc_pattern_rgb(x, width, rgb);
            double r = rgb[0], g = rgb[1], b = rgb[2];
            // Full-range BT.601, as JFIF means it.
            double luma = 0.299 * r + 0.587 * g + 0.114 * b;
            double cb = 128 - 0.168736 * r - 0.331264 * g + 0.5 * b, cr = 128 + 0.5 * r - 0.418688 * g - 0.081312 * b;
            double dx = (double)x - width / 2.0, dy = (double)y - height / 2.0;
            double detail = 5 * noise(x, y) + 6 * sin((dx * dx + dy * dy) * scale);
            row[x * 3] = clamp(luma + detail);
            row[x * 3 + 1] = clamp(cb + 2 * noise(y, x));
            row[x * 3 + 2] = clamp(cr + 2 * noise(x + 7, y + 3));
        }
        JSAMPROW rows[1] = {row};
        jpeg_write_scanlines(&info, rows, 1);
    }
    jpeg_finish_compress(&info);
    jpeg_destroy_compress(&info);
    free(row);
    *size = length;
    return out;
}
