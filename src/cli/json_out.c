#include "cli/json_out.h"
#include "base/util.h"

#include <math.h>

void json_string(FILE *f, const char *s)
{
    if (!s) {
        fputs("null", f);
        return;
    }
    fputc('"', f);
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        switch (*p) {
        case '"': fputs("\\\"", f); break;
        case '\\': fputs("\\\\", f); break;
        case '\n': fputs("\\n", f); break;
        case '\r': fputs("\\r", f); break;
        case '\t': fputs("\\t", f); break;
        default:
            if (*p < 0x20)
                fprintf(f, "\\u%04x", *p);
            else
                fputc(*p, f);
        }
    }
    fputc('"', f);
}

void json_number(FILE *f, double x)
{
    if (!isfinite(x)) {
        fputs("null", f);
        return;
    }
    char buf[40];
    scenmc__format_double(buf, x);
    fputs(buf, f);
}

void json_key(FILE *f, int first, int indent, const char *key)
{
    fputs(first ? "\n" : ",\n", f);
    fprintf(f, "%*s", indent, "");
    json_string(f, key);
    fputs(": ", f);
}

void json_variants(FILE *f, const scenmc_model *m, const int *s)
{
    fputs("{", f);
    for (int d = 0; d < m->n_descriptors; d++) {
        fputs(d ? ", " : "", f);
        json_string(f, m->descriptors[d].id);
        fputs(": ", f);
        json_string(f, m->variant_name[m->descriptors[d].offset + s[d]]);
    }
    fputs("}", f);
}
