/* print.h — printing the IR's stable text form (see docs/ir.md). */
#ifndef FC_PRINT_H
#define FC_PRINT_H
#include <stdio.h>
#include "ir.h"
void fc_print_graph(FILE *f, const FcGraph *g);
void fc_print_type(FILE *f, const FcValue *v);
/* Graphviz dot of the graph (fastc --emit=dot). */
void fc_print_dot(FILE *f, const FcGraph *g);
#endif
