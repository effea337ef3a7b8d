/* The results reader's internals beyond the public reader.h. */
#ifndef SCENMC_IO_RESULTS_READ_H
#define SCENMC_IO_RESULTS_READ_H

#include "scenmc/reader.h"

#include <hdf5.h>

/* The one /params reader: reads the parameters in /params of the open file
 * (a results or sweep file; path names it in messages) for model m, checked
 * the way scenmc_results_read checks them. p is initialised either way: free
 * it with scenmc_params_free. SCENMC_E_INPUT (or NOMEM) with a message
 * naming the file when /params is missing, damaged or not for m. */
scenmc_status scenmc__params_read_h5(hid_t file, const char *path, const scenmc_model *m,
                                    scenmc_params *p, scenmc_error *err);

/* A scenmc file of any kind opened for the readers of reader.h beyond
 * results (sweeps, sensitivity): header, model and /params read and checked. */
typedef struct scenmc__meta {
    hid_t file;
    int version;           /* format_version */
    scenmc_method method;  /* from the root 'method' (exact, else Monte Carlo) */
    scenmc_model *model;
    scenmc_params params;
    int have_params;
} scenmc__meta;

/* Opens path into mt (info, may be NULL, gets the provenance). On failure
 * mt holds nothing to close. */
scenmc_status scenmc__meta_open(const char *path, scenmc__meta *mt, scenmc_results_info *info,
                                scenmc_error *err);
/* Closes the file and frees the model and params. */
void scenmc__meta_close(scenmc__meta *mt);

#endif
