// Part of swift-media-capture, under the Apache License 2.0 (see LICENSE).
// The virtual camera's picture: four vertical bars a test can check after any scaling or format
// conversion, and its baseline JPEG for MJPEG modes. The picture is flat within each 8x8 block
// (bars are wide), so the JPEG needs only DC coefficients: every block is one DC code plus an
// end-of-block, with the standard DC tables and a one-symbol AC table.
#include "virtual_camera.h"

#include <string.h>

static const uint8_t bars[4][3] = {{220, 40, 40}, {40, 200, 40}, {40, 40, 220}, {230, 230, 230}};

void vc_pattern_rgb(uint32_t x, uint32_t width, uint8_t rgb[3]) {
    uint32_t bar = width ? (uint32_t)((uint64_t)x * 4 / width) : 0;
    memcpy(rgb, bars[bar > 3 ? 3 : bar], 3);
}

typedef struct {
    uint8_t *out;
    size_t capacity, size;
    uint32_t bits;
    int count;
    bool overflow;
} writer;

static void put_byte(writer *w, uint8_t byte) {
    if (w->size >= w->capacity) {
        w->overflow = true;
        return;
    }
    w->out[w->size++] = byte;
}

static void put_bytes(writer *w, const uint8_t *bytes, size_t count) {
    for (size_t i = 0; i < count; i++) put_byte(w, bytes[i]);
}

static void put_bits(writer *w, uint32_t code, int length) {
    for (int i = length - 1; i >= 0; i--) {
        w->bits = (w->bits << 1) | ((code >> i) & 1);
        if (++w->count == 8) {
            put_byte(w, (uint8_t)w->bits);
            if ((uint8_t)w->bits == 0xFF) put_byte(w, 0);  // byte stuffing
            w->bits = 0;
            w->count = 0;
        }
    }
}

// The standard DC tables (ITU T.81 K.3): code lengths per category 0...11.
static const uint8_t luma_dc_bits[16] = {0, 1, 5, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0, 0, 0};
static const uint8_t chroma_dc_bits[16] = {0, 3, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0};

typedef struct {
    uint16_t code[12];
    uint8_t length[12];
} dc_table;

static void build_table(const uint8_t bits[16], dc_table *table) {
    uint16_t code = 0;
    int symbol = 0;
    for (int length = 1; length <= 16; length++) {
        for (int i = 0; i < bits[length - 1]; i++, symbol++) {
            table->code[symbol] = code++;
            table->length[symbol] = (uint8_t)length;
        }
        code <<= 1;
    }
}

static void put_dc(writer *w, const dc_table *table, int diff) {
    int magnitude = diff < 0 ? -diff : diff, category = 0;
    while (magnitude >> category) category++;
    put_bits(w, table->code[category], table->length[category]);
    if (category) put_bits(w, (uint32_t)(diff < 0 ? diff + (1 << category) - 1 : diff), category);
    put_bits(w, 0, 1);  // end of block: the only AC symbol, code "0"
}

static void put_dht(writer *w, uint8_t class_and_id, const uint8_t bits[16], int symbols) {
    int length = 2 + 1 + 16 + symbols;
    const uint8_t header[] = {0xFF, 0xC4, (uint8_t)(length >> 8), (uint8_t)length, class_and_id};
    put_bytes(w, header, sizeof header);
    put_bytes(w, bits, 16);
    for (int i = 0; i < symbols; i++) put_byte(w, class_and_id >> 4 ? 0x00 : (uint8_t)i);
}

/// JFIF's full-range BT.601 luma/chroma of the pattern at (x), scaled as the DC coefficient wants.
static void ycbcr_at(uint32_t x, uint32_t width, int out[3]) {
    uint8_t rgb[3];
    vc_pattern_rgb(x < width ? x : width - 1, width, rgb);
    double r = rgb[0], g = rgb[1], b = rgb[2];
    double y = 0.299 * r + 0.587 * g + 0.114 * b;
    double cb = 128 - 0.168736 * r - 0.331264 * g + 0.5 * b;
    double cr = 128 + 0.5 * r - 0.418688 * g - 0.081312 * b;
    // A flat block's DC is 8 x (sample - 128); the quantiser is 1.
    out[0] = (int)(8 * (y - 128) + (y >= 128 ? 0.5 : -0.5));
    out[1] = (int)(8 * (cb - 128) + (cb >= 128 ? 0.5 : -0.5));
    out[2] = (int)(8 * (cr - 128) + (cr >= 128 ? 0.5 : -0.5));
}

size_t vc_encode_pattern_jpeg(uint32_t width, uint32_t height, uint8_t *out, size_t capacity) {
    if (width == 0 || height == 0 || width > 65535 || height > 65535) return 0;
    writer w = {.out = out, .capacity = capacity};
    static const uint8_t soi_app0[] = {0xFF, 0xD8, 0xFF, 0xE0, 0, 16, 'J', 'F', 'I', 'F', 0, 1, 1, 0, 0, 1, 0, 1, 0, 0};
    put_bytes(&w, soi_app0, sizeof soi_app0);
    const uint8_t dqt[] = {0xFF, 0xDB, 0, 67, 0};
    put_bytes(&w, dqt, sizeof dqt);
    for (int i = 0; i < 64; i++) put_byte(&w, 1);
    // 4:2:2 as UVC cameras send it: Y sampled 2x1, Cb and Cr 1x1.
    const uint8_t sof[] = {0xFF, 0xC0, 0, 17, 8, (uint8_t)(height >> 8), (uint8_t)height, (uint8_t)(width >> 8),
                           (uint8_t)width, 3, 1, 0x21, 0, 2, 0x11, 0, 3, 0x11, 0};
    put_bytes(&w, sof, sizeof sof);
    static const uint8_t ac_bits[16] = {1};
    put_dht(&w, 0x00, luma_dc_bits, 12);
    put_dht(&w, 0x01, chroma_dc_bits, 12);
    put_dht(&w, 0x10, ac_bits, 1);
    const uint8_t sos[] = {0xFF, 0xDA, 0, 12, 3, 1, 0x00, 2, 0x10, 3, 0x10, 0, 63, 0};
    put_bytes(&w, sos, sizeof sos);
    dc_table luma, chroma;
    build_table(luma_dc_bits, &luma);
    build_table(chroma_dc_bits, &chroma);
    int previous[3] = {0, 0, 0};
    uint32_t columns = (width + 15) / 16, rows = (height + 7) / 8;
    for (uint32_t row = 0; row < rows; row++) {
        for (uint32_t column = 0; column < columns && !w.overflow; column++) {
            int left[3], right[3], middle[3];
            ycbcr_at(column * 16 + 4, width, left);
            ycbcr_at(column * 16 + 12, width, right);
            ycbcr_at(column * 16 + 8, width, middle);
            put_dc(&w, &luma, left[0] - previous[0]);
            put_dc(&w, &luma, right[0] - left[0]);
            previous[0] = right[0];
            put_dc(&w, &chroma, middle[1] - previous[1]);
            previous[1] = middle[1];
            put_dc(&w, &chroma, middle[2] - previous[2]);
            previous[2] = middle[2];
        }
    }
    if (w.count) put_bits(&w, 0x7F, 8 - w.count);  // pad the last byte with ones
    put_byte(&w, 0xFF);
    put_byte(&w, 0xD9);
    return w.overflow ? 0 : w.size;
}
