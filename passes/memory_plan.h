/* memory_plan.h — assigns every run-time tensor an offset in one static arena. */
#ifndef FC_MEMORY_PLAN_H
#define FC_MEMORY_PLAN_H
#include "ir.h"
#define FC_ARENA_ALIGN 64
/* Sets value->offset for inputs and intermediates, node->scratch_offset, g->arena_bytes. */
int fc_plan_memory(FcGraph *g);
#endif
