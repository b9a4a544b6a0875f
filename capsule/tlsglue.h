/*
 * tlsglue.h: libtls server contexts (tls.c). Not "tls.h": with -Icapsule
 * that name would hide libtls's own <tls.h>.
 */
#ifndef TLSGLUE_H
#define TLSGLUE_H

#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

#define TLSGLUE_MAX_NAMES	16
#define TLSGLUE_NAME_MAX	256

struct tls;
struct tls_config;

/*
 * The key pairs of every served host name, loaded once and shared by
 * refcount: a reload makes a new one while connections finish with the
 * old. Each worker has its own server context and configuration, so no
 * libtls object is used by two threads; session tickets made by one
 * worker resume on any (the same ticket keys and session ID context).
 */
struct tlsglue {
	struct tls	**ctx;
	struct tls_config **cfg;	/* one per worker: ticket keys */
	uint64_t	 *epoch;	/* each one's ticket key period */
	size_t		  nctx;
	char		  names[TLSGLUE_MAX_NAMES][TLSGLUE_NAME_MAX];
	size_t		  nnames;
	atomic_int	  refs;
};

/*
 * Loads dir/<name>.crt and .key for each name (the first is the default,
 * the others are picked by SNI) into nworkers contexts allowing TLS 1.2
 * and 1.3 only. Returns one reference, or NULL with err filled.
 */
struct tlsglue	*tlsglue_new(const char *dir, const char *const *names,
		    size_t nnames, size_t nworkers, char *err, size_t);
struct tlsglue	*tlsglue_ref(struct tlsglue *);
void		 tlsglue_unref(struct tlsglue *);
/* Starts a server connection on fd for worker w; NULL with err. */
struct tls	*tlsglue_accept(struct tlsglue *, size_t w, int fd, char *err,
		    size_t);
/*
 * The sniff on the Gopher port: 1 when a connection's first byte starts
 * a TLS handshake record (a ClientHello), 0 for a Gopher selector. No
 * selector starts with it: it is a control character.
 */
int		 tlsglue_is_hello(unsigned char first);
/* 1 when name is one of ours, compared case-insensitively. */
int		 tlsglue_serves(const struct tlsglue *, const char *);

#endif
