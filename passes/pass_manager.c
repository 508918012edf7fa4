/* pass_manager.c — runs a pipeline of passes over the IR, with dumps and statistics.
 *
 * A level's pipeline is every pass of passes.def whose level mask has that level, plus the
 * opt-in passes the caller enabled (o->enabled), in file order, minus --disable-pass;
 * --passes=a,b,c replaces it with exactly that list. After each pass the graph is
 * re-verified (a pass that breaks the IR is an internal error). */
#define _POSIX_C_SOURCE 200809L /* mkdir */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/stat.h>
#include "pass_manager.h"
#include "print.h"
#include "stats.h"
#include "verify.h"

#define PASS(d) extern const FcPass d;
#include "passes.def"
#undef PASS

static const FcPass *const all_passes[] = {
#define PASS(d) &d,
#include "passes.def"
#undef PASS
    NULL
};

const FcPass *fc_pass_find(const char *name)
{
    for (int i = 0; all_passes[i]; i++)
        if (strcmp(all_passes[i]->name, name) == 0)
            return all_passes[i];
    return NULL;
}

const FcPass *fc_pass_at(int i)
{
    return i >= 0 && i < (int)(sizeof all_passes / sizeof all_passes[0]) ? all_passes[i] : NULL;
}

static const char *value_of(const char *flag, int argc, char **argv, int *i)
{
    size_t n = strlen(flag);
    if (strncmp(argv[*i], flag, n) != 0)
        return NULL;
    if (argv[*i][n] == '=')
        return argv[*i] + n + 1;
    if (argv[*i][n] == 0 && *i + 1 < argc)
        return argv[++*i];
    return NULL;
}

static int check_pass_name(FcPassOptions *o, const char *name)
{
    if (strcmp(name, "all") == 0 || fc_pass_find(name))
        return 1;
    snprintf(o->error, sizeof o->error, "unknown pass '%.60s' (see --list-passes)", name);
    return 1;
}

int fc_pass_parse_flag(FcPassOptions *o, int argc, char **argv, int *i)
{
    const char *v;
    if ((v = value_of("--passes", argc, argv, i))) {
        char *list = strdup(v);
        o->explicit_list = 1;
        for (char *tok = strtok(list, ","); tok; tok = strtok(NULL, ",")) {
            if (!fc_pass_find(tok))
                return check_pass_name(o, tok);
            if (o->nonly < FC_MAX_PASS_ARGS)
                o->only[o->nonly++] = tok;
        }
        return 1;
    }
    if ((v = value_of("--disable-pass", argc, argv, i))) {
        if (o->ndisabled < FC_MAX_PASS_ARGS)
            o->disabled[o->ndisabled++] = v;
        return fc_pass_find(v) ? 1 : check_pass_name(o, v);
    }
    if ((v = value_of("--dump-after", argc, argv, i))) {
        o->dump_after = v;
        return check_pass_name(o, v);
    }
    if ((v = value_of("--dump-before", argc, argv, i))) {
        o->dump_before = v;
        return check_pass_name(o, v);
    }
    if ((v = value_of("--dump-dir", argc, argv, i))) {
        o->dump_dir = v;
        return 1;
    }
    if (strcmp(argv[*i], "--stats") == 0) {
        o->stats = 1;
        return 1;
    }
    return 0;
}

void fc_pass_list(FILE *f)
{
    for (int i = 0; all_passes[i]; i++) {
        const FcPass *p = all_passes[i];
        char levels[16] = "";
        for (int l = 0; l < 4; l++)
            if (p->levels & (1u << l))
                snprintf(levels + strlen(levels), sizeof levels - strlen(levels), "%sO%d",
                         levels[0] ? "," : "", l);
        fprintf(f, "%-22s %-12s %s\n", p->name, levels[0] ? levels : "opt-in", p->summary);
    }
}

static int listed(const char *const *list, int n, const char *name)
{
    for (int i = 0; i < n; i++)
        if (strcmp(list[i], name) == 0)
            return 1;
    return 0;
}

static int dump(FcGraph *g, const FcPassOptions *o, const char *when, const char *sel,
                const char *pass, int seq)
{
    if (!sel || (strcmp(sel, "all") != 0 && strcmp(sel, pass) != 0))
        return 0;
    char path[4096];
    /* --dump-dir d makes d (one level, like mkdir) when it is not there yet */
    if (o->dump_dir && mkdir(o->dump_dir, 0777) != 0 && errno != EEXIST)
        return fc_err(g, NULL, "cannot create dump directory '%s': %s", o->dump_dir,
                      strerror(errno));
    snprintf(path, sizeof path, "%s/%02d-%s%s.ir", o->dump_dir ? o->dump_dir : ".", seq,
             strcmp(when, "Before") == 0 ? "before-" : "", pass);
    FILE *f = fopen(path, "w");
    if (!f)
        return fc_err(g, NULL, "cannot write dump file '%s'", path);
    fprintf(f, "// -----// IR Dump %s %s //----- //\n", when, pass);
    fc_print_graph(f, g);
    fclose(f);
    return 0;
}

static int run_one(FcGraph *g, const FcPassOptions *o, const FcPass *p, int seq)
{
    if (dump(g, o, "Before", o->dump_before, p->name, seq))
        return -1;
    FcGraphStats before, after;
    if (o->stats)
        fc_graph_stats(g, &before);
    clock_t t0 = clock();
    int changes = p->run(g);
    double ms = (double)(clock() - t0) * 1e3 / CLOCKS_PER_SEC;
    if (changes < 0)
        return -1;
    if (fc_verify(g))
        return -1;
    if (o->stats) {
        fc_graph_stats(g, &after);
        fprintf(stderr, "fastc: pass %-20s %4d changes  nodes %5d -> %5d  MMACs %9.2f -> %9.2f  "
                "weights %8.1f -> %8.1f KiB  peak act %8.1f -> %8.1f KiB  %7.2f ms\n", p->name,
                changes, before.nodes, after.nodes, before.macs / 1e6, after.macs / 1e6,
                before.weight_bytes / 1024.0, after.weight_bytes / 1024.0,
                before.peak_bytes / 1024.0, after.peak_bytes / 1024.0, ms);
    }
    return dump(g, o, "After", o->dump_after, p->name, seq);
}

int fc_run_passes(FcGraph *g, const FcPassOptions *o)
{
    int seq = 1;
    if (o->explicit_list) {
        for (int i = 0; i < o->nonly; i++)
            if (run_one(g, o, fc_pass_find(o->only[i]), seq++))
                return -1;
        return 0;
    }
    for (int i = 0; all_passes[i]; i++) {
        const FcPass *p = all_passes[i];
        int in_level = (p->levels & (1u << o->level)) || listed(o->enabled, o->nenabled, p->name);
        if (!in_level || listed(o->disabled, o->ndisabled, p->name))
            continue;
        if (run_one(g, o, p, seq++))
            return -1;
    }
    return 0;
}
