/* pass_manager.h — named passes, -O pipelines, dumps and statistics.
 * Every pass is one file in passes/ exporting one FcPass descriptor, listed in passes.def. */
#ifndef FC_PASS_MANAGER_H
#define FC_PASS_MANAGER_H

#include <stdio.h>
#include "ir.h"

typedef struct FcPass {
    const char *name;      /* as used by --passes, --disable-pass and dump file names */
    const char *summary;   /* one line for --list-passes */
    unsigned levels;       /* bit k set: runs at -Ok */
    /* Rewrites g; returns the number of changes made, or -1 on error (g->err set). */
    int (*run)(FcGraph *g);
} FcPass;

#define FC_LEVELS(o0, o1, o2, o3) ((o0) | (o1) << 1 | (o2) << 2 | (o3) << 3)
#define FC_MAX_PASS_ARGS 64

typedef struct FcPassOptions {
    int level;
    const char *only[FC_MAX_PASS_ARGS];     /* --passes: exactly this list */
    int nonly;
    int explicit_list;
    const char *disabled[FC_MAX_PASS_ARGS];
    int ndisabled;
    const char *enabled[FC_MAX_PASS_ARGS];   /* opt-in passes added to the level's pipeline */
    int nenabled;
    const char *dump_before, *dump_after, *dump_dir;
    int stats;
    char error[128];                          /* set by fc_pass_parse_flag on bad input */
} FcPassOptions;

/* Consumes argv[*i] if it is a pass-manager flag; returns 1 if consumed. */
int fc_pass_parse_flag(FcPassOptions *o, int argc, char **argv, int *i);
void fc_pass_list(FILE *f);
/* Runs the pipeline chosen by o on an inferred graph, writing dumps and stats. */
int fc_run_passes(FcGraph *g, const FcPassOptions *o);
const FcPass *fc_pass_find(const char *name);
/* The i-th pass of passes.def (pipeline order), NULL past the end. */
const FcPass *fc_pass_at(int i);

#endif
