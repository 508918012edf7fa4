/* verify.h — IR invariants, checked after import and after every pass. */
#ifndef FC_VERIFY_H
#define FC_VERIFY_H
#include "ir.h"
/* Returns 0 if g is well formed; otherwise -1 with g->err describing the first violation. */
int fc_verify(FcGraph *g);
#endif
