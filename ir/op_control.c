/* op_control.c — prepare for control flow (If). The emitter lowers If itself: it has no kernel.
 *
 * Both branches are inferred; fastc's static shapes require them to yield the same dtype and
 * shape for every output unless the condition is a compile-time constant, in which case only
 * the taken branch is inferred (and infer.c inlines it). */
#include <string.h>
#include "ir.h"

static int same_type(const FcValue *a, const FcValue *b)
{
    if (a->dtype != b->dtype || a->rank != b->rank)
        return 0;
    return memcmp(a->dims, b->dims, sizeof(int64_t) * (size_t)a->rank) == 0;
}

int fc_prep_if(FcGraph *g, FcNode *n)
{
    FcValue *cond = fc_in(g, n, 0);
    FcBlock *br[2] = {NULL, NULL};
    for (int i = 0; i < n->nattr; i++) {
        if (n->attr[i].type != FC_ATTR_GRAPH)
            continue;
        if (strcmp(n->attr[i].name, "then_branch") == 0)
            br[0] = n->attr[i].graph;
        else if (strcmp(n->attr[i].name, "else_branch") == 0)
            br[1] = n->attr[i].graph;
    }
    if (!br[0] || !br[1])
        return fc_err(g, n, "missing then_branch or else_branch attribute");
    if (fc_value_numel(cond) != 1)
        return fc_err(g, n, "condition must hold exactly one element");
    int only = -1;
    if (cond->kind == FC_VAL_CONST)
        only = fc_rt_get_i64(cond->data, cond->dtype, 0) ? 0 : 1;
    for (int b = 0; b < 2; b++) {
        if (only >= 0 && b != only)
            continue;
        if (br[b]->noutputs != n->nout)
            return fc_err(g, n, "%s yields %d outputs, the node has %d", b ? "else_branch" :
                          "then_branch", br[b]->noutputs, n->nout);
        if (fc_infer_block(g, br[b]))
            return -1;
    }
    for (int o = 0; o < n->nout; o++) {
        const FcValue *src = fc_val(g, br[only >= 0 ? only : 0]->outputs[o]);
        if (only < 0 && !same_type(src, fc_val(g, br[1]->outputs[o])))
            return fc_err(g, n, "then_branch and else_branch yield different types or shapes for "
                          "output %d (fastc needs static shapes)", o);
        if (fc_set_out_like(g, n, o, src))
            return -1;
    }
    n->branch[0] = br[0];
    n->branch[1] = br[1];
    return 0;
}

/* Constant nodes become constant values in the importer; the row exists so that messages
 * and the printer can name the op. */
int fc_prep_constant(FcGraph *g, FcNode *n)
{
    return fc_err(g, n, "Constant node reached shape inference (importer bug)");
}
