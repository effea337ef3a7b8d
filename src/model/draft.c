/* Drafts: models built in memory by the importers, completed (ids, scenario
 * axes) and checked by going through the YAML writer and loader. */
#include "model/draft.h"
#include "model/model.h"
#include "model/yaml_write.h"
#include "base/text.h"
#include "base/util.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ------------------------------------------------------------ drafts */

scenmc_model *scenmc__model_draft_new(int n_descriptors, const int *n_variants)
{
    scenmc_model *m = scenmc__xcalloc(1, sizeof *m);
    m->year_start = 2020;
    m->year_end = 2030;
    m->scale_c[0] = -3;
    m->scale_c[1] = 3;
    m->scale_x[0] = -20;
    m->scale_x[1] = 20;
    scenmc__model_set_defaults(m);
    m->n_descriptors = n_descriptors;
    m->descriptors = scenmc__xcalloc((size_t)n_descriptors, sizeof *m->descriptors);
    int V = 0;
    for (int d = 0; d < n_descriptors; d++) {
        m->descriptors[d].n_variants = n_variants[d];
        m->descriptors[d].offset = V;
        V += n_variants[d];
    }
    m->n_variants = V;
    m->variant_id = scenmc__xcalloc((size_t)V, sizeof(char *));
    m->variant_name = scenmc__xcalloc((size_t)V, sizeof(char *));
    m->variant_label = scenmc__xcalloc((size_t)V, sizeof(char *));
    m->variant_descriptor = scenmc__xcalloc((size_t)V, sizeof(int));
    for (int d = 0; d < n_descriptors; d++)
        for (int b = 0; b < n_variants[d]; b++)
            m->variant_descriptor[m->descriptors[d].offset + b] = d;
    return m;
}

void scenmc__draft_set_origin(scenmc_model *m, const char *path, const char *title,
                             const char *format)
{
    const char *base = scenmc__path_base(path);
    if (title && *title) {
        m->name = scenmc__strdup(title);
    } else {
        char stem[256];
        snprintf(stem, sizeof stem, "%s", base);
        char *dot = strrchr(stem, '.');
        if (dot && dot != stem)
            *dot = '\0';
        m->name = scenmc__strdup(stem);
    }
    size_t n = strlen(format) + strlen(base) + 2;
    m->source = scenmc__xmalloc(n);
    snprintf(m->source, n, "%s %s", format, base);
}

/* ------------------------------------------------------------ build */

static int find_axis(const scenmc_model *m, const char *ref)
{
    for (int d = 0; d < m->n_descriptors; d++)
        if (m->descriptors[d].id && strcmp(m->descriptors[d].id, ref) == 0)
            return d;
    for (int d = 0; d < m->n_descriptors; d++)
        if (m->descriptors[d].name && strcmp(m->descriptors[d].name, ref) == 0)
            return d;
    return -1;
}

static scenmc_status add_axes(scenmc_model *m, const char *spec, scenmc_error *err)
{
    char buf[512];
    snprintf(buf, sizeof buf, "%s", spec);
    char *comma = strchr(buf, ',');
    if (!comma || strchr(comma + 1, ','))
        return scenmc_error_add(err, SCENMC_E_INPUT, "--scenario-axes '%s': expected two "
                                "descriptors, ID1,ID2", spec);
    *comma = '\0';
    char *refs[2] = {buf, comma + 1};
    int ax[2];
    for (int i = 0; i < 2; i++) {
        while (isspace((unsigned char)*refs[i]))
            refs[i]++;
        size_t n = strlen(refs[i]);
        while (n && isspace((unsigned char)refs[i][n - 1]))
            refs[i][--n] = '\0';
        ax[i] = find_axis(m, refs[i]);
        if (ax[i] < 0) {
            char ids[1024] = "";
            for (int d = 0; d < m->n_descriptors && strlen(ids) < 900; d++) {
                strncat(ids, m->descriptors[d].id, sizeof ids - strlen(ids) - 1);
                if (d + 1 < m->n_descriptors)
                    strncat(ids, ", ", sizeof ids - strlen(ids) - 1);
            }
            return scenmc_error_add(err, SCENMC_E_INPUT, "--scenario-axes: no descriptor '%s'; "
                                    "expected two of: %s", refs[i], ids);
        }
    }
    if (ax[0] == ax[1])
        return scenmc_error_add(err, SCENMC_E_INPUT, "--scenario-axes names %s twice; expected "
                                "two different descriptors", m->descriptors[ax[0]].id);
    const scenmc_descriptor *A = &m->descriptors[ax[0]], *B = &m->descriptors[ax[1]];
    int ns = A->n_variants * B->n_variants;
    if (ns > SCENMC_MAX_SCENARIOS)
        return scenmc_error_add(err, SCENMC_E_LIMIT, "--scenario-axes %s,%s gives %d scenarios; "
                                "expected at most %d", A->id, B->id, ns, SCENMC_MAX_SCENARIOS);
    scenmc__model_clear_scenarios(m);
    m->scenarios = scenmc__xcalloc((size_t)ns, sizeof *m->scenarios);
    m->n_scenarios = ns;
    int k = 0;
    for (int a = 0; a < A->n_variants; a++)
        for (int b = 0; b < B->n_variants; b++, k++) {
            scenmc_scenario *S = &m->scenarios[k];
            const char *va = m->variant_name[A->offset + a], *vb = m->variant_name[B->offset + b];
            va = va ? va : "?";
            vb = vb ? vb : "?";
            size_t n = strlen(A->id) + strlen(B->id) + strlen(va) + strlen(vb) + 8;
            S->name = scenmc__xmalloc(n);
            snprintf(S->name, n, "%s=%s / %s=%s", A->id, va, B->id, vb);
            S->n_conditions = 2;
            S->cond_descriptor = scenmc__xcalloc(2, sizeof(int));
            S->cond_variant = scenmc__xcalloc(2, sizeof(int));
            S->cond_descriptor[0] = ax[0];
            S->cond_variant[0] = a;
            S->cond_descriptor[1] = ax[1];
            S->cond_variant[1] = b;
        }
    return SCENMC_OK;
}

static void give_ids(scenmc_model *m)
{
    for (int d = 0; d < m->n_descriptors; d++) {
        scenmc_descriptor *D = &m->descriptors[d];
        if (D->id)
            continue;
        char base[64], id[80];
        scenmc__id_from_name(D->name, d + 1, base);
        snprintf(id, sizeof id, "%s", base);
        for (int k = 2;; k++) {
            int clash = 0;
            for (int e = 0; e < m->n_descriptors && !clash; e++)
                clash = e != d && m->descriptors[e].id && strcmp(m->descriptors[e].id, id) == 0;
            if (!clash)
                break;
            snprintf(id, sizeof id, "%s_%d", base, k);
        }
        D->id = scenmc__strdup(id);
    }
}

scenmc_status scenmc__model_build(scenmc_model *draft, const char *scenario_axes,
                                 const char *comment, const char *name, char **yaml, size_t *len,
                                 scenmc_model **out, scenmc_error *err)
{
    if (yaml)
        *yaml = NULL;
    if (len)
        *len = 0;
    if (out)
        *out = NULL;
    give_ids(draft);
    if (scenario_axes && *scenario_axes) {
        scenmc_status st = add_axes(draft, scenario_axes, err);
        if (st != SCENMC_OK)
            return st;
    }
    char *text = NULL;
    size_t n = 0;
    scenmc_status st = scenmc__model_to_yaml(draft, comment, &text, &n, err);
    if (st != SCENMC_OK)
        return st;
    size_t nn = strlen(name) + 16;
    char *yname = scenmc__xmalloc(nn);
    snprintf(yname, nn, "%s (as YAML)", name);
    scenmc_model *m = NULL;
    st = scenmc_model_parse(text, n, yname, &m, err);
    free(yname);
    if (st != SCENMC_OK) {
        free(text);
        return st;
    }
    free(m->path);
    m->path = scenmc__strdup(name);
    if (out)
        *out = m;
    else
        scenmc_model_free(m);
    if (yaml) {
        *yaml = text;
        if (len)
            *len = n;
    } else {
        free(text);
    }
    return SCENMC_OK;
}

