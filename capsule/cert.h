/* cert.h: key pairs on disk, and self-signed ones for hosts without. */
#ifndef CERT_H
#define CERT_H

#include <stddef.h>

#define CERT_DAYS	(365 * 30)	/* a generated certificate's life */
#define CERT_FP_MAX	100		/* "AB:CD:..." of a SHA-256 */

/* Writes the paths of host's pair: dir/host.crt and dir/host.key. */
int	 cert_paths(const char *dir, const char *host, char *crt, char *key,
	    size_t);
/*
 * Makes sure dir (made when missing) holds a key pair for host. Unless
 * both files exist (and are not empty), writes a self-signed ECDSA P-256
 * certificate with CN and subjectAltName host and its key (mode 0600),
 * each to a temporary file first and then renamed: an interrupted run
 * leaves at worst half a pair, which the next run replaces. Returns 1
 * when it made one, 0 when there was one, -1 with err filled.
 */
int	 cert_ensure(const char *dir, const char *host, char *err, size_t);
/* The SHA-256 of the certificate at path, hex pairs joined by ':'. */
int	 cert_fingerprint(const char *path, char *out, size_t, char *err,
	    size_t);

/*
 * What trust-on-first-use clients store and show for a certificate, so
 * a person can compare: each client hashes something else.
 */
struct cert_prints {
	char	 cert_sha256[CERT_FP_MAX];	/* "AB:CD:...", of the DER */
	char	 cert_sha1[CERT_FP_MAX];	/* "AB:CD:...": bombadillo */
	char	 key_sha256[CERT_FP_MAX];	/* "ABCD...", SPKI: amfora */
};

int	 cert_prints(const char *path, struct cert_prints *, char *err,
	    size_t);
/* Says the three prints of host's certificate, one line each. */
void	 cert_log_prints(const char *host, const struct cert_prints *,
	    void (*say)(const char *, ...));

#endif
