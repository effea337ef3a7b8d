/* The results writer's internals beyond the public scenmc_output_write
 * (scenmc.h) and the sweep writer (sweep.h). */
#ifndef SCENMC_IO_RESULTS_WRITE_H
#define SCENMC_IO_RESULTS_WRITE_H

#include "scenmc/scenmc.h"

#include <hdf5.h>

/* Something to add to a results file before it is committed: add(file, ctx)
 * returns 1 when done; on 0 nothing is written and the message is
 * "<path>: <failed>; nothing was written". no_clobber: at commit, refuse a
 * target that appeared meanwhile (unless --force). */
typedef struct scenmc__output_extra {
    int (*add)(hid_t file, const void *ctx);
    const void *ctx;
    const char *failed;
    int no_clobber;
} scenmc__output_extra;

/* scenmc_output_write, plus extra (may be NULL). */
scenmc_status scenmc__output_write_extra(const char *path, const scenmc_results *r,
                                        const scenmc_write_options *opt,
                                        const scenmc__output_extra *extra, scenmc_error *err);

/* A file of the results format without tables: root attributes (from shape),
 * /model, /params (params), then extra->add for the file's own groups. For
 * files such as derivatives that have their own tables. */
scenmc_status scenmc__output_write_meta(const char *path, const scenmc_results *shape,
                                       const scenmc_params *params, const scenmc_write_options *opt,
                                       const scenmc__output_extra *extra, scenmc_error *err);

#endif
