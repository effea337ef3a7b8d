/* The signposts file of `scenmc signposts` (docs/signposts.md, section 4):
 * the results format's root attributes, /model and /params, then
 * /signposts with named dimensions. The entry point, scenmc_signposts_write,
 * is declared in scenmc/signposts.h. */
#ifndef SCENMC_IO_SIGNPOSTS_WRITE_H
#define SCENMC_IO_SIGNPOSTS_WRITE_H

#include "scenmc/signposts.h"

#include <hdf5.h>

/* The dimensions of /signposts, each a coordinate variable of its name. */
enum { SCENMC_SP_DESCRIPTOR, SCENMC_SP_OTHER, SCENMC_SP_YEAR, SCENMC_SP_VARIANT, SCENMC_SP_SCENARIO,
       SCENMC_SP_TARGET, SCENMC_SP_N_DIMS };
extern const char *const scenmc__sp_dim_names[SCENMC_SP_N_DIMS];
/* The length of dimension dim for sp. */
hsize_t scenmc__sp_dim_len(const scenmc_signposts *sp, int dim);

#endif
