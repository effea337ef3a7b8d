/* What scenmc export reads: a file of the results reader (cli/results_src.h:
 * run, exact, merge, ensemble, sweep, sensitivity, derivative, signposts), or
 * a calibration or levers file, chosen by the file's kind. */
#ifndef SCENMC_CLI_EXPORT_IN_H
#define SCENMC_CLI_EXPORT_IN_H

#include "cli/results_src.h"
#include "cli/export_calibrate.h"
#include "cli/export_levers.h"

enum { EXPORT_SRC_RESULTS, EXPORT_SRC_CALIB, EXPORT_SRC_LEVERS };

typedef struct export_in {
    int src;
    results_src s;     /* EXPORT_SRC_RESULTS */
    export_calib cal;  /* EXPORT_SRC_CALIB */
    export_levers lev; /* EXPORT_SRC_LEVERS */
} export_in;

/* Reads path by its kind; 0, or an exit code after saying why (in holds
 * nothing then). */
int export_in_read(const char *path, export_in *in);
void export_in_free(export_in *in);
/* The model's name and the file's method, for messages. */
void export_in_names(const export_in *in, const char **model, const char **method);

#endif
