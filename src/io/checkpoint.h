/* Checkpoints and shard files: results files with the attributes of
 * scenmc_hpc_info (public API in scenmc/hpc.h), and the pieces the sweep
 * command needs to commit its shards. */
#ifndef SCENMC_IO_CHECKPOINT_H
#define SCENMC_IO_CHECKPOINT_H

#include "scenmc/hpc.h"

/* Whether path is a sweep file (a /sweep group and the root attribute n_points). */
int scenmc__is_sweep_file(const char *path);
/* A fresh, empty temporary file beside path (malloc'd name), or NULL. */
char *scenmc__hpc_temp_name(const char *path);
/* Sweep shards: adds sweep_point_first, sweep_point_last, sweep_n_points,
 * shard_index and shard_count to the finished sweep file tmp, flushes it and
 * renames it over path (refusing an existing path unless force). */
scenmc_status scenmc__sweep_shard_commit(const char *tmp, const char *path, int force, int point_first,
                                        int point_last, int n_points, int shard_index,
                                        int shard_count, scenmc_error *err);

#endif
