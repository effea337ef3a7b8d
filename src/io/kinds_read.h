/* The readers of reader.h for the other kinds of file: ensembles, sweeps,
 * cell sensitivity, and a file's kind. The API is in scenmc/reader.h. */
#ifndef SCENMC_IO_KINDS_READ_H
#define SCENMC_IO_KINDS_READ_H

#include "scenmc/reader.h"

/* The members' quantile dataset of table k in /ensemble ("<table>_quantile"). */
void scenmc__ensemble_quantile_name(char *buf, size_t n, int k);

#endif
