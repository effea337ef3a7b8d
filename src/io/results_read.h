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

#endif
