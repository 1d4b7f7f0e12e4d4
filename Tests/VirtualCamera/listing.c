// Part of swift-media-capture, under the Apache License 2.0 (see LICENSE).
// The `v4l2-ctl` listings the virtual camera is configured by: the same forms the library's
// V4L2Listing reads (both kernels' control names, tabs or spaces, `flags=` lists, menus or none).
#include "virtual_camera.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

// The kernel's standard menus (v4l2_ctrl_get_menu), for listings that print no menu items.
typedef struct {
    uint32_t id;
    const char *items[10];
} standard_menu;

static const standard_menu standard_menus[] = {
    {V4L2_CID_EXPOSURE_AUTO, {"Auto Mode", "Manual Mode", "Shutter Priority Mode", "Aperture Priority Mode"}},
    {V4L2_CID_POWER_LINE_FREQUENCY, {"Disabled", "50 Hz", "60 Hz", "Auto"}},
    {V4L2_CID_AUTO_N_PRESET_WHITE_BALANCE,
     {"Manual", "Auto", "Incandescent", "Fluorescent", "Fluorescent H", "Horizon", "Daylight", "Flash", "Cloudy", "Shade"}},
    {V4L2_CID_EXPOSURE_METERING, {"Average", "Center Weighted", "Spot", "Matrix"}},
    {V4L2_CID_ISO_SENSITIVITY_AUTO, {"Manual", "Auto"}},
    {V4L2_CID_FLASH_LED_MODE, {"Off", "Flash", "Torch"}},
};

static const char *skip_space(const char *p) {
    while (*p == ' ' || *p == '\t') p++;
    return p;
}

/// Copies the line at `*cursor` (cut to `size`) into `line` and moves past it; false at the end.
static bool next_line(const char **cursor, char *line, size_t size) {
    if (!**cursor) return false;
    const char *end = strchr(*cursor, '\n');
    size_t length = end ? (size_t)(end - *cursor) : strlen(*cursor);
    snprintf(line, size, "%.*s", (int)(length < size ? length : size - 1), *cursor);
    *cursor += length + (end ? 1 : 0);
    return true;
}

static uint32_t control_type(const char *name, size_t length) {
    static const struct { const char *name; uint32_t type; } types[] = {
        {"int", V4L2_CTRL_TYPE_INTEGER}, {"bool", V4L2_CTRL_TYPE_BOOLEAN}, {"menu", V4L2_CTRL_TYPE_MENU},
        {"intmenu", V4L2_CTRL_TYPE_INTEGER_MENU}, {"button", V4L2_CTRL_TYPE_BUTTON},
        {"int64", V4L2_CTRL_TYPE_INTEGER64}, {"bitmask", V4L2_CTRL_TYPE_BITMASK}, {"str", V4L2_CTRL_TYPE_STRING},
    };
    for (size_t i = 0; i < sizeof types / sizeof types[0]; i++)
        if (strlen(types[i].name) == length && strncmp(types[i].name, name, length) == 0) return types[i].type;
    return 0;
}

static uint32_t control_flags(const char *list) {
    static const struct { const char *name; uint32_t flag; } flags[] = {
        {"disabled", V4L2_CTRL_FLAG_DISABLED}, {"grabbed", V4L2_CTRL_FLAG_GRABBED},
        {"read-only", V4L2_CTRL_FLAG_READ_ONLY}, {"update", V4L2_CTRL_FLAG_UPDATE},
        {"inactive", V4L2_CTRL_FLAG_INACTIVE}, {"slider", V4L2_CTRL_FLAG_SLIDER},
        {"write-only", V4L2_CTRL_FLAG_WRITE_ONLY}, {"volatile", V4L2_CTRL_FLAG_VOLATILE},
        {"execute-on-write", V4L2_CTRL_FLAG_EXECUTE_ON_WRITE}, {"has-min-max", 0},
    };
    uint32_t result = 0;
    for (size_t i = 0; i < sizeof flags / sizeof flags[0]; i++)
        if (strstr(list, flags[i].name)) result |= flags[i].flag;
    return result;
}

/// `key=` followed by an integer in `fields` (before any `flags=`), or `fallback`.
static int64_t field(const char *fields, const char *key, int64_t fallback) {
    size_t length = strlen(key);
    for (const char *p = fields; (p = strstr(p, key)) != NULL; p += length) {
        if ((p == fields || p[-1] == ' ') && p[length] == '=') {
            char *end;
            long long value = strtoll(p + length + 1, &end, 10);
            return end == p + length + 1 ? fallback : value;
        }
    }
    return fallback;
}

static int compare_ids(const void *a, const void *b) {
    uint32_t x = ((const vc_control *)a)->id, y = ((const vc_control *)b)->id;
    return x < y ? -1 : x > y;
}

static void add_standard_menu(vc_control *control) {
    for (size_t m = 0; m < sizeof standard_menus / sizeof standard_menus[0]; m++) {
        if (standard_menus[m].id != control->id) continue;
        for (int64_t index = 0; index < 10; index++) {
            const char *item = standard_menus[m].items[index];
            if (!item || index < control->minimum || index > control->maximum) continue;
            vc_menu_item *slot = &control->menu[control->menu_count++];
            slot->index = index;
            snprintf(slot->name, sizeof slot->name, "%s", item);
        }
    }
}

int vc_parse_controls(const char *text, vc_listing *out) {
    out->control_count = 0;
    char line[512];
    for (const char *cursor = text; next_line(&cursor, line, sizeof line);) {
        const char *p = skip_space(line);
        if (*p == '#' || *p == 0) continue;
        // A menu item: "1: Manual Mode", for the control before it.
        char *after;
        long long index = strtoll(p, &after, 10);
        if (after != p && *after == ':' && out->control_count > 0) {
            vc_control *control = &out->controls[out->control_count - 1];
            if (control->menu_count < VC_MAX_MENU) {
                vc_menu_item *item = &control->menu[control->menu_count++];
                item->index = index;
                snprintf(item->name, sizeof item->name, "%s", skip_space(after + 1));
            }
            continue;
        }
        // "name 0x00980900 (int)    : min=0 max=255 step=1 default=128 value=128 flags=inactive"
        char name[64], hex[32];
        int consumed = 0;
        if (sscanf(p, "%63s %31s %n", name, hex, &consumed) < 2 || strncmp(hex, "0x", 2) != 0) continue;
        const char *open = strchr(p + consumed, '('), *close = open ? strchr(open, ')') : NULL;
        const char *colon = close ? strchr(close, ':') : NULL;
        if (!colon || out->control_count >= VC_MAX_CONTROLS) continue;
        uint32_t type = control_type(open + 1, (size_t)(close - open - 1));
        if (type == 0) continue;
        vc_control *control = &out->controls[out->control_count];
        memset(control, 0, sizeof *control);
        control->id = (uint32_t)strtoul(hex + 2, NULL, 16);
        control->type = type;
        snprintf(control->name, sizeof control->name, "%.31s", name);
        char fields[400];
        snprintf(fields, sizeof fields, "%s", colon + 1);
        char *flags = strstr(fields, "flags=");
        if (flags) {
            control->flags = control_flags(flags + 6);
            *flags = 0;
        }
        bool boolean = type == V4L2_CTRL_TYPE_BOOLEAN;
        control->minimum = field(fields, "min", 0);
        control->maximum = field(fields, "max", boolean ? 1 : 0);
        control->step = field(fields, "step", 1);
        control->default_value = field(fields, "default", 0);
        control->value = field(fields, "value", control->default_value);
        if (type == V4L2_CTRL_TYPE_BUTTON) control->flags |= V4L2_CTRL_FLAG_WRITE_ONLY;
        out->control_count++;
    }
    for (int i = 0; i < out->control_count; i++)
        if (out->controls[i].type == V4L2_CTRL_TYPE_MENU && out->controls[i].menu_count == 0)
            add_standard_menu(&out->controls[i]);
    qsort(out->controls, (size_t)out->control_count, sizeof out->controls[0], compare_ids);
    return out->control_count;
}

/// Seconds per frame for a listed rate ("30.000", "7.500"), as a reduced fraction.
static void interval_for(double fps, uint32_t *numerator, uint32_t *denominator) {
    uint64_t n = 1000, d = (uint64_t)(fps * 1000 + 0.5);
    for (uint64_t a = n, b = d; b != 0;) {
        uint64_t t = a % b;
        a = b;
        b = t;
        if (b == 0) {
            n /= a;
            d /= a;
        }
    }
    *numerator = (uint32_t)n;
    *denominator = (uint32_t)d;
}

int vc_parse_formats(const char *text, vc_listing *out) {
    out->mode_count = 0;
    uint32_t fourcc = 0, width = 0, height = 0;
    char description[32] = "";
    char line[512];
    for (const char *cursor = text; next_line(&cursor, line, sizeof line);) {
        const char *p = skip_space(line);
        const char *quote = strchr(p, '\'');
        if (*p == '[' && quote && strlen(quote) >= 6 && quote[5] == '\'') {
            fourcc = v4l2_fourcc(quote[1], quote[2], quote[3], quote[4]);
            width = height = 0;
            const char *open = strchr(quote + 6, '('), *close = open ? strrchr(open, ')') : NULL;
            snprintf(description, sizeof description, "%.*s", open && close ? (int)(close - open - 1) : 0, open ? open + 1 : "");
        } else if (strncmp(p, "Size: Discrete ", 15) == 0) {
            if (sscanf(p + 15, "%ux%u", &width, &height) != 2) width = height = 0;
        } else if (strncmp(p, "Interval: Discrete", 18) == 0 && fourcc && width && height) {
            const char *open = strchr(p, '(');
            double fps = open ? strtod(open + 1, NULL) : 0;
            if (!(fps > 0 && fps < 10000) || out->mode_count >= VC_MAX_MODES) continue;
            vc_mode *mode = &out->modes[out->mode_count++];
            mode->fourcc = fourcc;
            snprintf(mode->description, sizeof mode->description, "%s", description);
            mode->width = width;
            mode->height = height;
            interval_for(fps, &mode->interval_numerator, &mode->interval_denominator);
        }
    }
    return out->mode_count;
}

void vc_parse_card(const char *text, char out[32]) {
    snprintf(out, 32, "Virtual Camera");
    const char *line = strstr(text, "# Device:");
    if (!line) return;
    const char *card = strstr(line, "card type '"), *newline = strchr(line, '\n');
    if (card && (!newline || card < newline)) {
        card += 11;
        const char *close = strchr(card, '\'');
        if (close) snprintf(out, 32, "%.*s", (int)(close - card), card);
        return;
    }
    const char *name = skip_space(line + 9), *stop = name;
    while (*stop && *stop != '(' && *stop != '\n') stop++;
    while (stop > name && stop[-1] == ' ') stop--;
    if (stop > name) snprintf(out, 32, "%.*s", (int)(stop - name), name);
}
