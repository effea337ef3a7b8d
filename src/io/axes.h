/* Named axes for the tables of one group (format version 2, netCDF-4's
 * conventions): every dimension has a coordinate variable of its name (an
 * HDF5 dimension scale), and every other variable has its dimensions'
 * scales attached and labelled, a long_name and, where it has one, units.
 * The writers of the calibration, levers and derivative files share it,
 * so that xarray and R see the same named dimensions in each. */
#ifndef SCENMC_IO_AXES_H
#define SCENMC_IO_AXES_H

#include "scenmc/scenmc.h"

#include <hdf5.h>

enum { SCENMC_AXES_MAX = 8 };

typedef struct scenmc__axes {
    hid_t g;                          /* the group written into */
    int n;                            /* dimensions */
    const char *const *names;         /* their names, also their coordinates' names */
    hsize_t len[SCENMC_AXES_MAX];     /* their lengths (the caller sets them) */
    hid_t scale[SCENMC_AXES_MAX];     /* their coordinate variables, open; -1 until written */
    int fixed;                        /* long_name and units as fixed-length strings */
    int ok;                           /* 0 once anything failed; later calls then do nothing */
} scenmc__axes;

/* Attaches scale (skipped when < 0) as dimension i of the dataset ds and
 * labels it: label, or when label is NULL and ds has none there yet, the
 * scale's own name (h5py's and hdf5r's view of the dimension). 1 when done. */
int scenmc__axes_attach(hid_t ds, unsigned i, hid_t scale, const char *label);

/* Axes of group g named names[n] (lengths to set in a->len), text
 * attributes fixed-length when fixed. */
void scenmc__axes_init(scenmc__axes *a, hid_t g, int n, const char *const *names, int fixed);
/* Closes the coordinate variables (not the group); returns a->ok. */
int scenmc__axes_close(scenmc__axes *a);

/* Dataset name over the dimensions dims[rank], data (not read when a
 * dimension is empty) of the memory and file type type, with long_name and
 * units (NULL: none), the dimensions' scales attached and labelled with
 * their names. */
void scenmc__axes_var(scenmc__axes *a, const char *name, hid_t type, int rank, const int *dims,
                      const void *data, const char *long_name, const char *units);
/* The same with netCDF's "coordinates" attribute (the names of auxiliary
 * coordinate variables, space-separated). */
void scenmc__axes_var_coords(scenmc__axes *a, const char *name, hid_t type, int rank, const int *dims,
                             const void *data, const char *long_name, const char *units, const char *coords);
/* A 1-D variable of UTF-8 strings along dim. */
void scenmc__axes_strings(scenmc__axes *a, const char *name, int dim, const char *const *s,
                          const char *long_name);

/* The coordinate variable of dim (named like it), kept open as its scale. */
void scenmc__axes_coord(scenmc__axes *a, int dim, hid_t type, const void *data, const char *long_name,
                        const char *units);
void scenmc__axes_coord_strings(scenmc__axes *a, int dim, const char *const *s, const char *long_name);
/* 0, 1, ..., len - 1 (int32, units "1"). */
void scenmc__axes_coord_index(scenmc__axes *a, int dim, const char *long_name);
/* year_start, year_start + 1, ... (int32, no units). */
void scenmc__axes_coord_years(scenmc__axes *a, int dim, int year_start, const char *long_name);
/* The model's scenarios by name, "unclassified" after them (len of them). */
void scenmc__axes_coord_scenarios(scenmc__axes *a, int dim, const scenmc_model *m, const char *long_name);
/* The model's variants as "ID=variant". */
void scenmc__axes_coord_variants(scenmc__axes *a, int dim, const scenmc_model *m, const char *long_name);

#endif
