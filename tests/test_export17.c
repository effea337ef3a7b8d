/* scenmc export of the files of issues 17 and 18: signposts, calibration and
 * levers files (exact and Monte Carlo) as tidy CSV and as JSON. Each file is
 * made here by its command on the small test model; tests/cliout/
 * export17_check.py reads the CSV back (csv module) and checks the headers,
 * the row counts and every value against the HDF5 file read with h5py (not
 * scenmc's reader), and the JSON rows against the CSV. An unknown kind of
 * file, and a JSON file in the way, still give clear errors. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "testutil.h"

#include <stdio.h>
#include <string.h>
#include <unistd.h>

#define PY "/usr/bin/python3"


static int have_h5py(void)
{
    return access(PY, X_OK) == 0 && sh(PY " -c 'import h5py, numpy'") == 0;
}

static const char *model(void)
{
    return src_path("tests/data/good/small.yaml");
}

/* Exports NAME.h5 to NAME/ and NAME.json (extra options opts) and checks them. */
static void export_and_check(const char *name, const char *kind, const char *opts, const char *check_opts)
{
    char h5[300], dir[300], json[320];
    snprintf(h5, sizeof h5, "%s.h5", name);
    snprintf(dir, sizeof dir, "%s-%s", name, *opts ? "labels" : "plain");
    snprintf(json, sizeof json, "%s.json", dir);
    if (sh("cd %s && %s export %s --csv %s --json %s %s --force -q", scratch_dir, SCENMC_BINARY, h5, dir, json,
           opts) != 0)
        fail_msg("export %s: %s", h5, sh_out);
    if (sh("cd %s && " PY " %s %s %s %s %s %s", scratch_dir, src_path("tests/cliout/export17_check.py"), kind, h5,
           dir, json, check_opts) != 0)
        fail_msg("%s", sh_out);
}

/* The files of each kind, made once. */
static int files_setup(void **state)
{
    if (scratch_setup(state) != 0)
        return -1;
    const char *B = SCENMC_BINARY, *M = model();
    int rc = sh("%s signposts %s -o %s -q", B, M, scratch_path("sp.h5"));
    rc |= sh("%s signposts %s --method mc -n 20000 --given 2002:X=up -o %s -q", B, M, scratch_path("spmc.h5"));
    rc |= sh("%s calibrate %s --given 2002:X=up --given 2004:Y=y3 --param beta=0.5:2 --param rate=0.3,0.6,0.9 "
             "--points 3 -o %s -q", B, M, scratch_path("cal.h5"));
    rc |= sh("%s calibrate %s --given 2002:X=up --param beta=0.5,2 --param rate=0.3,0.9 --method monte-carlo "
             "-n 2000 -o %s -q", B, M, scratch_path("calmc.h5"));
    rc |= sh("%s levers %s --target Boom --from 2002 --pairs --push-strength 1 -o %s -q", B, M, scratch_path("lev.h5"));
    rc |= sh("%s levers %s --target Boom,Bust --from 2003 --method mc -n 4000 -o %s -q", B, M, scratch_path("levmc.h5"));
    rc |= sh("%s run %s -n 2000 -o %s -q", B, M, scratch_path("run.h5"));
    return rc ? -1 : 0;
}

static void test_signposts(void **state)
{
    (void)state;
    if (!have_h5py())
        skip();
    export_and_check("sp", "signposts", "", "");
    export_and_check("sp", "signposts", "--order --labels en", "--order-labels");
    export_and_check("spmc", "signposts", "", ""); /* Monte Carlo: stderr and bias */
}

static void test_calibrate(void **state)
{
    (void)state;
    if (!have_h5py())
        skip();
    export_and_check("cal", "calibrate", "", "");
    export_and_check("cal", "calibrate", "--order --labels en", "--order-labels");
    export_and_check("calmc", "calibrate", "", ""); /* likelihood_se, effective_size */
}

static void test_levers(void **state)
{
    (void)state;
    if (!have_h5py())
        skip();
    export_and_check("lev", "levers", "", "");   /* holds, pushes and pairs */
    export_and_check("lev", "levers", "--order --labels en", "--order-labels");
    export_and_check("levmc", "levers", "", ""); /* Monte Carlo, no pairs: no levers_pairs.csv */
}

/* --json for the kinds export read before: the same rows as the CSV. */
static void test_json_run(void **state)
{
    (void)state;
    if (!have_h5py())
        skip();
    export_and_check("run", "any", "--order", "");
    assert_int_equal(sh("%s export %s --json - -q", SCENMC_BINARY, scratch_path("run.h5")), 0);
    assert_out_has("\"tables\": {");
    assert_out_has("\"scenario\": [");
}

/* A scenmc file of a kind export does not know, a file that is no HDF5, no
 * output and a JSON file in the way: status 2 with a message saying why. */
static void test_refusals(void **state)
{
    (void)state;
    if (!have_h5py())
        skip();
    assert_int_equal(sh(PY " -c 'import shutil, h5py; shutil.copy(\"%s\", \"%s\"); f = h5py.File(\"%s\", \"r+\"); "
                        "f.attrs[\"method\"] = \"frobnicate\"; del f[\"signposts\"]'",
                        scratch_path("sp.h5"), scratch_path("odd.h5"), scratch_path("odd.h5")), 0);
    assert_int_equal(sh("%s export %s --csv %s", SCENMC_BINARY, scratch_path("odd.h5"), scratch_path("odd")), 2);
    assert_out_has("frobnicate");
    assert_int_equal(access(scratch_path("odd"), F_OK), -1); /* nothing written */
    assert_int_equal(sh("echo hello > %s && %s export %s --csv %s", scratch_path("text.h5"), SCENMC_BINARY,
                        scratch_path("text.h5"), scratch_path("text")), 2);
    assert_int_equal(sh("%s export %s", SCENMC_BINARY, scratch_path("sp.h5")), 2);
    assert_out_has("expected --csv DIR or --json FILE");
    assert_int_equal(sh("echo x > %s && %s export %s --json %s", scratch_path("in-the-way.json"), SCENMC_BINARY,
                        scratch_path("sp.h5"), scratch_path("in-the-way.json")), 2);
    assert_out_has("--force");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_signposts), cmocka_unit_test(test_calibrate), cmocka_unit_test(test_levers),
        cmocka_unit_test(test_json_run),  cmocka_unit_test(test_refusals),
    };
    return cmocka_run_group_tests(tests, files_setup, scratch_teardown);
}
