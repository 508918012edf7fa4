/* emit_c.h — the C emitter: IR → one self-contained C99 file. */
#ifndef FC_EMIT_C_H
#define FC_EMIT_C_H
typedef struct FcEmbeddedSource {
    const char *name;
    const char *text;
} FcEmbeddedSource;
extern const FcEmbeddedSource fc_rt_embedded[];
#endif
