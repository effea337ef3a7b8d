/* The observations file (YAML, docs/model-format.md, "Observations files"):
 *
 *     observations:
 *       - year: 2023
 *         DA: Datamonopol                         # hard evidence
 *       - year: 2024
 *         SY: {Medborgare: 0.8, Verksamhet: 0.2}  # soft: P(seen | variant)
 *     start: {IK: Lokala aktörer, ...}            # the observed first-year state
 *
 * Like the model loader it reports every problem it finds, each as
 * FILE:LINE:COLUMN with what was expected, and only then fails; a file is
 * taken whole or not at all. */
#include "model/obs_file.h"
#include "base/util.h"
#include "model/observations.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

typedef struct {
    const char *file;
    yaml_document_t *doc;
    scenmc_error *err;
    const scenmc_model *m;
    scenmc_observations *o;
} obs_reader;

static void bad(obs_reader *R, const yaml_node_t *n, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 3, 4)))
#endif
    ;

static void bad(obs_reader *R, const yaml_node_t *n, const char *fmt, ...)
{
    char what[1536];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(what, sizeof what, fmt, ap);
    va_end(ap);
    scenmc_error_add(R->err, SCENMC_E_INPUT, "%s:%zu:%zu: %s", R->file, n ? n->start_mark.line + 1 : 1,
                     n ? n->start_mark.column + 1 : 1, what);
}

static yaml_node_t *at(obs_reader *R, int idx) { return yaml_document_get_node(R->doc, idx); }

static const char *text_of(const yaml_node_t *n)
{
    return n && n->type == YAML_SCALAR_NODE ? (const char *)n->data.scalar.value : NULL;
}

static const char *shape(const yaml_node_t *n)
{
    if (!n)
        return "missing";
    if (n->type == YAML_SEQUENCE_NODE)
        return "a list";
    if (n->type == YAML_MAPPING_NODE)
        return "a mapping";
    return n->data.scalar.length ? "text" : "empty";
}

/* 1 when n is a mapping whose keys are all scalars given once; problems
 * (naming what) otherwise. */
static int mapping_ok(obs_reader *R, const yaml_node_t *n, const char *what)
{
    if (!n || n->type != YAML_MAPPING_NODE) {
        bad(R, n, "%s is %s; expected a mapping (key: value)", what, shape(n));
        return 0;
    }
    int ok = 1;
    for (yaml_node_pair_t *p = n->data.mapping.pairs.start; p < n->data.mapping.pairs.top; p++) {
        const yaml_node_t *k = at(R, p->key);
        const char *key = text_of(k);
        if (!key) {
            bad(R, k, "a key of %s is %s; expected a name", what, shape(k));
            ok = 0;
            continue;
        }
        for (yaml_node_pair_t *q = n->data.mapping.pairs.start; q < p; q++) {
            const yaml_node_t *k0 = at(R, q->key);
            if (text_of(k0) && strcmp(text_of(k0), key) == 0) {
                bad(R, k, "key '%s' appears twice in %s (first at line %zu); expected it once", key, what,
                    k0->start_mark.line + 1);
                ok = 0;
                break;
            }
        }
    }
    return ok;
}

static yaml_node_t *value_of(obs_reader *R, const yaml_node_t *map, const char *key)
{
    for (yaml_node_pair_t *p = map->data.mapping.pairs.start; p < map->data.mapping.pairs.top; p++)
        if (text_of(at(R, p->key)) && strcmp(text_of(at(R, p->key)), key) == 0)
            return at(R, p->value);
    return NULL;
}

/* ------------------------------------------------------------ values */

/* A plain decimal number (no nan, inf or hex), or NAN. */
static double plain_number(const yaml_node_t *n)
{
    const char *s = text_of(n);
    if (!s || !*s || n->data.scalar.style != YAML_PLAIN_SCALAR_STYLE)
        return NAN;
    for (const char *c = s; *c; c++)
        if (isalpha((unsigned char)*c) && *c != 'e' && *c != 'E')
            return NAN;
    char *end;
    errno = 0;
    double v = strtod(s, &end);
    return *end || errno == ERANGE ? NAN : v;
}

static int read_year(obs_reader *R, const yaml_node_t *item, int *year)
{
    const yaml_node_t *n = value_of(R, item, "year");
    if (!n) {
        bad(R, item, "the observation has no 'year'; expected 'year: <whole number>'");
        return 0;
    }
    const char *s = text_of(n);
    char *end = NULL;
    errno = 0;
    long y = s && n->data.scalar.style == YAML_PLAIN_SCALAR_STYLE ? strtol(s, &end, 10) : 0;
    if (!s || !*s || !end || *end || errno == ERANGE || y < -100000 || y > 100000) {
        bad(R, n, "year is %s%s%s; expected a whole number (a calendar year)", s ? "'" : "", s ? s : shape(n),
            s ? "'" : "");
        return 0;
    }
    *year = (int)y;
    return 1;
}

/* "'a', 'b', 'c'": the variants of descriptor d, for messages. */
static void variant_list(const scenmc_model *m, int d, char *buf, size_t size)
{
    const scenmc_descriptor *D = &m->descriptors[d];
    buf[0] = '\0';
    for (int b = 0; b < D->n_variants && strlen(buf) + 80 < size; b++)
        snprintf(buf + strlen(buf), size - strlen(buf), "%s'%s'", b ? ", " : "",
                 m->variant_name[D->offset + b]);
}

/* Descriptor d's variant named by n (id, name or 1-based number), or -1. */
static int variant_at(obs_reader *R, const yaml_node_t *n, int d)
{
    const char *s = text_of(n);
    int v = s ? scenmc__variant_ref(R->m, d, s) : -1;
    if (v < 0) {
        char names[1024];
        variant_list(R->m, d, names, sizeof names);
        bad(R, n, "%s%s%s is not a variant of %s; expected a name, id or number 1..%d: %s", s ? "'" : "",
            s ? s : shape(n), s ? "'" : "", R->m->descriptors[d].id, R->m->descriptors[d].n_variants, names);
    }
    return v;
}

/* One likelihood: a number from 0 to 1. */
static int likelihood(obs_reader *R, const yaml_node_t *n, int d, double *out)
{
    double l = plain_number(n);
    if (!(l >= 0 && l <= 1)) {
        const char *s = text_of(n);
        bad(R, n, "a likelihood of %s is %s%s%s; expected a number from 0 to 1 (P(what was seen | variant))",
            R->m->descriptors[d].id, s ? "'" : "", s ? s : shape(n), s ? "'" : "");
        return 0;
    }
    *out = l;
    return 1;
}

/* Soft evidence as {variant: likelihood, ...} (variants left out: 0). */
static int soft_mapping(obs_reader *R, const yaml_node_t *n, int d, double *lik)
{
    if (!mapping_ok(R, n, "the likelihoods"))
        return 0;
    int nv = R->m->descriptors[d].n_variants, ok = 1;
    int *line = scenmc__xcalloc((size_t)nv, sizeof(int));
    for (yaml_node_pair_t *p = n->data.mapping.pairs.start; p < n->data.mapping.pairs.top; p++) {
        const yaml_node_t *k = at(R, p->key);
        int b = variant_at(R, k, d);
        if (b >= 0 && line[b]) {
            bad(R, k, "variant '%s' of %s is given twice (first at line %d); expected one likelihood per variant",
                R->m->variant_name[R->m->descriptors[d].offset + b], R->m->descriptors[d].id, line[b]);
            b = -1;
        }
        if (b >= 0)
            line[b] = (int)k->start_mark.line + 1;
        ok &= b >= 0 && likelihood(R, at(R, p->value), d, &lik[b]);
    }
    free(line);
    return ok;
}

/* Soft evidence as [l1, l2, ...], one per variant in the model's order. */
static int soft_list(obs_reader *R, const yaml_node_t *n, int d, double *lik)
{
    int nv = R->m->descriptors[d].n_variants;
    int len = (int)(n->data.sequence.items.top - n->data.sequence.items.start);
    if (len != nv) {
        bad(R, n, "%d likelihoods for %s; expected one per variant, %d", len, R->m->descriptors[d].id, nv);
        return 0;
    }
    int ok = 1;
    for (int b = 0; b < nv; b++)
        ok &= likelihood(R, at(R, n->data.sequence.items.start[b]), d, &lik[b]);
    return ok;
}

/* Descriptor d's observation `val` (a variant, {variant: likelihood} or a
 * list of likelihoods) into lik[n_variants]. */
static int read_evidence(obs_reader *R, const yaml_node_t *val, int d, double *lik)
{
    int ok;
    if (val->type == YAML_SCALAR_NODE) {
        int v = variant_at(R, val, d);
        if (v >= 0)
            lik[v] = 1;
        return v >= 0;
    }
    ok = val->type == YAML_MAPPING_NODE ? soft_mapping(R, val, d, lik) : soft_list(R, val, d, lik);
    double sum = 0;
    for (int b = 0; b < R->m->descriptors[d].n_variants; b++)
        sum += lik[b];
    if (ok && !(sum > 0))
        bad(R, val, "every likelihood of %s is 0; expected at least one variant that could have been seen",
            R->m->descriptors[d].id);
    return ok && sum > 0;
}

/* ------------------------------------------------------------ sections */

static int descriptor_at(obs_reader *R, const yaml_node_t *k)
{
    const char *id = text_of(k);
    int d = id ? scenmc_model_find_descriptor(R->m, id) : -1;
    if (d < 0) {
        char ids[1024] = "";
        for (int i = 0; i < R->m->n_descriptors && strlen(ids) < 900; i++)
            snprintf(ids + strlen(ids), sizeof ids - strlen(ids), "%s%s", i ? ", " : "", R->m->descriptors[i].id);
        bad(R, k, "unknown descriptor '%s'; expected 'year' or a descriptor id: %s", id ? id : "", ids);
    }
    return d;
}

/* One item of `observations:`: its year and one observation per descriptor key. */
static void read_item(obs_reader *R, const yaml_node_t *item)
{
    if (!mapping_ok(R, item, "an observation"))
        return;
    int year = 0, has_year = read_year(R, item, &year), n_desc = 0;
    for (yaml_node_pair_t *p = item->data.mapping.pairs.start; p < item->data.mapping.pairs.top; p++) {
        const yaml_node_t *k = at(R, p->key);
        if (!text_of(k) || strcmp(text_of(k), "year") == 0)
            continue;
        n_desc++;
        int d = descriptor_at(R, k);
        if (d < 0)
            continue;
        int nv = R->m->descriptors[d].n_variants;
        double *lik = scenmc__xcalloc((size_t)nv, sizeof(double));
        char where[1200];
        snprintf(where, sizeof where, "%s:%zu", R->file, k->start_mark.line + 1);
        if (read_evidence(R, at(R, p->value), d, lik) && has_year)
            scenmc_observations_add(R->o, year, d, lik, nv, where);
        free(lik);
    }
    if (!n_desc)
        bad(R, item, "the observation has no descriptor; expected 'ID: VARIANT' or 'ID: {VARIANT: "
            "likelihood, ...}' beside its year");
}

static void read_observations(obs_reader *R, const yaml_node_t *list)
{
    if (list->type != YAML_SEQUENCE_NODE) {
        bad(R, list, "'observations' is %s; expected a list of '- year: ...' items", shape(list));
        return;
    }
    for (yaml_node_item_t *i = list->data.sequence.items.start; i < list->data.sequence.items.top; i++)
        read_item(R, at(R, *i));
}

/* start: {ID: VARIANT, ...} with every descriptor once. */
static void read_start(obs_reader *R, const yaml_node_t *n)
{
    if (R->o->start) {
        bad(R, n, "a start state was given already (by another observations file); expected one");
        return;
    }
    if (!mapping_ok(R, n, "'start'"))
        return;
    int D = R->m->n_descriptors, ok = 1;
    int *s = scenmc__xmalloc(sizeof(int) * (size_t)D);
    for (int d = 0; d < D; d++)
        s[d] = -1;
    for (yaml_node_pair_t *p = n->data.mapping.pairs.start; p < n->data.mapping.pairs.top; p++) {
        int d = text_of(at(R, p->key)) ? descriptor_at(R, at(R, p->key)) : -1;
        int v = d >= 0 ? variant_at(R, at(R, p->value), d) : -1;
        ok &= v >= 0;
        if (v >= 0)
            s[d] = v;
    }
    for (int d = 0; d < D && ok; d++)
        if (s[d] < 0) {
            bad(R, n, "'start' has no variant for %s; expected every descriptor's variant", R->m->descriptors[d].id);
            ok = 0;
        }
    if (ok) {
        R->o->start = s;
        R->o->n_start = D;
    } else {
        free(s);
    }
}

static void read_root(obs_reader *R, const yaml_node_t *root)
{
    if (!mapping_ok(R, root, "the top level"))
        return;
    const yaml_node_t *obs = NULL, *start = NULL;
    for (yaml_node_pair_t *p = root->data.mapping.pairs.start; p < root->data.mapping.pairs.top; p++) {
        const char *key = text_of(at(R, p->key));
        if (key && strcmp(key, "observations") == 0)
            obs = at(R, p->value);
        else if (key && strcmp(key, "start") == 0)
            start = at(R, p->value);
        else if (key && strcmp(key, "description") != 0)
            bad(R, at(R, p->key), "unknown key '%s' at the top level; expected observations, start or "
                "description", key);
    }
    if (obs)
        read_observations(R, obs);
    if (start)
        read_start(R, start);
    if (!obs && !start)
        bad(R, root, "no 'observations' and no 'start'; expected at least one (docs/model-format.md)");
}

/* ------------------------------------------------------------ the text */

/* libyaml's complaint, at FILE:LINE:COLUMN. */
static void syntax_problem(const yaml_parser_t *p, const char *file, const char *text, size_t len,
                           scenmc_error *err)
{
    if (p->error == YAML_MEMORY_ERROR) {
        scenmc_error_add(err, SCENMC_E_NOMEM, "%s: out of memory parsing it as YAML", file);
        return;
    }
    size_t line = p->problem_mark.line + 1, col = p->problem_mark.column + 1;
    if (p->error == YAML_READER_ERROR) { /* only a byte offset */
        line = col = 1;
        for (size_t i = 0; i < p->problem_offset && i < len; i++, col++)
            if (text[i] == '\n')
                line++, col = 0;
    }
    scenmc_error_add(err, SCENMC_E_INPUT, "%s:%zu:%zu: not valid YAML: %s; expected an observations file "
                     "(docs/model-format.md)", file, line, col, p->problem ? p->problem : "syntax error");
}

/* One pass over the events before building the document: syntax, nesting
 * depth (libyaml's loader recurses), aliases, NUL in text, one document. */
static int events_ok(const char *file, const char *text, size_t len, scenmc_error *err)
{
    yaml_parser_t p;
    if (!yaml_parser_initialize(&p))
        return scenmc_error_add(err, SCENMC_E_NOMEM, "%s: cannot start the YAML parser", file), 0;
    yaml_parser_set_input_string(&p, (const unsigned char *)text, len);
    int depth = 0, docs = 0, ok = 1, done = 0;
    while (ok && !done) {
        yaml_event_t ev;
        if (!yaml_parser_parse(&p, &ev)) {
            syntax_problem(&p, file, text, len, err);
            break;
        }
        const char *why = NULL;
        if (ev.type == YAML_SEQUENCE_START_EVENT || ev.type == YAML_MAPPING_START_EVENT)
            why = ++depth > SCENMC_MAX_DEPTH ? "nesting too deep; expected at most a few levels" : NULL;
        else if (ev.type == YAML_SEQUENCE_END_EVENT || ev.type == YAML_MAPPING_END_EVENT)
            depth--;
        else if (ev.type == YAML_ALIAS_EVENT)
            why = "a YAML alias (*name); expected every value written out";
        else if (ev.type == YAML_SCALAR_EVENT && strlen((const char *)ev.data.scalar.value) != ev.data.scalar.length)
            why = "a value holds a NUL character; expected text without NUL";
        else if (ev.type == YAML_DOCUMENT_START_EVENT && ++docs > 1)
            why = "a second YAML document; expected one per file";
        if (why)
            scenmc_error_add(err, SCENMC_E_INPUT, "%s:%zu:%zu: %s", file, ev.start_mark.line + 1,
                             ev.start_mark.column + 1, why);
        ok = !why;
        done = ev.type == YAML_STREAM_END_EVENT;
        yaml_event_delete(&ev);
    }
    yaml_parser_delete(&p);
    return ok && done;
}

/* Drops what was appended after n0 observations (all or nothing). */
static void roll_back(scenmc_observations *o, int n0, const int *start0)
{
    while (o->n > n0) {
        o->n--;
        free(o->obs[o->n].likelihood);
        free(o->obs[o->n].where);
    }
    if (o->n == 0) { /* nothing was there: no list either */
        free(o->obs);
        o->obs = NULL;
    }
    if (o->start != start0) {
        free(o->start);
        o->start = NULL;
        o->n_start = 0;
    }
}

scenmc_status scenmc__observations_parse(scenmc_observations *o, const scenmc_model *m, const char *text,
                                         size_t len, const char *file, scenmc_error *err)
{
    int before = err->n_problems;
    if (len > SCENMC_MAX_FILE_BYTES || memchr(text, '\0', len))
        return scenmc_error_add(err, len > SCENMC_MAX_FILE_BYTES ? SCENMC_E_LIMIT : SCENMC_E_INPUT,
                                "%s: %s; expected a UTF-8 YAML text of at most %u bytes", file,
                                len > SCENMC_MAX_FILE_BYTES ? "too large" : "holds NUL bytes",
                                SCENMC_MAX_FILE_BYTES);
    if (!events_ok(file, text, len, err))
        return err->code;
    yaml_parser_t p;
    yaml_document_t doc;
    if (!yaml_parser_initialize(&p))
        return scenmc_error_add(err, SCENMC_E_NOMEM, "%s: cannot start the YAML parser", file);
    yaml_parser_set_input_string(&p, (const unsigned char *)text, len);
    int loaded = yaml_parser_load(&p, &doc);
    if (!loaded)
        syntax_problem(&p, file, text, len, err);
    yaml_parser_delete(&p);
    if (!loaded)
        return err->code;
    obs_reader R = {.file = file, .doc = &doc, .err = err, .m = m, .o = o};
    int n0 = o->n;
    const int *start0 = o->start;
    const yaml_node_t *root = yaml_document_get_root_node(&doc);
    if (!root)
        bad(&R, NULL, "the file is empty; expected 'observations:' and/or 'start:' (docs/model-format.md)");
    else
        read_root(&R, root);
    yaml_document_delete(&doc);
    if (err->n_problems > before) {
        roll_back(o, n0, start0);
        return err->code ? err->code : SCENMC_E_INPUT;
    }
    return SCENMC_OK;
}

scenmc_status scenmc_observations_load(scenmc_observations *o, const scenmc_model *m, const char *path,
                                       scenmc_error *err)
{
    char *text = NULL;
    size_t len = 0;
    scenmc_status st = scenmc__read_file(path, SCENMC_MAX_FILE_BYTES, &text, &len, err);
    if (st != SCENMC_OK)
        return st;
    st = scenmc__observations_parse(o, m, text, len, path, err);
    free(text);
    if (st == SCENMC_OK) {
        /* Several files: "a.yaml, b.yaml". */
        size_t n = (o->source ? strlen(o->source) + 2 : 0) + strlen(path) + 1;
        char *s = scenmc__xmalloc(n);
        snprintf(s, n, "%s%s%s", o->source ? o->source : "", o->source ? ", " : "", path);
        free(o->source);
        o->source = s;
    }
    return st;
}
