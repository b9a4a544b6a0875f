/*
 * tls.c: libtls configuration. Key pairs are read here, in the main
 * thread, at start and on SIGHUP; workers only ever call tlsglue_accept().
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <tls.h>

#include "cert.h"
#include "tlsglue.h"

#define TLSGLUE_PATH_MAX	1400

/*
 * Why a session lifetime when nothing resumes (README "Performance"):
 * libtls then registers its ticket callback, which on OpenSSL 3 answers
 * "no ticket" (0, LibreSSL's "success"), so TLS 1.3 handshakes end
 * without tickets. Without it, libtls sets SSL_OP_NO_TICKET and turns
 * the session cache off, and OpenSSL 3 still sends two stateful TLS 1.3
 * tickets per connection that no later handshake can redeem.
 */
#define TLSGLUE_SESSION_LIFETIME	7200	/* seconds */

/* libtls may have no message to give. */
static const char *
tlsglue_why(const char *msg)
{
	return msg != NULL ? msg : "TLS error";
}

static void
tlsglue_free(struct tlsglue *g)
{
	size_t i;

	for (i = 0; i < g->nctx; i++)
		tls_free(g->ctx[i]);
	free(g->ctx);
	free(g);
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
	    -1) {
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
	if ((g = calloc(1, sizeof(*g))) == NULL ||
	    (g->ctx = calloc(nworkers, sizeof(*g->ctx))) == NULL) {
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
		/* The context holds its own reference to it. */
		tls_config_free(cfg);
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
	if (tls_accept_socket(g->ctx[w], &c, fd) == -1) {
		snprintf(err, errsz, "%s",
		    tlsglue_why(tls_error(g->ctx[w])));
		return NULL;
	}
	return c;
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
