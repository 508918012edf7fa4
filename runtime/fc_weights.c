/* fc_weights.c — decoding the weight text of a generated file.
 *
 * fastc stores a model's constants as text in string literals, in a base-85 code: every 4
 * bytes (big-endian) become 5 characters. That keeps the generated C about 2.5x smaller than
 * octal escapes and 6 % smaller than base64, and compilers read long string literals quickly
 * and with little memory (bert_mini's 44 MB of weights compile in seconds, the compiler's
 * memory growing with the text size). The text is decoded once, at the first run.
 * The 85 characters are printable ASCII from '!' up, skipping '"' and '\\' (string syntax)
 * and '?' (so no trigraph can form); the blob is padded to whole 4-byte groups. The
 * compiler encodes with fc_rt_weight_char, so both directions live in this file. */
#include "fc_rt.h"

/* The character for digit d (0..84). */
FC_RT char fc_rt_weight_char(unsigned d)
{
    if (d == 0)
        return '!';
    if (d <= 28)
        return (char)('#' + d - 1); /* '#' .. '>' */
    if (d <= 56)
        return (char)('@' + d - 29); /* '@' .. '[' */
    return (char)(']' + d - 57);     /* ']' .. 'x' */
}

/* The digit of character c (the inverse of fc_rt_weight_char). */
FC_RT_HELPER unsigned fc_weight_digit(unsigned char c)
{
    if (c == '!')
        return 0;
    if (c <= '>')
        return (unsigned)(c - '#' + 1);
    if (c <= '[')
        return (unsigned)(c - '@' + 29);
    return (unsigned)(c - ']' + 57);
}

/* Decodes `nchars` (a multiple of 5) characters of `text` into out (nchars / 5 * 4 bytes). */
FC_RT void fc_rt_weight_decode(const char *text, int64_t nchars, unsigned char *out)
{
    int64_t i;
    for (i = 0; i + 4 < nchars; i += 5) {
        uint32_t v = 0;
        int k;
        for (k = 0; k < 5; k++)
            v = v * 85u + fc_weight_digit((unsigned char)text[i + k]);
        *out++ = (unsigned char)(v >> 24);
        *out++ = (unsigned char)(v >> 16);
        *out++ = (unsigned char)(v >> 8);
        *out++ = (unsigned char)v;
    }
}
