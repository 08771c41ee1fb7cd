/*
 * envtxt.h: read a run directory's env.txt, the "key: value" lines that
 * scripts/experiment.sh and scripts/scaling.sh write beside the CSVs.
 * Shared by build/summarize and build/scaling-summarize.
 */
#ifndef SENDLAB_ENVTXT_H
#define SENDLAB_ENVTXT_H

#include <stdbool.h>
#include <stddef.h>

/* The value of the first "key: value" line of dir/env.txt, without its
 * newline, into out[0..cap) (truncated to fit); false if the file or the
 * key is absent. */
bool envtxt_value(const char *dir, const char *key, char *out, size_t cap);

#endif
