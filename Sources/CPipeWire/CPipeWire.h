// Part of swift-media-capture, under the Apache License 2.0 (see LICENSE).
// CPipeWire: libpipewire's headers plus a one-shot listing of the graph's video sources.
//
// Why not GStreamer's PipeWire device provider: 0.3.65's (Debian 12) destroys its registry without
// its loop's lock, leaves listeners and node proxies behind, and dereferences a cleared core when a
// node it bound changes while its probe ends (a crash, about 1 probe in 200 as cameras open). This
// listing runs on the caller's thread with a loop of its own (no PipeWire thread touches its
// objects), and removes every listener and proxy before it disconnects.
//
// Helpers are `static inline` and named `CPipeWire_<what they do>`; libpipewire's methods are
// function-like macros, which Swift does not import.
#ifndef CPIPEWIRE_H
#define CPIPEWIRE_H

#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <pipewire/pipewire.h>
#include <spa/debug/types.h>
#include <spa/param/format-utils.h>
#include <spa/param/video/type-info.h>
#include <spa/pod/iter.h>
#include <spa/utils/string.h>

// MARK: - What a listing holds

/// One EnumFormat of a node or port: each array holds the pod's values as SPA writes them (for a
/// choice, the default first; `*_choice` is an `enum spa_choice_type`).
typedef struct {
    uint32_t subtype;  // SPA_MEDIA_SUBTYPE_raw, _mjpg...
    uint32_t format_choice, n_formats;
    uint32_t *formats;  // enum spa_video_format
    uint32_t size_choice, n_sizes;
    struct spa_rectangle *sizes;
    uint32_t rate_choice, n_rates;
    struct spa_fraction *rates;
} CPipeWire_format;

typedef struct {
    uint32_t id;
    struct pw_properties *props;  // the node's own (info), NULL until its info came
    bool is_source;               // output ports and no input port, as GStreamer's provider requires
    uint32_t n_formats, capacity;
    CPipeWire_format *formats;
    bool removed;                 // gone from the graph during the listing
    struct pw_proxy *proxy;       // private to the listing
} CPipeWire_node;

typedef struct {
    CPipeWire_node *nodes;
    uint32_t n_nodes, node_capacity;
    /// Some node's `object.path` starts with "v4l2:" or "libcamera:": PipeWire serves those cameras itself.
    bool serves_v4l2, serves_libcamera;
    // Private to the listing:
    struct pw_proxy **ports;
    uint32_t n_ports, port_capacity;
    const char *media_class;
    struct pw_core *core;
    struct pw_registry *registry;
    struct spa_hook core_listener, registry_listener;
    int pending, error;
    bool done;
} CPipeWire_listing;

/// A bound node's or port's listener state, kept in its proxy's user data: the arrays above move
/// when they grow, a proxy's user data never does (a hook is linked into the proxy's list).
typedef struct {
    CPipeWire_listing *listing;
    struct pw_proxy *proxy;
    uint32_t node;  // index in nodes
    bool enumerated;
    struct spa_hook hook, proxy_hook;
} CPipeWire_binding;

// MARK: - Parsing a format

static inline void *CPipeWire_values(const struct spa_pod *pod, uint32_t key, uint32_t type, uint32_t size,
                                     uint32_t *choice, uint32_t *count) {
    *choice = SPA_CHOICE_None;
    *count = 0;
    const struct spa_pod_prop *prop = spa_pod_find_prop(pod, NULL, key);
    if (prop == NULL) return NULL;
    const struct spa_pod *value = &prop->value;
    uint32_t n = 1, kind = SPA_CHOICE_None;
    const void *body = SPA_POD_BODY_CONST(value);
    if (value->type == SPA_TYPE_Choice) {
        // Checked against the pod's own size: a client may send anything.
        if (value->size < sizeof(struct spa_pod_choice_body)) return NULL;
        const struct spa_pod_choice *choice_pod = (const struct spa_pod_choice *)value;
        const struct spa_pod *child = &choice_pod->body.child;
        if (child->type != type || child->size != size) return NULL;
        n = (value->size - (uint32_t)sizeof(struct spa_pod_choice_body)) / size;
        kind = choice_pod->body.type;
        body = SPA_POD_CONTENTS_CONST(struct spa_pod_choice, value);
    } else if (value->type != type || value->size != size) {
        return NULL;
    }
    if (n == 0 || n > 4096) return NULL;
    void *copy = calloc(n, size);
    if (copy == NULL) return NULL;
    memcpy(copy, body, (size_t)n * size);
    *choice = kind;
    *count = n;
    return copy;
}

static inline void CPipeWire_add_format(CPipeWire_node *node, const struct spa_pod *pod) {
    uint32_t type = 0, subtype = 0;
    if (pod == NULL || !spa_pod_is_object_type(pod, SPA_TYPE_OBJECT_Format)) return;
    if (spa_format_parse(pod, &type, &subtype) < 0 || type != SPA_MEDIA_TYPE_video) return;
    if (node->n_formats == node->capacity) {
        uint32_t capacity = node->capacity ? node->capacity * 2 : 8;
        CPipeWire_format *grown = realloc(node->formats, capacity * sizeof(CPipeWire_format));
        if (grown == NULL) return;
        node->formats = grown;
        node->capacity = capacity;
    }
    CPipeWire_format *format = &node->formats[node->n_formats++];
    memset(format, 0, sizeof(*format));
    format->subtype = subtype;
    format->formats = CPipeWire_values(pod, SPA_FORMAT_VIDEO_format, SPA_TYPE_Id, sizeof(uint32_t),
                                       &format->format_choice, &format->n_formats);
    format->sizes = CPipeWire_values(pod, SPA_FORMAT_VIDEO_size, SPA_TYPE_Rectangle, sizeof(struct spa_rectangle),
                                     &format->size_choice, &format->n_sizes);
    format->rates = CPipeWire_values(pod, SPA_FORMAT_VIDEO_framerate, SPA_TYPE_Fraction, sizeof(struct spa_fraction),
                                     &format->rate_choice, &format->n_rates);
}

/// The short name SPA gives a media subtype ("raw", "mjpg"...).
static inline const char *CPipeWire_media_subtype_name(uint32_t subtype) {
    return spa_debug_type_find_short_name(spa_type_media_subtype, subtype);
}

/// The short name SPA gives a video format ("YUY2", "I420"...), GStreamer's for the common ones.
static inline const char *CPipeWire_video_format_name(uint32_t format) {
    return spa_debug_type_find_short_name(spa_type_video_format, format);
}

// MARK: - The listing's events (all on the caller's thread, inside pw_loop_iterate)

/// Asks the daemon for a round trip: its `done` comes after the replies to every request made before.
static inline void CPipeWire_resync(CPipeWire_listing *listing) {
    listing->pending = pw_core_sync(listing->core, PW_ID_CORE, listing->pending);
}

static inline bool CPipeWire_can_read_formats(const struct spa_param_info *params, uint32_t n) {
    for (uint32_t i = 0; i < n; i++)
        if (params[i].id == SPA_PARAM_EnumFormat && (params[i].flags & SPA_PARAM_INFO_READ)) return true;
    return false;
}

static inline void CPipeWire_node_info(void *data, const struct pw_node_info *info) {
    CPipeWire_binding *binding = data;
    CPipeWire_listing *listing = binding->listing;
    CPipeWire_node *node = &listing->nodes[binding->node];
    if (info->props != NULL) {
        if (node->props == NULL) node->props = pw_properties_new_dict(info->props);
        else pw_properties_update(node->props, info->props);
    }
    node->is_source = info->max_output_ports > 0 && info->max_input_ports == 0;
    if (!binding->enumerated && CPipeWire_can_read_formats(info->params, info->n_params)) {
        binding->enumerated = true;
        pw_node_enum_params((struct pw_node *)binding->proxy, 0, SPA_PARAM_EnumFormat, 0, UINT32_MAX, NULL);
        CPipeWire_resync(listing);
    }
}

static inline void CPipeWire_node_param(void *data, int seq, uint32_t id, uint32_t index, uint32_t next,
                                        const struct spa_pod *param) {
    CPipeWire_binding *binding = data;
    if (id == SPA_PARAM_EnumFormat) CPipeWire_add_format(&binding->listing->nodes[binding->node], param);
}

static inline void CPipeWire_port_info(void *data, const struct pw_port_info *info) {
    CPipeWire_binding *binding = data;
    if (info->direction != PW_DIRECTION_OUTPUT) return;
    if (!binding->enumerated && CPipeWire_can_read_formats(info->params, info->n_params)) {
        binding->enumerated = true;
        pw_port_enum_params((struct pw_port *)binding->proxy, 0, SPA_PARAM_EnumFormat, 0, UINT32_MAX, NULL);
        CPipeWire_resync(binding->listing);
    }
}

static inline void CPipeWire_port_param(void *data, int seq, uint32_t id, uint32_t index, uint32_t next,
                                        const struct spa_pod *param) {
    CPipeWire_binding *binding = data;
    if (id == SPA_PARAM_EnumFormat) CPipeWire_add_format(&binding->listing->nodes[binding->node], param);
}

/// The daemon removed the object: a node that went is not listed. A port that went (a stream
/// reconfiguring its ports) leaves its node listed.
static inline void CPipeWire_proxy_removed(void *data) {
    CPipeWire_binding *binding = data;
    CPipeWire_node *node = &binding->listing->nodes[binding->node];
    if (node->proxy == binding->proxy) node->removed = true;
}

static const struct pw_proxy_events CPipeWire_proxy_events = {PW_VERSION_PROXY_EVENTS, .removed = CPipeWire_proxy_removed};

static const struct pw_node_events CPipeWire_node_events = {
    PW_VERSION_NODE_EVENTS, .info = CPipeWire_node_info, .param = CPipeWire_node_param};
static const struct pw_port_events CPipeWire_port_events = {
    PW_VERSION_PORT_EVENTS, .info = CPipeWire_port_info, .param = CPipeWire_port_param};

/// Binds a global; its listener state lives in the proxy's user data. NULL when the bind failed.
static inline CPipeWire_binding *CPipeWire_bind(CPipeWire_listing *listing, uint32_t id, const char *type,
                                                uint32_t version, uint32_t node) {
    struct pw_proxy *proxy = pw_registry_bind(listing->registry, id, type, version, sizeof(CPipeWire_binding));
    if (proxy == NULL) return NULL;
    CPipeWire_binding *binding = pw_proxy_get_user_data(proxy);
    memset(binding, 0, sizeof(*binding));
    binding->listing = listing;
    binding->proxy = proxy;
    binding->node = node;
    pw_proxy_add_listener(proxy, &binding->proxy_hook, &CPipeWire_proxy_events, binding);
    return binding;
}

static inline void CPipeWire_unbind(struct pw_proxy *proxy) {
    CPipeWire_binding *binding = pw_proxy_get_user_data(proxy);
    spa_hook_remove(&binding->hook);
    spa_hook_remove(&binding->proxy_hook);
    pw_proxy_destroy(proxy);
}

/// Grows `*array` (of `*capacity` items of `size`) to hold one more; false when out of memory.
static inline bool CPipeWire_reserve(void **array, uint32_t count, uint32_t *capacity, size_t size) {
    if (count < *capacity) return true;
    uint32_t grown = *capacity ? *capacity * 2 : 8;
    void *moved = realloc(*array, grown * size);
    if (moved == NULL) return false;
    *array = moved;
    *capacity = grown;
    return true;
}

static inline void CPipeWire_global(void *data, uint32_t id, uint32_t permissions, const char *type,
                                    uint32_t version, const struct spa_dict *props) {
    CPipeWire_listing *listing = data;
    if (listing->error != 0 || props == NULL) return;
    if (spa_streq(type, PW_TYPE_INTERFACE_Node)) {
        const char *path = spa_dict_lookup(props, PW_KEY_OBJECT_PATH);
        if (path != NULL && spa_strstartswith(path, "v4l2:")) listing->serves_v4l2 = true;
        if (path != NULL && spa_strstartswith(path, "libcamera:")) listing->serves_libcamera = true;
        if (!spa_streq(spa_dict_lookup(props, PW_KEY_MEDIA_CLASS), listing->media_class)) return;
        CPipeWire_binding *binding = NULL;
        if (!CPipeWire_reserve((void **)&listing->nodes, listing->n_nodes, &listing->node_capacity, sizeof(CPipeWire_node)) ||
            (binding = CPipeWire_bind(listing, id, type, PW_VERSION_NODE, listing->n_nodes)) == NULL) {
            listing->error = -ENOMEM;
            return;
        }
        CPipeWire_node *node = &listing->nodes[listing->n_nodes++];
        memset(node, 0, sizeof(*node));
        node->id = id;
        node->proxy = binding->proxy;
        pw_node_add_listener((struct pw_node *)binding->proxy, &binding->hook, &CPipeWire_node_events, binding);
        CPipeWire_resync(listing);
    } else if (spa_streq(type, PW_TYPE_INTERFACE_Port)) {
        const char *owner = spa_dict_lookup(props, PW_KEY_NODE_ID);
        uint32_t node_id = 0, index = UINT32_MAX;
        if (owner == NULL || !spa_atou32(owner, &node_id, 10)) return;
        for (uint32_t i = 0; i < listing->n_nodes; i++)
            if (listing->nodes[i].id == node_id) index = i;
        if (index == UINT32_MAX) return;  // a port of a node not listed
        CPipeWire_binding *binding = NULL;
        if (!CPipeWire_reserve((void **)&listing->ports, listing->n_ports, &listing->port_capacity, sizeof(struct pw_proxy *)) ||
            (binding = CPipeWire_bind(listing, id, type, PW_VERSION_PORT, index)) == NULL) {
            listing->error = -ENOMEM;
            return;
        }
        listing->ports[listing->n_ports++] = binding->proxy;
        pw_port_add_listener((struct pw_port *)binding->proxy, &binding->hook, &CPipeWire_port_events, binding);
        CPipeWire_resync(listing);
    }
}

static inline void CPipeWire_done(void *data, uint32_t id, int seq) {
    CPipeWire_listing *listing = data;
    if (id == PW_ID_CORE && seq == listing->pending) listing->done = true;
}

static inline void CPipeWire_error(void *data, uint32_t id, int seq, int res, const char *message) {
    CPipeWire_listing *listing = data;
    // A node or port that went before a request reached it is reported on the core as ENOENT
    // ("unknown resource"): that object is simply not listed. Other errors on the core end the listing.
    if (id == PW_ID_CORE && res != -ENOENT) listing->error = res < 0 ? res : -EIO;
}

static const struct pw_core_events CPipeWire_core_events = {
    PW_VERSION_CORE_EVENTS, .done = CPipeWire_done, .error = CPipeWire_error};
static const struct pw_registry_events CPipeWire_registry_events = {
    PW_VERSION_REGISTRY_EVENTS, .global = CPipeWire_global};

// MARK: - The listing

static inline void CPipeWire_listing_free(CPipeWire_listing *listing) {
    if (listing == NULL) return;
    for (uint32_t i = 0; i < listing->n_nodes; i++) {
        CPipeWire_node *node = &listing->nodes[i];
        if (node->props) pw_properties_free(node->props);
        for (uint32_t j = 0; j < node->n_formats; j++) {
            free(node->formats[j].formats);
            free(node->formats[j].sizes);
            free(node->formats[j].rates);
        }
        free(node->formats);
    }
    free(listing->nodes);
    free(listing->ports);
    free(listing);
}

static inline int64_t CPipeWire_now_ms(void) {
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return (int64_t)now.tv_sec * 1000 + now.tv_nsec / 1000000;
}

/// Lists the nodes of `media_class` and their formats over `fd` (a connected socket, which this
/// takes and closes), within `timeout_ms`. Blocking: it runs a loop of its own on the calling thread,
/// and every proxy and listener is gone when it returns. NULL with `*error` (a negative errno) when
/// the daemon refused, failed or did not answer in time; free a listing with CPipeWire_listing_free.
static inline CPipeWire_listing *CPipeWire_list(int fd, const char *media_class, int timeout_ms, int *error) {
    pw_init(NULL, NULL);  // counted and locked: cheap after the first call
    *error = 0;
    CPipeWire_listing *listing = calloc(1, sizeof(CPipeWire_listing));
    struct pw_loop *loop = listing ? pw_loop_new(NULL) : NULL;
    struct pw_context *context = loop ? pw_context_new(loop, NULL, 0) : NULL;
    if (context == NULL) {
        close(fd);
        if (loop) pw_loop_destroy(loop);
        CPipeWire_listing_free(listing);
        *error = -ENOMEM;
        return NULL;
    }
    listing->media_class = media_class;
    pw_loop_enter(loop);
    errno = 0;
    listing->core = pw_context_connect_fd(context, fd, NULL, 0);
    if (listing->core == NULL) {
        *error = errno ? -errno : -ECONNREFUSED;
        close(fd);  // libpipewire closes it only once connected
    } else {
        pw_core_add_listener(listing->core, &listing->core_listener, &CPipeWire_core_events, listing);
        listing->registry = pw_core_get_registry(listing->core, PW_VERSION_REGISTRY, 0);
        pw_registry_add_listener(listing->registry, &listing->registry_listener, &CPipeWire_registry_events, listing);
        CPipeWire_resync(listing);
        int64_t deadline = CPipeWire_now_ms() + timeout_ms;
        while (!listing->done && listing->error == 0) {
            int64_t left = deadline - CPipeWire_now_ms();
            if (left <= 0) {
                listing->error = -ETIMEDOUT;
                break;
            }
            int result = pw_loop_iterate(loop, (int)left);
            if (result < 0 && result != -EINTR) listing->error = result;
        }
        *error = listing->error;
        for (uint32_t i = 0; i < listing->n_ports; i++) CPipeWire_unbind(listing->ports[i]);
        for (uint32_t i = 0; i < listing->n_nodes; i++) {
            CPipeWire_unbind(listing->nodes[i].proxy);
            listing->nodes[i].proxy = NULL;
        }
        spa_hook_remove(&listing->registry_listener);
        pw_proxy_destroy((struct pw_proxy *)listing->registry);
        spa_hook_remove(&listing->core_listener);
        pw_core_disconnect(listing->core);
    }
    pw_loop_leave(loop);
    pw_context_destroy(context);
    pw_loop_destroy(loop);
    if (*error != 0) {
        CPipeWire_listing_free(listing);
        return NULL;
    }
    return listing;
}

#endif
