/* placeholder */
#include "ir.h"
int fc_prep_if(FcGraph *g, FcNode *n) { return fc_err(g, n, "not implemented yet"); }
