// Part of swift-media-capture, under the Apache License 2.0 (see LICENSE).
// gst-rtsp-server's and webrtcbin's headers plus `static inline` shims for what Swift cannot call
// (variadic functions, signal connections with typed callbacks, macros). Only
// Sources/GStreamerPublishing imports this module (scripts/check-layers.sh).
#pragma once

#include <gst/gst.h>
#include <gst/app/gstappsrc.h>
#include <gst/rtsp-server/rtsp-server.h>
#include <gst/sdp/sdp.h>
#include <gst/video/video.h>
#define GST_USE_UNSTABLE_API
#include <gst/webrtc/webrtc.h>
#include <dlfcn.h>
#include <string.h>

// MARK: - RTSP

/// Called when a client's request builds the shared media (its `appsrc` named `src`, borrowed), and
/// again with `appsrc` when that media is unprepared (its last client left, or it failed).
typedef void (*CGstPublishing_media_callback)(void *_Nonnull context, GstElement *_Nonnull appsrc, gboolean prepared);

typedef struct {
    CGstPublishing_media_callback callback;
    void *context;
    GDestroyNotify destroy;
} CGstPublishing_factory_hooks;

static inline void CGstPublishing_clear_hooks(gpointer data) {
    CGstPublishing_factory_hooks *hooks = data;
    if (hooks->destroy) hooks->destroy(hooks->context);
}

/// The hooks are shared by the factory and each of its media (a media can outlive its factory):
/// reference-counted, the context released with the last.
static inline void CGstPublishing_release_hooks(gpointer data, GClosure *closure) {
    (void)closure;
    g_atomic_rc_box_release_full(data, CGstPublishing_clear_hooks);
}

static inline void CGstPublishing_on_unprepared(GstRTSPMedia *media, gpointer data) {
    CGstPublishing_factory_hooks *hooks = data;
    GstElement *bin = gst_rtsp_media_get_element(media);
    if (bin == NULL) return;
    GstElement *appsrc = gst_bin_get_by_name(GST_BIN(bin), "src");
    if (appsrc != NULL) {
        hooks->callback(hooks->context, appsrc, FALSE);
        gst_object_unref(appsrc);
    }
    gst_object_unref(bin);
}

static inline void CGstPublishing_on_media_configure(GstRTSPMediaFactory *factory, GstRTSPMedia *media, gpointer data) {
    (void)factory;
    CGstPublishing_factory_hooks *hooks = data;
    GstElement *bin = gst_rtsp_media_get_element(media);
    if (bin == NULL) return;
    GstElement *appsrc = gst_bin_get_by_name(GST_BIN(bin), "src");
    if (appsrc != NULL) {
        g_signal_connect_data(media, "unprepared", G_CALLBACK(CGstPublishing_on_unprepared), g_atomic_rc_box_acquire(hooks),
                              CGstPublishing_release_hooks, 0);
        hooks->callback(hooks->context, appsrc, TRUE);
        gst_object_unref(appsrc);
    }
    gst_object_unref(bin);
}

/// A shared media factory (one pipeline for every client) built from `launch` (the library's own,
/// fixed text), whose media are reported to `callback`. `context` is released with `destroy` when
/// the factory goes.
static inline GstRTSPMediaFactory *_Nonnull CGstPublishing_media_factory_new(
    const char *_Nonnull launch, CGstPublishing_media_callback _Nonnull callback, void *_Nonnull context, GDestroyNotify _Nonnull destroy
) {
    GstRTSPMediaFactory *factory = gst_rtsp_media_factory_new();
    gst_rtsp_media_factory_set_launch(factory, launch);
    gst_rtsp_media_factory_set_shared(factory, TRUE);
    // The media is torn down when its last client leaves: nothing is encoded for nobody.
    gst_rtsp_media_factory_set_suspend_mode(factory, GST_RTSP_SUSPEND_MODE_NONE);
    gst_rtsp_media_factory_set_latency(factory, 100);
    gst_rtsp_media_factory_set_protocols(factory, GST_RTSP_LOWER_TRANS_UDP | GST_RTSP_LOWER_TRANS_TCP);
    CGstPublishing_factory_hooks *hooks = g_atomic_rc_box_new0(CGstPublishing_factory_hooks);
    hooks->callback = callback;
    hooks->context = context;
    hooks->destroy = destroy;
    g_signal_connect_data(factory, "media-configure", G_CALLBACK(CGstPublishing_on_media_configure), hooks,
                          CGstPublishing_release_hooks, 0);
    return factory;
}

/// Only `user` with `password` may describe and play the factory's media (Basic or Digest), and
/// only with them: the check runs before any media is built.
static inline void CGstPublishing_require_credentials(
    GstRTSPServer *_Nonnull server, GstRTSPMediaFactory *_Nonnull factory, const char *_Nonnull user, const char *_Nonnull password
) {
    GstRTSPAuth *auth = gst_rtsp_auth_new();
    GstRTSPToken *token = gst_rtsp_token_new(GST_RTSP_TOKEN_MEDIA_FACTORY_ROLE, G_TYPE_STRING, "viewer", NULL);
    gchar *basic = gst_rtsp_auth_make_basic(user, password);
    gst_rtsp_auth_add_basic(auth, basic, token);
    g_free(basic);
    gst_rtsp_auth_add_digest(auth, user, password, token);
    gst_rtsp_token_unref(token);
    gst_rtsp_auth_set_supported_methods(auth, GST_RTSP_AUTH_BASIC | GST_RTSP_AUTH_DIGEST);
    gst_rtsp_server_set_auth(server, auth);
    g_object_unref(auth);
    gst_rtsp_media_factory_add_role(factory, "viewer", GST_RTSP_PERM_MEDIA_FACTORY_ACCESS, G_TYPE_BOOLEAN, TRUE,
                                    GST_RTSP_PERM_MEDIA_FACTORY_CONSTRUCT, G_TYPE_BOOLEAN, TRUE, NULL);
}

static inline void CGstPublishing_on_new_session(GstRTSPClient *client, GstRTSPSession *session, gpointer data) {
    (void)client;
    gst_rtsp_session_set_timeout(session, GPOINTER_TO_UINT(data));
}

static inline void CGstPublishing_on_client_connected(GstRTSPServer *server, GstRTSPClient *client, gpointer data) {
    (void)server;
    g_signal_connect(client, "new-session", G_CALLBACK(CGstPublishing_on_new_session), data);
}

/// Every session of `server` expires after `seconds` without a keep-alive (a client that vanished
/// without a TEARDOWN), checked by a watch on `context`.
static inline void CGstPublishing_expire_sessions(GstRTSPServer *_Nonnull server, guint seconds, GMainContext *_Nonnull context) {
    g_signal_connect(server, "client-connected", G_CALLBACK(CGstPublishing_on_client_connected), GUINT_TO_POINTER(seconds));
    GstRTSPSessionPool *pool = gst_rtsp_server_get_session_pool(server);
    GSource *watch = gst_rtsp_session_pool_create_watch(pool);
    g_source_attach(watch, context);
    g_source_unref(watch);
    g_object_unref(pool);
}

/// Closes every client connection (the server is stopping).
static inline GstRTSPFilterResult CGstPublishing_remove_client(GstRTSPServer *server, GstRTSPClient *client, gpointer data) {
    (void)server; (void)client; (void)data;
    return GST_RTSP_FILTER_REMOVE;
}

static inline void CGstPublishing_close_clients(GstRTSPServer *_Nonnull server) {
    GList *none = gst_rtsp_server_client_filter(server, CGstPublishing_remove_client, NULL);
    g_list_free(none);
}

static inline GstRTSPFilterResult CGstPublishing_count_client(GstRTSPServer *server, GstRTSPClient *client, gpointer data) {
    (void)server; (void)client;
    (*(guint *)data)++;
    return GST_RTSP_FILTER_KEEP;
}

/// How many clients are connected.
static inline guint CGstPublishing_client_count(GstRTSPServer *_Nonnull server) {
    guint count = 0;
    GList *none = gst_rtsp_server_client_filter(server, CGstPublishing_count_client, &count);
    g_list_free(none);
    return count;
}

// MARK: - Encoded frames in

/// Pushes a copy of `size` bytes into `appsrc` as one buffer (a delta frame when `delta`), stamped
/// by the appsrc on arrival (`do-timestamp`). The corresponding C function is `gst_app_src_push_buffer`.
static inline GstFlowReturn CGstPublishing_appsrc_push_bytes(GstElement *_Nonnull appsrc, const void *_Nonnull bytes, gsize size, gboolean delta) {
    GstBuffer *buffer = gst_buffer_new_memdup(bytes, size);
    if (buffer == NULL) return GST_FLOW_ERROR;
    if (delta) GST_BUFFER_FLAG_SET(buffer, GST_BUFFER_FLAG_DELTA_UNIT);
    return gst_app_src_push_buffer(GST_APP_SRC(appsrc), buffer);
}

static inline GstAppSrc *_Nullable CGstPublishing_GST_APP_SRC(gpointer _Nullable p) {
    return (p != NULL && GST_IS_APP_SRC(p)) ? GST_APP_SRC(p) : NULL;
}

static inline void CGstPublishing_g_object_set_string(gpointer _Nonnull object, const char *_Nonnull name, const char *_Nonnull value) {
    g_object_set(object, name, value, NULL);
}

static inline void CGstPublishing_g_object_set_int(gpointer _Nonnull object, const char *_Nonnull name, gint value) {
    g_object_set(object, name, value, NULL);
}

static inline void CGstPublishing_g_object_set_uint(gpointer _Nonnull object, const char *_Nonnull name, guint value) {
    g_object_set(object, name, value, NULL);
}

static inline void CGstPublishing_g_object_set_uint64(gpointer _Nonnull object, const char *_Nonnull name, guint64 value) {
    g_object_set(object, name, value, NULL);
}

static inline void CGstPublishing_g_object_set_bool(gpointer _Nonnull object, const char *_Nonnull name, gboolean value) {
    g_object_set(object, name, value, NULL);
}

static inline void CGstPublishing_g_object_set_caps(gpointer _Nonnull object, const char *_Nonnull name, GstCaps *_Nonnull value) {
    g_object_set(object, name, value, NULL);
}

static inline gint CGstPublishing_g_object_get_enum(gpointer _Nonnull object, const char *_Nonnull name) {
    gint value = 0;
    g_object_get(object, name, &value, NULL);
    return value;
}

// MARK: - WebRTC

/// Called when a promise of webrtcbin's is settled: `replied` FALSE when it was interrupted or
/// expired; `reply` (borrowed) may be NULL for a promise answered with nothing.
typedef void (*CGstPublishing_promise_callback)(void *_Nonnull context, gboolean replied, const GstStructure *_Nullable reply);

typedef struct {
    CGstPublishing_promise_callback callback;
    void *context;
    GDestroyNotify destroy;
} CGstPublishing_promise_hooks;

static inline void CGstPublishing_promise_changed(GstPromise *promise, gpointer data) {
    CGstPublishing_promise_hooks *hooks = data;
    gboolean replied = gst_promise_wait(promise) == GST_PROMISE_RESULT_REPLIED;
    hooks->callback(hooks->context, replied, replied ? gst_promise_get_reply(promise) : NULL);
}

static inline void CGstPublishing_clear_promise_hooks(CGstPublishing_promise_hooks *hooks) {
    if (hooks->destroy) hooks->destroy(hooks->context);
}

static inline void CGstPublishing_promise_free(gpointer data) {
    CGstPublishing_promise_hooks *hooks = data;
    if (hooks->destroy) hooks->destroy(hooks->context);
    g_free(hooks);
}

static inline GstPromise *CGstPublishing_promise_new(CGstPublishing_promise_callback callback, void *context, GDestroyNotify destroy) {
    CGstPublishing_promise_hooks *hooks = g_new0(CGstPublishing_promise_hooks, 1);
    hooks->callback = callback;
    hooks->context = context;
    hooks->destroy = destroy;
    return gst_promise_new_with_change_func(CGstPublishing_promise_changed, hooks, CGstPublishing_promise_free);
}

/// Whether `text` parses as SDP. The corresponding C function is `gst_sdp_message_parse_buffer`.
static inline gboolean CGstPublishing_sdp_is_valid(const char *_Nonnull text) {
    if (text[0] == '\0') return FALSE;  // the parser asserts on an empty buffer
    GstSDPMessage *message = NULL;
    if (gst_sdp_message_new(&message) != GST_SDP_OK) return FALSE;
    gboolean valid = gst_sdp_message_parse_buffer((const guint8 *)text, (guint)strlen(text), message) == GST_SDP_OK
        && gst_sdp_message_medias_len(message) > 0;
    gst_sdp_message_free(message);
    return valid;
}

/// Sets the remote `offer` on `webrtc`; `callback` hears when it is done. FALSE when the offer does
/// not parse (then `callback` is never called and `context` is released).
static inline gboolean CGstPublishing_webrtc_set_remote_offer(
    GstElement *_Nonnull webrtc, const char *_Nonnull offer, CGstPublishing_promise_callback _Nonnull callback, void *_Nonnull context,
    GDestroyNotify _Nonnull destroy
) {
    GstSDPMessage *message = NULL;
    if (offer[0] == '\0' || gst_sdp_message_new(&message) != GST_SDP_OK) { destroy(context); return FALSE; }
    if (gst_sdp_message_parse_buffer((const guint8 *)offer, (guint)strlen(offer), message) != GST_SDP_OK) {
        gst_sdp_message_free(message);
        destroy(context);
        return FALSE;
    }
    GstWebRTCSessionDescription *description = gst_webrtc_session_description_new(GST_WEBRTC_SDP_TYPE_OFFER, message);
    GstPromise *promise = CGstPublishing_promise_new(callback, context, destroy);
    g_signal_emit_by_name(webrtc, "set-remote-description", description, promise);
    gst_promise_unref(promise);
    gst_webrtc_session_description_free(description);
    return TRUE;
}

/// Asks `webrtc` for its answer; `callback` gets the reply (with its `answer`).
static inline void CGstPublishing_webrtc_create_answer(
    GstElement *_Nonnull webrtc, CGstPublishing_promise_callback _Nonnull callback, void *_Nonnull context, GDestroyNotify _Nonnull destroy
) {
    GstPromise *promise = CGstPublishing_promise_new(callback, context, destroy);
    g_signal_emit_by_name(webrtc, "create-answer", NULL, promise);
    gst_promise_unref(promise);
}

/// Sets the answer in `reply` (create-answer's) as `webrtc`'s local description. FALSE when the reply
/// holds none (webrtcbin's error is then in the reply).
static inline gboolean CGstPublishing_webrtc_set_local_answer(GstElement *_Nonnull webrtc, const GstStructure *_Nullable reply) {
    if (reply == NULL || !gst_structure_has_field_typed(reply, "answer", GST_TYPE_WEBRTC_SESSION_DESCRIPTION)) return FALSE;
    GstWebRTCSessionDescription *answer = NULL;
    gst_structure_get(reply, "answer", GST_TYPE_WEBRTC_SESSION_DESCRIPTION, &answer, NULL);
    if (answer == NULL) return FALSE;
    g_signal_emit_by_name(webrtc, "set-local-description", answer, NULL);
    gst_webrtc_session_description_free(answer);
    return TRUE;
}

/// The error webrtcbin put in a promise's reply, if any (a new string: g_free it).
static inline gchar *_Nullable CGstPublishing_reply_error(const GstStructure *_Nullable reply) {
    if (reply == NULL) return NULL;
    const GValue *value = gst_structure_get_value(reply, "error");
    if (value == NULL || !G_VALUE_HOLDS(value, G_TYPE_ERROR)) return NULL;
    GError *error = g_value_get_boxed(value);
    return g_strdup(error && error->message ? error->message : "unknown error");
}

/// `webrtc`'s local description as SDP text (a new string: g_free it), NULL when it has none.
static inline gchar *_Nullable CGstPublishing_webrtc_local_sdp(GstElement *_Nonnull webrtc) {
    GstWebRTCSessionDescription *description = NULL;
    g_object_get(webrtc, "local-description", &description, NULL);
    if (description == NULL) return NULL;
    gchar *text = gst_sdp_message_as_text(description->sdp);
    gst_webrtc_session_description_free(description);
    return text;
}

/// Called when a property of an object changes (its `notify::NAME` signal).
typedef void (*CGstPublishing_notify_callback)(void *_Nonnull context);

static inline void CGstPublishing_on_notify(GObject *object, GParamSpec *spec, gpointer data) {
    (void)object; (void)spec;
    CGstPublishing_promise_hooks *hooks = data;
    ((CGstPublishing_notify_callback)(void (*)(void))hooks->callback)(hooks->context);
}

static inline void CGstPublishing_notify_free(gpointer data, GClosure *closure) {
    (void)closure;
    CGstPublishing_promise_free(data);
}

/// Calls `callback` whenever `object`'s property `name` changes. Returns the handler's id.
static inline gulong CGstPublishing_connect_notify(
    gpointer _Nonnull object, const char *_Nonnull name, CGstPublishing_notify_callback _Nonnull callback, void *_Nonnull context,
    GDestroyNotify _Nonnull destroy
) {
    CGstPublishing_promise_hooks *hooks = g_new0(CGstPublishing_promise_hooks, 1);
    hooks->callback = (CGstPublishing_promise_callback)(void (*)(void))callback;
    hooks->context = context;
    hooks->destroy = destroy;
    gchar *signal = g_strconcat("notify::", name, NULL);
    gulong id = g_signal_connect_data(object, signal, G_CALLBACK(CGstPublishing_on_notify), hooks, CGstPublishing_notify_free, 0);
    g_free(signal);
    return id;
}

/// Adds a TURN server URL (`turn://user:password@host:port`). The corresponding signal is `add-turn-server`.
static inline gboolean CGstPublishing_webrtc_add_turn_server(GstElement *_Nonnull webrtc, const char *_Nonnull url) {
    gboolean added = FALSE;
    g_signal_emit_by_name(webrtc, "add-turn-server", url, &added);
    return added;
}

/// `description` as a pipeline (the library's own, fixed text). NULL with `error` set when it does not parse.
static inline GstElement *_Nullable CGstPublishing_parse_launch(const char *_Nonnull description, gchar *_Nullable *_Nonnull error) {
    GError *failure = NULL;
    GstElement *pipeline = gst_parse_launch(description, &failure);
    if (failure != NULL) {
        *error = g_strdup(failure->message);
        g_error_free(failure);
        if (pipeline != NULL) { gst_object_unref(pipeline); pipeline = NULL; }
    }
    return pipeline;
}

static inline GstElement *_Nullable CGstPublishing_bin_get_by_name(GstElement *_Nonnull bin, const char *_Nonnull name) {
    return gst_bin_get_by_name(GST_BIN(bin), name);
}

/// Adds a send-only transceiver for `caps` (the codec chosen from the offer). The corresponding
/// signal is `add-transceiver`. FALSE when webrtcbin refused.
static inline gboolean CGstPublishing_webrtc_add_sendonly_transceiver(GstElement *_Nonnull webrtc, const char *_Nonnull caps) {
    GstCaps *parsed = gst_caps_from_string(caps);
    if (parsed == NULL) return FALSE;
    GstWebRTCRTPTransceiver *transceiver = NULL;
    g_signal_emit_by_name(webrtc, "add-transceiver", GST_WEBRTC_RTP_TRANSCEIVER_DIRECTION_SENDONLY, parsed, &transceiver);
    gst_caps_unref(parsed);
    if (transceiver == NULL) return FALSE;
    gst_object_unref(transceiver);
    return TRUE;
}

// MARK: - Key frames asked for downstream

typedef struct {
    CGstPublishing_notify_callback callback;
    void *context;
    GDestroyNotify destroy;
} CGstPublishing_probe_hooks;

static inline GstPadProbeReturn CGstPublishing_key_unit_probe(GstPad *pad, GstPadProbeInfo *info, gpointer data) {
    (void)pad;
    GstEvent *event = GST_PAD_PROBE_INFO_EVENT(info);
    if (event != NULL && gst_video_event_is_force_key_unit(event)) {
        CGstPublishing_probe_hooks *hooks = data;
        hooks->callback(hooks->context);
        return GST_PAD_PROBE_DROP;  // answered here (the encoder is in another pipeline); DROP unrefs it
    }
    return GST_PAD_PROBE_OK;
}

static inline void CGstPublishing_probe_hooks_free(gpointer data) {
    CGstPublishing_probe_hooks *hooks = data;
    if (hooks->destroy) hooks->destroy(hooks->context);
    g_free(hooks);
}

/// Calls `callback` whenever a key frame is asked for upstream of `appsrc` (a viewer's picture loss
/// indication, a payloader that lost its parameter sets): the encoder lives in the camera's pipeline.
static inline void CGstPublishing_on_key_frame_request(
    GstElement *_Nonnull appsrc, CGstPublishing_notify_callback _Nonnull callback, void *_Nonnull context, GDestroyNotify _Nonnull destroy
) {
    GstPad *pad = gst_element_get_static_pad(appsrc, "src");
    if (pad == NULL) { destroy(context); return; }
    CGstPublishing_probe_hooks *hooks = g_new0(CGstPublishing_probe_hooks, 1);
    hooks->callback = callback;
    hooks->context = context;
    hooks->destroy = destroy;
    gst_pad_add_probe(pad, GST_PAD_PROBE_TYPE_EVENT_UPSTREAM, CGstPublishing_key_unit_probe, hooks, CGstPublishing_probe_hooks_free);
    gst_object_unref(pad);
}

/// Fails `element`'s pipeline with `message` (a resource error, as a source that cannot open
/// posts): an RTSP media being prepared fails its clients' requests at once.
static inline void CGstPublishing_post_error(GstElement *_Nonnull element, const char *_Nonnull message) {
    GError *error = g_error_new_literal(GST_RESOURCE_ERROR, GST_RESOURCE_ERROR_OPEN_READ, message);
    gst_element_post_message(element, gst_message_new_error(GST_OBJECT(element), error, message));
    g_error_free(error);
}

/// Gathers ICE host candidates on `address` only (the address the server listens on: 127.0.0.1 keeps
/// every packet on this machine; libnice leaves loopback out unless told). Call before the answer.
/// libnice's functions are looked up in the copy GStreamer's nice plugin loaded, not linked: linked,
/// libnice brings UPnP, SSDP and libsoup into every process of the package's (the tool's and the
/// tests' too), whose exit then crashed once in 84 runs.
static inline gboolean CGstPublishing_webrtc_use_local_address(GstElement *_Nonnull webrtc, const char *_Nonnull address) {
    GObject *ice = NULL;
    g_object_get(webrtc, "ice-agent", &ice, NULL);
    if (ice == NULL) return FALSE;
    GObject *agent = NULL;
    if (g_object_class_find_property(G_OBJECT_GET_CLASS(ice), "agent") != NULL) g_object_get(ice, "agent", &agent, NULL);
    g_object_unref(ice);
    if (agent == NULL) return FALSE;
    gboolean added = FALSE;
    void *nice = dlopen("libnice.so.10", RTLD_LAZY | RTLD_NOLOAD);
    if (nice != NULL) {
        void *(*address_new)(void) = (void *(*)(void))dlsym(nice, "nice_address_new");
        gboolean (*set_from_string)(void *, const gchar *) = (gboolean(*)(void *, const gchar *))dlsym(nice, "nice_address_set_from_string");
        void (*address_free)(void *) = (void (*)(void *))dlsym(nice, "nice_address_free");
        gboolean (*add_local)(GObject *, const void *) = (gboolean(*)(GObject *, const void *))dlsym(nice, "nice_agent_add_local_address");
        if (address_new && set_from_string && address_free && add_local) {
            void *parsed = address_new();
            if (parsed != NULL) {
                added = set_from_string(parsed, address) && add_local(agent, parsed);
                address_free(parsed);
            }
        }
        dlclose(nice);
    }
    g_object_unref(agent);
    return added;
}

/// What a viewer's RTP session reports: RTCP from it (`alive`), or its goodbye or timeout (`gone`).
typedef void (*CGstPublishing_liveness_callback)(void *_Nonnull context, gboolean alive);

static inline void CGstPublishing_on_ssrc_active(GstElement *rtpbin, guint session, guint ssrc, gpointer data) {
    (void)rtpbin; (void)session; (void)ssrc;
    CGstPublishing_promise_hooks *hooks = data;
    ((CGstPublishing_liveness_callback)(void (*)(void))hooks->callback)(hooks->context, TRUE);
}

static inline void CGstPublishing_on_ssrc_gone(GstElement *rtpbin, guint session, guint ssrc, gpointer data) {
    (void)rtpbin; (void)session; (void)ssrc;
    CGstPublishing_promise_hooks *hooks = data;
    ((CGstPublishing_liveness_callback)(void (*)(void))hooks->callback)(hooks->context, FALSE);
}

static inline void CGstPublishing_liveness_release(gpointer data, GClosure *closure) {
    (void)closure;
    g_atomic_rc_box_release_full(data, (GDestroyNotify)CGstPublishing_clear_promise_hooks);
}

/// Reports every RTCP packet from the viewer (`on-ssrc-active`), and its BYE or timeout, from
/// webrtcbin's RTP session: a tab closed without DELETE leaves the connection "connected" for good,
/// but its RTCP stops (every 0.5 to 1.5 s while it lives). FALSE when webrtcbin has no rtpbin.
static inline gboolean CGstPublishing_webrtc_watch_liveness(
    GstElement *_Nonnull webrtc, CGstPublishing_liveness_callback _Nonnull callback, void *_Nonnull context, GDestroyNotify _Nonnull destroy
) {
    GstElement *rtpbin = gst_bin_get_by_name(GST_BIN(webrtc), "rtpbin");
    if (rtpbin == NULL) { destroy(context); return FALSE; }
    CGstPublishing_promise_hooks *hooks = g_atomic_rc_box_new0(CGstPublishing_promise_hooks);
    hooks->callback = (CGstPublishing_promise_callback)(void (*)(void))callback;
    hooks->context = context;
    hooks->destroy = destroy;
    g_signal_connect_data(rtpbin, "on-ssrc-active", G_CALLBACK(CGstPublishing_on_ssrc_active), g_atomic_rc_box_acquire(hooks),
                          CGstPublishing_liveness_release, 0);
    g_signal_connect_data(rtpbin, "on-bye-ssrc", G_CALLBACK(CGstPublishing_on_ssrc_gone), g_atomic_rc_box_acquire(hooks),
                          CGstPublishing_liveness_release, 0);
    g_signal_connect_data(rtpbin, "on-timeout", G_CALLBACK(CGstPublishing_on_ssrc_gone), hooks, CGstPublishing_liveness_release, 0);
    gst_object_unref(rtpbin);
    return TRUE;
}

/// Turns off libnice's UPnP port mapping for `webrtc`'s ICE agent: it would search the LAN for a
/// gateway (SSDP multicast) on a thread of its own for every viewer, and a camera's viewers need no
/// port opened on a router.
static inline void CGstPublishing_webrtc_disable_upnp(GstElement *_Nonnull webrtc) {
    GObject *ice = NULL;
    g_object_get(webrtc, "ice-agent", &ice, NULL);
    if (ice == NULL) return;
    GObject *agent = NULL;
    if (g_object_class_find_property(G_OBJECT_GET_CLASS(ice), "agent") != NULL) g_object_get(ice, "agent", &agent, NULL);
    g_object_unref(ice);
    if (agent == NULL) return;
    if (g_object_class_find_property(G_OBJECT_GET_CLASS(agent), "upnp") != NULL) g_object_set(agent, "upnp", FALSE, NULL);
    g_object_unref(agent);
}
