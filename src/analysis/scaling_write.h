/*
 * scaling_write.h: how build/scaling-summarize presents a sweep
 * (scaling_dir.h): points.csv for the plots and anyone's scripts,
 * scaling.md for people, and the verdict lines it prints. The numbers
 * come from scaling.c and scaling_verdict.c; this file only lays them out.
 */
#ifndef SENDLAB_SCALING_WRITE_H
#define SENDLAB_SCALING_WRITE_H

#include "analysis/scaling_dir.h"

#include <stdio.h>

/* One row per point, in d->order; a failed point's measured columns NaN. */
void scaling_write_points(FILE *f, const struct scaling_dir *d);

/* The tables, the verdict on "cores + 4" and the expectations. */
void scaling_write_markdown(FILE *f, const struct scaling_dir *d);

/* For the terminal (verdict.txt): the verdict, the expectations, and a
 * line for a busy machine, each noisy point and the failed ones. */
void scaling_write_verdict(FILE *f, const struct scaling_dir *d);

#endif
