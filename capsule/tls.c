/*
 * tls.c: libtls configuration. Key pairs are read here, in the main
 * thread, at start and on SIGHUP; workers only ever call tlsglue_accept().
 */
/* dlsym(RTLD_NEXT): the ticket callback fix below. */
#define _GNU_SOURCE

#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <openssl/rand.h>
#include <openssl/sha.h>
#include <openssl/ssl.h>
#include <time.h>
#include <tls.h>

#include "cert.h"
#include "tlsglue.h"

#define TLSGLUE_PATH_MAX	1400
#define TLSGLUE_HANDSHAKE_RECORD 0x16	/* TLS record type "handshake" */

/*
 * TLS session resumption (README "Performance"): a session lifetime makes
 * libtls issue stateless tickets through its callback (fixed below). The
 * ticket keys are the same in every worker and rotate every quarter of
 * the lifetime: each is derived from a secret made at start and the
 * number of the period, so workers agree without talking.
 */
#define TLSGLUE_SESSION_LIFETIME	7200	/* seconds */
#define TLSGLUE_KEY_PERIOD	(TLSGLUE_SESSION_LIFETIME / 4)

static unsigned char	tlsglue_secret[32];
static unsigned char	tlsglue_session_id[TLS_MAX_SESSION_ID_LENGTH];
static int		tlsglue_secret_made;

/* libtls may have no message to give. */
static const char *
tlsglue_why(const char *msg)
{
	return msg != NULL ? msg : "TLS error";
}

/*
 * LibreTLS 3.7's ticket callback (tls_server.c) returns 0 when it has set
 * up a new ticket: success in LibreSSL, but "issue no ticket" in OpenSSL
 * (SSL_CTX_set_tlsext_ticket_key_cb(3)), so on OpenSSL 3 no TLS 1.3
 * ticket is ever sent and nothing resumes. libtls registers it through
 * SSL_CTX_callback_ctrl(); this definition takes that call (a symbol of
 * the executable comes before libssl's), wraps the callback so that
 * 0 means success when encrypting, and hands the rest to libssl.
 */
typedef int (*tlsglue_ticket_cb)(SSL *, unsigned char *, unsigned char *,
    EVP_CIPHER_CTX *, void *, int);
typedef long (*tlsglue_callback_ctrl)(SSL_CTX *, int, void (*)(void));

static _Atomic(tlsglue_ticket_cb) tlsglue_libtls_ticket_cb;

static int
tlsglue_ticket_fixed(SSL *ssl, unsigned char *name, unsigned char *iv,
    EVP_CIPHER_CTX *ctx, void *hctx, int enc)
{
	tlsglue_ticket_cb cb = atomic_load(&tlsglue_libtls_ticket_cb);
	int r = cb(ssl, name, iv, ctx, hctx, enc);

	/*
	 * Made (0 here, 1 from a libtls that has this fixed): issue it. No
	 * valid key (-1, never expected): no ticket rather than an error.
	 */
	if (enc == 1)
		return r >= 0 ? 1 : 0;
	/*
	 * Redeemed: send a fresh one too (2, "renew"), as clients that keep
	 * one session per host use each ticket once (TLS 1.3 advice).
	 */
	return r == 1 ? 2 : r;
}

long
SSL_CTX_callback_ctrl(SSL_CTX *sctx, int cmd, void (*fp)(void))
{
	static _Atomic(tlsglue_callback_ctrl) next;
	tlsglue_callback_ctrl f = atomic_load(&next);

	if (f == NULL) {
		*(void **)&f = dlsym(RTLD_NEXT, "SSL_CTX_callback_ctrl");
		if (f == NULL)
			return 0;
		atomic_store(&next, f);
	}
	if (cmd == SSL_CTRL_SET_TLSEXT_TICKET_KEY_CB && fp != NULL) {
		atomic_store(&tlsglue_libtls_ticket_cb, (tlsglue_ticket_cb)fp);
		fp = (void (*)(void))tlsglue_ticket_fixed;
		/* One ticket per handshake is all a client keeps (not 2). */
		SSL_CTX_set_num_tickets(sctx, 1);
	}
	return f(sctx, cmd, fp);
}

static void
tlsglue_free(struct tlsglue *g)
{
	size_t i;

	for (i = 0; i < g->nctx; i++) {
		tls_free(g->ctx[i]);
		tls_config_free(g->cfg[i]);
	}
	free(g->ctx);
	free(g->cfg);
	free(g->epoch);
	free(g);
}

/*
 * Gives worker w's configuration the ticket key of the current period,
 * when it does not have it yet. Only that worker's thread calls it once
 * serving (libtls reads the keys during its handshakes).
 */
static int
tlsglue_rekey(struct tlsglue *g, size_t w)
{
	unsigned char in[sizeof(tlsglue_secret) + 8];
	unsigned char key[SHA384_DIGEST_LENGTH];
	uint64_t e = (uint64_t)time(NULL) / TLSGLUE_KEY_PERIOD;
	int i, rc;

	if (g->epoch[w] == e)
		return 0;
	memcpy(in, tlsglue_secret, sizeof(tlsglue_secret));
	for (i = 0; i < 8; i++)
		in[sizeof(tlsglue_secret) + i] = (unsigned char)(e >> (8 * i));
	SHA384(in, sizeof(in), key);
	rc = tls_config_add_ticket_key(g->cfg[w], (uint32_t)e, key,
	    TLS_TICKET_KEY_SIZE);
	explicit_bzero(key, sizeof(key));
	explicit_bzero(in, sizeof(in));
	if (rc == 0)
		g->epoch[w] = e;
	return rc;
}

/*
 * One configuration, for one worker's context. Each worker gets its own:
 * libtls keeps ticket keys in the configuration and may rotate them from
 * the handshake, so a shared one would be written by two threads.
 */
static struct tls_config *
tlsglue_config(const char *dir, const char *const *names, size_t nnames,
    char *err, size_t errsz)
{
	char crt[TLSGLUE_PATH_MAX], key[TLSGLUE_PATH_MAX];
	struct tls_config *cfg;
	size_t i;
	int rc;

	if ((cfg = tls_config_new()) == NULL) {
		snprintf(err, errsz, "out of memory");
		return NULL;
	}
	if (tls_config_set_protocols(cfg, TLS_PROTOCOL_TLSv1_2 |
	    TLS_PROTOCOL_TLSv1_3) == -1 ||
	    tls_config_set_session_lifetime(cfg, TLSGLUE_SESSION_LIFETIME) ==
	    -1 || tls_config_set_session_id(cfg, tlsglue_session_id,
	    sizeof(tlsglue_session_id)) == -1) {
		snprintf(err, errsz, "%s",
		    tlsglue_why(tls_config_error(cfg)));
		goto fail;
	}
	for (i = 0; i < nnames; i++) {
		if (cert_paths(dir, names[i], crt, key, sizeof(crt)) == -1) {
			snprintf(err, errsz, "%s: path too long", dir);
			goto fail;
		}
		/* libtls picks the extra pairs by SNI on its own. */
		rc = i == 0 ? tls_config_set_keypair_file(cfg, crt, key) :
		    tls_config_add_keypair_file(cfg, crt, key);
		if (rc == -1) {
			snprintf(err, errsz, "%s: %s", names[i],
			    tlsglue_why(tls_config_error(cfg)));
			goto fail;
		}
	}
	return cfg;
 fail:
	tls_config_free(cfg);
	return NULL;
}

struct tlsglue *
tlsglue_new(const char *dir, const char *const *names, size_t nnames,
    size_t nworkers, char *err, size_t errsz)
{
	struct tls_config *cfg;
	struct tlsglue *g;
	size_t i;

	if (nnames == 0 || nnames > TLSGLUE_MAX_NAMES || nworkers == 0) {
		snprintf(err, errsz, "bad number of host names");
		return NULL;
	}
	if (!tlsglue_secret_made) {
		/* Once per process: tickets outlive a reload. */
		if (RAND_bytes(tlsglue_secret, sizeof(tlsglue_secret)) != 1 ||
		    RAND_bytes(tlsglue_session_id,
		    sizeof(tlsglue_session_id)) != 1) {
			snprintf(err, errsz, "no random bytes");
			return NULL;
		}
		tlsglue_secret_made = 1;
	}
	if ((g = calloc(1, sizeof(*g))) == NULL ||
	    (g->ctx = calloc(nworkers, sizeof(*g->ctx))) == NULL ||
	    (g->cfg = calloc(nworkers, sizeof(*g->cfg))) == NULL ||
	    (g->epoch = calloc(nworkers, sizeof(*g->epoch))) == NULL) {
		snprintf(err, errsz, "out of memory");
		goto fail;
	}
	atomic_init(&g->refs, 1);
	for (i = 0; i < nnames; i++)
		snprintf(g->names[i], sizeof(g->names[i]), "%s", names[i]);
	g->nnames = nnames;
	for (i = 0; i < nworkers; i++) {
		if ((cfg = tlsglue_config(dir, names, nnames, err, errsz)) ==
		    NULL)
			goto fail;
		if ((g->ctx[i] = tls_server()) == NULL) {
			tls_config_free(cfg);
			snprintf(err, errsz, "out of memory");
			goto fail;
		}
		g->nctx = i + 1;
		if (tls_configure(g->ctx[i], cfg) == -1) {
			snprintf(err, errsz, "%s",
			    tlsglue_why(tls_error(g->ctx[i])));
			tls_config_free(cfg);
			goto fail;
		}
		g->cfg[i] = cfg;
		if (tlsglue_rekey(g, i) == -1) {
			snprintf(err, errsz, "ticket key: %s",
			    tlsglue_why(tls_config_error(cfg)));
			goto fail;
		}
	}
	return g;
 fail:
	if (g != NULL)
		tlsglue_free(g);
	return NULL;
}

struct tlsglue *
tlsglue_ref(struct tlsglue *g)
{
	atomic_fetch_add(&g->refs, 1);
	return g;
}

void
tlsglue_unref(struct tlsglue *g)
{
	if (g != NULL && atomic_fetch_sub(&g->refs, 1) == 1)
		tlsglue_free(g);
}

struct tls *
tlsglue_accept(struct tlsglue *g, size_t w, int fd, char *err, size_t errsz)
{
	struct tls *c = NULL;

	if (w >= g->nctx) {
		snprintf(err, errsz, "no TLS context for worker %zu", w);
		return NULL;
	}
	/* A new period: its key is made before any handshake needs it. */
	(void)tlsglue_rekey(g, w);
	if (tls_accept_socket(g->ctx[w], &c, fd) == -1) {
		snprintf(err, errsz, "%s",
		    tlsglue_why(tls_error(g->ctx[w])));
		return NULL;
	}
	return c;
}

int
tlsglue_is_hello(unsigned char first)
{
	return first == TLSGLUE_HANDSHAKE_RECORD;
}

int
tlsglue_serves(const struct tlsglue *g, const char *name)
{
	size_t i;

	for (i = 0; i < g->nnames; i++)
		if (strcasecmp(g->names[i], name) == 0)
			return 1;
	return 0;
}
