/* Merging shard files into one results or sweep file (scenmc_merge_files, scenmc_merge_sweep_files).
 * The functions are public API, declared in scenmc/hpc.h. */
#ifndef SCENMC_IO_MERGE_H
#define SCENMC_IO_MERGE_H

#include "scenmc/hpc.h"

#endif
