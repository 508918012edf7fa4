/* verify.c — checks the IR's invariants: every node input is defined before use (by a graph
 * input, a constant, or an earlier node of this or an enclosing block), every value is
 * produced at most once, every run-time value has a known dtype and shape, counts match the
 * op table, and graph outputs are defined. A failure after a pass is a fastc bug. */
#include <stdlib.h>
#include "verify.h"

typedef struct Verifier {
    FcGraph *g;
    char *defined; /* per value */
} Verifier;

static int check_block(Verifier *v, const FcBlock *b)
{
    FcGraph *g = v->g;
    for (int i = 0; i < b->nnodes; i++) {
        const FcNode *n = b->nodes[i];
        const FcOpInfo *info = &fc_ops[n->op];
        if (n->nin < info->min_in || n->nin > info->max_in || n->nout < info->min_out ||
            n->nout > info->max_out)
            return fc_err(g, n, "verifier: %d inputs / %d outputs do not match the op table",
                          n->nin, n->nout);
        for (int k = 0; k < n->nin; k++) {
            int id = n->in[k];
            if (id >= g->nvals || (id >= 0 && !v->defined[id]))
                return fc_err(g, n, "verifier: input %d ('%s') is used before it is defined", k,
                              id >= 0 && id < g->nvals ? fc_val(g, id)->name : "?");
        }
        for (int br = 0; br < 2; br++) {
            if (!n->branch[br])
                continue;
            if (check_block(v, n->branch[br]))
                return -1;
            for (int k = 0; k < n->branch[br]->noutputs; k++)
                if (!v->defined[n->branch[br]->outputs[k]])
                    return fc_err(g, n, "verifier: branch output %d is undefined", k);
        }
        for (int k = 0; k < n->nout; k++) {
            int id = n->out[k];
            if (id < 0)
                continue;
            if (v->defined[id])
                return fc_err(g, n, "verifier: value '%s' is defined twice", fc_val(g, id)->name);
            if (fc_val(g, id)->rank < 0)
                return fc_err(g, n, "verifier: output '%s' has no shape", fc_val(g, id)->name);
            v->defined[id] = 1;
        }
    }
    return 0;
}

int fc_verify(FcGraph *g)
{
    Verifier v = {g, calloc((size_t)g->nvals + 1, 1)};
    for (int i = 0; i < g->nvals; i++)
        if (fc_val(g, i)->kind != FC_VAL_TEMP)
            v.defined[i] = 1;
    int rc = check_block(&v, &g->top);
    for (int i = 0; !rc && i < g->noutputs; i++)
        if (!v.defined[g->outputs[i]])
            rc = fc_err(g, NULL, "verifier: graph output '%s' is undefined",
                        fc_val(g, g->outputs[i])->name);
    free(v.defined);
    return rc;
}
