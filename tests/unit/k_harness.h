/* k_harness.h — what the kernel unit tests share: a tensor view of a C array and a runner
 * that calls one kernel the way the emitted _run does (tensor table indices, packed
 * parameters, scratch poisoned first so a kernel that reads scratch it did not write shows). */
#ifndef K_HARNESS_H
#define K_HARNESS_H
#include <string.h>
#include "fc_rt.h"

static FC_MAYBE_UNUSED FcRtTensor k_tensor(const void *data, int32_t dt, int rank, const int64_t *dims)
{
    FcRtTensor t;
    memset(&t, 0, sizeof t);
    t.data = (void *)data;
    t.dtype = dt;
    t.rank = rank;
    for (int i = 0; i < rank; i++)
        t.dims[i] = dims[i];
    return t;
}

/* Kernel k on t[0..nin) -> t[nin..nin+nout) (at most 8 each), scratch of `bytes` bytes. */
static FC_MAYBE_UNUSED void k_run(FcRtKernel k, FcRtTensor *t, int nin, int nout, const int64_t *ia, int nia,
                  void *scratch, size_t bytes)
{
    int32_t in[8], out[8];
    FcRtNode n;
    for (int i = 0; i < nin; i++)
        in[i] = i;
    for (int i = 0; i < nout; i++)
        out[i] = nin + i;
    memset(&n, 0, sizeof n);
    n.nin = nin;
    n.nout = nout;
    n.in = in;
    n.out = out;
    n.nia = nia;
    n.ia = ia;
    memset(scratch, 0x7f, bytes);
    n.scratch = scratch;
    k(&n, t);
}
#endif
