/* Models as scenmc YAML (scenmc__model_to_yaml).
 *
 * Every model that comes from another format (ScenarioWizard .scw, CSV) is
 * read into a draft, written here as YAML and parsed back by the one loader
 * (src/model.c), so it meets exactly the checks a hand-written model meets and
 * its text, the YAML, re-parses to the same model wherever it is embedded.
 */
#include "model/yaml_write.h"
#include "base/text.h"
#include "base/util.h"
#include "scenmc/schedule.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* ------------------------------------------------------------ YAML writer */

/* Whether a code point may appear in a YAML stream (YAML 1.1 c-printable). */
static int yaml_printable(unsigned cp)
{
    return cp == 0x9 || cp == 0xA || cp == 0xD || (cp >= 0x20 && cp <= 0x7E) || cp == 0x85 ||
           (cp >= 0xA0 && cp <= 0xD7FF) || (cp >= 0xE000 && cp <= 0xFFFD) ||
           (cp >= 0x10000 && cp <= 0x10FFFF);
}

static int reserved_word(const char *s)
{
    static const char *const reserved[] = {"true", "false", "yes", "no", "on", "off", "null",
                                           "y", "n", NULL};
    for (const char *const *r = reserved; *r; r++) {
        size_t i = 0;
        while (s[i] && (*r)[i] && tolower((unsigned char)s[i]) == (*r)[i])
            i++;
        if (!s[i] && !(*r)[i])
            return 1;
    }
    return 0;
}

/* Whether text can be a plain scalar anywhere (block or flow): it starts
 * with a letter and has only letters, digits, spaces and . _ ( ) / + - ' =. */
static int plain_safe(const char *s)
{
    const unsigned char *p = (const unsigned char *)s;
    size_t len = strlen(s);
    if (!len || p[len - 1] == ' ' || reserved_word(s))
        return 0;
    unsigned cp;
    size_t k = scenmc__utf8_decode(p, len, &cp);
    if (!k || !(cp < 0x80 ? isalpha((int)cp) : (cp >= 0xC0 && yaml_printable(cp))))
        return 0;
    for (size_t i = 0; i < len; i += k) {
        k = scenmc__utf8_decode(p + i, len - i, &cp);
        if (!k)
            return 0;
        if (cp < 0x80 ? !(isalnum((int)cp) || strchr(" ._()/+-'=", (int)cp))
                      : (cp < 0xA0 || cp == 0x2028 || cp == 0x2029 || cp == 0xFEFF ||
                         !yaml_printable(cp)))
            return 0;
    }
    return 1;
}

/* A YAML scalar: plain when that is safe, else double-quoted. */
static void put_str(FILE *f, const char *s)
{
    const unsigned char *p = (const unsigned char *)(s ? s : "?");
    size_t len = strlen((const char *)p);
    if (plain_safe((const char *)p)) {
        fputs((const char *)p, f);
        return;
    }
    fputc('"', f);
    for (size_t i = 0; i < len;) {
        unsigned cp;
        size_t k = scenmc__utf8_decode(p + i, len - i, &cp);
        if (!k) {
            fputs("\\uFFFD", f);
            i++;
            continue;
        }
        if (cp == '"' || cp == '\\') {
            fputc('\\', f);
            fputc((int)cp, f);
        } else if (cp == '\n') {
            fputs("\\n", f);
        } else if (cp == '\t') {
            fputs("\\t", f);
        } else if (cp < 0x20 || cp == 0x7F || !yaml_printable(cp) || cp == 0x85) {
            if (cp > 0xFFFF)
                fprintf(f, "\\U%08X", cp);
            else
                fprintf(f, "\\u%04X", cp);
        } else {
            fwrite(p + i, 1, k, f);
        }
        i += k;
    }
    fputc('"', f);
}

/* An id: plain when it is a simple word, else double-quoted. */
static void put_id(FILE *f, const char *id)
{
    int plain = id && (isalpha((unsigned char)id[0]) || id[0] == '_');
    for (const char *c = id; plain && *c; c++)
        if (!isalnum((unsigned char)*c) && *c != '_' && *c != '-')
            plain = 0;
    if (plain && reserved_word(id))
        plain = 0;
    if (plain)
        fputs(id, f);
    else
        put_str(f, id);
}

/* Text for a comment: one line, printable characters only. */
static void put_comment_text(FILE *f, const char *s)
{
    const unsigned char *p = (const unsigned char *)(s ? s : "");
    size_t len = strlen((const char *)p);
    for (size_t i = 0; i < len;) {
        unsigned cp;
        size_t k = scenmc__utf8_decode(p + i, len - i, &cp);
        if (!k) {
            fputc('?', f);
            i++;
            continue;
        }
        if (cp < 0x20 || cp == 0x7F || cp == 0x85 || !yaml_printable(cp))
            fputc(' ', f);
        else
            fwrite(p + i, 1, k, f);
        i += k;
    }
}

static const char *vref(const scenmc_model *m, int g)
{
    if (m->variant_id && m->variant_id[g])
        return m->variant_id[g];
    return m->variant_name[g];
}

static const char *vname(const scenmc_model *m, int g)
{
    return m->variant_name && m->variant_name[g] ? m->variant_name[g] : "?";
}

/* One block: rows of A's variants, columns of B's, from matrix x (V x V). */
static void put_block(FILE *f, const scenmc_model *m, const double *x, int a, int b,
                      const char *key, const char *col_comment)
{
    const scenmc_descriptor *A = &m->descriptors[a], *B = &m->descriptors[b];
    size_t V = (size_t)m->n_variants;
    char num[40];
    int width = 1;
    for (int r = 0; r < A->n_variants; r++)
        for (int c = 0; c < B->n_variants; c++) {
            scenmc__format_double(num, x[(size_t)(A->offset + r) * V + (size_t)(B->offset + c)]);
            if ((int)strlen(num) > width)
                width = (int)strlen(num);
        }
    fprintf(f, "    # %s: ", col_comment);
    for (int c = 0; c < B->n_variants; c++) {
        put_comment_text(f, vname(m, B->offset + c));
        if (c + 1 < B->n_variants)
            fputs("; ", f);
    }
    fprintf(f, "\n    %s:\n", key);
    for (int r = 0; r < A->n_variants; r++) {
        fputs("      - [", f);
        for (int c = 0; c < B->n_variants; c++) {
            scenmc__format_double(num, x[(size_t)(A->offset + r) * V + (size_t)(B->offset + c)]);
            fprintf(f, "%s%*s", c ? ", " : "", width, num);
        }
        fputs("]   # ", f);
        put_comment_text(f, vname(m, A->offset + r));
        fputc('\n', f);
    }
}

static int block_scored(const scenmc_model *m, int a, int b)
{
    const scenmc_descriptor *A = &m->descriptors[a], *B = &m->descriptors[b];
    size_t V = (size_t)m->n_variants;
    for (int r = 0; r < A->n_variants; r++)
        for (int c = 0; c < B->n_variants; c++) {
            size_t k = (size_t)(A->offset + r) * V + (size_t)(B->offset + c);
            if (m->scored ? m->scored[k] : m->consistency[k] != 0)
                return 1;
        }
    return 0;
}

static int block_nonzero(const scenmc_model *m, const double *x, int a, int b)
{
    const scenmc_descriptor *A = &m->descriptors[a], *B = &m->descriptors[b];
    size_t V = (size_t)m->n_variants;
    for (int r = 0; r < A->n_variants; r++)
        for (int c = 0; c < B->n_variants; c++)
            if (x[(size_t)(A->offset + r) * V + (size_t)(B->offset + c)] != 0)
                return 1;
    return 0;
}

static void put_lines_as_comment(FILE *f, const char *text)
{
    const char *p = text;
    while (p && *p) {
        const char *nl = strchr(p, '\n');
        size_t n = nl ? (size_t)(nl - p) : strlen(p);
        char *line = scenmc__xmalloc(n + 1);
        memcpy(line, p, n);
        line[n] = '\0';
        fputs(n ? "# " : "#", f);
        put_comment_text(f, line);
        fputc('\n', f);
        free(line);
        p += n;
        if (*p == '\n')
            p++;
    }
}

/* "  KEY: VALUE" lines under a mapping, when the value is set. */
static void put_opt_str(FILE *f, const char *indent_key, const char *value)
{
    if (!value)
        return;
    fputs(indent_key, f);
    put_str(f, value);
    fputc('\n', f);
}

/* "[x0, x1, ...]" of n numbers. */
static void put_numbers(FILE *f, const double *x, int n)
{
    char num[40];
    fputc('[', f);
    for (int b = 0; b < n; b++) {
        scenmc__format_double(num, x[b]);
        fprintf(f, "%s%s", b ? ", " : "", num);
    }
    fputc(']', f);
}

/* format, name, description, source, years and scales. */
static void put_head(FILE *f, const scenmc_model *m, int has_c)
{
    char n1[40], n2[40];
    fputs("format: scenmc-model\nformat_version: 1\nname: ", f);
    put_str(f, m->name && *m->name ? m->name : "unnamed model");
    fputc('\n', f);
    put_opt_str(f, "description: ", m->description && *m->description ? m->description : NULL);
    put_opt_str(f, "source: ", m->source && *m->source ? m->source : NULL);
    fprintf(f, "years: {start: %d, end: %d}\n", m->year_start, m->year_end);
    if (!has_c && !m->cross_impact)
        return;
    fputs("scale: {", f);
    if (has_c) {
        scenmc__format_double(n1, m->scale_c[0]);
        scenmc__format_double(n2, m->scale_c[1]);
        fprintf(f, "consistency: [%s, %s]%s", n1, n2, m->cross_impact ? ", " : "");
    }
    if (m->cross_impact) {
        scenmc__format_double(n1, m->scale_x[0]);
        scenmc__format_double(n2, m->scale_x[1]);
        fprintf(f, "cross_impact: [%s, %s]", n1, n2);
    }
    fputs("}\n", f);
}

/* One variant: its name alone, or {name, id, label}. */
static void put_variant(FILE *f, const scenmc_model *m, int g)
{
    const char *id = m->variant_id ? m->variant_id[g] : NULL;
    const char *label = m->variant_label ? m->variant_label[g] : NULL;
    fputs("      - ", f);
    if (!id && !label) {
        put_str(f, vname(m, g));
    } else {
        fputs("{name: ", f);
        put_str(f, vname(m, g));
        if (id) {
            fputs(", id: ", f);
            put_id(f, id);
        }
        if (label) {
            fputs(", label: ", f);
            put_str(f, label);
        }
        fputc('}', f);
    }
    fputc('\n', f);
}

static void put_descriptors(FILE *f, const scenmc_model *m)
{
    char n1[40];
    fputs("\ndescriptors:\n", f);
    for (int d = 0; d < m->n_descriptors; d++) {
        const scenmc_descriptor *D = &m->descriptors[d];
        fputs("  - id: ", f);
        put_id(f, D->id ? D->id : "?");
        fputs("\n    name: ", f);
        put_str(f, D->name ? D->name : D->id);
        fputc('\n', f);
        put_opt_str(f, "    label: ", D->label);
        if (D->rate > 0) {
            scenmc__format_double(n1, D->rate);
            fprintf(f, "    rate: %s\n", n1);
        }
        if (D->initial) {
            fputs("    initial: ", f);
            put_numbers(f, D->initial, D->n_variants);
            fputc('\n', f);
        }
        fputs("    variants:\n", f);
        for (int b = 0; b < D->n_variants; b++)
            put_variant(f, m, D->offset + b);
    }
}

static void put_consistency(FILE *f, const scenmc_model *m)
{
    fputs("\n# Consistency: rows are the variants of the first descriptor of a pair,\n"
          "# columns those of the second; each score counts both ways.\n"
          "consistency:\n", f);
    for (int a = 0; a < m->n_descriptors; a++)
        for (int b = a + 1; b < m->n_descriptors; b++) {
            if (!block_scored(m, a, b))
                continue;
            fputs("  - between: [", f);
            put_id(f, m->descriptors[a].id);
            fputs(", ", f);
            put_id(f, m->descriptors[b].id);
            fputs("]\n", f);
            put_block(f, m, m->consistency, a, b, "scores", "columns");
        }
}

static void put_cross_impact(FILE *f, const scenmc_model *m)
{
    fputs("\n# Cross impacts: rows are the source variant (when it holds), columns the\n"
          "# target variant it pushes towards (+) or away from (-).\n"
          "cross_impact:\n", f);
    for (int a = 0; a < m->n_descriptors; a++)
        for (int b = 0; b < m->n_descriptors; b++) {
            if (a == b && !block_nonzero(m, m->cross_impact, a, b))
                continue;
            fputs("  - from: ", f);
            put_id(f, m->descriptors[a].id);
            fputs("\n    to: ", f);
            put_id(f, m->descriptors[b].id);
            fputc('\n', f);
            put_block(f, m, m->cross_impact, a, b, "impacts",
                      a == b ? "self-impacts; columns" : "columns (target)");
        }
}

/* The bias of the descriptors that have some, when any has. */
static void put_bias(FILE *f, const scenmc_model *m)
{
    int any = 0;
    for (int v = 0; v < m->n_variants; v++)
        any |= m->bias[v] != 0;
    if (!any)
        return;
    fputs("\nbias:\n", f);
    for (int d = 0; d < m->n_descriptors; d++) {
        const scenmc_descriptor *D = &m->descriptors[d];
        int nz = 0;
        for (int b = 0; b < D->n_variants; b++)
            nz |= m->bias[D->offset + b] != 0;
        if (!nz)
            continue;
        fputs("  ", f);
        put_id(f, D->id);
        fputs(": ", f);
        put_numbers(f, m->bias + D->offset, D->n_variants);
        fputc('\n', f);
    }
}

/* "{ID: variant, ...}" for n descriptors desc[k] taking variants var[k]. */
static void put_condition(FILE *f, const scenmc_model *m, int n, const int *desc, const int *var)
{
    fputc('{', f);
    for (int c = 0; c < n; c++) {
        int d = desc ? desc[c] : c;
        fputs(c ? ", " : "", f);
        put_id(f, m->descriptors[d].id);
        fputs(": ", f);
        put_str(f, vref(m, m->descriptors[d].offset + var[c]));
    }
    fputs("}\n", f);
}

static void put_scenarios(FILE *f, const scenmc_model *m)
{
    fputs("\nscenarios:\n", f);
    for (int k = 0; k < m->n_scenarios; k++) {
        const scenmc_scenario *S = &m->scenarios[k];
        fputs("  - name: ", f);
        put_str(f, S->name);
        fputc('\n', f);
        put_opt_str(f, "    label: ", S->label);
        fputs("    when: ", f);
        put_condition(f, m, S->n_conditions, S->cond_descriptor, S->cond_variant);
    }
}

static void put_defaults(FILE *f, const scenmc_model *m)
{
    char n1[40];
    fputs("\ndefaults:\n", f);
    scenmc__format_double(n1, m->beta);
    fprintf(f, "  beta: %s\n", n1);
    scenmc__format_double(n1, m->w_consistency);
    fprintf(f, "  w_consistency: %s\n", n1);
    scenmc__format_double(n1, m->w_cross);
    fprintf(f, "  w_cross: %s\n", n1);
    scenmc__format_double(n1, m->rate);
    fprintf(f, "  rate: %s\n", n1);
    fprintf(f, "  trajectories: %llu\n", (unsigned long long)m->trajectories);
    fprintf(f, "  seed: %llu\n", (unsigned long long)m->seed);
    if (m->start) {
        fputs("  start: ", f);
        put_condition(f, m, m->n_descriptors, NULL, m->start);
    }
}

/* ---------------------------------------------------------------- changes over time */

static void put_change_head(FILE *f, const scenmc_model *m, const scenmc_change *c, int k)
{
    char ref[512];
    const scenmc_descriptor *D = &m->descriptors[c->descriptor];
    snprintf(ref, sizeof ref, "%s=%s", D->id, vref(m, D->offset + c->variant));
    if (c->name) {
        fputs("  - name: ", f);
        put_str(f, c->name);
    } else {
        fprintf(f, "  - name: change %d", k + 1);
    }
    fputs("\n    variant: ", f);
    put_str(f, ref);
    fputc('\n', f);
}

int scenmc__change_is_push(const scenmc_change *c)
{
    return c->n_knots == 4 && c->knot_year[0] == c->first - 1 && c->knot_year[1] == c->first &&
           c->knot_year[2] == c->last && c->knot_year[3] == c->last + 1 && c->knot_value[0] == 0 &&
           c->knot_value[3] == 0 && c->knot_value[1] == c->knot_value[2];
}

static void put_trend(FILE *f, const scenmc_change *c)
{
    char n1[40];
    if (scenmc__change_is_push(c)) {
        scenmc__format_double(n1, c->knot_value[1]);
        fprintf(f, "    years: %d-%d\n    bias: %s\n", c->first, c->last, n1);
        return;
    }
    fputs("    bias: {", f);
    for (int k = 0; k < c->n_knots; k++) {
        scenmc__format_double(n1, c->knot_value[k]);
        fprintf(f, "%s%d: %s", k ? ", " : "", c->knot_year[k], n1);
    }
    fputs("}\n", f);
}

/* trends:, interventions: and shocks:, each in the order given. */
static void put_schedule(FILE *f, const scenmc_model *m)
{
    static const char *const section[] = {"trends", "interventions", "shocks"};
    const scenmc_schedule *s = m->schedule;
    char n1[40];
    for (int kind = 0; kind < SCENMC_CHANGE_N_KINDS; kind++) {
        int opened = 0;
        for (int i = 0; i < s->n; i++) {
            const scenmc_change *c = &s->ch[i];
            if ((int)c->kind != kind)
                continue;
            if (!opened++)
                fprintf(f, "\n%s:\n", section[kind]);
            put_change_head(f, m, c, i);
            if (kind == SCENMC_CHANGE_TREND) {
                put_trend(f, c);
                continue;
            }
            fprintf(f, "    years: %d-%d\n", c->first, c->last);
            if (kind == SCENMC_CHANGE_SHOCK) {
                scenmc__format_double(n1, c->value);
                fprintf(f, "    hazard: %s\n", n1);
            }
        }
    }
}

scenmc_status scenmc__model_to_yaml(const scenmc_model *m, const char *comment, char **yaml,
                                   size_t *len, scenmc_error *err)
{
    *yaml = NULL;
    if (len)
        *len = 0;
    if (!m || m->n_descriptors <= 0 || !m->descriptors || !m->variant_name)
        return scenmc_error_add(err, SCENMC_E_INPUT, "cannot write a model without descriptors");
    char *buf = NULL;
    size_t size = 0;
    FILE *f = open_memstream(&buf, &size);
    if (!f)
        return scenmc_error_add(err, SCENMC_E_NOMEM, "cannot open a memory stream: %s",
                                strerror(errno));
    int has_c = 0;
    if (m->consistency)
        for (int a = 0; a < m->n_descriptors && !has_c; a++)
            for (int b = a + 1; b < m->n_descriptors && !has_c; b++)
                has_c = block_scored(m, a, b);
    if (comment)
        put_lines_as_comment(f, comment);
    put_head(f, m, has_c);
    put_descriptors(f, m);
    if (has_c)
        put_consistency(f, m);
    if (m->cross_impact)
        put_cross_impact(f, m);
    if (m->bias)
        put_bias(f, m);
    if (m->n_scenarios > 0)
        put_scenarios(f, m);
    put_defaults(f, m);
    if (m->schedule)
        put_schedule(f, m);
    if (fclose(f) != 0 || !buf) {
        free(buf);
        return scenmc_error_add(err, SCENMC_E_NOMEM, "cannot write the model text");
    }
    *yaml = buf;
    if (len)
        *len = size;
    return SCENMC_OK;
}
