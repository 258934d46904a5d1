/* handout: the printable credentials hand-out: one self-contained HTML page, one card per student
 * (login, password, web console, VMs), two cards per row on A4, for cutting up in class. */
#include "ui/handout.h"
#include "util/err.h"
#include "util/i18n.h"
#include <ctype.h>
#include <errno.h>
#include <locale.h>
#include <string.h>

const char *cred_password_text(const struct cred_student *s)
{
    switch (s->pw_state) {
    case CRED_PW_KNOWN:
        return s->password ? s->password : _("(unknown)");
    case CRED_PW_UNCHANGED:
        return _("(unchanged)");
    case CRED_PW_NOT_DEPLOYED:
        return _("(not deployed)");
    case CRED_PW_EXTERNAL:
        return _("log in with your campus account");
    case CRED_PW_UNKNOWN:
    default:
        return _("(unknown)");
    }
}

const char *cred_password_state(const struct cred_student *s)
{
    switch (s->pw_state) {
    case CRED_PW_KNOWN:
        return s->password ? "known" : "unknown";
    case CRED_PW_UNCHANGED:
        return "unchanged";
    case CRED_PW_NOT_DEPLOYED:
        return "not-deployed";
    case CRED_PW_EXTERNAL:
        return "external";
    case CRED_PW_UNKNOWN:
    default:
        return "unknown";
    }
}

int html_escape_write(const char *s, FILE *out)
{
    for (const char *p = s ? s : ""; *p; p++) {
        const char *rep = NULL;
        switch (*p) {
        case '&':
            rep = "&amp;";
            break;
        case '<':
            rep = "&lt;";
            break;
        case '>':
            rep = "&gt;";
            break;
        case '"':
            rep = "&quot;";
            break;
        case '\'':
            rep = "&#39;";
            break;
        default:
            break;
        }
        if ((rep ? fputs(rep, out) : fputc((unsigned char)*p, out)) == EOF)
            return -1;
    }
    return 0;
}

/* The page's language: the first letters of the message locale ("ru_RU.UTF-8" -> "ru"). */
static void page_lang(char *out, size_t len)
{
    const char *loc = setlocale(LC_MESSAGES, NULL);
    size_t n = 0;
    while (loc && n + 1 < len && n < 3 && islower((unsigned char)loc[n])) {
        out[n] = loc[n];
        n++;
    }
    if (n < 2 || (loc[n] && loc[n] != '_' && loc[n] != '.' && loc[n] != '@')) {
        snprintf(out, len, "en");
        return;
    }
    out[n] = '\0';
}

/* Writes fmt (a translated text with exactly one %s) with the argument HTML-escaped. */
static void escaped_format(FILE *out, const char *fmt, const char *arg)
{
    const char *at = strstr(fmt, "%s");
    if (!at) {
        html_escape_write(fmt, out);
        return;
    }
    char head[512];
    size_t hl = (size_t)(at - fmt) < sizeof head - 1 ? (size_t)(at - fmt) : sizeof head - 1;
    memcpy(head, fmt, hl);
    head[hl] = '\0';
    html_escape_write(head, out);
    html_escape_write(arg, out);
    html_escape_write(at + 2, out);
}

static const char CSS[] =
    "@page { size: A4; margin: 10mm; }\n"
    "* { box-sizing: border-box; }\n"
    "body { font-family: 'DejaVu Sans', 'Liberation Sans', Arial, sans-serif; color: #111;\n"
    "       margin: 0; padding: 8mm; background: #fff; }\n"
    "header.sheet { margin-bottom: 5mm; }\n"
    "header.sheet h1 { font-size: 16pt; margin: 0 0 1mm 0; }\n"
    "header.sheet p { font-size: 9pt; color: #555; margin: 0; }\n"
    ".cards { display: grid; grid-template-columns: repeat(2, 1fr); gap: 6mm; }\n"
    ".card { border: 1px dashed #555; border-radius: 2mm; padding: 5mm; min-height: 62mm;\n"
    "        page-break-inside: avoid; break-inside: avoid; }\n"
    ".card .stand { font-size: 9pt; color: #555; text-transform: uppercase;\n"
    "               letter-spacing: 0.05em; margin-bottom: 2mm; }\n"
    ".card dl { display: grid; grid-template-columns: max-content 1fr; gap: 1.5mm 4mm;\n"
    "           margin: 0 0 3mm 0; }\n"
    ".card dt { font-size: 10pt; color: #444; }\n"
    ".card dd { margin: 0; font-size: 11pt; word-break: break-all; }\n"
    ".card dd.login, .card dd.password { font-family: 'DejaVu Sans Mono', 'Liberation Mono',\n"
    "        monospace; font-size: 14pt; font-weight: bold; }\n"
    ".card dd.password.missing { font-family: inherit; font-size: 11pt; font-weight: normal;\n"
    "        color: #a00; }\n"
    ".card h2 { font-size: 10pt; margin: 0 0 1mm 0; }\n"
    ".card ul { margin: 0; padding-left: 5mm; font-size: 10pt; }\n"
    ".card p.none { font-size: 10pt; color: #555; margin: 0; }\n"
    "@media print { body { padding: 0; } header.sheet p { display: none; } }\n";

static void card_write(const struct cred_sheet *sh, const struct cred_student *s, FILE *out)
{
    fputs("<section class=\"card\">\n<div class=\"stand\">", out);
    escaped_format(out, _("Stand %s"), sh->stand);
    fputs("</div>\n<dl>\n<dt>", out);
    html_escape_write(_("Web console"), out);
    fputs("</dt><dd class=\"url\">", out);
    html_escape_write(sh->console_url, out);
    fputs("</dd>\n<dt>", out);
    html_escape_write(_("Login"), out);
    fputs("</dt><dd class=\"login\">", out);
    html_escape_write(s->user, out);
    fputs("</dd>\n", out);
    const char *at = strchr(s->user, '@');
    if (at) {
        fputs("<dt>", out);
        html_escape_write(_("Realm"), out);
        fputs("</dt><dd class=\"realm\">", out);
        html_escape_write(at + 1, out);
        fputs("</dd>\n", out);
    }
    fputs("<dt>", out);
    html_escape_write(_("Password"), out);
    fprintf(out, "</dt><dd class=\"password%s\">", s->password ? "" : " missing");
    html_escape_write(cred_password_text(s), out);
    fputs("</dd>\n</dl>\n<h2>", out);
    html_escape_write(_("Your virtual machines"), out);
    fputs("</h2>\n", out);
    if (!s->n_vms) {
        fputs("<p class=\"none\">", out);
        html_escape_write(_("No virtual machines yet."), out);
        fputs("</p>\n", out);
    } else {
        fputs("<ul class=\"vms\">\n", out);
        for (size_t i = 0; i < s->n_vms; i++) {
            char id[32];
            snprintf(id, sizeof id, "%d", s->vms[i].vmid);
            fputs("<li><strong>", out);
            html_escape_write(s->vms[i].name && *s->vms[i].name ? s->vms[i].name : "-", out);
            fputs("</strong> &mdash; ", out);
            escaped_format(out, _("VMID %s"), id);
            fputs(", ", out);
            escaped_format(out, _("node %s"), s->vms[i].node);
            fputs("</li>\n", out);
        }
        fputs("</ul>\n", out);
    }
    fputs("</section>\n", out);
}

int handout_write_html(const struct cred_sheet *sh, FILE *out)
{
    char lang[8];
    page_lang(lang, sizeof lang);
    fprintf(out, "<!DOCTYPE html>\n<html lang=\"%s\">\n<head>\n<meta charset=\"utf-8\">\n", lang);
    fputs("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>", out);
    escaped_format(out, _("Credentials for stand %s"), sh->stand);
    fprintf(out, "</title>\n<style>\n%s</style>\n</head>\n<body>\n<header class=\"sheet\">\n<h1>",
            CSS);
    escaped_format(out, _("Credentials for stand %s"), sh->stand);
    fputs("</h1>\n<p>", out);
    html_escape_write(_("One card per student: print, cut along the dashed lines and hand out."),
                      out);
    fputs("</p>\n</header>\n<main class=\"cards\">\n", out);
    for (size_t i = 0; i < sh->n; i++)
        card_write(sh, &sh->students[i], out);
    fputs("</main>\n</body>\n</html>\n", out);
    if (fflush(out) == EOF || ferror(out)) {
        ds_err_set(_("cannot write the hand-out: %s"), strerror(errno));
        return -1;
    }
    return 0;
}
