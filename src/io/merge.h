/* Merging shard files into one results or sweep file (scenmc_merge_files, scenmc_merge_sweep_files).
 * The functions are public API, declared in scenmc/hpc.h. */
#ifndef SCENMC_IO_MERGE_H
#define SCENMC_IO_MERGE_H

#include "scenmc/hpc.h"

/* What one part covers: trajectories or sweep points [first, last). */
typedef struct scenmc__span {
    uint64_t first, last;
    const char *name;
} scenmc__span;

/* The parts in order of (first, last), ties in the order given, checked to
 * cover [0, total) once: one problem in err per gap or overlap (what:
 * "trajectories" or "sweep points"). Frees sp; the order is malloc'd. */
int *scenmc__cover_order(scenmc__span *sp, int n, uint64_t total, const char *what, scenmc_error *err);

#endif
