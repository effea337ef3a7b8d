/* Any scenmc file that report and export read: the results of run, exact or
 * merge, an ensemble run, a sweep, a sensitivity or a derivative file
 * (reader API). */
#ifndef SCENMC_CLI_RESULTS_SRC_H
#define SCENMC_CLI_RESULTS_SRC_H

#include "scenmc/reader.h"
#include "scenmc/signposts.h"
#include "scenmc/sweep.h"

typedef struct results_src {
    scenmc_file_kind kind;   /* RESULTS, ENSEMBLE, SWEEP, SENSITIVITY or DERIVATIVE */
    scenmc_model *m;
    scenmc_results_info info;
    scenmc_results r;        /* RESULTS, ENSEMBLE */
    scenmc_ensemble_data ens;/* ENSEMBLE */
    scenmc_sweep_data sweep; /* SWEEP */
    scenmc_params base;      /* SENSITIVITY, DERIVATIVE: its parameters */
    scenmc_sensitivity_result sens;
    scenmc_derivatives deriv;  /* DERIVATIVE */
    int is_signposts;          /* kind OTHER: a signposts file, in base and sp */
    scenmc_signposts sp;
} results_src;

/* Reads path; 0, or an exit code after saying why (s holds nothing then). */
int results_src_read(const char *cmd, const char *path, results_src *s);
void results_src_free(results_src *s);

#endif
