/* CSV matrices in and out (scenmc_csv_read_draft, scenmc_csv_format). */
#ifndef SCENMC_INTEROP_CSV_MATRIX_H
#define SCENMC_INTEROP_CSV_MATRIX_H

#include "scenmc/interop.h"

#endif
