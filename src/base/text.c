/* Text: legacy encodings to UTF-8, identifiers from free-text names. */
#include "base/text.h"
#include "base/util.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ------------------------------------------------------------ text */

/* Windows-1252 0x80..0x9F; 0xFFFD where the code page defines nothing. */
static const unsigned short cp1252_high[32] = {
    0x20AC, 0xFFFD, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021, 0x02C6, 0x2030, 0x0160,
    0x2039, 0x0152, 0xFFFD, 0x017D, 0xFFFD, 0xFFFD, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022,
    0x2013, 0x2014, 0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0xFFFD, 0x017E, 0x0178};

/* Length of the valid UTF-8 sequence at s (at most n bytes), 0 if invalid. */
size_t scenmc__utf8_decode(const unsigned char *s, size_t n, unsigned *cp)
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

scenmc_status scenmc__text_to_utf8(const char *in, size_t len, const char *name, char **out,
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
        size_t k = scenmc__utf8_decode(s + i, len - i, &cp);
        if (!k)
            valid = 0;
        i += k ? k : 1;
    }
    if (valid) {
        char *t = scenmc__xmalloc(len + 1);
        memcpy(t, s, len);
        t[len] = '\0';
        *out = t;
        if (out_len)
            *out_len = len;
        return SCENMC_OK;
    }
    char *t = scenmc__xmalloc(3 * len + 1), *p = t;
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

void scenmc__id_from_name(const char *name, int fallback_number, char out[64])
{
    const size_t max = 48;
    size_t n = 0;
    const unsigned char *s = (const unsigned char *)(name ? name : "");
    size_t len = strlen((const char *)s);
    int sep = 0;
    for (size_t i = 0; i < len && n < max;) {
        unsigned cp;
        size_t k = scenmc__utf8_decode(s + i, len - i, &cp);
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

int scenmc__id_valid(const char *s)
{
    if (!*s)
        return 0;
    for (const char *c = s; *c; c++)
        if (!isalnum((unsigned char)*c) && *c != '_' && *c != '-')
            return 0;
    return 1;
}

const char *scenmc__path_base(const char *path)
{
    const char *s = strrchr(path, '/');
    return s ? s + 1 : path;
}

scenmc_status scenmc_duration_parse(const char *s, double *seconds, scenmc_error *err)
{
    const char *p = s;
    double v[4];
    int n = 0, days = -1;
    char *end = NULL;
    /* SLURM's d-h[:m[:s]] */
    const char *dash = strchr(s, '-');
    if (dash && dash != s) {
        errno = 0;
        long d = strtol(s, &end, 10);
        if (end == dash && d >= 0 && !errno) {
            days = (int)d;
            p = dash + 1;
        } else {
            goto bad;
        }
    }
    while (n < 4) {
        if (!isdigit((unsigned char)*p) && *p != '.')
            goto bad;
        errno = 0;
        v[n++] = strtod(p, &end);
        if (errno || end == p || !isfinite(v[n - 1]) || v[n - 1] < 0)
            goto bad;
        p = end;
        if (*p != ':')
            break;
        p++;
    }
    double t;
    if (n == 1 && days < 0) {
        double unit;
        if (!strcmp(p, "s"))
            unit = 1;
        else if (!strcmp(p, "m") || !strcmp(p, "min"))
            unit = 60;
        else if (!strcmp(p, "h"))
            unit = 3600;
        else if (!strcmp(p, "d"))
            unit = 86400;
        else
            goto bad; /* a bare number: seconds or minutes? say which */
        t = v[0] * unit;
    } else {
        if (*p)
            goto bad;
        if (days >= 0) /* d-h, d-h:m, d-h:m:s */
            t = days * 86400.0 + v[0] * 3600 + (n > 1 ? v[1] * 60 : 0) + (n > 2 ? v[2] : 0);
        else if (n == 2) /* m:s */
            t = v[0] * 60 + v[1];
        else if (n == 3) /* h:m:s */
            t = v[0] * 3600 + v[1] * 60 + v[2];
        else
            goto bad;
        if (n > 3)
            goto bad;
    }
    if (!(t > 0) || !isfinite(t))
        goto bad;
    *seconds = t;
    return SCENMC_OK;
bad:
    return scenmc_error_add(err, SCENMC_E_INPUT, "duration '%s': expected a number with a unit "
                            "(90s, 10m, 2h, 1d) or M:SS, H:MM:SS, D-HH:MM:SS, greater than 0", s);
}

size_t scenmc__utf8_count(const char *s, size_t len)
{
    size_t n = 0;
    for (size_t k = 0; k < len; k++)
        n += ((unsigned char)s[k] & 0xC0) != 0x80; /* every byte but continuation bytes */
    return n;
}

size_t scenmc__utf8_chars(const char *s)
{
    return scenmc__utf8_count(s, strlen(s));
}
