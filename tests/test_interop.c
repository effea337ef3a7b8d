/* Models from and to other tools (include/scenmc/interop.h): ScenarioWizard
 * .scw files and solution lists, CSV matrices, the YAML writer every import
 * goes through, and the commands `scenmc import` and `scenmc export-model`.
 *
 * The sample CIB_global.scw / .sl (ScenarioWizard's public example) are in
 * tests/data/scw/, copied from shared/testdata, so that nothing here needs
 * files outside the repository. */
#include "testutil.h"

#include "scenmc/cib.h"
#include "scenmc/interop.h"
#include "interop/csv_matrix.h"
#include "interop/scw.h"
#include "model/draft.h"
#include "model/yaml_write.h"
#include "base/text.h"

#include <dirent.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define DATA SCENMC_SOURCE_DIR "/tests/data"
#define SAMPLE DATA "/scw/CIB_global.scw"
#define SAMPLE_SL DATA "/scw/CIB_global.sl"

/* The sample's matrix as the file has it: rows = source, columns = target,
 * variants FT Ntl Mix | Rlx Mod Alrt | Decl Stag ModGr RpdGr. */
static const int sample_x[10][10] = {
    {0, 0, 0, 1, 2, -3, -4, -2, 3, 3},   {0, 0, 0, -2, 1, 1, 3, 5, -3, -5},
    {0, 0, 0, 2, 1, -3, -2, 0, 4, -2},   {1, -3, 2, 0, 0, 0, -1, -1, 1, 1},
    {1, -2, 1, 0, 0, 0, 0, 1, 0, -1},    {-2, 3, -1, 0, 0, 0, 1, 2, -1, -2},
    {-3, 5, -2, -3, 1, 2, 0, 0, 0, 0},   {-2, 3, -1, -2, 1, 1, 0, 0, 0, 0},
    {2, -4, 2, 1, 0, -1, 0, 0, 0, 0},    {3, -6, 3, -1, 1, 0, 0, 0, 0, 0}};
static const char *const sample_variants[10] = {"FT",  "Ntl",  "Mix",  "Rlx",   "Mod",
                                                "Alrt", "Decl", "Stag", "ModGr", "RpdGr"};

/* ------------------------------------------------------------ helpers */

static void assert_contains(const char *hay, const char *needle)
{
    if (!hay || !strstr(hay, needle))
        fail_msg("expected to find\n  %s\nin\n%s", needle, hay ? hay : "(null)");
}

static scenmc_model *load(const char *path)
{
    scenmc_error err;
    scenmc_error_clear(&err);
    scenmc_model *m = NULL;
    if (scenmc_model_load(path, &m, &err) != SCENMC_OK)
        fail_msg("%s did not load:\n%s", path, err.msg);
    return m;
}

static double X(const scenmc_model *m, int u, int v)
{
    return m->cross_impact[(size_t)u * (size_t)m->n_variants + (size_t)v];
}

static double C(const scenmc_model *m, int u, int v)
{
    return m->consistency[(size_t)u * (size_t)m->n_variants + (size_t)v];
}

/* Same descriptors, variants (names, ids, labels) and matrices. */
static void assert_same_model(const scenmc_model *a, const scenmc_model *b)
{
    assert_int_equal(a->n_descriptors, b->n_descriptors);
    assert_int_equal(a->n_variants, b->n_variants);
    for (int d = 0; d < a->n_descriptors; d++) {
        const scenmc_descriptor *A = &a->descriptors[d], *B = &b->descriptors[d];
        assert_string_equal(A->id, B->id);
        assert_string_equal(A->name, B->name);
        assert_int_equal(A->n_variants, B->n_variants);
        assert_true((A->label == NULL) == (B->label == NULL));
        if (A->label)
            assert_string_equal(A->label, B->label);
        assert_true(A->rate == B->rate);
        assert_true((A->initial == NULL) == (B->initial == NULL));
        for (int k = 0; A->initial && k < A->n_variants; k++)
            assert_true(A->initial[k] == B->initial[k]);
    }
    size_t V = (size_t)a->n_variants;
    for (size_t v = 0; v < V; v++) {
        assert_string_equal(a->variant_name[v], b->variant_name[v]);
        assert_true((a->variant_id[v] == NULL) == (b->variant_id[v] == NULL));
        if (a->variant_id[v])
            assert_string_equal(a->variant_id[v], b->variant_id[v]);
        assert_true((a->variant_label[v] == NULL) == (b->variant_label[v] == NULL));
        if (a->variant_label[v])
            assert_string_equal(a->variant_label[v], b->variant_label[v]);
    }
    assert_true((a->cross_impact == NULL) == (b->cross_impact == NULL));
    for (size_t k = 0; k < V * V; k++) {
        assert_true(a->consistency[k] == b->consistency[k]);
        assert_int_equal(a->scored[k], b->scored[k]);
        if (a->cross_impact)
            assert_true(a->cross_impact[k] == b->cross_impact[k]);
    }
    assert_int_equal(a->n_self_impacts, b->n_self_impacts);
}

/* A scratch directory for files the commands write. */
static char scratch[256];

static int setup_scratch(void **state)
{
    (void)state;
    snprintf(scratch, sizeof scratch, "/tmp/scenmc-interop-XXXXXX");
    return mkdtemp(scratch) ? 0 : -1;
}

static int teardown_scratch(void **state)
{
    (void)state;
    return remove_tree(scratch);
}

static const char *tmp_path(const char *name)
{
    static char buf[4][512];
    static int k;
    k = (k + 1) % 4;
    snprintf(buf[k], sizeof buf[k], "%s/%s", scratch, name);
    return buf[k];
}

/* ------------------------------------------------------------ .scw import */

static void test_scw_sample(void **state)
{
    (void)state;
    scenmc_error err;
    scenmc_error_clear(&err);
    scenmc_model *m = NULL;
    char *notes = NULL;
    assert_int_equal(scenmc_import_model(SAMPLE, NULL, &m, &notes, &err), SCENMC_OK);
    assert_null(notes); /* nothing to tell: UTF-8, named variants, no self-impacts */
    assert_string_equal(m->path, SAMPLE);
    assert_string_equal(m->name, "CIB_global.scw");
    assert_int_equal(m->n_descriptors, 3);
    assert_int_equal(m->n_variants, 10);
    const char *ids[3] = {"WTRD", "WSEC", "WECO"};
    const int nv[3] = {3, 3, 4};
    for (int d = 0; d < 3; d++) {
        assert_string_equal(m->descriptors[d].id, ids[d]);
        assert_string_equal(m->descriptors[d].name, ids[d]);
        assert_int_equal(m->descriptors[d].n_variants, nv[d]);
        assert_null(m->descriptors[d].label);
    }
    for (int v = 0; v < 10; v++)
        assert_string_equal(m->variant_name[v], sample_variants[v]);
    assert_non_null(m->cross_impact);
    for (int u = 0; u < 10; u++)
        for (int v = 0; v < 10; v++)
            assert_true(X(m, u, v) == sample_x[u][v]);
    for (size_t k = 0; k < 100; k++)
        assert_int_equal(m->scored[k], 0);
    assert_int_equal(m->n_self_impacts, 0);
    assert_int_equal(m->n_scenarios, 0);
    assert_true(m->scale_x[0] == -20 && m->scale_x[1] == 20);
    assert_int_equal(m->year_start, 2020);
    assert_int_equal(m->year_end, 2030);
    assert_true(m->beta == 0.5 && m->rate == 0.5);

    /* The model's text is the generated YAML: re-parsing it (as a results file
     * does) gives the same model and the same hash. */
    assert_non_null(strstr(m->text, "format: scenmc-model"));
    scenmc_model *again = model_from_string(m->text);
    assert_same_model(m, again);
    assert_memory_equal(m->sha256, again->sha256, 32);
    scenmc_model_free(again);

    /* scenmc_model_load dispatches on the extension to the same reader. */
    scenmc_model *l = load(SAMPLE);
    assert_same_model(m, l);
    assert_memory_equal(m->sha256, l->sha256, 32);
    scenmc_model_free(l);

    /* CR LF line ends and blank lines read the same. */
    l = load(DATA "/scw/CIB_global_crlf.scw");
    assert_same_model(m, l);
    scenmc_model_free(l);
    scenmc_model_free(m);
}

/* Quoted and empty names, repeated names, descriptions, self-impacts and
 * impacts beyond the default scale. */
static void test_scw_features(void **state)
{
    (void)state;
    scenmc_error err;
    scenmc_error_clear(&err);
    scenmc_model *m = NULL;
    char *notes = NULL;
    assert_int_equal(scenmc_import_model(DATA "/scw/features.scw", NULL, &m, &notes, &err),
                     SCENMC_OK);
    assert_string_equal(m->name, "Harbour \"test\"");
    assert_string_equal(m->descriptors[0].id, "Energy_price");
    assert_string_equal(m->descriptors[0].name, "Energy price");
    assert_string_equal(m->descriptors[0].label, "What energy costs");
    assert_string_equal(m->descriptors[1].id, "D2");
    assert_null(m->descriptors[1].label);
    const char *names[5] = {"Low", "High", "Car", "v2", "Car (2)"};
    const char *labels[5] = {"cheap", "dear", "by car", NULL, "also by car"};
    for (int v = 0; v < 5; v++) {
        assert_string_equal(m->variant_name[v], names[v]);
        if (labels[v])
            assert_string_equal(m->variant_label[v], labels[v]);
        else
            assert_null(m->variant_label[v]);
    }
    assert_int_equal(m->n_self_impacts, 3);
    assert_true(X(m, 0, 1) == 2 && X(m, 1, 0) == 3 && X(m, 4, 3) == 4);
    assert_true(X(m, 1, 4) == 25);
    assert_true(m->scale_x[0] == -25 && m->scale_x[1] == 25);
    assert_contains(notes, "features.scw:6: descriptor 2 has no name; called it 'D2'");
    assert_contains(notes, "features.scw:8: variant 2 of 'D2' has no name; called it 'v2'");
    assert_contains(notes, "features.scw:9: variant 3 of 'D2' repeats the name 'Car'");
    assert_contains(notes, "3 self-impacts");
    assert_contains(notes, "kept, as ScenarioWizard counts them");
    free(notes);

    /* Exported and read back: the same names, labels and matrix. */
    char *text = NULL;
    size_t len = 0;
    assert_int_equal(scenmc__scw_format(m, NULL, &text, &len, NULL, &err), SCENMC_OK);
    scenmc_model *draft = NULL;
    assert_int_equal(scenmc__scw_read_draft(text, len, "features-out.scw", &draft, &notes, &err),
                     SCENMC_OK);
    scenmc_model *back = NULL;
    assert_int_equal(scenmc__model_build(draft, NULL, NULL, "features-out.scw", NULL, NULL, &back,
                                        &err),
                     SCENMC_OK);
    assert_same_model(m, back);
    free(notes);
    free(text);
    scenmc_model_free(draft);
    scenmc_model_free(back);
    scenmc_model_free(m);
}

/* A file from Windows: Windows-1252 names, CR LF, the sections before the
 * matrix left empty and no '#' after it. */
static void test_scw_windows_1252(void **state)
{
    (void)state;
    scenmc_error err;
    scenmc_error_clear(&err);
    scenmc_model *m = NULL;
    char *notes = NULL;
    assert_int_equal(scenmc_import_model(DATA "/scw/cp1252.scw", NULL, &m, &notes, &err),
                     SCENMC_OK);
    assert_contains(notes, "read as Windows-1252");
    assert_string_equal(m->name, "\xc3\x96konomie");
    assert_string_equal(m->descriptors[0].name, "Wirtschaft\xc3\xbc");
    assert_string_equal(m->descriptors[0].id, "Wirtschaftu");
    assert_string_equal(m->variant_name[0], "Gr\xc3\xbcn");
    assert_string_equal(m->variant_name[1], "M\xc3\xa4\xc3\x9fig");
    assert_string_equal(m->variant_name[2], "\xe2\x82\xac hoch");
    assert_true(X(m, 2, 0) == 2 && X(m, 3, 1) == 1);
    free(notes);
    /* Written back in Windows-1252 (the bytes of the original names). */
    char *text = NULL;
    size_t len = 0;
    assert_int_equal(scenmc__scw_format(m, NULL, &text, &len, &notes, &err), SCENMC_OK);
    assert_null(notes);
    assert_non_null(
        strstr(text, "&Wirtschaft\xfc\n -Gr\xfcn\n -M\xe4\xdfig\n&Preis\n -\x80 hoch\n"));
    free(text);
    /* ... or, asked to, in UTF-8. */
    scenmc_export_options o;
    scenmc_export_options_init(&o);
    o.utf8 = 1;
    o.crlf = 1;
    assert_int_equal(scenmc__scw_format(m, &o, &text, &len, NULL, &err), SCENMC_OK);
    assert_non_null(strstr(text, "\r\n -Gr\xc3\xbcn\r\n"));
    free(text);
    scenmc_model_free(m);
}

/* .scw -> model -> .scw gives the sample back byte for byte. */
static void test_scw_roundtrip(void **state)
{
    (void)state;
    size_t len = 0;
    char *orig = slurp(SAMPLE, &len);
    assert_non_null(orig);
    scenmc_model *m = load(SAMPLE);
    scenmc_error err;
    scenmc_error_clear(&err);
    char *text = NULL, *notes = NULL;
    size_t tlen = 0;
    assert_int_equal(scenmc__scw_format(m, NULL, &text, &tlen, &notes, &err), SCENMC_OK);
    assert_null(notes);
    assert_int_equal(tlen, len);
    assert_memory_equal(text, orig, len);
    free(text);

    /* The same through the commands: import to YAML, export that. */
    char cmd[2048], *out = NULL;
    snprintf(cmd, sizeof cmd, "'%s' import '%s' -o '%s'", SCENMC_BINARY, SAMPLE,
             tmp_path("cib.yaml"));
    int rc = run_capture(cmd, &out);
    if (rc != 0)
        fail_msg("%s exited %d:\n%s", cmd, rc, out);
    assert_contains(out, "3 descriptors, 10 variants, cross-impact matrix, no scenarios");
    free(out);
    snprintf(cmd, sizeof cmd, "'%s' validate '%s'", SCENMC_BINARY, tmp_path("cib.yaml"));
    assert_int_equal(run_capture(cmd, &out), 0);
    assert_contains(out, "cib.yaml: ok");
    free(out);
    snprintf(cmd, sizeof cmd, "'%s' export-model '%s' --scw '%s'", SCENMC_BINARY,
             tmp_path("cib.yaml"), tmp_path("cib.scw"));
    rc = run_capture(cmd, &out);
    if (rc != 0)
        fail_msg("%s exited %d:\n%s", cmd, rc, out);
    free(out);
    size_t blen = 0;
    char *back = slurp(tmp_path("cib.scw"), &blen);
    assert_non_null(back);
    assert_int_equal(blen, len);
    assert_memory_equal(back, orig, len);
    free(back);

    /* export-model does not overwrite without --force. */
    rc = run_capture(cmd, &out);
    assert_int_equal(rc, 2); /* bad input, as in every command */
    assert_contains(out, "already exists; use --force");
    free(out);
    strncat(cmd, " --force", sizeof cmd - strlen(cmd) - 1);
    assert_int_equal(run_capture(cmd, &out), 0);
    free(out);
    free(orig);
    scenmc_model_free(m);
}

/* The YAML that import writes: blocks with comments naming rows and columns. */
static void test_import_yaml_text(void **state)
{
    (void)state;
    scenmc_error err;
    scenmc_error_clear(&err);
    char *yaml = NULL;
    size_t len = 0;
    scenmc_import_options o;
    scenmc_import_options_init(&o);
    o.scenario_axes = "WTRD,WSEC";
    scenmc_model *m = NULL;
    assert_int_equal(scenmc_import_yaml(SAMPLE, &o, &yaml, &len, &m, NULL, &err), SCENMC_OK);
    assert_int_equal(strlen(yaml), len);
    assert_contains(yaml, "  - from: WTRD\n    to: WSEC\n    # columns (target): Rlx; Mod; Alrt\n"
                          "    impacts:\n      - [ 1,  2, -3]   # FT\n"
                          "      - [-2,  1,  1]   # Ntl\n");
    assert_contains(yaml, "  - from: WECO\n    to: WTRD\n");
    assert_non_null(strstr(yaml, "to: WTRD\n    # columns (target): FT; Ntl; Mix\n"));
    /* No self-impact blocks in a file without self-impacts. */
    assert_null(strstr(yaml, "from: WTRD\n    to: WTRD"));
    /* The scenario cross. */
    assert_int_equal(m->n_scenarios, 9);
    assert_string_equal(m->scenarios[0].name, "WTRD=FT / WSEC=Rlx");
    assert_string_equal(m->scenarios[5].name, "WTRD=Ntl / WSEC=Alrt");
    assert_contains(yaml, "  - name: WTRD=FT / WSEC=Rlx\n    when: {WTRD: FT, WSEC: Rlx}\n");
    int s[3] = {1, 2, 1};
    assert_int_equal(scenmc_model_scenario_of(m, s), 5);
    assert_false(scenmc_model_has_unclassified(m));
    free(yaml);
    scenmc_model_free(m);

    /* Axes by name work too; wrong axes are refused with a reason. */
    const struct {
        const char *axes, *text;
    } bad[] = {
        {"WTRD", "expected two descriptors, ID1,ID2"},
        {"WTRD,NOPE", "no descriptor 'NOPE'; expected two of: WTRD, WSEC, WECO"},
        {"WSEC,WSEC", "names WSEC twice"},
    };
    for (size_t k = 0; k < sizeof bad / sizeof bad[0]; k++) {
        scenmc_error_clear(&err);
        o.scenario_axes = bad[k].axes;
        assert_int_equal(scenmc_import_model(SAMPLE, &o, &m, NULL, &err), SCENMC_E_INPUT);
        assert_null(m);
        assert_contains(err.msg, bad[k].text);
    }
}

/* ------------------------------------------------------------ CSV */

static void test_csv_roundtrip(void **state)
{
    (void)state;
    /* CSV -> model -> CSV, byte for byte. */
    size_t len = 0;
    char *orig = slurp(DATA "/csv/cib_global.csv", &len);
    assert_non_null(orig);
    scenmc_model *m = load(DATA "/csv/cib_global.csv");
    scenmc_model *ref = load(SAMPLE);
    assert_int_equal(m->n_descriptors, 3);
    assert_string_equal(m->descriptors[0].id, "WTRD");
    assert_string_equal(m->variant_name[3], "WSEC1");
    for (int u = 0; u < 10; u++)
        for (int v = 0; v < 10; v++)
            assert_true(X(m, u, v) == X(ref, u, v));
    scenmc_error err;
    scenmc_error_clear(&err);
    char *text = NULL, *notes = NULL;
    size_t tlen = 0;
    assert_int_equal(scenmc__csv_format(m, NULL, &text, &tlen, &notes, &err), SCENMC_OK);
    assert_null(notes);
    assert_int_equal(tlen, len);
    assert_memory_equal(text, orig, len);
    free(text);

    /* The sample's .scw as CSV: its names do not group by prefix, so the
     * labels are made from the ids, and read back they give the same matrix. */
    assert_int_equal(scenmc__csv_format(ref, NULL, &text, &tlen, &notes, &err), SCENMC_OK);
    assert_null(notes);
    assert_int_equal(tlen, len);
    assert_memory_equal(text, orig, len);
    free(text);
    free(orig);
    scenmc_model_free(m);
    scenmc_model_free(ref);

    /* The commands: import, export, compare. */
    char cmd[2048], *out = NULL;
    snprintf(cmd, sizeof cmd, "'%s' import '%s' -o '%s' && '%s' export-model '%s' --csv '%s' && "
             "cmp '%s' '%s'", SCENMC_BINARY, DATA "/csv/cib_global.csv", tmp_path("c.yaml"),
             SCENMC_BINARY, tmp_path("c.yaml"), tmp_path("c.csv"), DATA "/csv/cib_global.csv",
             tmp_path("c.csv"));
    int rc = run_capture(cmd, &out);
    if (rc != 0)
        fail_msg("%s exited %d:\n%s", cmd, rc, out);
    free(out);
}

static void test_csv_consistency(void **state)
{
    (void)state;
    scenmc_error err;
    scenmc_error_clear(&err);
    scenmc_import_options o;
    scenmc_import_options_init(&o);
    o.consistency = 1;
    scenmc_model *m = NULL;
    char *notes = NULL;
    /* Semicolons, a decimal comma and empty cells within descriptors. */
    assert_int_equal(scenmc_import_model(DATA "/csv/consistency.csv", &o, &m, &notes, &err),
                     SCENMC_OK);
    assert_contains(notes, "decimal comma");
    free(notes);
    assert_null(m->cross_impact);
    assert_int_equal(m->n_descriptors, 2);
    assert_string_equal(m->descriptors[0].id, "E");
    assert_string_equal(m->descriptors[1].id, "T");
    assert_true(C(m, 0, 2) == 2 && C(m, 2, 0) == 2);
    assert_true(C(m, 1, 4) == 1.5 && C(m, 4, 1) == 1.5);
    assert_true(C(m, 1, 3) == 3);
    assert_int_equal(m->scored[0 * 5 + 2], 1);
    assert_int_equal(m->scored[0 * 5 + 1], 0);
    /* Written back (the consistency matrix, as the model has no other). */
    char *text = NULL;
    size_t len = 0;
    assert_int_equal(scenmc__csv_format(m, NULL, &text, &len, &notes, &err), SCENMC_OK);
    assert_string_equal(text, ",E1,E2,T1,T2,T3\nE1,0,0,2,-1,0\nE2,0,0,-2,3,1.5\n"
                              "T1,2,-2,0,0,0\nT2,-1,3,0,0,0\nT3,0,1.5,0,0,0\n");
    assert_contains(notes, "import it with --consistency");
    free(notes);
    free(text);
    scenmc_model_free(m);

    /* The default model's consistency matrix: CSV -> model -> CSV. */
    scenmc_model *vn = NULL;
    assert_int_equal(scenmc_model_load_default(&vn, &err), SCENMC_OK);
    assert_int_equal(scenmc__csv_format(vn, NULL, &text, &len, &notes, &err), SCENMC_OK);
    assert_contains(notes, "1 pairs of descriptors are not scored");
    free(notes);
    assert_contains(text, ",IK1,IK2,KR1,KR2,KO1,KO2,EK1,");
    scenmc_model *draft = NULL;
    assert_int_equal(scenmc__csv_read_draft(text, len, "vn.csv", &o, &draft, NULL, &err), SCENMC_OK);
    assert_int_equal(scenmc__model_build(draft, NULL, NULL, "vn.csv", NULL, NULL, &m, &err),
                     SCENMC_OK);
    for (int d = 0; d < vn->n_descriptors; d++)
        assert_string_equal(m->descriptors[d].id, vn->descriptors[d].id);
    for (int u = 0; u < vn->n_variants; u++)
        for (int v = 0; v < vn->n_variants; v++)
            assert_true(C(m, u, v) == C(vn, u, v));
    char *text2 = NULL;
    size_t len2 = 0;
    assert_int_equal(scenmc__csv_format(m, NULL, &text2, &len2, NULL, &err), SCENMC_OK);
    assert_string_equal(text, text2);
    free(text);
    free(text2);
    scenmc_model_free(draft);
    scenmc_model_free(m);
    scenmc_model_free(vn);
}

/* --descriptors: labels without a number, placed in map order. */
static void test_csv_descriptor_map(void **state)
{
    (void)state;
    scenmc_error err;
    scenmc_error_clear(&err);
    scenmc_import_options o;
    scenmc_import_options_init(&o);
    scenmc_model *m = NULL;
    assert_int_equal(scenmc_import_model(DATA "/csv/words.csv", &o, &m, NULL, &err),
                     SCENMC_E_INPUT);
    assert_contains(err.msg, "words.csv:1:2: label 'Low' does not end in a number");
    scenmc_error_clear(&err);
    o.descriptors = "TR=Bike,Car,Bus; EN=Low,High";
    assert_int_equal(scenmc_import_model(DATA "/csv/words.csv", &o, &m, NULL, &err), SCENMC_OK);
    assert_string_equal(m->descriptors[0].id, "TR");
    assert_string_equal(m->descriptors[1].id, "EN");
    const char *names[5] = {"Bike", "Car", "Bus", "Low", "High"};
    for (int v = 0; v < 5; v++)
        assert_string_equal(m->variant_name[v], names[v]);
    /* Car (file row 3) on High (file column 3) is -1; Low on Bus is -1. */
    assert_true(X(m, 1, 4) == -1);
    assert_true(X(m, 3, 2) == -1);
    assert_true(X(m, 4, 0) == 1);
    assert_true(X(m, 0, 0) == 0);
    /* Exported, the labels need the map again, and the note gives it. */
    char *text = NULL, *notes = NULL;
    size_t len = 0;
    assert_int_equal(scenmc__csv_format(m, NULL, &text, &len, &notes, &err), SCENMC_OK);
    assert_contains(text, ",TR1,TR2,TR3,EN1,EN2\n");
    assert_null(notes);
    free(text);
    scenmc_model_free(m);

    const struct {
        const char *map, *text;
    } bad[] = {
        {"TR=Bike,Car,Bus", "--descriptors does not place label 'Low' (column 2"},
        {"TR=Bike,Car,Bus;EN=Low,High,Huge", "label 'Huge' (descriptor EN) is not in the header"},
        {"TR=Bike,Car,Bus,Low;EN=Low,High", "label 'Low' is placed twice (in TR and EN)"},
        {"TR=Bike,Car,Bus;EN=Low;X=High", "descriptor EN has 1 label; expected at least 2"},
        {"T R=Bike,Car,Bus;EN=Low,High", "descriptor id 'T R' has characters other than"},
        {"TR:Bike", "'TR:Bike' has no '='"},
    };
    for (size_t k = 0; k < sizeof bad / sizeof bad[0]; k++) {
        scenmc_error_clear(&err);
        o.descriptors = bad[k].map;
        assert_int_equal(scenmc_import_model(DATA "/csv/words.csv", &o, &m, NULL, &err),
                         SCENMC_E_INPUT);
        assert_contains(err.msg, bad[k].text);
    }
}

/* ------------------------------------------------------------ broken files */

/* Each line of EXPECT: the file fails to load, in the library and in
 * `scenmc validate` (exit 2), with FILE:LINE: and the text; every bad_* file
 * of the folder has a line. */
static void check_expect(const char *dir, const char *ext)
{
    char path[512];
    snprintf(path, sizeof path, "%s/%s/EXPECT", DATA, dir);
    char *expect = slurp(path, NULL);
    char *pristine = slurp(path, NULL);
    assert_non_null(expect);
    int n = 0;
    char *save = NULL;
    for (char *line = strtok_r(expect, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
        if (line[0] == '#' || !line[0])
            continue;
        char file[256], text[1024];
        int lineno, used = 0;
        if (sscanf(line, "%255s %d %n", file, &lineno, &used) != 2 || !used)
            fail_msg("bad EXPECT line: %s", line);
        snprintf(text, sizeof text, "%s", line + used);
        int consistency = 0;
        char *colon = strchr(file, ':');
        if (colon) {
            assert_string_equal(colon, ":consistency");
            *colon = '\0';
            consistency = 1;
        }
        char fpath[600];
        snprintf(fpath, sizeof fpath, "%s/%s/%s", DATA, dir, file);
        char at[700];
        snprintf(at, sizeof at, "%s:%d:", fpath, lineno);

        scenmc_error err;
        scenmc_error_clear(&err);
        scenmc_model *m = (scenmc_model *)1;
        scenmc_import_options o;
        scenmc_import_options_init(&o);
        o.consistency = consistency;
        scenmc_status st = consistency ? scenmc_import_model(fpath, &o, &m, NULL, &err)
                                       : scenmc_model_load(fpath, &m, &err);
        if (st == SCENMC_OK)
            fail_msg("%s loaded; expected: %s", file, text);
        assert_null(m);
        assert_true(st == SCENMC_E_INPUT || st == SCENMC_E_LIMIT);
        if (!strstr(err.msg, at) || !strstr(err.msg, text))
            fail_msg("%s: expected '%s' and '%s' in:\n%s", file, at, text, err.msg);

        char cmd[1400], *out = NULL;
        if (consistency)
            snprintf(cmd, sizeof cmd, "'%s' import '%s' --consistency -o -", SCENMC_BINARY, fpath);
        else
            snprintf(cmd, sizeof cmd, "'%s' validate '%s'", SCENMC_BINARY, fpath);
        int rc = run_capture(cmd, &out);
        if (rc != 2 || !strstr(out, at) || !strstr(out, text))
            fail_msg("%s: exit %d, expected 2 with '%s' and '%s' in:\n%s", cmd, rc, at, text, out);
        free(out);
        n++;
    }
    char dpath[512];
    snprintf(dpath, sizeof dpath, "%s/%s", DATA, dir);
    DIR *d = opendir(dpath);
    assert_non_null(d);
    int files = 0;
    struct dirent *e;
    while ((e = readdir(d))) {
        size_t len = strlen(e->d_name), el = strlen(ext);
        if (strncmp(e->d_name, "bad_", 4) != 0 || len < el || strcmp(e->d_name + len - el, ext))
            continue;
        files++;
        char key[300];
        snprintf(key, sizeof key, "\n%s", e->d_name);
        char *hit = strstr(pristine, key);
        if (!hit || (hit[strlen(key)] != ' ' && hit[strlen(key)] != ':'))
            fail_msg("tests/data/%s/%s has no line in EXPECT", dir, e->d_name);
    }
    closedir(d);
    assert_int_equal(files, n);
    free(expect);
    free(pristine);
}

static void test_bad_scw(void **state)
{
    (void)state;
    check_expect("scw", ".scw");
}

static void test_bad_csv(void **state)
{
    (void)state;
    check_expect("csv", ".csv");
}

/* Hostile or odd input in memory: never a crash, always a line. */
static void test_scw_odd_input(void **state)
{
    (void)state;
    const struct {
        const char *text, *msg;
    } cases[] = {
        {"$ ScenarioWizard 4.0", "x.scw:2:1: the file ends after the header"},
        {"$ ScenarioWizard 4.0\nT\n", "x.scw:3:1: the file ends in the descriptor list"},
        {"$ ScenarioWizard 4.0\nT\n#\n", "x.scw:3:1: no descriptors"},
        {"$ ScenarioWizard 4.0\nT\n&A\n -a\n -b\n#\n", "x.scw:7:1: the file ends in the "
                                                       "descriptions"},
        {"$ ScenarioWizard 4.0\nT\n&A\n -a\n -b\n#\n#\n#\n#\n#\n 0 , 1\n 1 , 99999999999\n#\n",
         "x.scw:12:6: entry 2 of row 2 is 99999999999; expected a whole number from"},
        {"$ ScenarioWizard 4.0\nT\n&A\n -a\n -b\n#\n#\n#\n#\n#\n 0 , 1\n 1 , 0\nfoo\n",
         "x.scw:13:1: 'foo' after the cross-impact matrix; expected '#'"},
        {"$ ScenarioWizard 4.0\nT\n&A\n#\n", "x.scw:3:1: descriptor 'A' has no variants"},
        {"$ ScenarioWizard 4.0\nT\n&A\n -a\n -b\n#\n#\n#\n#\n#\n 0 ; 1\n 1 ; 0\n#\n",
         "x.scw:11:7: row 1 of the cross-impact matrix (variant 'a' of 'A') has 1 entries"},
        {"$ ScenarioWizard 4.0\nT\n&A\n -a\n\0 -b\n", "x.scw:5:1: contains NUL bytes"},
    };
    for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
        scenmc_error err;
        scenmc_error_clear(&err);
        scenmc_model *d = (scenmc_model *)1;
        size_t len = strlen(cases[k].text);
        if (k == 8)
            len = 31; /* through the NUL and " -b\n" */
        assert_int_not_equal(scenmc__scw_read_draft(cases[k].text, len, "x.scw", &d, NULL, &err),
                             SCENMC_OK);
        assert_null(d);
        if (!strstr(err.msg, cases[k].msg))
            fail_msg("case %zu: expected '%s' in:\n%s", k, cases[k].msg, err.msg);
    }
    /* Limits: 65 variants in a descriptor. */
    char *big = malloc(65 * 8 + 256);
    strcpy(big, "$ ScenarioWizard 4.0\nT\n&A\n");
    for (int v = 0; v < 65; v++)
        sprintf(big + strlen(big), " -v%d\n", v);
    strcat(big, "#\n");
    scenmc_error err;
    scenmc_error_clear(&err);
    scenmc_model *d = NULL;
    assert_int_equal(scenmc__scw_read_draft(big, strlen(big), "x.scw", &d, NULL, &err),
                     SCENMC_E_LIMIT);
    assert_contains(err.msg, "x.scw:68:2: descriptor 'A' has more than 64 variants");
    free(big);
}

/* ------------------------------------------------------------ solution lists */

static void test_sl_sample(void **state)
{
    (void)state;
    scenmc_model *m = load(SAMPLE);
    scenmc_error err;
    scenmc_error_clear(&err);
    scenmc_sl_solution *s = NULL;
    int n = 0;
    assert_int_equal(scenmc_sl_read(SAMPLE_SL, m, &s, &n, &err), SCENMC_OK);
    assert_int_equal(n, 4);
    const int want[4][3] = {{1, 2, 1}, {2, 0, 2}, {1, 1, 1}, {0, 1, 2}};
    const double tis[4] = {15, 12, 9, 8};
    for (int k = 0; k < 4; k++) {
        for (int d = 0; d < 3; d++)
            assert_int_equal(s[k].state[d], want[k][d]);
        assert_int_equal(s[k].line, 5 + k);
        assert_int_equal(s[k].n_values, 4);
        assert_true(s[k].values[3] == tis[k]);
        assert_string_equal(s[k].name, "");
        /* Independently of the comparison: each is a fixed point, and its
         * total impact score is the list's. */
        double ic, t;
        assert_int_equal(scenmc_cib_inconsistency(m, s[k].state, SCENMC_CIB_AUTO, &ic, NULL, &t,
                                                  &err),
                         SCENMC_OK);
        assert_true(ic == 0);
        assert_true(t == tis[k]);
    }
    scenmc_sl_free(s, n);

    /* The sample's consistent set equals its list. */
    char *report = NULL;
    int same = 0;
    scenmc_sl_comparison c;
    assert_int_equal(scenmc_sl_compare_ex(m, SAMPLE_SL, &report, &same, &c, &err), SCENMC_OK);
    assert_int_equal(same, 1);
    assert_int_equal(c.n_listed, 4);
    assert_int_equal(c.n_both, 4);
    assert_int_equal(c.n_not_consistent, 0);
    assert_true(c.n_consistent == 4);
    assert_true(c.n_missing == 0);
    assert_int_equal(c.n_duplicates, 0);
    assert_int_equal(c.n_tis_differ, 0);
    assert_int_equal(c.uses_cross, 1);
    assert_contains(report, "the same scenarios");
    assert_contains(report, "listed and consistent for scenmc too (4):");
    assert_contains(report,
                    "line 5: \" 2 3 2\"  WTRD=Ntl, WSEC=Alrt, WECO=Stag  (total impact 15)");
    assert_contains(report, "line 8: \" 1 2 3\"  WTRD=FT, WSEC=Mod, WECO=ModGr  (total impact 8)");
    assert_contains(report, "listed but not consistent for scenmc (0):");
    assert_contains(report, "consistent for scenmc but not listed (0):");
    free(report);
    same = 7;
    assert_int_equal(scenmc_sl_compare(m, SAMPLE_SL, NULL, &same, &err), SCENMC_OK);
    assert_int_equal(same, 1);
    scenmc_model_free(m);
}

static void test_sl_differs(void **state)
{
    (void)state;
    scenmc_model *m = load(SAMPLE);
    scenmc_error err;
    scenmc_error_clear(&err);
    char *report = NULL;
    int same = 1;
    scenmc_sl_comparison c;
    assert_int_equal(scenmc_sl_compare_ex(m, DATA "/scw/partial.sl", &report, &same, &c, &err),
                     SCENMC_OK);
    assert_int_equal(same, 0);
    assert_int_equal(c.n_listed, 5);
    assert_int_equal(c.n_duplicates, 1);
    assert_int_equal(c.n_both, 3);
    assert_int_equal(c.n_not_consistent, 1);
    assert_true(c.n_missing == 1);
    assert_int_equal(c.n_tis_differ, 2); /* " 2 2 2" says 10, " 1 1 1" says 0 */
    assert_contains(report, "the scenarios differ");
    assert_contains(report, "(1 of them repeated)");
    assert_contains(report, "listed but not consistent for scenmc (1):\n  line 6: \" 1 1 1\"  "
                            "WTRD=FT, WSEC=Rlx, WECO=Decl  (inconsistency ");
    assert_contains(report, "consistent for scenmc but not listed (1):\n  \" 1 2 3\"  WTRD=FT, "
                            "WSEC=Mod, WECO=ModGr\n");
    assert_contains(report, "(total impact 9; the list says 10)");
    free(report);

    /* The same list against a model whose matrix it was not made from. */
    scenmc_model *f = load(DATA "/scw/features.scw");
    assert_int_equal(scenmc_sl_compare(f, SAMPLE_SL, &report, &same, &err), SCENMC_E_INPUT);
    assert_contains(err.msg, "CIB_global.sl:5:1: the scenario has 3 variants; expected 2");
    scenmc_model_free(f);

    const struct {
        const char *file, *msg;
    } bad[] = {
        {"bad_range.sl", "bad_range.sl:6:3: variant 4 of descriptor 1 (WTRD); expected 1 to 3"},
        {"bad_count.sl", "bad_count.sl:3:1: the file says 4 scenarios and lists 2"},
        {"bad_width.sl", "bad_width.sl:5:1: the scenario has 4 variants; expected 3"},
        {"CIB_global.scw", "CIB_global.scw:2:1: 'CIB_global.scw'; expected 'Solution set'"},
    };
    for (size_t k = 0; k < sizeof bad / sizeof bad[0]; k++) {
        char path[600];
        snprintf(path, sizeof path, "%s/scw/%s", DATA, bad[k].file);
        scenmc_error_clear(&err);
        scenmc_sl_solution *s = (scenmc_sl_solution *)1;
        int n = 7;
        assert_int_equal(scenmc_sl_read(path, m, &s, &n, &err), SCENMC_E_INPUT);
        assert_null(s);
        assert_int_equal(n, 0);
        assert_contains(err.msg, bad[k].msg);
    }
    scenmc_model_free(m);
}

/* ------------------------------------------------------------ the engine on imports */

static void test_cli_run_exact(void **state)
{
    (void)state;
    char cmd[2048], *out = NULL;
    /* The .scw itself, as every command takes it. */
    snprintf(cmd, sizeof cmd, "'%s' run '%s' -n 2000 -o '%s'", SCENMC_BINARY, SAMPLE,
             tmp_path("run.h5"));
    int rc = run_capture(cmd, &out);
    if (rc != 0)
        fail_msg("%s exited %d:\n%s", cmd, rc, out);
    assert_contains(out, "unclassified");
    free(out);
    snprintf(cmd, sizeof cmd, "'%s' exact '%s' -o '%s'", SCENMC_BINARY, SAMPLE,
             tmp_path("exact.h5"));
    rc = run_capture(cmd, &out);
    if (rc != 0)
        fail_msg("%s exited %d:\n%s", cmd, rc, out);
    free(out);
    snprintf(cmd, sizeof cmd, "'%s' validate '%s' '%s'", SCENMC_BINARY, SAMPLE,
             DATA "/scw/features.scw");
    rc = run_capture(cmd, &out);
    assert_int_equal(rc, 0);
    assert_contains(out, "CIB_global.scw: ok\n");
    assert_contains(out, "features.scw: ok (3 self-impacts within descriptors kept");
    free(out);

    /* An imported model with a scenario cross, and a CSV matrix directly. */
    snprintf(cmd, sizeof cmd, "'%s' import '%s' -o '%s' --scenario-axes WTRD,WECO", SCENMC_BINARY,
             SAMPLE, tmp_path("axes.yaml"));
    rc = run_capture(cmd, &out);
    if (rc != 0)
        fail_msg("%s exited %d:\n%s", cmd, rc, out);
    assert_contains(out, "12 scenarios");
    free(out);
    const char *models[2] = {tmp_path("axes.yaml"), DATA "/csv/cib_global.csv"};
    for (int k = 0; k < 2; k++) {
        snprintf(cmd, sizeof cmd, "'%s' run '%s' -n 2000 --force -o '%s' && '%s' exact '%s' "
                 "--force -o '%s'", SCENMC_BINARY, models[k], tmp_path("run.h5"), SCENMC_BINARY,
                 models[k], tmp_path("exact.h5"));
        rc = run_capture(cmd, &out);
        if (rc != 0)
            fail_msg("%s exited %d:\n%s", cmd, rc, out);
        if (k == 0)
            assert_contains(out, "WTRD=Ntl / WECO=Stag");
        free(out);
    }

    /* Usage and input errors exit 2; a file in the way exits 1. */
    const struct {
        const char *args;
        int rc;
        const char *text;
    } cli[] = {
        {"import", 2, "no input file"},
        {"import '" SAMPLE "'", 2, "expected -o MODEL.yaml"},
        {"import '" SAMPLE "' -o - --consistency", 2, "--consistency and --descriptors apply to "
                                                      "CSV files"},
        {"import '" DATA "/scw/EXPECT' -o -", 2, "expected a ScenarioWizard model (.scw) or a CSV"},
        {"import '" DATA "/scw/bad_row_short.scw' -o -", 2, "bad_row_short.scw:47:"},
        {"import '" SAMPLE "' -o - --scenario-axes WTRD,XX", 2, "no descriptor 'XX'"},
        {"export-model", 2, "expected exactly one of --scw FILE.scw and --csv FILE.csv"},
        {"export-model --scw x.csv", 2, "expected a name ending in .scw"},
        {"export-model '" DATA "/scw/bad_text_entry.scw' --csv x.csv", 2, "bad_text_entry.scw:52:"},
        {"import '" SAMPLE "' -o '" SAMPLE "'", 2, "already exists; use --force"},
    };
    for (size_t k = 0; k < sizeof cli / sizeof cli[0]; k++) {
        snprintf(cmd, sizeof cmd, "cd '%s' && '%s' %s", scratch, SCENMC_BINARY, cli[k].args);
        rc = run_capture(cmd, &out);
        if (rc != cli[k].rc || !strstr(out, cli[k].text))
            fail_msg("%s: exit %d (expected %d), output:\n%s\n(expected '%s')", cmd, rc, cli[k].rc,
                     out, cli[k].text);
        free(out);
    }

    /* Import to standard output gives the same text as the library. */
    snprintf(cmd, sizeof cmd, "('%s' import '%s' -o - 2>/dev/null)", SCENMC_BINARY, SAMPLE);
    rc = run_capture(cmd, &out);
    assert_int_equal(rc, 0);
    scenmc_model *m = load(SAMPLE);
    assert_string_equal(out, m->text);
    free(out);
    scenmc_model_free(m);

    /* A model with non-integer impacts cannot become a .scw. */
    FILE *f = fopen(tmp_path("half.yaml"), "w");
    assert_non_null(f);
    fputs("name: half\nyears: {start: 2020, end: 2021}\ndescriptors:\n"
          "  - {id: A, variants: [a1, a2]}\n  - {id: B, variants: [b1, b2]}\n"
          "cross_impact:\n  - {from: A, to: B, impacts: [[0.5, 0], [0, 1]]}\n", f);
    fclose(f);
    snprintf(cmd, sizeof cmd, "'%s' export-model '%s' --scw '%s'", SCENMC_BINARY,
             tmp_path("half.yaml"), tmp_path("half.scw"));
    rc = run_capture(cmd, &out);
    assert_int_equal(rc, 2);
    assert_contains(out,
                    "the cross impact of 'a1' (A) on 'b1' (B) is 0.5; expected a whole number");
    free(out);
    assert_int_not_equal(access(tmp_path("half.scw"), F_OK), 0);
}

/* ------------------------------------------------------------ the YAML writer */

/* Any model written as YAML and read back is the same model. */
static void test_to_yaml_roundtrip(void **state)
{
    (void)state;
    const char *paths[] = {NULL, SCENMC_SOURCE_DIR "/tests/data/good/example.yaml",
                           SCENMC_SOURCE_DIR "/tests/data/good/small.yaml"};
    for (size_t k = 0; k < sizeof paths / sizeof paths[0]; k++) {
        scenmc_error err;
        scenmc_error_clear(&err);
        scenmc_model *m = NULL;
        if (paths[k])
            m = load(paths[k]);
        else
            assert_int_equal(scenmc_model_load_default(&m, &err), SCENMC_OK);
        char *yaml = NULL;
        size_t len = 0;
        assert_int_equal(scenmc__model_to_yaml(m, "a test\nof comments", &yaml, &len, &err),
                         SCENMC_OK);
        assert_int_equal(strncmp(yaml, "# a test\n# of comments\n", 23), 0);
        scenmc_model *b = model_from_string(yaml);
        assert_same_model(m, b);
        assert_string_equal(m->name, b->name);
        assert_true((m->description == NULL) == (b->description == NULL));
        if (m->description)
            assert_string_equal(m->description, b->description);
        assert_int_equal(m->year_start, b->year_start);
        assert_int_equal(m->year_end, b->year_end);
        assert_true(m->beta == b->beta && m->rate == b->rate && m->w_cross == b->w_cross &&
                    m->w_consistency == b->w_consistency);
        assert_true(m->trajectories == b->trajectories && m->seed == b->seed);
        assert_true((m->start == NULL) == (b->start == NULL));
        for (int d = 0; m->start && d < m->n_descriptors; d++)
            assert_int_equal(m->start[d], b->start[d]);
        assert_true((m->bias == NULL) == (b->bias == NULL));
        for (int v = 0; m->bias && v < m->n_variants; v++)
            assert_true(m->bias[v] == b->bias[v]);
        assert_int_equal(m->n_scenarios, b->n_scenarios);
        for (int s = 0; s < m->n_scenarios; s++) {
            assert_string_equal(m->scenarios[s].name, b->scenarios[s].name);
            assert_int_equal(m->scenarios[s].n_conditions, b->scenarios[s].n_conditions);
            for (int c = 0; c < m->scenarios[s].n_conditions; c++) {
                assert_int_equal(m->scenarios[s].cond_descriptor[c],
                                 b->scenarios[s].cond_descriptor[c]);
                assert_int_equal(m->scenarios[s].cond_variant[c], b->scenarios[s].cond_variant[c]);
            }
        }
        free(yaml);
        scenmc_model_free(b);
        scenmc_model_free(m);
    }
}

/* Names YAML would misread are quoted; odd characters survive. */
static void test_to_yaml_quoting(void **state)
{
    (void)state;
    const int nv[2] = {2, 3};
    scenmc_model *d = scenmc__model_draft_new(2, nv);
    d->name = strdup("yes");
    d->descriptors[0].name = strdup("- leading dash: and colon # hash");
    d->descriptors[1].name = strdup("true");
    const char *names[5] = {"null", "1.5", "a\"b\\c", "tab\there", "ok name"};
    for (int v = 0; v < 5; v++)
        d->variant_name[v] = strdup(names[v]);
    d->variant_label[0] = strdup("[not a list]");
    d->cross_impact = calloc(25, sizeof(double));
    d->cross_impact[0 * 5 + 2] = 0.1;
    d->cross_impact[4 * 5 + 1] = -1e-7;
    d->cross_impact[1 * 5 + 0] = 7; /* a self-impact */
    scenmc_error err;
    scenmc_error_clear(&err);
    scenmc_model *m = NULL;
    char *yaml = NULL;
    assert_int_equal(scenmc__model_build(d, "leading_dash_and_colon_hash,true", NULL, "draft", &yaml,
                                        NULL, &m, &err),
                     SCENMC_OK);
    assert_string_equal(m->name, "yes");
    assert_string_equal(m->descriptors[0].id, "leading_dash_and_colon_hash");
    assert_string_equal(m->descriptors[1].id, "true");
    assert_string_equal(m->descriptors[0].name, "- leading dash: and colon # hash");
    for (int v = 0; v < 5; v++)
        assert_string_equal(m->variant_name[v], names[v]);
    assert_string_equal(m->variant_label[0], "[not a list]");
    assert_true(X(m, 0, 2) == 0.1 && X(m, 4, 1) == -1e-7 && X(m, 1, 0) == 7);
    assert_int_equal(m->n_self_impacts, 1);
    assert_int_equal(m->n_scenarios, 6);
    assert_string_equal(m->scenarios[5].name, "leading_dash_and_colon_hash=1.5 / true=ok name");
    assert_contains(yaml, "id: \"true\"");
    free(yaml);
    scenmc_model_free(m);
    scenmc_model_free(d);
}

static void test_ids_and_text(void **state)
{
    (void)state;
    char id[64];
    scenmc__id_from_name("\xc3\x96konomie & Wachstum", 1, id);
    assert_string_equal(id, "Okonomie_Wachstum");
    scenmc__id_from_name("A.", 1, id);
    assert_string_equal(id, "A");
    scenmc__id_from_name("  ", 3, id);
    assert_string_equal(id, "D3");
    scenmc__id_from_name("Stra\xc3\x9f" "e 2030 (Plan)", 1, id);
    assert_string_equal(id, "Strasse_2030_Plan");
    scenmc__id_from_name("\xe6\x97\xa5\xe6\x9c\xac", 9, id);
    assert_string_equal(id, "D9");
    char longname[200];
    memset(longname, 'x', 199);
    longname[199] = '\0';
    scenmc__id_from_name(longname, 1, id);
    assert_int_equal(strlen(id), 48);

    scenmc_error err;
    scenmc_error_clear(&err);
    char *out = NULL;
    size_t len = 0;
    int conv = -1;
    assert_int_equal(scenmc__text_to_utf8("\xef\xbb\xbf" "abc", 6, "t", &out, &len, &conv, &err),
                     SCENMC_OK);
    assert_string_equal(out, "abc");
    assert_int_equal(conv, 0);
    free(out);
    assert_int_equal(scenmc__text_to_utf8("\x93q\x94 \xe9", 5, "t", &out, &len, &conv, &err),
                     SCENMC_OK);
    assert_string_equal(out, "\xe2\x80\x9cq\xe2\x80\x9d \xc3\xa9");
    assert_int_equal(conv, 1);
    free(out);
    assert_int_equal(scenmc__text_to_utf8("a\nb\0c", 5, "t", &out, &len, &conv, &err),
                     SCENMC_E_INPUT);
    assert_contains(err.msg, "t:2:2: contains NUL bytes");
    assert_int_equal(scenmc_file_format_of("X.SCW"), SCENMC_FORMAT_SCW);
    assert_int_equal(scenmc_file_format_of("a/b.Csv"), SCENMC_FORMAT_CSV);
    assert_int_equal(scenmc_file_format_of("m.yaml"), SCENMC_FORMAT_YAML);
    assert_int_equal(scenmc_file_format_of("scw"), SCENMC_FORMAT_YAML);
}

/* scenmc consistent --compare: exit 0 and "same" for the sample's own list,
 * exit 1 for a list that lacks some of the consistent scenarios. */
static void test_cli_compare(void **state)
{
    (void)state;
    char cmd[2048], *out = NULL;
    snprintf(cmd, sizeof cmd, "%s consistent %s --compare %s", SCENMC_BINARY,
             src_path("tests/data/scw/CIB_global.scw"), src_path("tests/data/scw/CIB_global.sl"));
    assert_int_equal(run_capture(cmd, &out), 0);
    assert_non_null(strstr(out, "same consistent scenarios as the solution list"));
    free(out);
    snprintf(cmd, sizeof cmd, "%s consistent %s --compare %s", SCENMC_BINARY,
             src_path("tests/data/scw/CIB_global.scw"), src_path("tests/data/scw/partial.sl"));
    assert_int_equal(run_capture(cmd, &out), 1);
    assert_non_null(strstr(out, "differ"));
    free(out);
    snprintf(cmd, sizeof cmd, "%s consistent %s --compare %s --count", SCENMC_BINARY,
             src_path("tests/data/scw/CIB_global.scw"), src_path("tests/data/scw/CIB_global.sl"));
    assert_int_equal(run_capture(cmd, &out), 2);
    free(out);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_scw_sample),
        cmocka_unit_test(test_scw_features),
        cmocka_unit_test(test_scw_windows_1252),
        cmocka_unit_test(test_scw_roundtrip),
        cmocka_unit_test(test_import_yaml_text),
        cmocka_unit_test(test_csv_roundtrip),
        cmocka_unit_test(test_csv_consistency),
        cmocka_unit_test(test_csv_descriptor_map),
        cmocka_unit_test(test_bad_scw),
        cmocka_unit_test(test_bad_csv),
        cmocka_unit_test(test_scw_odd_input),
        cmocka_unit_test(test_sl_sample),
        cmocka_unit_test(test_sl_differs),
        cmocka_unit_test(test_cli_run_exact),
        cmocka_unit_test(test_cli_compare),
        cmocka_unit_test(test_to_yaml_roundtrip),
        cmocka_unit_test(test_to_yaml_quoting),
        cmocka_unit_test(test_ids_and_text),
    };
    return cmocka_run_group_tests(tests, setup_scratch, teardown_scratch);
}
