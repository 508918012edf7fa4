/* emit_c.h — the C emitter: IR → one self-contained C99 file needing only libm.
 * The only part of fastc that prints C. */
#ifndef FC_EMIT_C_H
#define FC_EMIT_C_H

#include <stdint.h>
#include <stdio.h>
#include "ir.h"

typedef struct FcEmbeddedSource {
    const char *name;
    const char *text;
} FcEmbeddedSource;

/* runtime/ files embedded at build time (tools/embed_sources.py), NULL-terminated. */
extern const FcEmbeddedSource fc_rt_embedded[];

typedef struct FcEmitOptions {
    const char *prefix;      /* C identifier prefix: <prefix>_run */
    const char *model_name;  /* for the header comment */
    int with_main;           /* emit main() (reads .pb/.bin inputs, writes .pb outputs) */
    const char *header_name; /* if set, the .c includes nothing but documents this header */
    int threads;             /* OpenMP threads when built with -fopenmp (0: OpenMP's default) */
    const char *weights_file; /* if set, the weights live in this file (fc_emit_weights), which
                               * <prefix>_load_weights reads at run time, not in the C */
    uint64_t weights_id;     /* the fingerprint fc_emit_weights returned for that file */
    int profile;             /* time every kernel call (<prefix>_node_ms; main prints a table) */
} FcEmitOptions;

/* Writes the C file. The graph must be inferred and memory-planned. */
int fc_emit_c(FILE *f, const FcGraph *g, const FcEmitOptions *opt);
/* Writes the weights file of --weights: a 64-byte header (magic "FASTCWT1", the blob's size
 * and a fingerprint, both little-endian uint64) then the blob the C file would otherwise
 * carry as text. Stores the fingerprint, which fc_emit_c must get in opt->weights_id. */
int fc_emit_weights(FILE *f, const FcGraph *g, const FcEmitOptions *opt, uint64_t *id);
/* Writes the matching header (prototype + I/O metadata). */
int fc_emit_header(FILE *f, const FcGraph *g, const FcEmitOptions *opt);

#endif
