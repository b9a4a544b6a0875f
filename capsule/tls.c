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

struct tlsglue *
tlsglue_new(const char *dir, const char *const *names, size_t nnames,
    size_t nworkers, char *err, size_t errsz)
{
	char crt[TLSGLUE_PATH_MAX], key[TLSGLUE_PATH_MAX];
	struct tls_config *cfg = NULL;
	struct tlsglue *g;
	size_t i;
	int rc;

	if (nnames == 0 || nnames > TLSGLUE_MAX_NAMES || nworkers == 0) {
		snprintf(err, errsz, "bad number of host names");
		return NULL;
	}
	if ((g = calloc(1, sizeof(*g))) == NULL ||
	    (g->ctx = calloc(nworkers, sizeof(*g->ctx))) == NULL ||
	    (cfg = tls_config_new()) == NULL) {
		snprintf(err, errsz, "out of memory");
		goto fail;
	}
	atomic_init(&g->refs, 1);
	if (tls_config_set_protocols(cfg, TLS_PROTOCOL_TLSv1_2 |
	    TLS_PROTOCOL_TLSv1_3) == -1) {
		snprintf(err, errsz, "%s",
		    tlsglue_why(tls_config_error(cfg)));
		goto fail;
	}
	for (i = 0; i < nnames; i++) {
		snprintf(g->names[i], sizeof(g->names[i]), "%s", names[i]);
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
	g->nnames = nnames;
	for (i = 0; i < nworkers; i++) {
		if ((g->ctx[i] = tls_server()) == NULL) {
			snprintf(err, errsz, "out of memory");
			goto fail;
		}
		g->nctx = i + 1;
		if (tls_configure(g->ctx[i], cfg) == -1) {
			snprintf(err, errsz, "%s",
			    tlsglue_why(tls_error(g->ctx[i])));
			goto fail;
		}
	}
	/* The contexts hold their own references to it. */
	tls_config_free(cfg);
	return g;
 fail:
	tls_config_free(cfg);
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
