/* replace_activation.h — choosing what the replace-activation pass rewrites.
 *
 * The pass is opt-in and lossy, so it has a configuration: fastc --replace-activation=FROM:TO
 * adds one rewrite (see replace_activation.c for the list). The configuration is process-wide:
 * one fastc process compiles one model. */
#ifndef FC_REPLACE_ACTIVATION_H
#define FC_REPLACE_ACTIVATION_H

#include <stddef.h>

/* Adds the rewrites named in `spec` ("gelu:relu", or several joined by commas). Returns 0, or
 * -1 with a one-line message in err for an unknown name or a second, different GELU target. */
int fc_replace_activation_add(const char *spec, char *err, size_t errlen);
/* 1 if any rewrite is selected. */
int fc_replace_activation_active(void);
/* Forgets every selected rewrite. */
void fc_replace_activation_reset(void);

#endif
