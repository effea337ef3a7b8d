/* The scaffolding every writer of a file of its own kind shares (the
 * calibration, levers, derivative and signposts files): the results format's
 * root attributes, /model and /params first, then the kind's group with its
 * named axes (io/axes.h). The reading side is io/kinds_read.h. */
#ifndef SCENMC_IO_KIND_WRITE_H
#define SCENMC_IO_KIND_WRITE_H

#include "scenmc/scenmc.h"
#include "io/axes.h"
#include "io/results_write.h"

#include <hdf5.h>
#include <stdint.h>

/* What the root attributes record of the run that made the file. */
typedef struct scenmc__kind_head {
    scenmc_method method;
    uint64_t n_trajectories;
    uint64_t first, last;    /* a shard's trajectory range; 0, 0: not a shard */
    double wall_seconds;
    int threads;
    const char *file_method; /* the root attribute "method" (such as "calibrate"); NULL: opt's */
} scenmc__kind_head;

/* The file at path: the header of m, p and head, then extra->add for the
 * kind's own group (scenmc__output_write_meta). */
scenmc_status scenmc__kind_write(const char *path, const scenmc_model *m, const scenmc_params *p,
                                 const scenmc__kind_head *head, const scenmc_write_options *opt,
                                 const scenmc__output_extra *extra, scenmc_error *err);

/* The group name of file, created, and the axes a of it (scenmc__axes_init);
 * the group, or < 0 when it could not be created (a is then untouched). */
hid_t scenmc__kind_group(hid_t file, const char *name, scenmc__axes *a, int n, const char *const *names,
                         int fixed);
/* Closes the axes and the group: 1 when everything was written. */
int scenmc__kind_group_close(scenmc__axes *a);

#endif
