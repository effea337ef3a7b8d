/* Small HDF5 helpers shared by the modules that read results files back
 * without the full reader (checkpoints, merge). */
#ifndef SCENMC_H5UTIL_H
#define SCENMC_H5UTIL_H

#include <hdf5.h>

/* String attribute `name` of object `obj` (relative to loc), fixed or
 * variable length, malloc'd; NULL when absent, not a string, unreadable or
 * longer than 1 MiB. */
char *scenmc_h5_attr_string(hid_t loc, const char *obj, const char *name);

#endif
