/* Trajectory ranges, shards, checkpoint files (docs/hpc.md).
 *
 * A checkpoint is an ordinary results file (scenmc_output_write) over the
 * trajectories done so far, plus root attributes saying which range the run
 * was to compute and a dataset listing the ranges done. Resuming runs the
 * rest and adds the counts: integer addition, so the result is bit for bit
 * that of an uninterrupted run. */
#include "io/checkpoint.h"
#include "base/atomic_file.h"
#include "io/h5.h"
#include "io/results_write.h"
#include "base/util.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <hdf5.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* ---------------------------------------------------------------- HDF5 helpers */

char *scenmc__hpc_temp_name(const char *path)
{
    return scenmc__atomic_temp_name(path);
}

static int put_u64(hid_t loc, const char *name, uint64_t v)
{
    return scenmc__h5_put_attr(loc, name, H5T_STD_U64LE, H5T_NATIVE_UINT64, &v);
}

static int put_int(hid_t loc, const char *name, int v)
{
    return scenmc__h5_put_attr(loc, name, H5T_STD_I32LE, H5T_NATIVE_INT, &v);
}

/* 1 found, 0 absent, -1 unreadable. */
static int get_num(hid_t loc, const char *name, hid_t mem_type, void *v)
{
    return scenmc__h5_get_attr(loc, "/", name, mem_type, v);
}

static int add_info_attrs(hid_t f, const void *ctx)
{
    const scenmc_hpc_info *info = ctx;
    int ok = 1;
    if (info->shard_count > 0) {
        ok &= put_int(f, "shard_index", info->shard_index);
        ok &= put_int(f, "shard_count", info->shard_count);
    }
    if (!info->checkpoint)
        return ok;
    ok &= put_int(f, "checkpoint", 1);
    ok &= put_u64(f, "checkpoint_target_first", info->target_first);
    ok &= put_u64(f, "checkpoint_target_last", info->target_last);
    ok &= put_u64(f, "checkpoint_next", info->next);
    ok &= scenmc__h5_put_attr_str(f, "checkpoint_output", info->output, 1);
    hid_t g = H5Gcreate2(f, "checkpoint", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
    if (g < 0)
        return 0;
    hsize_t dims[2] = {(hsize_t)info->n_done, 2};
    hid_t sp = H5Screate_simple(2, dims, NULL);
    hid_t d = H5Dcreate2(g, "done", H5T_STD_U64LE, sp, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
    if (d < 0) {
        ok = 0;
    } else {
        if (info->n_done) {
            uint64_t *buf = scenmc__xcalloc(2 * info->n_done, sizeof(uint64_t));
            for (size_t i = 0; i < info->n_done; i++) {
                buf[2 * i] = info->done[i].first;
                buf[2 * i + 1] = info->done[i].last;
            }
            ok &= H5Dwrite(d, H5T_NATIVE_UINT64, H5S_ALL, H5S_ALL, H5P_DEFAULT, buf) >= 0;
            free(buf);
        }
        H5Dclose(d);
    }
    H5Sclose(sp);
    H5Gclose(g);
    return ok;
}

scenmc_status scenmc_hpc_write(const char *path, const scenmc_results *r,
                               const scenmc_write_options *opt, const scenmc_hpc_info *info,
                               scenmc_error *err)
{
    if (!info || (!info->checkpoint && info->shard_count == 0))
        return scenmc_output_write(path, r, opt, err);
    /* The attributes go into the file before it is committed: one temporary, and
     * (as ever for checkpoints) no overwriting a path that appeared meanwhile. */
    scenmc__output_extra extra = {add_info_attrs, info, "cannot add the checkpoint attributes", 1};
    return scenmc__output_write_extra(path, r, opt, &extra, err);
}

void scenmc_hpc_info_free(scenmc_hpc_info *info)
{
    free(info->done);
    free(info->output);
    memset(info, 0, sizeof *info);
}

scenmc_status scenmc_hpc_info_read(const char *path, scenmc_hpc_info *info, scenmc_error *err)
{
    memset(info, 0, sizeof *info);
    hid_t f = H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT);
    if (f < 0)
        return scenmc_error_add(err, SCENMC_E_IO, "%s: cannot open it as HDF5", path);
    int bad = 0;
    bad |= get_num(f, "shard_index", H5T_NATIVE_INT, &info->shard_index) < 0;
    bad |= get_num(f, "shard_count", H5T_NATIVE_INT, &info->shard_count) < 0;
    int ck = 0;
    bad |= get_num(f, "checkpoint", H5T_NATIVE_INT, &ck) < 0;
    if (ck == 1 && !bad) {
        info->checkpoint = 1;
        bad |= get_num(f, "checkpoint_target_first", H5T_NATIVE_UINT64, &info->target_first) != 1;
        bad |= get_num(f, "checkpoint_target_last", H5T_NATIVE_UINT64, &info->target_last) != 1;
        bad |= get_num(f, "checkpoint_next", H5T_NATIVE_UINT64, &info->next) != 1;
        info->output = scenmc__h5_attr_string(f, "/", "checkpoint_output");
        if (info->output && !*info->output) {
            free(info->output);
            info->output = NULL;
        }
        hid_t d = bad ? -1 : H5Dopen2(f, "/checkpoint/done", H5P_DEFAULT);
        if (d < 0) {
            bad = 1;
        } else {
            hid_t sp = H5Dget_space(d);
            hsize_t dims[2] = {0, 0};
            if (H5Sget_simple_extent_ndims(sp) != 2 || H5Sget_simple_extent_dims(sp, dims, NULL) < 0 ||
                dims[1] != 2 || dims[0] > 100000000) {
                bad = 1;
            } else {
                info->n_done = (size_t)dims[0];
                info->done = scenmc__xcalloc(info->n_done ? info->n_done : 1, sizeof(scenmc_range));
                if (info->n_done && H5Dread(d, H5T_NATIVE_UINT64, H5S_ALL, H5S_ALL, H5P_DEFAULT,
                                            info->done) < 0)
                    bad = 1;
            }
            H5Sclose(sp);
            H5Dclose(d);
        }
        if (!bad) {
            for (size_t i = 0; i < info->n_done; i++)
                if (info->done[i].first >= info->done[i].last ||
                    info->done[i].first < info->target_first || info->done[i].last > info->target_last)
                    bad = 1;
            size_t n = bad ? 0 : scenmc_ranges_normalize(info->done, info->n_done);
            if (n == (size_t)-1 || n != info->n_done || info->target_first > info->target_last)
                bad = 1;
        }
    } else if (ck != 0) {
        bad = 1;
    }
    H5Fclose(f);
    if (bad) {
        scenmc_hpc_info_free(info);
        return scenmc_error_add(err, SCENMC_E_INPUT, "%s: its checkpoint or shard attributes are "
                                "damaged", path);
    }
    return SCENMC_OK;
}

/* ---------------------------------------------------------------- sweep shards */

int scenmc__is_sweep_file(const char *path)
{
    if (H5Fis_hdf5(path) <= 0)
        return 0;
    hid_t f = H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT);
    if (f < 0)
        return 0;
    /* Sweep files have a /sweep group and an n_points attribute. */
    int yes = H5Lexists(f, "sweep", H5P_DEFAULT) > 0 && H5Aexists(f, "n_points") > 0;
    H5Fclose(f);
    return yes;
}

scenmc_status scenmc__sweep_shard_commit(const char *tmp, const char *path, int force, int point_first,
                                        int point_last, int n_points, int shard_index,
                                        int shard_count, scenmc_error *err)
{
    scenmc__atomic a;
    scenmc__atomic_adopt(&a, tmp, path);
    a.no_clobber = !force;
    hid_t f = H5Fopen(tmp, H5F_ACC_RDWR, H5P_DEFAULT);
    int ok = f >= 0;
    if (ok) {
        ok &= put_int(f, "sweep_point_first", point_first);
        ok &= put_int(f, "sweep_point_last", point_last);
        ok &= put_int(f, "sweep_n_points", n_points);
        ok &= put_int(f, "shard_index", shard_index);
        ok &= put_int(f, "shard_count", shard_count);
        if (H5Fclose(f) < 0)
            ok = 0;
    }
    if (!ok) {
        scenmc__atomic_abandon(&a);
        return scenmc_error_add(err, SCENMC_E_IO, "%s: cannot add the shard attributes; nothing was "
                                "written", path);
    }
    return scenmc__atomic_commit(&a, 0, err);
}
