/* fc_weights.c — decoding the weight text of a generated file.
 *
 * fastc stores a model's constants as base64 text in string literals: 4 source characters
 * per 3 bytes keeps the generated C about 2.3x smaller than octal escapes, and compilers
 * read long string literals quickly and with little memory (a BERT-sized model compiles in
 * seconds). The text is decoded once, at the first run, into a static buffer.
 * The alphabet is RFC 4648's; the blob is padded to whole 3-byte groups, so there is no '='. */
#include "fc_rt.h"

FC_RT_HELPER unsigned fc_b64_value(unsigned char c)
{
    if (c >= 'A' && c <= 'Z') return (unsigned)(c - 'A');
    if (c >= 'a' && c <= 'z') return (unsigned)(c - 'a' + 26);
    if (c >= '0' && c <= '9') return (unsigned)(c - '0' + 52);
    return c == '+' ? 62u : 63u;
}

/* Decodes `nchars` (a multiple of 4) characters of `text` into out (nchars / 4 * 3 bytes). */
FC_RT void fc_rt_b64_decode(const char *text, int64_t nchars, unsigned char *out)
{
    int64_t i;
    for (i = 0; i + 3 < nchars; i += 4) {
        unsigned v = fc_b64_value((unsigned char)text[i]) << 18 |
                     fc_b64_value((unsigned char)text[i + 1]) << 12 |
                     fc_b64_value((unsigned char)text[i + 2]) << 6 |
                     fc_b64_value((unsigned char)text[i + 3]);
        *out++ = (unsigned char)(v >> 16);
        *out++ = (unsigned char)(v >> 8);
        *out++ = (unsigned char)v;
    }
}
