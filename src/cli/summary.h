/* Printing results as tables on a terminal (shared by run, exact and others). */
#ifndef SCENMC_CLI_SUMMARY_H
#define SCENMC_CLI_SUMMARY_H

#include "scenmc/scenmc.h"

#include <stdio.h>

/* Scenario probabilities per year (with standard errors for Monte Carlo). */
void summary_scenarios(FILE *f, const scenmc_results *r);
/* Final-year characteristics: per scenario, each descriptor's most likely variant. */
void summary_characteristics(FILE *f, const scenmc_results *r);
/* The most frequent (or probable) final states. */
void summary_top_states(FILE *f, const scenmc_results *r, int n);

/* Prints s cut or padded to width characters (UTF-8 aware). */
void summary_cell(FILE *f, const char *s, int width);
/* The width of a column headed by name: its length in characters, within
 * [min, max] (a longer name is cut by summary_cell). */
int summary_width(const char *name, int min, int max);

/* Progress reporting for long runs: a bar on a terminal, a plain line about
 * every 10 seconds in a batch log. */
typedef struct progress {
    int tty;
    int quiet;
    double last_print;
    const char *what;
} progress;
void progress_init(progress *p, const char *what, int quiet);
int progress_cb(void *ctx, uint64_t done, uint64_t total, double seconds);
void progress_end(progress *p);

#endif
