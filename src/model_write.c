/* Models as scenmc YAML, drafts, and the import entry points.
 *
 * Every model that comes from another format (ScenarioWizard .scw, CSV) is
 * read into a draft, written here as YAML and parsed back by the one loader
 * (src/model.c), so it meets exactly the checks a hand-written model meets and
 * its text, the YAML, re-parses to the same model wherever it is embedded.
 */
#include "scenmc/interop.h"
#include "util.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* ------------------------------------------------------------ formats, options */

static int ends_with_ci(const char *s, const char *suffix)
{
    size_t n = strlen(s), k = strlen(suffix);
    if (n < k)
        return 0;
    for (size_t i = 0; i < k; i++)
        if (tolower((unsigned char)s[n - k + i]) != tolower((unsigned char)suffix[i]))
            return 0;
    return 1;
}

scenmc_file_format scenmc_file_format_of(const char *path)
{
    if (ends_with_ci(path, ".scw"))
        return SCENMC_FORMAT_SCW;
    if (ends_with_ci(path, ".csv"))
        return SCENMC_FORMAT_CSV;
    return SCENMC_FORMAT_YAML;
}

void scenmc_import_options_init(scenmc_import_options *o)
{
    memset(o, 0, sizeof *o);
}

void scenmc_export_options_init(scenmc_export_options *o)
{
    memset(o, 0, sizeof *o);
}

/* ------------------------------------------------------------ text */

/* Windows-1252 0x80..0x9F; 0xFFFD where the code page defines nothing. */
static const unsigned short cp1252_high[32] = {
    0x20AC, 0xFFFD, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021, 0x02C6, 0x2030, 0x0160,
    0x2039, 0x0152, 0xFFFD, 0x017D, 0xFFFD, 0xFFFD, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022,
    0x2013, 0x2014, 0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0xFFFD, 0x017E, 0x0178};

/* Length of the valid UTF-8 sequence at s (at most n bytes), 0 if invalid. */
static size_t utf8_seq(const unsigned char *s, size_t n, unsigned *cp)
{
    unsigned c = s[0];
    if (c < 0x80) {
        *cp = c;
        return 1;
    }
    size_t k;
    unsigned v, min;
    if (c >= 0xC2 && c <= 0xDF) {
        k = 2;
        v = c & 0x1F;
        min = 0x80;
    } else if (c >= 0xE0 && c <= 0xEF) {
        k = 3;
        v = c & 0x0F;
        min = 0x800;
    } else if (c >= 0xF0 && c <= 0xF4) {
        k = 4;
        v = c & 0x07;
        min = 0x10000;
    } else {
        return 0;
    }
    if (n < k)
        return 0;
    for (size_t i = 1; i < k; i++) {
        if ((s[i] & 0xC0) != 0x80)
            return 0;
        v = (v << 6) | (s[i] & 0x3F);
    }
    if (v < min || v > 0x10FFFF || (v >= 0xD800 && v <= 0xDFFF))
        return 0;
    *cp = v;
    return k;
}

static size_t put_utf8(unsigned cp, char *out)
{
    if (cp < 0x80) {
        out[0] = (char)cp;
        return 1;
    }
    if (cp < 0x800) {
        out[0] = (char)(0xC0 | (cp >> 6));
        out[1] = (char)(0x80 | (cp & 0x3F));
        return 2;
    }
    out[0] = (char)(0xE0 | (cp >> 12));
    out[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
    out[2] = (char)(0x80 | (cp & 0x3F));
    return 3;
}

scenmc_status scenmc_text_to_utf8(const char *in, size_t len, const char *name, char **out,
                                  size_t *out_len, int *converted, scenmc_error *err)
{
    *out = NULL;
    if (out_len)
        *out_len = 0;
    if (converted)
        *converted = 0;
    const unsigned char *s = (const unsigned char *)in;
    size_t line = 1, col = 1;
    for (size_t i = 0; i < len; i++) {
        if (s[i] == '\0')
            return scenmc_error_add(err, SCENMC_E_INPUT, "%s:%zu:%zu: contains NUL bytes; expected "
                                    "a text file", name, line, col);
        if (s[i] == '\n') {
            line++;
            col = 1;
        } else if ((s[i] & 0xC0) != 0x80) {
            col++;
        }
    }
    if (len >= 3 && s[0] == 0xEF && s[1] == 0xBB && s[2] == 0xBF) {
        s += 3;
        len -= 3;
    }
    int valid = 1;
    unsigned cp;
    for (size_t i = 0; i < len && valid;) {
        size_t k = utf8_seq(s + i, len - i, &cp);
        if (!k)
            valid = 0;
        i += k ? k : 1;
    }
    if (valid) {
        char *t = scenmc_xmalloc(len + 1);
        memcpy(t, s, len);
        t[len] = '\0';
        *out = t;
        if (out_len)
            *out_len = len;
        return SCENMC_OK;
    }
    char *t = scenmc_xmalloc(3 * len + 1), *p = t;
    for (size_t i = 0; i < len; i++) {
        unsigned c = s[i];
        if (c >= 0x80 && c < 0xA0)
            c = cp1252_high[c - 0x80];
        p += put_utf8(c, p);
    }
    *p = '\0';
    *out = t;
    if (out_len)
        *out_len = (size_t)(p - t);
    if (converted)
        *converted = 1;
    return SCENMC_OK;
}

/* Transliterations of U+00C0..U+00FF for ids; "" separates. */
static const char *const latin1_ascii[64] = {
    "A", "A", "A", "A", "A", "A", "AE", "C", "E", "E", "E", "E", "I", "I", "I", "I",
    "D", "N", "O", "O", "O", "O", "O", "",  "O", "U", "U", "U", "U", "Y", "TH", "ss",
    "a", "a", "a", "a", "a", "a", "ae", "c", "e", "e", "e", "e", "i", "i", "i", "i",
    "d", "n", "o", "o", "o", "o", "o", "",  "o", "u", "u", "u", "u", "y", "th", "y"};

void scenmc_id_from_name(const char *name, int fallback_number, char out[64])
{
    const size_t max = 48;
    size_t n = 0;
    const unsigned char *s = (const unsigned char *)(name ? name : "");
    size_t len = strlen((const char *)s);
    int sep = 0;
    for (size_t i = 0; i < len && n < max;) {
        unsigned cp;
        size_t k = utf8_seq(s + i, len - i, &cp);
        if (!k) {
            cp = 0xFFFD;
            k = 1;
        }
        i += k;
        const char *rep = NULL;
        char one[2] = {0, 0};
        if (cp < 0x80 && (isalnum((int)cp) || cp == '-' || cp == '_')) {
            one[0] = (char)cp;
            rep = one;
        } else if (cp >= 0xC0 && cp <= 0xFF && latin1_ascii[cp - 0xC0][0]) {
            rep = latin1_ascii[cp - 0xC0];
        }
        if (!rep) {
            sep = 1;
            continue;
        }
        if (sep && n > 0 && n < max)
            out[n++] = '_';
        sep = 0;
        for (const char *r = rep; *r && n < max; r++)
            out[n++] = *r;
    }
    while (n > 0 && (out[n - 1] == '_' || out[n - 1] == '-'))
        n--;
    size_t start = 0;
    while (start < n && (out[start] == '_' || out[start] == '-'))
        start++;
    memmove(out, out + start, n - start);
    n -= start;
    out[n] = '\0';
    if (n == 0)
        snprintf(out, 64, "D%d", fallback_number);
}

/* ------------------------------------------------------------ drafts */

scenmc_model *scenmc_model_draft_new(int n_descriptors, const int *n_variants)
{
    scenmc_model *m = scenmc_xcalloc(1, sizeof *m);
    m->year_start = 2020;
    m->year_end = 2030;
    m->scale_c[0] = -3;
    m->scale_c[1] = 3;
    m->scale_x[0] = -20;
    m->scale_x[1] = 20;
    m->beta = 0.5;
    m->w_consistency = 1;
    m->w_cross = 1;
    m->rate = 0.5;
    m->trajectories = 1000000;
    m->seed = 1;
    m->n_descriptors = n_descriptors;
    m->descriptors = scenmc_xcalloc((size_t)n_descriptors, sizeof *m->descriptors);
    int V = 0;
    for (int d = 0; d < n_descriptors; d++) {
        m->descriptors[d].n_variants = n_variants[d];
        m->descriptors[d].offset = V;
        V += n_variants[d];
    }
    m->n_variants = V;
    m->variant_id = scenmc_xcalloc((size_t)V, sizeof(char *));
    m->variant_name = scenmc_xcalloc((size_t)V, sizeof(char *));
    m->variant_label = scenmc_xcalloc((size_t)V, sizeof(char *));
    m->variant_descriptor = scenmc_xcalloc((size_t)V, sizeof(int));
    for (int d = 0; d < n_descriptors; d++)
        for (int b = 0; b < n_variants[d]; b++)
            m->variant_descriptor[m->descriptors[d].offset + b] = d;
    return m;
}

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
    size_t k = utf8_seq(p, len, &cp);
    if (!k || !(cp < 0x80 ? isalpha((int)cp) : (cp >= 0xC0 && yaml_printable(cp))))
        return 0;
    for (size_t i = 0; i < len; i += k) {
        k = utf8_seq(p + i, len - i, &cp);
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
        size_t k = utf8_seq(p + i, len - i, &cp);
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
        size_t k = utf8_seq(p + i, len - i, &cp);
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
            scenmc_format_double(num, x[(size_t)(A->offset + r) * V + (size_t)(B->offset + c)]);
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
            scenmc_format_double(num, x[(size_t)(A->offset + r) * V + (size_t)(B->offset + c)]);
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
        char *line = scenmc_xmalloc(n + 1);
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

scenmc_status scenmc_model_to_yaml(const scenmc_model *m, const char *comment, char **yaml,
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
    char n1[40], n2[40];

    if (comment)
        put_lines_as_comment(f, comment);
    fputs("format: scenmc-model\nformat_version: 1\nname: ", f);
    put_str(f, m->name && *m->name ? m->name : "unnamed model");
    fputc('\n', f);
    if (m->description && *m->description) {
        fputs("description: ", f);
        put_str(f, m->description);
        fputc('\n', f);
    }
    if (m->source && *m->source) {
        fputs("source: ", f);
        put_str(f, m->source);
        fputc('\n', f);
    }
    fprintf(f, "years: {start: %d, end: %d}\n", m->year_start, m->year_end);
    if (has_c || m->cross_impact) {
        fputs("scale: {", f);
        if (has_c) {
            scenmc_format_double(n1, m->scale_c[0]);
            scenmc_format_double(n2, m->scale_c[1]);
            fprintf(f, "consistency: [%s, %s]%s", n1, n2, m->cross_impact ? ", " : "");
        }
        if (m->cross_impact) {
            scenmc_format_double(n1, m->scale_x[0]);
            scenmc_format_double(n2, m->scale_x[1]);
            fprintf(f, "cross_impact: [%s, %s]", n1, n2);
        }
        fputs("}\n", f);
    }

    fputs("\ndescriptors:\n", f);
    for (int d = 0; d < m->n_descriptors; d++) {
        const scenmc_descriptor *D = &m->descriptors[d];
        fputs("  - id: ", f);
        put_id(f, D->id ? D->id : "?");
        fputs("\n    name: ", f);
        put_str(f, D->name ? D->name : D->id);
        fputc('\n', f);
        if (D->label) {
            fputs("    label: ", f);
            put_str(f, D->label);
            fputc('\n', f);
        }
        if (D->rate > 0) {
            scenmc_format_double(n1, D->rate);
            fprintf(f, "    rate: %s\n", n1);
        }
        if (D->initial) {
            fputs("    initial: [", f);
            for (int b = 0; b < D->n_variants; b++) {
                scenmc_format_double(n1, D->initial[b]);
                fprintf(f, "%s%s", b ? ", " : "", n1);
            }
            fputs("]\n", f);
        }
        fputs("    variants:\n", f);
        for (int b = 0; b < D->n_variants; b++) {
            int g = D->offset + b;
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
    }

    if (has_c) {
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
    if (m->cross_impact) {
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
    if (m->bias) {
        int any = 0;
        for (int v = 0; v < m->n_variants; v++)
            any |= m->bias[v] != 0;
        if (any) {
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
                fputs(": [", f);
                for (int b = 0; b < D->n_variants; b++) {
                    scenmc_format_double(n1, m->bias[D->offset + b]);
                    fprintf(f, "%s%s", b ? ", " : "", n1);
                }
                fputs("]\n", f);
            }
        }
    }
    if (m->n_scenarios > 0) {
        fputs("\nscenarios:\n", f);
        for (int k = 0; k < m->n_scenarios; k++) {
            const scenmc_scenario *S = &m->scenarios[k];
            fputs("  - name: ", f);
            put_str(f, S->name);
            fputc('\n', f);
            if (S->label) {
                fputs("    label: ", f);
                put_str(f, S->label);
                fputc('\n', f);
            }
            fputs("    when: {", f);
            for (int c = 0; c < S->n_conditions; c++) {
                int d = S->cond_descriptor[c];
                fputs(c ? ", " : "", f);
                put_id(f, m->descriptors[d].id);
                fputs(": ", f);
                put_str(f, vref(m, m->descriptors[d].offset + S->cond_variant[c]));
            }
            fputs("}\n", f);
        }
    }
    fputs("\ndefaults:\n", f);
    scenmc_format_double(n1, m->beta);
    fprintf(f, "  beta: %s\n", n1);
    scenmc_format_double(n1, m->w_consistency);
    fprintf(f, "  w_consistency: %s\n", n1);
    scenmc_format_double(n1, m->w_cross);
    fprintf(f, "  w_cross: %s\n", n1);
    scenmc_format_double(n1, m->rate);
    fprintf(f, "  rate: %s\n", n1);
    fprintf(f, "  trajectories: %llu\n", (unsigned long long)m->trajectories);
    fprintf(f, "  seed: %llu\n", (unsigned long long)m->seed);
    if (m->start) {
        fputs("  start: {", f);
        for (int d = 0; d < m->n_descriptors; d++) {
            fputs(d ? ", " : "", f);
            put_id(f, m->descriptors[d].id);
            fputs(": ", f);
            put_str(f, vref(m, m->descriptors[d].offset + m->start[d]));
        }
        fputs("}\n", f);
    }
    if (fclose(f) != 0 || !buf) {
        free(buf);
        return scenmc_error_add(err, SCENMC_E_NOMEM, "cannot write the model text");
    }
    *yaml = buf;
    if (len)
        *len = size;
    return SCENMC_OK;
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
    for (int k = 0; k < m->n_scenarios; k++) {
        free(m->scenarios[k].name);
        free(m->scenarios[k].label);
        free(m->scenarios[k].cond_descriptor);
        free(m->scenarios[k].cond_variant);
    }
    free(m->scenarios);
    m->scenarios = scenmc_xcalloc((size_t)ns, sizeof *m->scenarios);
    m->n_scenarios = ns;
    int k = 0;
    for (int a = 0; a < A->n_variants; a++)
        for (int b = 0; b < B->n_variants; b++, k++) {
            scenmc_scenario *S = &m->scenarios[k];
            const char *va = vname(m, A->offset + a), *vb = vname(m, B->offset + b);
            size_t n = strlen(A->id) + strlen(B->id) + strlen(va) + strlen(vb) + 8;
            S->name = scenmc_xmalloc(n);
            snprintf(S->name, n, "%s=%s / %s=%s", A->id, va, B->id, vb);
            S->n_conditions = 2;
            S->cond_descriptor = scenmc_xcalloc(2, sizeof(int));
            S->cond_variant = scenmc_xcalloc(2, sizeof(int));
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
        scenmc_id_from_name(D->name, d + 1, base);
        snprintf(id, sizeof id, "%s", base);
        for (int k = 2;; k++) {
            int clash = 0;
            for (int e = 0; e < m->n_descriptors && !clash; e++)
                clash = e != d && m->descriptors[e].id && strcmp(m->descriptors[e].id, id) == 0;
            if (!clash)
                break;
            snprintf(id, sizeof id, "%s_%d", base, k);
        }
        D->id = scenmc_strdup(id);
    }
}

scenmc_status scenmc_model_build(scenmc_model *draft, const char *scenario_axes,
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
    scenmc_status st = scenmc_model_to_yaml(draft, comment, &text, &n, err);
    if (st != SCENMC_OK)
        return st;
    size_t nn = strlen(name) + 16;
    char *yname = scenmc_xmalloc(nn);
    snprintf(yname, nn, "%s (as YAML)", name);
    scenmc_model *m = NULL;
    st = scenmc_model_parse(text, n, yname, &m, err);
    free(yname);
    if (st != SCENMC_OK) {
        free(text);
        return st;
    }
    free(m->path);
    m->path = scenmc_strdup(name);
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

/* ------------------------------------------------------------ import */

static const char *base_name(const char *path)
{
    const char *s = strrchr(path, '/');
    return s ? s + 1 : path;
}

scenmc_status scenmc_import_yaml(const char *path, const scenmc_import_options *opt,
                                 char **yaml, size_t *len, scenmc_model **out, char **notes,
                                 scenmc_error *err)
{
    if (yaml)
        *yaml = NULL;
    if (len)
        *len = 0;
    if (out)
        *out = NULL;
    if (notes)
        *notes = NULL;
    scenmc_import_options defaults;
    if (!opt) {
        scenmc_import_options_init(&defaults);
        opt = &defaults;
    }
    scenmc_file_format fmt = scenmc_file_format_of(path);
    if (fmt == SCENMC_FORMAT_YAML)
        return scenmc_error_add(err, SCENMC_E_INPUT, "%s: not a .scw or .csv file; expected a "
                                "ScenarioWizard model (.scw) or a CSV matrix (.csv)", path);
    if (fmt == SCENMC_FORMAT_SCW && (opt->consistency || opt->descriptors))
        return scenmc_error_add(err, SCENMC_E_INPUT, "%s: --consistency and --descriptors apply to "
                                "CSV matrices; a .scw file names its descriptors and holds cross "
                                "impacts", path);
    char *raw = NULL;
    size_t raw_len = 0;
    scenmc_status st = scenmc_read_file(path, SCENMC_MAX_FILE_BYTES, &raw, &raw_len, err);
    if (st != SCENMC_OK)
        return st;
    scenmc_model *draft = NULL;
    if (fmt == SCENMC_FORMAT_SCW)
        st = scenmc_scw_read_draft(raw, raw_len, path, &draft, notes, err);
    else
        st = scenmc_csv_read_draft(raw, raw_len, path, opt, &draft, notes, err);
    free(raw);
    if (st != SCENMC_OK)
        return st;

    char comment[2048];
    const char *base = base_name(path);
    if (fmt == SCENMC_FORMAT_SCW)
        snprintf(comment, sizeof comment,
                 "%s: a ScenarioWizard 4.0 model, converted by 'scenmc import'.\n"
                 "The cross-impact matrix is ScenarioWizard's: rows are the source (impacting)\n"
                 "variant, columns the target (impacted) one. A descriptor's block on itself\n"
                 "appears only where the file has non-zero self-impacts; they are kept, as\n"
                 "ScenarioWizard counts them. Years, scale, scenarios and defaults are scenmc's\n"
                 "own (docs/interop.md): edit them as needed and check with 'scenmc validate'.",
                 base);
    else
        snprintf(comment, sizeof comment,
                 "%s: a %s from a CSV file, converted by 'scenmc import'.\n"
                 "Years, scale, scenarios and defaults are scenmc's own (docs/interop.md): edit\n"
                 "them as needed and check with 'scenmc validate'.",
                 base, opt->consistency ? "symmetric consistency matrix"
                                        : "cross-impact matrix (rows: source, columns: target)");
    st = scenmc_model_build(draft, opt->scenario_axes, comment, path, yaml, len, out, err);
    scenmc_model_free(draft);
    if (st != SCENMC_OK && notes) {
        free(*notes);
        *notes = NULL;
    }
    return st;
}

scenmc_status scenmc_import_model(const char *path, const scenmc_import_options *opt,
                                  scenmc_model **out, char **notes, scenmc_error *err)
{
    return scenmc_import_yaml(path, opt, NULL, NULL, out, notes, err);
}

/* ------------------------------------------------------------ files */

scenmc_status scenmc_write_text_file(const char *path, const char *text, size_t len, int force,
                                     scenmc_error *err)
{
    struct stat st;
    if (stat(path, &st) == 0) {
        if (S_ISDIR(st.st_mode))
            return scenmc_error_add(err, SCENMC_E_IO, "%s: is a directory; expected a file name",
                                    path);
        if (!force)
            return scenmc_error_add(err, SCENMC_E_IO, "%s: already exists; use --force to "
                                    "overwrite it", path);
    }
    size_t n = strlen(path) + 16;
    char *tmp = scenmc_xmalloc(n);
    snprintf(tmp, n, "%s.tmp-XXXXXX", path);
    int fd = mkstemp(tmp);
    if (fd < 0) {
        scenmc_status s = scenmc_error_add(err, SCENMC_E_IO, "%s: cannot write there: %s", path,
                                           strerror(errno));
        free(tmp);
        return s;
    }
    FILE *f = fdopen(fd, "wb");
    int ok = f != NULL;
    if (ok)
        ok = fwrite(text, 1, len, f) == len;
    if (f)
        ok = (fclose(f) == 0) && ok;
    else
        close(fd);
    if (ok) {
        /* mkstemp makes the file private; give it the usual permissions. */
        mode_t mask = umask(0);
        umask(mask);
        chmod(tmp, 0666 & ~mask);
        ok = rename(tmp, path) == 0;
    }
    if (!ok) {
        scenmc_status s = scenmc_error_add(err, SCENMC_E_IO, "%s: cannot write: %s", path,
                                           strerror(errno));
        unlink(tmp);
        free(tmp);
        return s;
    }
    free(tmp);
    return SCENMC_OK;
}
