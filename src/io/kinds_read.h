/* The readers of reader.h for the other kinds of file: ensembles, sweeps,
 * cell sensitivity, and a file's kind. The API is in scenmc/reader.h. */
#ifndef SCENMC_IO_KINDS_READ_H
#define SCENMC_IO_KINDS_READ_H

#include "scenmc/reader.h"
#include "io/results_read.h"

#include <hdf5.h>

/* The members' quantile dataset of table k in /ensemble ("<table>_quantile"). */
void scenmc__ensemble_quantile_name(char *buf, size_t n, int k);

/* A file of one kind opened for its reader: the header, model and /params
 * read and checked (scenmc__meta_open), then its group (such as
 * "/calibrate") opened into *g. When that fails: the error ("not a <what>
 * file (no <group>)" when the group is missing), info freed and nothing
 * left open. */
scenmc_status scenmc__kind_open(const char *path, const char *group, const char *what, scenmc__meta *mt,
                                hid_t *g, scenmc_results_info *info, scenmc_error *err);
/* Its end, st being the reader's status: closes g (when >= 0) and mt;
 * when st is SCENMC_OK, first hands the model over (*model) and copies the
 * parameters into p (unless NULL); otherwise frees info. Returns st. */
scenmc_status scenmc__kind_close(scenmc_status st, scenmc__meta *mt, hid_t g, scenmc_model **model,
                                 scenmc_params *p, scenmc_results_info *info);

#endif
