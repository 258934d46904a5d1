/* pve_certinfo: a bounded TCP connect and an unverified TLS handshake (OpenSSL) that only reads the
 * server's leaf certificate: SHA-256 fingerprint, subject, issuer and expiry. */
#include "pve/pve_certinfo.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include "ds_clock.h"
#include "util/err.h"
#include "util/i18n.h"

/* Non-blocking connect bounded by the deadline (ds_clock_mono_ms); returns the connected
 * (blocking) socket or -1. */
static int connect_bounded(const struct addrinfo *ai, int64_t deadline, int *err)
{
    int fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC, ai->ai_protocol);
    if (fd < 0) {
        *err = errno;
        return -1;
    }
    int fl = fcntl(fd, F_GETFL);
    fcntl(fd, F_SETFL, fl | O_NONBLOCK);
    if (connect(fd, ai->ai_addr, ai->ai_addrlen) < 0) {
        if (errno != EINPROGRESS) {
            *err = errno;
            close(fd);
            return -1;
        }
        int64_t left = deadline - ds_clock_mono_ms();
        struct pollfd p = {fd, POLLOUT, 0};
        int pr = left > 0 ? poll(&p, 1, (int)left) : 0;
        int so = 0;
        socklen_t sl = sizeof so;
        if (pr <= 0) {
            *err = ETIMEDOUT;
            close(fd);
            return -1;
        }
        if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &so, &sl) < 0 || so != 0) {
            *err = so ? so : errno;
            close(fd);
            return -1;
        }
    }
    fcntl(fd, F_SETFL, fl);
    int64_t left = deadline - ds_clock_mono_ms();
    if (left < 1)
        left = 1;
    struct timeval tv = {(time_t)(left / 1000), (suseconds_t)(left % 1000) * 1000};
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
    return fd;
}

/* One line of an X509 name in RFC 2253 form. */
static void name_text(const X509_NAME *name, char *out, size_t len)
{
    out[0] = '\0';
    BIO *b = BIO_new(BIO_s_mem());
    if (!b)
        return;
    if (X509_NAME_print_ex(b, name, 0, XN_FLAG_RFC2253) >= 0) {
        int n = BIO_read(b, out, (int)len - 1);
        out[n > 0 ? n : 0] = '\0';
    }
    BIO_free(b);
}

static void time_text(const ASN1_TIME *t, char *out, size_t len)
{
    out[0] = '\0';
    BIO *b = BIO_new(BIO_s_mem());
    if (!b)
        return;
    if (ASN1_TIME_print(b, t) == 1) {
        int n = BIO_read(b, out, (int)len - 1);
        out[n > 0 ? n : 0] = '\0';
    }
    BIO_free(b);
}

static int cert_describe(X509 *cert, struct pve_certinfo *out)
{
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int mdlen = 0;
    if (X509_digest(cert, EVP_sha256(), md, &mdlen) != 1 || mdlen != PVE_FP_LEN)
        return ds_err_set(_("cannot compute the certificate's SHA-256 fingerprint"));
    pve_fp_format(md, out->fingerprint);
    name_text(X509_get_subject_name(cert), out->subject, sizeof out->subject);
    name_text(X509_get_issuer_name(cert), out->issuer, sizeof out->issuer);
    time_text(X509_get0_notAfter(cert), out->not_after, sizeof out->not_after);
    return 0;
}

/* The handshake on a connected socket; fills out. */
static int tls_peek(int fd, const char *sni, const char *where, struct pve_certinfo *out)
{
    SSL_CTX *ctx = SSL_CTX_new(TLS_client_method());
    if (!ctx)
        return ds_err_set(_("cannot create a TLS context"));
    SSL_CTX_set_verify(ctx, SSL_VERIFY_NONE, NULL);
    SSL *ssl = SSL_new(ctx);
    int rc = 0;
    if (!ssl || SSL_set_fd(ssl, fd) != 1)
        rc = ds_err_set(_("cannot create a TLS connection"));
    if (rc == 0 && sni)
        SSL_set_tlsext_host_name(ssl, sni);
    ERR_clear_error();
    if (rc == 0 && SSL_connect(ssl) != 1) {
        char detail[256];
        unsigned long e = ERR_get_error();
        if (e)
            ERR_error_string_n(e, detail, sizeof detail);
        else
            snprintf(detail, sizeof detail, "%s",
                     errno ? strerror(errno) : "the server closed the connection");
        rc = ds_err_set(_("TLS handshake with %s failed: %s (is it the HTTPS port of the node?)"),
                        where, detail);
    }
    if (rc == 0) {
        X509 *cert = SSL_get1_peer_certificate(ssl);
        if (!cert)
            rc = ds_err_set(_("%s sent no certificate"), where);
        else
            rc = cert_describe(cert, out);
        X509_free(cert);
        SSL_shutdown(ssl);
    }
    ERR_clear_error();
    SSL_free(ssl);
    SSL_CTX_free(ctx);
    return rc;
}

int pve_certinfo_fetch(const char *host, unsigned port, long timeout_ms, struct pve_certinfo *out)
{
    memset(out, 0, sizeof *out);
    if (timeout_ms <= 0)
        timeout_ms = 10000;
    char name[256], where[300], portstr[16];
    size_t hl = strlen(host);
    if (hl >= 2 && host[0] == '[' && host[hl - 1] == ']')
        snprintf(name, sizeof name, "%.*s", (int)(hl - 2), host + 1);
    else
        snprintf(name, sizeof name, "%s", host);
    snprintf(where, sizeof where, "%s:%u", host, port);
    snprintf(portstr, sizeof portstr, "%u", port);

    struct addrinfo hints = {0}, *res = NULL;
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    int gai = getaddrinfo(name, portstr, &hints, &res);
    if (gai != 0)
        return ds_err_set(_("cannot resolve %s: %s"), name, gai_strerror(gai));
    int64_t deadline = ds_clock_mono_ms() + timeout_ms;
    int fd = -1, err = 0;
    for (struct addrinfo *ai = res; ai && fd < 0; ai = ai->ai_next)
        fd = connect_bounded(ai, deadline, &err);
    freeaddrinfo(res);
    if (fd < 0)
        return ds_err_set(_("cannot connect to %s: %s"), where, strerror(err ? err : ECONNREFUSED));

    /* SNI only for names, never for address literals */
    unsigned char tmp[16];
    int literal = inet_pton(AF_INET, name, tmp) == 1 || inet_pton(AF_INET6, name, tmp) == 1 ||
                  strchr(name, '%');
    int rc = tls_peek(fd, literal ? NULL : name, where, out);
    close(fd);
    return rc;
}
