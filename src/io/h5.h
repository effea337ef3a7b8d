/* The one HDF5 layer: attribute, string and dataset helpers, and the
 * results-file schema, for the writer, the reader, checkpoints and merge.
 *
 * Nothing here switches HDF5's error printing: the program does that once
 * (the command line's main). */
#ifndef SCENMC_IO_H5_H
#define SCENMC_IO_H5_H

#include "scenmc/scenmc.h"

#include <hdf5.h>
#include <stddef.h>

/* ---------------------------------------------------------------- schema */

/* The groups of tables in a results file, each holding one dataset per table
 * (scenmc_table_names), shaped as scenmc_results_init shapes the table (its
 * rank, dims and axes: scenmc_axis_names). Exact results have only
 * /probability. */
enum { SCENMC_G_COUNTS, SCENMC_G_PROBABILITY, SCENMC_G_STDERR, SCENMC_N_GROUPS };
extern const char *const scenmc__group_names[SCENMC_N_GROUPS];

/* Whether results of method m carry group g. */
int scenmc__group_present(scenmc_method m, int g);
/* The memory type of group g's datasets: uint64 counts, double otherwise. */
hid_t scenmc__group_type(int g);
/* Table t's data in group g. */
void *scenmc__group_data(const scenmc_table *t, int g);
/* The dataset name of table k in a file of format_version version (version 2
 * renames scenario, variant and consistency: *_by_year). */
extern const char *const scenmc__table_h5_names[SCENMC_N_TABLES];
const char *scenmc__table_h5_name(int version, int k);
/* "/<group>/<table>" in a file of format_version version. */
void scenmc__table_path(char *buf, size_t n, int version, int g, int k);
/* t's dims as hsize_t (dims[3]); returns the rank. */
int scenmc__table_dims(const scenmc_table *t, hsize_t *dims);

/* ---------------------------------------------------------------- writing */

/* A variable-length UTF-8 string type (close it with H5Tclose). */
hid_t scenmc__h5_vstr_type(void);
/* Creates (or replaces) the scalar attribute name of loc; 1 when written. */
int scenmc__h5_put_attr(hid_t loc, const char *name, hid_t file_type, hid_t mem_type, const void *v);
/* A UTF-8 text attribute: variable length, or fixed length (strlen + 1,
 * null-terminated) when fixed. NULL writes "". */
int scenmc__h5_put_attr_str(hid_t loc, const char *name, const char *s, int fixed);

/* ---------------------------------------------------------------- reading */

/* A scalar numeric attribute of obj (relative to loc; "/" the root), read as
 * mem_type: 1 read, 0 absent, -1 unreadable or not one value. */
int scenmc__h5_get_attr(hid_t loc, const char *obj, const char *name, hid_t mem_type, void *v);

/* String attribute `name` of object `obj` (relative to loc), fixed or
 * variable length, malloc'd; NULL when absent, not a string, unreadable or
 * longer than 1 MiB. */
char *scenmc__h5_attr_string(hid_t loc, const char *obj, const char *name);

/* HDF5's own description of the last failure (the innermost one), into buf;
 * "no detail" when it gave none. Call it at once: any later HDF5 call, even
 * a successful one, clears it. */
void scenmc__h5_detail(char *buf, size_t n);

/* Reads the cnt (>= 1) strings of a string dataset or attribute (is_attr),
 * variable or fixed length, into out[cnt] as malloc'd copies. The caller
 * has checked that obj holds cnt strings. Returns 0; -1 when HDF5 failed
 * (then detail, when not NULL, gets scenmc__h5_detail's words: n_detail
 * bytes); -2 when a fixed length is 0 or over max_len; -3 out of memory.
 * On failure out holds nothing. */
int scenmc__h5_read_text(hid_t obj, int is_attr, size_t cnt, size_t max_len, char **out,
                        char *detail, size_t n_detail);

/* The strings of the dataset name (rank 0 or 1, fewer than a million),
 * malloc'd, their number in *n; NULL on failure. */
char **scenmc__h5_read_strings(hid_t loc, const char *name, size_t *n);
void scenmc__h5_free_strings(char **s, size_t n);

/* The rank and extent of a dataset's or attribute's space (dims:
 * H5S_MAX_RANK slots); 0, or -1 when unreadable, or 1 for a null space
 * (rank 0 but no value; a scalar has rank 0 and gives 0). */
int scenmc__h5_extent(hid_t obj, int is_attr, int *rank, hsize_t *dims);

/* The length of the 1-D dataset name of loc (a coordinate variable), or -1
 * when it is absent or not 1-D. */
long scenmc__h5_axis_len(hid_t loc, const char *name);

/* Whether path is an HDF5 file holding the object name ("/levers"). */
int scenmc__h5_file_has(const char *path, const char *name);

/* Reads the numeric dataset name when it holds exactly want values: 1 read,
 * 0 absent, -1 another size or unreadable. */
int scenmc__h5_read_num(hid_t loc, const char *name, hid_t mem_type, size_t want, void *buf);

/* ---------------------------------------------------------------- sweeps: one point of a table */

/* Point i of a dataset shaped [P, t's dims]: its file space (selected) and a
 * memory space of t's shape, both to close with H5Sclose. */
void scenmc__h5_point_spaces(hid_t d, int i, const scenmc_table *t, hid_t *fs, hid_t *ms);
/* Reads point i of the dataset name (of loc), shaped [P, t's dims], into buf
 * as mem_type: 1 read; 0 absent, of another shape or unreadable. */
int scenmc__h5_read_point(hid_t loc, const char *name, hid_t mem_type, hsize_t P, int i,
                          const scenmc_table *t, void *buf);

#endif
