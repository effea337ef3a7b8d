/* The signposts file back into memory: the inverse of io/signposts_write.c.
 * The entry point, scenmc_signposts_read, is declared in scenmc/signposts.h. */
#ifndef SCENMC_IO_SIGNPOSTS_READ_H
#define SCENMC_IO_SIGNPOSTS_READ_H

#include "scenmc/signposts.h"

#endif
