/* Model loading: YAML (libyaml's document API) -> validated scenmc_model.
 *
 * The loader never stops at the first problem: it records every one it can
 * find as "FILE:LINE:COLUMN: what is wrong; what was expected" and only
 * then fails. Limits (size, nesting, counts) are checked before anything
 * is allocated from them.
 */
#include "model/model.h"
#include "model/schedule_list.h"
#include "base/text.h"
#include "base/util.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <nettle/sha2.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

typedef struct {
    const char *file;
    yaml_document_t *doc;
    scenmc_error *err;
    scenmc_model *m;
    int *cell_line; /* [V*V] line where each consistency cell was first given */
    int *cross_line;
} loader;

/* ------------------------------------------------------------ reporting */

static void problem_at(loader *L, const yaml_node_t *n, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 3, 4)))
#endif
    ;

static void problem_at(loader *L, const yaml_node_t *n, const char *fmt, ...)
{
    char buf[1536];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    size_t line = n ? n->start_mark.line + 1 : 1;
    size_t col = n ? n->start_mark.column + 1 : 1;
    scenmc_error_add(L->err, SCENMC_E_INPUT, "%s:%zu:%zu: %s", L->file, line, col, buf);
}

static int line_of(const yaml_node_t *n) { return n ? (int)n->start_mark.line + 1 : 0; }

/* ------------------------------------------------------------ node access */

static yaml_node_t *node(loader *L, int idx) { return yaml_document_get_node(L->doc, idx); }

static const char *scalar(const yaml_node_t *n)
{
    return (n && n->type == YAML_SCALAR_NODE) ? (const char *)n->data.scalar.value : NULL;
}

static int is_plain(const yaml_node_t *n)
{
    return n && n->type == YAML_SCALAR_NODE && n->data.scalar.style == YAML_PLAIN_SCALAR_STYLE;
}

static const char *kind_name(const yaml_node_t *n)
{
    if (!n)
        return "nothing";
    switch (n->type) {
    case YAML_SCALAR_NODE: return n->data.scalar.length ? "a scalar" : "an empty value";
    case YAML_SEQUENCE_NODE: return "a list";
    case YAML_MAPPING_NODE: return "a mapping";
    default: return "nothing";
    }
}

static int seq_len(const yaml_node_t *n)
{
    return (int)(n->data.sequence.items.top - n->data.sequence.items.start);
}

static yaml_node_t *seq_item(loader *L, const yaml_node_t *n, int i)
{
    return node(L, n->data.sequence.items.start[i]);
}

/* Checks that n is a mapping whose keys are plain, unique and all in
 * `allowed` (NULL-terminated). Returns 0 if n is not a mapping at all. */
static int check_mapping(loader *L, const yaml_node_t *n, const char *what,
                         const char *const *allowed)
{
    if (!n || n->type != YAML_MAPPING_NODE) {
        problem_at(L, n, "%s is %s; expected a mapping (key: value)", what, kind_name(n));
        return 0;
    }
    for (yaml_node_pair_t *p = n->data.mapping.pairs.start; p < n->data.mapping.pairs.top; p++) {
        yaml_node_t *k = node(L, p->key);
        const char *key = scalar(k);
        if (!key) {
            problem_at(L, k, "a key in %s is %s; expected a plain name", what, kind_name(k));
            continue;
        }
        int known = 0;
        for (const char *const *a = allowed; *a; a++)
            if (strcmp(*a, key) == 0)
                known = 1;
        if (!known) {
            char list[512] = "";
            for (const char *const *a = allowed; *a; a++) {
                strncat(list, *a, sizeof list - strlen(list) - 1);
                if (a[1])
                    strncat(list, ", ", sizeof list - strlen(list) - 1);
            }
            problem_at(L, k, "unknown key '%s' in %s; expected one of: %s", key, what, list);
        }
        for (yaml_node_pair_t *q = n->data.mapping.pairs.start; q < p; q++) {
            const char *other = scalar(node(L, q->key));
            if (other && strcmp(other, key) == 0) {
                problem_at(L, k, "key '%s' appears twice in %s (first at line %d); expected it once",
                           key, what, line_of(node(L, q->key)));
                break;
            }
        }
    }
    return 1;
}

static yaml_node_t *get(loader *L, const yaml_node_t *map, const char *key)
{
    if (!map || map->type != YAML_MAPPING_NODE)
        return NULL;
    for (yaml_node_pair_t *p = map->data.mapping.pairs.start; p < map->data.mapping.pairs.top; p++) {
        const char *k = scalar(node(L, p->key));
        if (k && strcmp(k, key) == 0)
            return node(L, p->value);
    }
    return NULL;
}

static char *get_string(loader *L, const yaml_node_t *map, const char *key, const char *what,
                        int required)
{
    yaml_node_t *n = get(L, map, key);
    if (!n) {
        if (required)
            problem_at(L, map, "%s has no '%s'; expected '%s: <text>'", what, key, key);
        return NULL;
    }
    const char *s = scalar(n);
    if (!s || n->data.scalar.length == 0) {
        problem_at(L, n, "'%s' of %s is %s; expected non-empty text", key, what, kind_name(n));
        return NULL;
    }
    return scenmc__strdup(s);
}

/* Parses a plain scalar as a finite number of at most SCENMC__MAX_MAGNITUDE. */
static int number(loader *L, const yaml_node_t *n, const char *what, double *out)
{
    const char *s = scalar(n);
    if (!s || !is_plain(n) || !*s) {
        problem_at(L, n, "%s is %s; expected a number", what,
                   (s && *s) ? "quoted text" : kind_name(n));
        return 0;
    }
    char *end;
    errno = 0;
    double v = strtod(s, &end);
    if (end == s || *end != '\0') {
        problem_at(L, n, "%s is '%s'; expected a number", what, s);
        return 0;
    }
    if (!isfinite(v) || errno == ERANGE || isnan(v)) {
        problem_at(L, n, "%s is '%s'; expected a finite number", what, s);
        return 0;
    }
    /* strtod accepts "nan", "inf" and hex; a model file should not. */
    for (const char *c = s; *c; c++)
        if (isalpha((unsigned char)*c) && *c != 'e' && *c != 'E') {
            problem_at(L, n, "%s is '%s'; expected a finite decimal number", what, s);
            return 0;
        }
    if (fabs(v) > SCENMC__MAX_MAGNITUDE) {
        problem_at(L, n, "%s is '%s'; expected a number from -%.0f to %.0f", what, s,
                   SCENMC__MAX_MAGNITUDE, SCENMC__MAX_MAGNITUDE);
        return 0;
    }
    *out = v;
    return 1;
}

static int integer(loader *L, const yaml_node_t *n, const char *what, long long lo, long long hi,
                   long long *out)
{
    const char *s = scalar(n);
    if (!s || !is_plain(n) || !*s) {
        problem_at(L, n, "%s is %s; expected a whole number", what,
                   (s && *s) ? "quoted text" : kind_name(n));
        return 0;
    }
    char *end;
    errno = 0;
    long long v = strtoll(s, &end, 10);
    if (end == s || *end != '\0' || errno == ERANGE || v < lo || v > hi) {
        problem_at(L, n, "%s is '%s'; expected a whole number from %lld to %lld", what, s, lo, hi);
        return 0;
    }
    *out = v;
    return 1;
}

static int uint64_value(loader *L, const yaml_node_t *n, const char *what, uint64_t lo,
                        uint64_t *out)
{
    const char *s = scalar(n);
    if (!s || !is_plain(n) || !*s || *s == '-' || *s == '+') {
        problem_at(L, n, "%s is %s; expected a whole number >= %llu", what,
                   (s && *s) ? "not an unsigned number" : kind_name(n), (unsigned long long)lo);
        return 0;
    }
    char *end;
    errno = 0;
    unsigned long long v = strtoull(s, &end, 10);
    if (end == s || *end != '\0' || errno == ERANGE || v < lo) {
        problem_at(L, n, "%s is '%s'; expected a whole number from %llu to %llu", what, s,
                   (unsigned long long)lo, (unsigned long long)UINT64_MAX);
        return 0;
    }
    *out = v;
    return 1;
}

/* A two-number list [min, max] with min < max. */
static int range(loader *L, const yaml_node_t *n, const char *what, double out[2])
{
    if (!n || n->type != YAML_SEQUENCE_NODE || seq_len(n) != 2) {
        problem_at(L, n, "%s is %s; expected [min, max]", what, kind_name(n));
        return 0;
    }
    double a, b;
    /* Both ends are checked, so that both are reported when both are wrong. */
    int ok_a = number(L, seq_item(L, n, 0), what, &a);
    int ok_b = number(L, seq_item(L, n, 1), what, &b);
    if (!ok_a || !ok_b)
        return 0;
    if (!(a < b)) {
        problem_at(L, n, "%s is [%g, %g]; expected min < max", what, a, b);
        return 0;
    }
    out[0] = a;
    out[1] = b;
    return 1;
}

/* Resolves descriptor id s (the text of node n, or part of it) to an index,
 * reporting at n. */
static int descriptor_named(loader *L, const yaml_node_t *n, const char *s, const char *what)
{
    int d = scenmc_model_find_descriptor(L->m, s);
    if (d < 0) {
        char ids[1024] = "";
        for (int i = 0; i < L->m->n_descriptors && strlen(ids) < 900; i++) {
            strncat(ids, L->m->descriptors[i].id, sizeof ids - strlen(ids) - 1);
            if (i + 1 < L->m->n_descriptors)
                strncat(ids, ", ", sizeof ids - strlen(ids) - 1);
        }
        problem_at(L, n, "%s names unknown descriptor '%s'; expected one of: %s", what, s, ids);
    }
    return d;
}

/* Resolves "descriptor id" to an index, reporting at n. */
static int descriptor_ref(loader *L, const yaml_node_t *n, const char *what)
{
    const char *s = scalar(n);
    if (!s) {
        problem_at(L, n, "%s is %s; expected a descriptor id", what, kind_name(n));
        return -1;
    }
    return descriptor_named(L, n, s, what);
}

/* Resolves variant s (id or name) of descriptor d, reporting at n. */
static int variant_named(loader *L, const yaml_node_t *n, int d, const char *s, const char *what)
{
    const scenmc_descriptor *D = &L->m->descriptors[d];
    int v = scenmc_model_find_variant(L->m, d, s);
    if (v < 0) {
        char names[1024] = "";
        for (int b = 0; b < D->n_variants && strlen(names) < 900; b++) {
            strncat(names, "'", sizeof names - strlen(names) - 1);
            strncat(names, L->m->variant_name[D->offset + b], sizeof names - strlen(names) - 1);
            strncat(names, b + 1 < D->n_variants ? "', " : "'", sizeof names - strlen(names) - 1);
        }
        problem_at(L, n, "%s names unknown variant '%s' of %s; expected one of: %s", what, s,
                   D->id, names);
    }
    return v;
}

static int variant_ref(loader *L, const yaml_node_t *n, int d, const char *what)
{
    const char *s = scalar(n);
    if (!s) {
        problem_at(L, n, "%s is %s; expected a variant of %s", what, kind_name(n),
                   L->m->descriptors[d].id);
        return -1;
    }
    return variant_named(L, n, d, s, what);
}

/* ------------------------------------------------------------ sections */

static const char *const top_keys[] = {"format", "format_version", "name", "description",
                                       "source", "years", "scale", "descriptors",
                                       "consistency", "cross_impact", "bias", "scenarios",
                                       "defaults", "trends", "interventions", "shocks", NULL};
static const char *const descriptor_keys[] = {"id", "name", "label", "variants", "rate",
                                              "initial", NULL};
static const char *const variant_keys[] = {"id", "name", "label", NULL};
static const char *const years_keys[] = {"start", "end", NULL};
static const char *const scale_keys[] = {"consistency", "cross_impact", NULL};
static const char *const block_keys[] = {"between", "scores", NULL};
static const char *const cross_keys[] = {"from", "to", "impacts", NULL};
static const char *const scenario_keys[] = {"name", "label", "when", NULL};
static const char *const defaults_keys[] = {"beta", "w_consistency", "w_cross", "rate",
                                            "trajectories", "seed", "start", NULL};

static void load_header(loader *L, yaml_node_t *root)
{
    scenmc_model *m = L->m;
    yaml_node_t *f = get(L, root, "format");
    if (f && (!scalar(f) || strcmp(scalar(f), "scenmc-model") != 0))
        problem_at(L, f, "format is '%s'; expected 'scenmc-model'", scalar(f) ? scalar(f) : "?");
    yaml_node_t *fv = get(L, root, "format_version");
    long long ver;
    if (fv && integer(L, fv, "format_version", 0, 1000000, &ver) && ver != 1)
        problem_at(L, fv, "format_version is %lld; expected 1 (this scenmc reads version 1)", ver);

    m->name = get_string(L, root, "name", "the model", 1);
    m->description = get_string(L, root, "description", "the model", 0);
    m->source = get_string(L, root, "source", "the model", 0);

    yaml_node_t *y = get(L, root, "years");
    if (!y) {
        problem_at(L, root, "the model has no 'years'; expected 'years: {start: 2020, end: 2030}'");
    } else if (check_mapping(L, y, "years", years_keys)) {
        long long a = 0, b = 0;
        yaml_node_t *ys = get(L, y, "start"), *ye = get(L, y, "end");
        int ok = 1;
        if (!ys || !ye) {
            problem_at(L, y, "years needs both 'start' and 'end'; expected {start: 2020, end: 2030}");
            ok = 0;
        }
        if (ok) {
            ok = integer(L, ys, "years.start", -100000, 100000, &a);
            ok = integer(L, ye, "years.end", -100000, 100000, &b) && ok;
        }
        if (ok && b <= a) {
            problem_at(L, ye, "end year %lld is not after start year %lld; expected end > start", b, a);
        } else if (ok && b - a > SCENMC_MAX_YEARS) {
            problem_at(L, ye, "%lld years from start to end; expected at most %d", b - a,
                       SCENMC_MAX_YEARS);
        } else if (ok) {
            m->year_start = (int)a;
            m->year_end = (int)b;
        }
    }

    m->scale_c[0] = -3;
    m->scale_c[1] = 3;
    m->scale_x[0] = -20;
    m->scale_x[1] = 20;
    yaml_node_t *sc = get(L, root, "scale");
    if (sc && check_mapping(L, sc, "scale", scale_keys)) {
        yaml_node_t *n;
        if ((n = get(L, sc, "consistency")))
            range(L, n, "scale.consistency", m->scale_c);
        if ((n = get(L, sc, "cross_impact")))
            range(L, n, "scale.cross_impact", m->scale_x);
    }
}

static void load_variants(loader *L, scenmc_descriptor *D, yaml_node_t *vs, int d)
{
    scenmc_model *m = L->m;
    for (int b = 0; b < D->n_variants; b++) {
        yaml_node_t *v = seq_item(L, vs, b);
        int g = D->offset + b;
        m->variant_descriptor[g] = d;
        if (v->type == YAML_SCALAR_NODE) {
            if (v->data.scalar.length == 0)
                problem_at(L, v, "variant %d of %s is empty; expected its name", b + 1, D->id);
            else
                m->variant_name[g] = scenmc__strdup(scalar(v));
        } else if (check_mapping(L, v, "a variant", variant_keys)) {
            char what[128];
            snprintf(what, sizeof what, "variant %d of %s", b + 1, D->id);
            m->variant_name[g] = get_string(L, v, "name", what, 1);
            m->variant_id[g] = get_string(L, v, "id", what, 0);
            m->variant_label[g] = get_string(L, v, "label", what, 0);
            if (m->variant_id[g] && !scenmc__id_valid(m->variant_id[g]))
                problem_at(L, get(L, v, "id"),
                           "variant id '%s' has characters other than letters, digits, '_' and '-'",
                           m->variant_id[g]);
        }
        if (!m->variant_name[g])
            m->variant_name[g] = scenmc__strdup("?");
        /* Names and ids must identify a variant unambiguously within its descriptor. */
        for (int a = 0; a < b; a++) {
            int h = D->offset + a;
            const char *refs_b[2] = {m->variant_name[g], m->variant_id[g]};
            const char *refs_a[2] = {m->variant_name[h], m->variant_id[h]};
            for (int i = 0; i < 2; i++)
                for (int j = 0; j < 2; j++)
                    if (refs_b[i] && refs_a[j] && strcmp(refs_b[i], "?") != 0 &&
                        strcmp(refs_b[i], refs_a[j]) == 0) {
                        problem_at(L, v, "variant '%s' of %s is given twice (also variant %d); "
                                   "expected unique variant names and ids",
                                   refs_b[i], D->id, a + 1);
                        i = j = 2;
                    }
        }
    }
}

/* The descriptors list, checked against the limits before anything is
 * allocated from it; NULL (reported) when unusable. *total: all variants. */
static yaml_node_t *descriptor_list(loader *L, yaml_node_t *root, long *total)
{
    yaml_node_t *ds = get(L, root, "descriptors");
    if (!ds) {
        problem_at(L, root, "the model has no 'descriptors'; expected a list of descriptors");
        return NULL;
    }
    if (ds->type != YAML_SEQUENCE_NODE || seq_len(ds) == 0) {
        problem_at(L, ds, "descriptors is %s; expected a non-empty list of descriptors",
                   kind_name(ds));
        return NULL;
    }
    int nd = seq_len(ds);
    if (nd > SCENMC_MAX_DESCRIPTORS) {
        problem_at(L, ds, "%d descriptors; expected at most %d", nd, SCENMC_MAX_DESCRIPTORS);
        return NULL;
    }
    /* Count variants, so that nothing is allocated from an unchecked size. */
    *total = 0;
    for (int d = 0; d < nd; d++) {
        yaml_node_t *vs = get(L, seq_item(L, ds, d), "variants");
        if (vs && vs->type == YAML_SEQUENCE_NODE)
            *total += seq_len(vs);
    }
    if (*total > SCENMC_MAX_TOTAL_VARIANTS) {
        problem_at(L, ds, "%ld variants in all; expected at most %d", *total,
                   SCENMC_MAX_TOTAL_VARIANTS);
        return NULL;
    }
    return ds;
}

/* Descriptor d's id (unique, of letters, digits, '_' and '-'), "?" when missing. */
static void descriptor_id(loader *L, scenmc_descriptor *D, yaml_node_t *dn, int d,
                          const char *what)
{
    scenmc_model *m = L->m;
    D->id = get_string(L, dn, "id", what, 1);
    if (D->id && !scenmc__id_valid(D->id))
        problem_at(L, get(L, dn, "id"),
                   "descriptor id '%s' has characters other than letters, digits, '_' and '-'; "
                   "expected a short code such as IK",
                   D->id);
    if (!D->id)
        D->id = scenmc__strdup("?");
    for (int e = 0; e < d; e++)
        if (strcmp(D->id, "?") != 0 && strcmp(m->descriptors[e].id, D->id) == 0)
            problem_at(L, get(L, dn, "id"), "descriptor id '%s' is used twice (also descriptor %d); "
                       "expected unique ids", D->id, e + 1);
}

/* Descriptor d's variants: a list of 2 to SCENMC_MAX_VARIANTS. */
static void descriptor_variants(loader *L, scenmc_descriptor *D, yaml_node_t *dn, int d,
                                const char *what)
{
    yaml_node_t *vs = get(L, dn, "variants");
    if (!vs) {
        problem_at(L, dn, "%s has no 'variants'; expected a list of at least 2 variants", what);
    } else if (vs->type != YAML_SEQUENCE_NODE || seq_len(vs) < 2) {
        problem_at(L, vs, "%s has %s%s; expected a list of at least 2 variants", what,
                   vs->type == YAML_SEQUENCE_NODE ? "" : "variants given as ",
                   vs->type == YAML_SEQUENCE_NODE ? (seq_len(vs) ? "only 1 variant" : "no variants")
                                                  : kind_name(vs));
    } else if (seq_len(vs) > SCENMC_MAX_VARIANTS) {
        problem_at(L, vs, "%s has %d variants; expected at most %d", what, seq_len(vs),
                   SCENMC_MAX_VARIANTS);
    }
    if (vs && vs->type == YAML_SEQUENCE_NODE) {
        D->n_variants = seq_len(vs);
        load_variants(L, D, vs, d);
    }
}

/* Descriptor D's initial probabilities: one per variant, each in [0, 1], summing to 1. */
static void descriptor_initial(loader *L, scenmc_descriptor *D, yaml_node_t *ini)
{
    if (ini->type != YAML_SEQUENCE_NODE || seq_len(ini) != D->n_variants) {
        problem_at(L, ini, "initial of %s is %s; expected a list of %d probabilities",
                   D->id, ini->type == YAML_SEQUENCE_NODE ? "a list of the wrong length"
                                                          : kind_name(ini),
                   D->n_variants);
        return;
    }
    D->initial = scenmc__xcalloc((size_t)D->n_variants, sizeof(double));
    double sum = 0;
    int ok = 1;
    for (int b = 0; b < D->n_variants; b++) {
        yaml_node_t *pn = seq_item(L, ini, b);
        if (!number(L, pn, "an initial probability", &D->initial[b])) {
            ok = 0;
        } else if (D->initial[b] < 0 || D->initial[b] > 1) {
            problem_at(L, pn, "initial probability %g of %s; expected 0 <= p <= 1",
                       D->initial[b], D->id);
            ok = 0;
        }
        sum += D->initial[b];
    }
    if (ok && fabs(sum - 1) > 1e-9)
        problem_at(L, ini, "initial probabilities of %s sum to %.12g; expected 1", D->id, sum);
}

/* Descriptor d (node dn), its variants from *offset on. */
static void load_descriptor(loader *L, yaml_node_t *dn, int d, int *offset)
{
    scenmc_descriptor *D = &L->m->descriptors[d];
    D->offset = *offset;
    char what[96];
    snprintf(what, sizeof what, "descriptor %d", d + 1);
    if (!check_mapping(L, dn, what, descriptor_keys)) {
        D->id = scenmc__strdup("?");
        D->name = scenmc__strdup("?");
        return;
    }
    descriptor_id(L, D, dn, d, what);
    snprintf(what, sizeof what, "descriptor %s", D->id);
    D->name = get_string(L, dn, "name", what, 0);
    if (!D->name)
        D->name = scenmc__strdup(D->id);
    D->label = get_string(L, dn, "label", what, 0);
    descriptor_variants(L, D, dn, d, what);
    *offset += D->n_variants;

    yaml_node_t *r = get(L, dn, "rate");
    if (r && number(L, r, "rate", &D->rate) && !(D->rate > 0))
        problem_at(L, r, "rate of %s is %g; expected a positive number (revisions per year)",
                   D->id, D->rate);
    yaml_node_t *ini = get(L, dn, "initial");
    if (ini)
        descriptor_initial(L, D, ini);
}

static void load_descriptors(loader *L, yaml_node_t *root)
{
    scenmc_model *m = L->m;
    long total;
    yaml_node_t *ds = descriptor_list(L, root, &total);
    if (!ds)
        return;
    int nd = seq_len(ds);
    m->n_descriptors = nd;
    m->descriptors = scenmc__xcalloc((size_t)nd, sizeof *m->descriptors);
    m->n_variants = (int)total;
    size_t V = (size_t)total ? (size_t)total : 1;
    m->variant_id = scenmc__xcalloc(V, sizeof(char *));
    m->variant_name = scenmc__xcalloc(V, sizeof(char *));
    m->variant_label = scenmc__xcalloc(V, sizeof(char *));
    m->variant_descriptor = scenmc__xcalloc(V, sizeof(int));
    int offset = 0;
    for (int d = 0; d < nd; d++)
        load_descriptor(L, seq_item(L, ds, d), d, &offset);
}

/* Reads a block of rows x cols numbers within [lo, hi] into out (row-major). */
static int read_block(loader *L, yaml_node_t *n, int rows, int cols, const char *what,
                      const double lim[2], double *out, yaml_node_t **cells)
{
    if (!n || n->type != YAML_SEQUENCE_NODE) {
        problem_at(L, n, "%s is %s; expected %d rows of %d numbers", what, kind_name(n), rows, cols);
        return 0;
    }
    int ok = 1;
    if (seq_len(n) != rows) {
        problem_at(L, n, "%s has %d rows; expected %d (one per variant)", what, seq_len(n), rows);
        ok = 0;
    }
    for (int r = 0; r < seq_len(n) && r < rows; r++) {
        yaml_node_t *row = seq_item(L, n, r);
        if (row->type != YAML_SEQUENCE_NODE) {
            problem_at(L, row, "row %d of %s is %s; expected a list of %d numbers", r + 1, what,
                       kind_name(row), cols);
            ok = 0;
            continue;
        }
        if (seq_len(row) != cols) {
            problem_at(L, row, "row %d of %s has %d numbers; expected %d (one per variant)", r + 1,
                       what, seq_len(row), cols);
            ok = 0;
            continue;
        }
        for (int c = 0; c < cols; c++) {
            yaml_node_t *cell = seq_item(L, row, c);
            double v;
            char cw[256];
            snprintf(cw, sizeof cw, "row %d, column %d of %s", r + 1, c + 1, what);
            if (!number(L, cell, cw, &v)) {
                ok = 0;
                continue;
            }
            if (v < lim[0] || v > lim[1]) {
                problem_at(L, cell, "%s is %g; expected a value on the scale %g..%g", cw, v, lim[0],
                           lim[1]);
                ok = 0;
                continue;
            }
            out[r * cols + c] = v;
            cells[r * cols + c] = cell;
        }
    }
    return ok;
}

/* Scratch for one block of a matrix: its numbers and the nodes they came from. */
typedef struct {
    double *x;
    yaml_node_t **cells;
} block_buf;

static void block_buf_init(block_buf *b)
{
    size_t n = (size_t)SCENMC_MAX_VARIANTS * SCENMC_MAX_VARIANTS;
    b->x = scenmc__xcalloc(n, sizeof(double));
    b->cells = scenmc__xcalloc(n, sizeof(yaml_node_t *));
}

static void block_buf_free(block_buf *b)
{
    free(b->x);
    free(b->cells);
}

/* Whether descriptors a and b are too large for the block buffers (already
 * reported by load_descriptors: their blocks are skipped). */
static int oversized(const scenmc_model *m, int a, int b)
{
    return m->descriptors[a].n_variants > SCENMC_MAX_VARIANTS ||
           m->descriptors[b].n_variants > SCENMC_MAX_VARIANTS;
}

/* One consistency cell, C[u][v] = C[v][u] = x, unless given before with another value. */
static void store_consistency(loader *L, yaml_node_t *cell, size_t u, size_t v, double x,
                              const scenmc_descriptor *A, const scenmc_descriptor *B)
{
    scenmc_model *m = L->m;
    size_t V = (size_t)m->n_variants;
    if (m->scored[u * V + v] && m->consistency[u * V + v] != x) {
        problem_at(L, cell, "the pair '%s' (%s) / '%s' (%s) is given twice with different "
                   "values (%g here, %g at line %d); expected one value",
                   m->variant_name[u], A->id, m->variant_name[v], B->id, x,
                   m->consistency[u * V + v], L->cell_line[u * V + v]);
        return;
    }
    if (!m->scored[u * V + v])
        L->cell_line[u * V + v] = L->cell_line[v * V + u] = line_of(cell);
    m->consistency[u * V + v] = m->consistency[v * V + u] = x;
    m->scored[u * V + v] = m->scored[v * V + u] = 1;
}

/* One cross-impact cell, X[u][v] = x, unless given before with another value. */
static void store_cross(loader *L, yaml_node_t *cell, size_t u, size_t v, double x,
                        const scenmc_descriptor *A, const scenmc_descriptor *B)
{
    scenmc_model *m = L->m;
    size_t V = (size_t)m->n_variants;
    if (L->cross_line[u * V + v] && m->cross_impact[u * V + v] != x) {
        problem_at(L, cell, "the impact of '%s' (%s) on '%s' (%s) is given twice with "
                   "different values (%g here, %g at line %d); expected one value",
                   m->variant_name[u], A->id, m->variant_name[v], B->id, x,
                   m->cross_impact[u * V + v], L->cross_line[u * V + v]);
        return;
    }
    L->cross_line[u * V + v] = line_of(cell);
    m->cross_impact[u * V + v] = x;
}

typedef void (*store_fn)(loader *L, yaml_node_t *cell, size_t u, size_t v, double x,
                         const scenmc_descriptor *A, const scenmc_descriptor *B);

/* Reads block n (A's variants by B's, on the scale lim) and stores every
 * valid cell. */
static void load_block(loader *L, yaml_node_t *n, const scenmc_descriptor *A,
                       const scenmc_descriptor *B, const char *what, const double lim[2],
                       block_buf *bb, store_fn store)
{
    memset(bb->cells, 0, sizeof(yaml_node_t *) * (size_t)A->n_variants * (size_t)B->n_variants);
    read_block(L, n, A->n_variants, B->n_variants, what, lim, bb->x, bb->cells);
    for (int r = 0; r < A->n_variants; r++)
        for (int c = 0; c < B->n_variants; c++) {
            yaml_node_t *cell = bb->cells[r * B->n_variants + c];
            if (cell)
                store(L, cell, (size_t)(A->offset + r), (size_t)(B->offset + c),
                      bb->x[r * B->n_variants + c], A, B);
        }
}

/* The descriptor pair of consistency block k (bn): 0 when it has none. */
static int consistency_pair(loader *L, yaml_node_t *bn, int k, int *a, int *b)
{
    yaml_node_t *bt = get(L, bn, "between");
    if (!bt || bt->type != YAML_SEQUENCE_NODE || seq_len(bt) != 2) {
        problem_at(L, bt ? bt : bn, "consistency block %d: 'between' is %s; expected two descriptor ids [A, B]",
                   k + 1, bt ? kind_name(bt) : "missing");
        return 0;
    }
    *a = descriptor_ref(L, seq_item(L, bt, 0), "between");
    *b = descriptor_ref(L, seq_item(L, bt, 1), "between");
    if (*a < 0 || *b < 0 || oversized(L->m, *a, *b))
        return 0;
    if (*a == *b) {
        problem_at(L, bt, "consistency block pairs %s with itself; expected two different "
                   "descriptors (variants of one descriptor exclude each other)",
                   L->m->descriptors[*a].id);
        return 0;
    }
    return 1;
}

static void load_consistency(loader *L, yaml_node_t *root)
{
    scenmc_model *m = L->m;
    yaml_node_t *cs = get(L, root, "consistency");
    if (!cs)
        return;
    if (cs->type != YAML_SEQUENCE_NODE) {
        problem_at(L, cs, "consistency is %s; expected a list of blocks {between: [A, B], scores: ...}",
                   kind_name(cs));
        return;
    }
    block_buf bb;
    block_buf_init(&bb);
    for (int k = 0; k < seq_len(cs); k++) {
        yaml_node_t *bn = seq_item(L, cs, k);
        int a, b;
        if (!check_mapping(L, bn, "a consistency block", block_keys) ||
            !consistency_pair(L, bn, k, &a, &b))
            continue;
        const scenmc_descriptor *A = &m->descriptors[a], *B = &m->descriptors[b];
        yaml_node_t *sn = get(L, bn, "scores");
        char what[160];
        snprintf(what, sizeof what, "block %s x %s", A->id, B->id);
        if (!sn) {
            problem_at(L, bn, "%s has no 'scores'; expected %d rows of %d numbers", what,
                       A->n_variants, B->n_variants);
            continue;
        }
        load_block(L, sn, A, B, what, m->scale_c, &bb, store_consistency);
    }
    block_buf_free(&bb);
}

static void load_cross_impact(loader *L, yaml_node_t *root)
{
    scenmc_model *m = L->m;
    size_t V = (size_t)m->n_variants;
    yaml_node_t *xs = get(L, root, "cross_impact");
    if (!xs)
        return;
    if (xs->type != YAML_SEQUENCE_NODE) {
        problem_at(L, xs, "cross_impact is %s; expected a list of blocks {from: A, to: B, impacts: ...}",
                   kind_name(xs));
        return;
    }
    m->cross_impact = scenmc__xcalloc(V * V, sizeof(double));
    L->cross_line = scenmc__xcalloc(V * V, sizeof(int));
    block_buf bb;
    block_buf_init(&bb);
    for (int k = 0; k < seq_len(xs); k++) {
        yaml_node_t *bn = seq_item(L, xs, k);
        if (!check_mapping(L, bn, "a cross-impact block", cross_keys))
            continue;
        yaml_node_t *fn = get(L, bn, "from"), *tn = get(L, bn, "to");
        if (!fn || !tn) {
            problem_at(L, bn, "cross-impact block %d needs 'from' and 'to'; expected descriptor ids",
                       k + 1);
            continue;
        }
        int a = descriptor_ref(L, fn, "from"), b = descriptor_ref(L, tn, "to");
        if (a < 0 || b < 0 || oversized(m, a, b))
            continue;
        const scenmc_descriptor *A = &m->descriptors[a], *B = &m->descriptors[b];
        char what[160];
        snprintf(what, sizeof what, "cross-impact block %s -> %s", A->id, B->id);
        yaml_node_t *in = get(L, bn, "impacts");
        if (!in) {
            problem_at(L, bn, "%s has no 'impacts'; expected %d rows of %d numbers", what,
                       A->n_variants, B->n_variants);
            continue;
        }
        load_block(L, in, A, B, what, m->scale_x, &bb, store_cross);
    }
    for (size_t u = 0; u < V; u++)
        for (size_t v = 0; v < V; v++)
            if (m->variant_descriptor[u] == m->variant_descriptor[v] && m->cross_impact[u * V + v] != 0)
                m->n_self_impacts++;
    block_buf_free(&bb);
}

static void load_bias(loader *L, yaml_node_t *root)
{
    scenmc_model *m = L->m;
    yaml_node_t *bs = get(L, root, "bias");
    if (!bs)
        return;
    if (bs->type != YAML_MAPPING_NODE) {
        problem_at(L, bs, "bias is %s; expected a mapping DESCRIPTOR: [one number per variant]",
                   kind_name(bs));
        return;
    }
    m->bias = scenmc__xcalloc((size_t)m->n_variants ? (size_t)m->n_variants : 1, sizeof(double));
    int *line = scenmc__xcalloc((size_t)m->n_descriptors, sizeof(int));
    for (yaml_node_pair_t *p = bs->data.mapping.pairs.start; p < bs->data.mapping.pairs.top; p++) {
        int d = descriptor_ref(L, node(L, p->key), "bias");
        if (d < 0)
            continue;
        if (line[d]) {
            problem_at(L, node(L, p->key), "bias of %s is given twice (first at line %d); "
                       "expected it once", m->descriptors[d].id, line[d]);
            continue;
        }
        line[d] = line_of(node(L, p->key));
        const scenmc_descriptor *D = &m->descriptors[d];
        yaml_node_t *vn = node(L, p->value);
        if (vn->type != YAML_SEQUENCE_NODE || seq_len(vn) != D->n_variants) {
            problem_at(L, vn, "bias of %s is %s; expected a list of %d numbers", D->id,
                       vn->type == YAML_SEQUENCE_NODE ? "a list of the wrong length" : kind_name(vn),
                       D->n_variants);
            continue;
        }
        for (int b = 0; b < D->n_variants; b++)
            number(L, seq_item(L, vn, b), "a bias", &m->bias[D->offset + b]);
    }
    free(line);
}

static void load_scenarios(loader *L, yaml_node_t *root)
{
    scenmc_model *m = L->m;
    yaml_node_t *ss = get(L, root, "scenarios");
    if (!ss)
        return;
    if (ss->type != YAML_SEQUENCE_NODE) {
        problem_at(L, ss, "scenarios is %s; expected a list of {name: ..., when: {ID: variant}}",
                   kind_name(ss));
        return;
    }
    int ns = seq_len(ss);
    if (ns > SCENMC_MAX_SCENARIOS) {
        problem_at(L, ss, "%d scenarios; expected at most %d", ns, SCENMC_MAX_SCENARIOS);
        return;
    }
    m->scenarios = scenmc__xcalloc((size_t)ns ? (size_t)ns : 1, sizeof *m->scenarios);
    m->n_scenarios = ns;
    for (int k = 0; k < ns; k++) {
        scenmc_scenario *S = &m->scenarios[k];
        yaml_node_t *sn = seq_item(L, ss, k);
        char what[64];
        snprintf(what, sizeof what, "scenario %d", k + 1);
        if (!check_mapping(L, sn, what, scenario_keys)) {
            S->name = scenmc__strdup("?");
            continue;
        }
        S->name = get_string(L, sn, "name", what, 1);
        if (!S->name)
            S->name = scenmc__strdup("?");
        S->label = get_string(L, sn, "label", what, 0);
        for (int j = 0; j < k; j++)
            if (strcmp(S->name, "?") != 0 && strcmp(m->scenarios[j].name, S->name) == 0)
                problem_at(L, get(L, sn, "name"), "scenario name '%s' is used twice; expected unique names",
                           S->name);
        yaml_node_t *w = get(L, sn, "when");
        if (!w || w->type != YAML_MAPPING_NODE ||
            w->data.mapping.pairs.top == w->data.mapping.pairs.start) {
            problem_at(L, w ? w : sn, "scenario '%s' has %s; expected 'when: {DESCRIPTOR: variant, ...}'",
                       S->name, w ? "empty or malformed conditions" : "no 'when'");
            continue;
        }
        int nc = (int)(w->data.mapping.pairs.top - w->data.mapping.pairs.start);
        S->cond_descriptor = scenmc__xcalloc((size_t)nc, sizeof(int));
        S->cond_variant = scenmc__xcalloc((size_t)nc, sizeof(int));
        for (yaml_node_pair_t *p = w->data.mapping.pairs.start; p < w->data.mapping.pairs.top; p++) {
            int d = descriptor_ref(L, node(L, p->key), "a scenario condition");
            if (d < 0)
                continue;
            for (int c = 0; c < S->n_conditions; c++)
                if (S->cond_descriptor[c] == d)
                    problem_at(L, node(L, p->key), "scenario '%s' sets %s twice; expected one condition "
                               "per descriptor", S->name, m->descriptors[d].id);
            int v = variant_ref(L, node(L, p->value), d, "a scenario condition");
            if (v < 0)
                continue;
            S->cond_descriptor[S->n_conditions] = d;
            S->cond_variant[S->n_conditions] = v;
            S->n_conditions++;
        }
    }
}

void scenmc__model_set_defaults(scenmc_model *m)
{
    m->beta = 0.5;
    m->w_consistency = 1;
    m->w_cross = 1;
    m->rate = 0.5;
    m->trajectories = 1000000;
    m->seed = 1;
}

static void load_defaults(loader *L, yaml_node_t *root)
{
    scenmc_model *m = L->m;
    scenmc__model_set_defaults(m);
    yaml_node_t *df = get(L, root, "defaults");
    if (!df || !check_mapping(L, df, "defaults", defaults_keys))
        return;
    yaml_node_t *n;
    if ((n = get(L, df, "beta")) && number(L, n, "beta", &m->beta) && m->beta < 0)
        problem_at(L, n, "beta is %g; expected a number >= 0", m->beta);
    if ((n = get(L, df, "w_consistency")))
        number(L, n, "w_consistency", &m->w_consistency);
    if ((n = get(L, df, "w_cross")))
        number(L, n, "w_cross", &m->w_cross);
    if ((n = get(L, df, "rate")) && number(L, n, "rate", &m->rate) && !(m->rate > 0))
        problem_at(L, n, "rate is %g; expected a positive number (revisions per year)", m->rate);
    if ((n = get(L, df, "trajectories")))
        uint64_value(L, n, "trajectories", 1, &m->trajectories);
    if ((n = get(L, df, "seed")))
        uint64_value(L, n, "seed", 0, &m->seed);
    if ((n = get(L, df, "start"))) {
        if (n->type != YAML_MAPPING_NODE) {
            problem_at(L, n, "start is %s; expected {DESCRIPTOR: variant, ...} for every descriptor",
                       kind_name(n));
            return;
        }
        m->start = scenmc__xcalloc((size_t)m->n_descriptors, sizeof(int));
        for (int d = 0; d < m->n_descriptors; d++)
            m->start[d] = -1;
        for (yaml_node_pair_t *p = n->data.mapping.pairs.start; p < n->data.mapping.pairs.top; p++) {
            int d = descriptor_ref(L, node(L, p->key), "start");
            if (d < 0)
                continue;
            if (m->start[d] >= 0) {
                problem_at(L, node(L, p->key), "start sets %s twice; expected one variant per "
                           "descriptor", m->descriptors[d].id);
                continue;
            }
            int v = variant_ref(L, node(L, p->value), d, "start");
            if (v >= 0)
                m->start[d] = v;
        }
        for (int d = 0; d < m->n_descriptors; d++)
            if (m->start[d] < 0) {
                problem_at(L, n, "start does not set descriptor %s; expected a variant for every "
                           "descriptor", m->descriptors[d].id);
            }
    }
}

/* ------------------------------------------------------------ changes over time */

/* trends:, interventions: and shocks: (scenmc/schedule.h), built with the
 * list functions of model/schedule_list.c (schedule.c's parsers look
 * descriptors up through this file). */

#define SCENMC__MAX_CHANGES 1000 /* per section */

static const char *const trend_keys[] = {"name", "variant", "bias", "years", NULL};
static const char *const intervention_keys[] = {"name", "variant", "years", NULL};
static const char *const shock_keys[] = {"name", "variant", "years", "hazard", NULL};

/* "ID=VARIANT" at n (a variant by id or name). */
static int change_variant(loader *L, const yaml_node_t *n, const char *what, int *d, int *b)
{
    const char *s = scalar(n);
    const char *eq = s ? strchr(s, '=') : NULL;
    if (!eq) {
        problem_at(L, n, "the variant of %s is %s%s%s; expected ID=VARIANT, e.g. DA=Datamonopol", what,
                   s ? "'" : "", s ? s : kind_name(n), s ? "'" : "");
        return 0;
    }
    char *id = scenmc__strdup(s);
    id[eq - s] = '\0';
    *d = descriptor_named(L, n, id, what);
    free(id);
    *b = *d < 0 ? -1 : variant_named(L, n, *d, eq + 1, what);
    return *b >= 0;
}

/* A year at the start of s (digits only); *end after it. */
static int year_part(const char *s, int *out, const char **end)
{
    if (!isdigit((unsigned char)*s))
        return 0;
    char *e;
    errno = 0;
    long v = strtol(s, &e, 10);
    if (errno == ERANGE || v > 100000)
        return 0;
    *out = (int)v;
    *end = e;
    return 1;
}

/* "Y" (from Y to the model's last year) or "Y1-Y2" at n. */
static int change_years(loader *L, const yaml_node_t *n, const char *what, int *first, int *last)
{
    const char *s = scalar(n), *e = NULL;
    int ok = s && year_part(s, first, &e);
    if (ok && *e == '-')
        ok = year_part(e + 1, last, &e);
    else if (ok)
        *last = L->m->year_end;
    if (!ok || *e != '\0') {
        problem_at(L, n, "the years of %s are %s%s%s; expected YEAR (from then to the model's last year) "
                   "or FIRST-LAST, e.g. 2022-2030", what, s ? "'" : "", s ? s : kind_name(n), s ? "'" : "");
        return 0;
    }
    if (*first > *last) {
        problem_at(L, n, "the years of %s are %d-%d; expected the first year at most the last (%d)", what,
                   *first, *last, L->m->year_end);
        return 0;
    }
    return 1;
}

static void add_knot(scenmc_change *c, int year, double value)
{
    c->knot_year = scenmc__xrealloc(c->knot_year, sizeof(int) * (size_t)(c->n_knots + 1));
    c->knot_value = scenmc__xrealloc(c->knot_value, sizeof(double) * (size_t)(c->n_knots + 1));
    c->knot_year[c->n_knots] = year;
    c->knot_value[c->n_knots++] = value;
}

/* bias: {YEAR: B, ...} (years increasing). */
static int trend_knots(loader *L, const yaml_node_t *bn, const char *what, scenmc_change *c)
{
    int ok = bn->data.mapping.pairs.top > bn->data.mapping.pairs.start;
    if (!ok)
        problem_at(L, bn, "the bias of %s is an empty mapping; expected {YEAR: BIAS, ...}", what);
    for (yaml_node_pair_t *p = bn->data.mapping.pairs.start; p < bn->data.mapping.pairs.top; p++) {
        long long y;
        double v;
        if (!integer(L, node(L, p->key), "a trend's year", 0, 100000, &y) ||
            !number(L, node(L, p->value), "a trend's bias", &v)) {
            ok = 0;
            continue;
        }
        if (c->n_knots && y <= c->knot_year[c->n_knots - 1]) {
            problem_at(L, node(L, p->key), "the years of %s's bias are not increasing (%lld after %d); "
                       "expected each year once, in order", what, y, c->knot_year[c->n_knots - 1]);
            ok = 0;
            continue;
        }
        add_knot(c, (int)y, v);
    }
    if (ok) {
        c->first = c->knot_year[0];
        c->last = c->knot_year[c->n_knots - 1];
    }
    return ok;
}

/* A trend's bias: {YEAR: B, ...}, or one number B (with years: a push, 0
 * outside them, as --push; without: the same every year). */
static int trend_bias(loader *L, const yaml_node_t *en, const char *what, scenmc_change *c)
{
    yaml_node_t *bn = get(L, en, "bias"), *yn = get(L, en, "years");
    double v;
    if (!bn) {
        problem_at(L, en, "%s has no 'bias'; expected 'bias: {YEAR: BIAS, ...}' or 'bias: NUMBER'", what);
        return 0;
    }
    if (bn->type == YAML_MAPPING_NODE) {
        if (yn)
            problem_at(L, yn, "%s has years and a bias per year; expected 'years' only with one number "
                       "as its bias", what);
        return !yn && trend_knots(L, bn, what, c);
    }
    if (!number(L, bn, "a trend's bias", &v))
        return 0;
    if (!yn) {
        c->first = c->last = L->m->year_start;
        add_knot(c, c->first, v);
        return 1;
    }
    if (!change_years(L, yn, what, &c->first, &c->last))
        return 0;
    add_knot(c, c->first - 1, 0);
    add_knot(c, c->first, v);
    add_knot(c, c->last, v);
    add_knot(c, c->last + 1, 0);
    return 1;
}

/* The name, checked unique over all the file's changes. */
static int change_name(loader *L, const yaml_node_t *en, const char *what, scenmc_change *c)
{
    yaml_node_t *nn = get(L, en, "name");
    c->name = get_string(L, en, "name", what, 1);
    const scenmc_schedule *s = L->m->schedule;
    for (int i = 0; c->name && s && i < s->n; i++)
        if (strcmp(s->ch[i].name, c->name) == 0) {
            problem_at(L, nn, "the name '%s' of %s is used before (%s); expected a name of its own", c->name,
                       what, s->ch[i].where);
            return 0;
        }
    return c->name != NULL;
}

static int load_change(loader *L, const yaml_node_t *en, scenmc_change_kind kind, const char *what,
                       scenmc_change *c)
{
    yaml_node_t *vn = get(L, en, "variant"), *yn = get(L, en, "years"), *hn = get(L, en, "hazard");
    int ok = change_name(L, en, what, c);
    if (!vn)
        problem_at(L, en, "%s has no 'variant'; expected 'variant: ID=VARIANT'", what);
    ok = vn && change_variant(L, vn, what, &c->descriptor, &c->variant) && ok;
    if (kind == SCENMC_CHANGE_TREND)
        return trend_bias(L, en, what, c) && ok;
    if (kind == SCENMC_CHANGE_HOLD && !yn)
        problem_at(L, en, "%s has no 'years'; expected 'years: YEAR' or 'years: FIRST-LAST'", what);
    if (kind == SCENMC_CHANGE_SHOCK && !yn) {
        c->first = L->m->year_start;
        c->last = L->m->year_end;
    } else {
        ok = yn && change_years(L, yn, what, &c->first, &c->last) && ok;
    }
    if (kind != SCENMC_CHANGE_SHOCK)
        return ok;
    if (!hn) {
        problem_at(L, en, "%s has no 'hazard'; expected 'hazard: EVENTS_PER_YEAR'", what);
        return 0;
    }
    if (!number(L, hn, "a shock's hazard", &c->value))
        return 0;
    if (c->value < 0) {
        problem_at(L, hn, "the hazard of %s is %g; expected a number >= 0 (events per year)", what, c->value);
        return 0;
    }
    return ok;
}

static void schedule_append(scenmc_model *m, const scenmc_change *c)
{
    if (!m->schedule)
        m->schedule = scenmc__xcalloc(1, sizeof *m->schedule);
    scenmc__schedule_take(m->schedule, c);
}

static void load_changes(loader *L, yaml_node_t *root, const char *key, scenmc_change_kind kind,
                         const char *const *keys)
{
    static const char *const singular[] = {"trend", "intervention", "shock"};
    yaml_node_t *sn = get(L, root, key);
    if (!sn)
        return;
    if (sn->type != YAML_SEQUENCE_NODE || seq_len(sn) > SCENMC__MAX_CHANGES) {
        problem_at(L, sn, "%s is %s; expected a list of at most %d {name: ..., variant: ID=VARIANT, ...}", key,
                   sn->type == YAML_SEQUENCE_NODE ? "too long a list" : kind_name(sn), SCENMC__MAX_CHANGES);
        return;
    }
    for (int k = 0; k < seq_len(sn); k++) {
        yaml_node_t *en = seq_item(L, sn, k);
        scenmc_change c = {.kind = kind};
        char what[64], where[64];
        snprintf(what, sizeof what, "%s %d", singular[kind], k + 1);
        if (check_mapping(L, en, what, keys) && load_change(L, en, kind, what, &c)) {
            snprintf(where, sizeof where, ":%d", line_of(en));
            c.where = scenmc__xmalloc(strlen(L->file) + strlen(where) + 1);
            strcat(strcpy(c.where, L->file), where);
            schedule_append(L->m, &c);
        } else {
            scenmc__change_free(&c);
        }
    }
}

static void load_schedule(loader *L, yaml_node_t *root)
{
    load_changes(L, root, "trends", SCENMC_CHANGE_TREND, trend_keys);
    load_changes(L, root, "interventions", SCENMC_CHANGE_HOLD, intervention_keys);
    load_changes(L, root, "shocks", SCENMC_CHANGE_SHOCK, shock_keys);
}

/* ------------------------------------------------------------ driver */

/* Line and column (1-based, column in bytes) of a byte offset into text. */
static void offset_position(const unsigned char *text, size_t len, size_t off, size_t *line,
                            size_t *col)
{
    *line = 1;
    *col = 1;
    for (size_t i = 0; i < off && i < len; i++) {
        if (text[i] == '\n') {
            ++*line;
            *col = 1;
        } else {
            ++*col;
        }
    }
}

/* Where libyaml found a problem: reader errors (bad encoding) give only a
 * byte offset; scanner and parser errors give a mark. */
static void problem_position(const yaml_parser_t *p, const unsigned char *text, size_t len,
                             size_t *line, size_t *col)
{
    if (p->error == YAML_READER_ERROR) {
        offset_position(text, len, p->problem_offset, line, col);
    } else {
        *line = p->problem_mark.line + 1;
        *col = p->problem_mark.column + 1;
    }
}

/* libyaml's failure as a problem at FILE:LINE:COLUMN; running out of memory is
 * no fault of the file. */
scenmc_status scenmc__yaml_problem(const yaml_parser_t *p, const char *file,
                                   const unsigned char *text, size_t len, scenmc_error *err)
{
    if (p->error == YAML_MEMORY_ERROR)
        return scenmc_error_add(err, SCENMC_E_NOMEM, "%s: out of memory parsing it as YAML; "
                                "expected more free memory", file);
    size_t line, col;
    problem_position(p, text, len, &line, &col);
    return scenmc_error_add(err, SCENMC_E_INPUT, "%s:%zu:%zu: not valid YAML: %s%s%s; expected a "
                            "scenmc model file (see docs/model-format.md)", file, line, col,
                            p->problem ? p->problem : "syntax error", p->context ? " " : "",
                            p->context ? p->context : "");
}

/* A first pass over the events: syntax errors, nesting depth and aliases,
 * before libyaml builds a document from them. */
static int prescan(const char *file, const unsigned char *text, size_t len, scenmc_error *err)
{
    yaml_parser_t p;
    yaml_event_t ev;
    if (!yaml_parser_initialize(&p))
        return scenmc_error_add(err, SCENMC_E_NOMEM, "%s: cannot start the YAML parser", file), 0;
    yaml_parser_set_input_string(&p, text, len);
    int depth = 0, docs = 0, ok = 1;
    for (;;) {
        if (!yaml_parser_parse(&p, &ev)) {
            scenmc__yaml_problem(&p, file, text, len, err);
            ok = 0;
            break;
        }
        yaml_event_type_t t = ev.type;
        if (t == YAML_SEQUENCE_START_EVENT || t == YAML_MAPPING_START_EVENT) {
            if (++depth > SCENMC_MAX_DEPTH) {
                scenmc_error_add(err, SCENMC_E_LIMIT, "%s:%zu:%zu: nesting deeper than %d levels; "
                                 "expected a flat model file", file, ev.start_mark.line + 1,
                                 ev.start_mark.column + 1, SCENMC_MAX_DEPTH);
                ok = 0;
            }
        } else if (t == YAML_SEQUENCE_END_EVENT || t == YAML_MAPPING_END_EVENT) {
            depth--;
        } else if (t == YAML_SCALAR_EVENT &&
                   strlen((const char *)ev.data.scalar.value) != ev.data.scalar.length) {
            /* A "\0" escape would silently cut a name or id short. */
            scenmc_error_add(err, SCENMC_E_INPUT, "%s:%zu:%zu: a value holds a NUL character "
                             "(\\0); expected text without NUL", file, ev.start_mark.line + 1,
                             ev.start_mark.column + 1);
            ok = 0;
        } else if (t == YAML_ALIAS_EVENT) {
            scenmc_error_add(err, SCENMC_E_INPUT, "%s:%zu:%zu: YAML aliases (*name) are not "
                             "supported; expected every value written out", file,
                             ev.start_mark.line + 1, ev.start_mark.column + 1);
            ok = 0;
        } else if (t == YAML_DOCUMENT_START_EVENT) {
            if (++docs > 1) {
                scenmc_error_add(err, SCENMC_E_INPUT, "%s:%zu:%zu: a second YAML document; "
                                 "expected one model per file", file, ev.start_mark.line + 1,
                                 ev.start_mark.column + 1);
                ok = 0;
            }
        }
        yaml_event_delete(&ev);
        if (!ok || t == YAML_STREAM_END_EVENT)
            break;
    }
    yaml_parser_delete(&p);
    return ok;
}

/* What can be said of the text before parsing it: its size, NUL bytes, blankness. */
static scenmc_status check_text(const char *text, size_t len, const char *file,
                                scenmc_error *err)
{
    if (len > SCENMC_MAX_FILE_BYTES)
        return scenmc_error_add(err, SCENMC_E_LIMIT, "%s: %zu bytes; expected a model file of at "
                                "most %u bytes", file, len, SCENMC_MAX_FILE_BYTES);
    const char *nul = memchr(text, '\0', len);
    if (nul) {
        size_t line, col;
        offset_position((const unsigned char *)text, len, (size_t)(nul - text), &line, &col);
        return scenmc_error_add(err, SCENMC_E_INPUT, "%s:%zu:%zu: contains NUL bytes; expected a "
                                "UTF-8 text file (a scenmc model in YAML)", file, line, col);
    }
    int blank = 1;
    for (size_t i = 0; i < len && blank; i++)
        if (!isspace((unsigned char)text[i]))
            blank = 0;
    if (blank)
        return scenmc_error_add(err, SCENMC_E_INPUT, "%s:1:1: the file is empty; expected a "
                                "scenmc model in YAML (see docs/model-format.md)", file);
    return SCENMC_OK;
}

/* libyaml's document of the text (checked by prescan first). */
static scenmc_status load_document(const char *text, size_t len, const char *file,
                                   yaml_document_t *doc, scenmc_error *err)
{
    if (!prescan(file, (const unsigned char *)text, len, err))
        return err->code;
    yaml_parser_t p;
    if (!yaml_parser_initialize(&p))
        return scenmc_error_add(err, SCENMC_E_NOMEM, "%s: cannot start the YAML parser", file);
    yaml_parser_set_input_string(&p, (const unsigned char *)text, len);
    if (!yaml_parser_load(&p, doc)) {
        scenmc__yaml_problem(&p, file, (const unsigned char *)text, len, err);
        yaml_parser_delete(&p);
        return err->code;
    }
    yaml_parser_delete(&p);
    return SCENMC_OK;
}

/* An empty model that keeps its file's name, text and SHA-256. */
static scenmc_model *model_new(const char *text, size_t len, const char *file)
{
    scenmc_model *m = scenmc__xcalloc(1, sizeof *m);
    m->path = scenmc__strdup(file);
    m->text = scenmc__xmalloc(len + 1);
    memcpy(m->text, text, len);
    m->text[len] = '\0';
    m->text_len = len;
    struct sha256_ctx sha;
    sha256_init(&sha);
    sha256_update(&sha, len, (const uint8_t *)text);
    sha256_digest(&sha, SHA256_DIGEST_SIZE, m->sha256);
    return m;
}

/* Every section of the top-level mapping root; the matrices and what refers
 * to descriptors only when the descriptors could be read. */
static void load_sections(loader *L, yaml_node_t *root)
{
    scenmc_model *m = L->m;
    load_header(L, root);
    load_descriptors(L, root);
    if (!m->descriptors)
        return;
    size_t V = (size_t)(m->n_variants ? m->n_variants : 1);
    m->consistency = scenmc__xcalloc(V * V, sizeof(double));
    m->scored = scenmc__xcalloc(V * V, 1);
    L->cell_line = scenmc__xcalloc(V * V, sizeof(int));
    load_consistency(L, root);
    load_cross_impact(L, root);
    load_bias(L, root);
    load_scenarios(L, root);
    load_defaults(L, root);
    load_schedule(L, root);
    if (!get(L, root, "consistency") && !get(L, root, "cross_impact"))
        problem_at(L, root, "the model has neither 'consistency' nor 'cross_impact'; "
                   "expected at least one matrix");
}

scenmc_status scenmc_model_parse(const char *text, size_t len, const char *file,
                                 scenmc_model **out, scenmc_error *err)
{
    *out = NULL;
    int before = err->n_problems;
    yaml_document_t doc;
    scenmc_status st = check_text(text, len, file, err);
    if (st == SCENMC_OK)
        st = load_document(text, len, file, &doc, err);
    if (st != SCENMC_OK)
        return st;
    scenmc_model *m = model_new(text, len, file);
    loader L = {.file = file, .doc = &doc, .err = err, .m = m};
    yaml_node_t *root = yaml_document_get_root_node(&doc);
    if (!root)
        problem_at(&L, NULL, "the file has only comments; expected a scenmc model in YAML "
                   "(see docs/model-format.md)");
    int usable = root && check_mapping(&L, root, "the top level", top_keys);
    if (usable)
        load_sections(&L, root);
    free(L.cell_line);
    free(L.cross_line);
    yaml_document_delete(&doc);
    if (!usable || err->n_problems > before) {
        scenmc_model_free(m);
        return err->code ? err->code : SCENMC_E_INPUT;
    }
    *out = m;
    return SCENMC_OK;
}

scenmc_status scenmc_model_load_default(scenmc_model **out, scenmc_error *err)
{
    size_t len;
    const char *text = scenmc_default_model_text(&len);
    return scenmc_model_parse(text, len, "<builtin>/vasternorrland2030.yaml", out, err);
}

void scenmc__model_clear_scenarios(scenmc_model *m)
{
    for (int k = 0; k < m->n_scenarios; k++) {
        free(m->scenarios[k].name);
        free(m->scenarios[k].label);
        free(m->scenarios[k].cond_descriptor);
        free(m->scenarios[k].cond_variant);
    }
    free(m->scenarios);
    m->scenarios = NULL;
    m->n_scenarios = 0;
}

void scenmc_model_free(scenmc_model *m)
{
    if (!m)
        return;
    for (int d = 0; d < m->n_descriptors; d++) {
        free(m->descriptors[d].id);
        free(m->descriptors[d].name);
        free(m->descriptors[d].label);
        free(m->descriptors[d].initial);
    }
    free(m->descriptors);
    for (int v = 0; v < m->n_variants; v++) {
        free(m->variant_id[v]);
        free(m->variant_name[v]);
        free(m->variant_label[v]);
    }
    free(m->variant_id);
    free(m->variant_name);
    free(m->variant_label);
    free(m->variant_descriptor);
    free(m->consistency);
    free(m->scored);
    free(m->cross_impact);
    free(m->bias);
    scenmc__model_clear_scenarios(m);
    free(m->start);
    if (m->schedule)
        scenmc_schedule_free(m->schedule);
    free(m->schedule);
    free(m->path);
    free(m->name);
    free(m->description);
    free(m->source);
    free(m->text);
    free(m);
}

/* ------------------------------------------------------------ queries */

uint64_t scenmc_model_state_count(const scenmc_model *m)
{
    uint64_t n = 1;
    for (int d = 0; d < m->n_descriptors; d++) {
        uint64_t k = (uint64_t)m->descriptors[d].n_variants;
        if (n > UINT64_MAX / k)
            return 0;
        n *= k;
    }
    return n;
}

double scenmc_model_total_consistency(const scenmc_model *m, const int *s)
{
    size_t V = (size_t)m->n_variants;
    double k = 0;
    for (int i = 0; i < m->n_descriptors; i++) {
        size_t u = (size_t)(m->descriptors[i].offset + s[i]);
        for (int j = i + 1; j < m->n_descriptors; j++)
            k += m->consistency[u * V + (size_t)(m->descriptors[j].offset + s[j])];
    }
    return k;
}

int scenmc_model_scenario_of(const scenmc_model *m, const int *s)
{
    for (int k = 0; k < m->n_scenarios; k++) {
        const scenmc_scenario *S = &m->scenarios[k];
        int all = 1;
        for (int c = 0; c < S->n_conditions && all; c++)
            all = s[S->cond_descriptor[c]] == S->cond_variant[c];
        if (all)
            return k;
    }
    return m->n_scenarios;
}

int scenmc_model_has_unclassified(const scenmc_model *m)
{
    /* Only the descriptors named in conditions matter: enumerate their product. */
    int used[SCENMC_MAX_DESCRIPTORS] = {0}, list[SCENMC_MAX_DESCRIPTORS], n = 0;
    for (int k = 0; k < m->n_scenarios; k++)
        for (int c = 0; c < m->scenarios[k].n_conditions; c++) {
            int d = m->scenarios[k].cond_descriptor[c];
            if (!used[d]) {
                used[d] = 1;
                list[n++] = d;
            }
        }
    if (m->n_scenarios == 0)
        return 1;
    double combos = 1;
    for (int i = 0; i < n; i++)
        combos *= m->descriptors[list[i]].n_variants;
    if (combos > 1e7)
        return 1; /* too many to check: keep the slot, it costs one column */
    int *s = scenmc__xcalloc((size_t)m->n_descriptors, sizeof(int));
    int found = 0;
    for (;;) {
        if (scenmc_model_scenario_of(m, s) == m->n_scenarios) {
            found = 1;
            break;
        }
        int i = 0;
        while (i < n && ++s[list[i]] == m->descriptors[list[i]].n_variants)
            s[list[i++]] = 0;
        if (i == n)
            break;
    }
    free(s);
    return found;
}

int scenmc_model_find_descriptor(const scenmc_model *m, const char *id)
{
    for (int d = 0; d < m->n_descriptors; d++)
        if (m->descriptors[d].id && strcmp(m->descriptors[d].id, id) == 0)
            return d;
    return -1;
}

int scenmc_model_find_variant(const scenmc_model *m, int d, const char *ref)
{
    const scenmc_descriptor *D = &m->descriptors[d];
    for (int b = 0; b < D->n_variants; b++) {
        const char *id = m->variant_id[D->offset + b];
        if (id && strcmp(id, ref) == 0)
            return b;
    }
    for (int b = 0; b < D->n_variants; b++) {
        const char *name = m->variant_name[D->offset + b];
        if (name && strcmp(name, ref) == 0)
            return b;
    }
    return -1;
}

void scenmc_model_sha256_hex(const scenmc_model *m, char hex[65])
{
    for (int i = 0; i < 32; i++)
        snprintf(hex + 2 * i, 3, "%02x", m->sha256[i]);
}
