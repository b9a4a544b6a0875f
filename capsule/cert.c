/*
 * cert.c: self-signed certificates. Gemini clients trust on first use, so
 * a certificate that names the host and lives for decades is all a
 * capsule needs; someone with a CA-signed pair just drops it in the dir.
 */
#include <sys/stat.h>

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <openssl/bn.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "cert.h"

#define CERT_PATH_MAX	1400
#define CERT_CN_MAX	64	/* the longest commonName X.509 allows */
#define CERT_SERIAL_BITS 127	/* random and positive */
#define CERT_SKEW	3600	/* valid from an hour ago: clocks differ */

int
cert_paths(const char *dir, const char *host, char *crt, char *key,
    size_t sz)
{
	int a, b;

	a = snprintf(crt, sz, "%s/%s.crt", dir, host);
	b = snprintf(key, sz, "%s/%s.key", dir, host);
	return a < 0 || b < 0 || (size_t)a >= sz || (size_t)b >= sz ? -1 : 0;
}

/* The last libcrypto error as text, for err. */
static const char *
cert_ssl_error(void)
{
	unsigned long e = ERR_get_error();

	ERR_clear_error();
	return e ? ERR_reason_error_string(e) ? ERR_reason_error_string(e)
	    : "libcrypto error" : "libcrypto error";
}

static int
cert_add_ext(X509 *x, int nid, const char *value)
{
	X509V3_CTX ctx;
	X509_EXTENSION *ext;
	int ok;

	X509V3_set_ctx(&ctx, x, x, NULL, NULL, 0);
	if ((ext = X509V3_EXT_conf_nid(NULL, &ctx, nid, value)) == NULL)
		return -1;
	ok = X509_add_ext(x, ext, -1);
	X509_EXTENSION_free(ext);
	return ok ? 0 : -1;
}

/* A certificate for host, signed by its own key; NULL on failure. */
static X509 *
cert_make(EVP_PKEY *pk, const char *host)
{
	unsigned char addr[sizeof(struct in6_addr)];
	char san[300];
	X509_NAME *name;
	BIGNUM *bn = NULL;
	X509 *x;
	int ip;

	ip = inet_pton(AF_INET, host, addr) == 1 ||
	    inet_pton(AF_INET6, host, addr) == 1;
	snprintf(san, sizeof(san), "%s:%s", ip ? "IP" : "DNS", host);
	if ((x = X509_new()) == NULL || (bn = BN_new()) == NULL)
		goto fail;
	if (!X509_set_version(x, 2) ||
	    !BN_rand(bn, CERT_SERIAL_BITS, BN_RAND_TOP_ANY,
	    BN_RAND_BOTTOM_ANY) ||
	    BN_to_ASN1_INTEGER(bn, X509_get_serialNumber(x)) == NULL ||
	    X509_gmtime_adj(X509_getm_notBefore(x), -CERT_SKEW) == NULL ||
	    X509_time_adj_ex(X509_getm_notAfter(x), CERT_DAYS, 0, NULL) ==
	    NULL || !X509_set_pubkey(x, pk))
		goto fail;
	name = X509_get_subject_name(x);
	if (!X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
	    (const unsigned char *)host, -1, -1, 0) ||
	    !X509_set_issuer_name(x, name))
		goto fail;
	if (cert_add_ext(x, NID_subject_alt_name, san) == -1 ||
	    cert_add_ext(x, NID_basic_constraints, "critical,CA:FALSE") == -1 ||
	    cert_add_ext(x, NID_key_usage, "critical,digitalSignature") == -1 ||
	    cert_add_ext(x, NID_ext_key_usage, "serverAuth") == -1 ||
	    cert_add_ext(x, NID_subject_key_identifier, "hash") == -1)
		goto fail;
	if (X509_sign(x, pk, EVP_sha256()) == 0)
		goto fail;
	BN_free(bn);
	return x;
 fail:
	BN_free(bn);
	X509_free(x);
	return NULL;
}

/*
 * Writes a PEM file to path.tmp (synced), for the caller to rename into
 * place; tmp receives the temporary name.
 */
static int
cert_write_tmp(const char *path, char *tmp, size_t tmpsz, mode_t mode,
    EVP_PKEY *pk, X509 *x, char *err, size_t errsz)
{
	FILE *f;
	int fd, ok;

	snprintf(tmp, tmpsz, "%s.tmp", path);
	(void)unlink(tmp);
	if ((fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode)) ==
	    -1) {
		snprintf(err, errsz, "%s: %s", tmp, strerror(errno));
		return -1;
	}
	if ((f = fdopen(fd, "w")) == NULL) {
		snprintf(err, errsz, "%s: %s", tmp, strerror(errno));
		close(fd);
		unlink(tmp);
		return -1;
	}
	ok = pk ? PEM_write_PrivateKey(f, pk, NULL, NULL, 0, NULL, NULL)
	    : PEM_write_X509(f, x);
	if (fflush(f) != 0 || fsync(fileno(f)) != 0)
		ok = 0;
	if (fclose(f) != 0)
		ok = 0;
	if (!ok) {
		snprintf(err, errsz, "%s: cannot write", tmp);
		unlink(tmp);
		return -1;
	}
	return 0;
}

/* The directory entry of a rename survives a crash too. */
static void
cert_sync_dir(const char *dir)
{
	int fd;

	if ((fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) != -1) {
		(void)fsync(fd);
		close(fd);
	}
}

int
cert_ensure(const char *dir, const char *host, char *err, size_t errsz)
{
	char crt[CERT_PATH_MAX], key[CERT_PATH_MAX];
	char crt_tmp[CERT_PATH_MAX + 8], key_tmp[CERT_PATH_MAX + 8];
	struct stat sb;
	int have_crt, have_key, rc = -1;
	EVP_PKEY *pk = NULL;
	X509 *x = NULL;

	if (cert_paths(dir, host, crt, key, sizeof(crt)) == -1) {
		snprintf(err, errsz, "%s: path too long", dir);
		return -1;
	}
	have_crt = stat(crt, &sb) == 0 && sb.st_size > 0;
	have_key = stat(key, &sb) == 0 && sb.st_size > 0;
	/* A complete pair is never touched: it may be the user's own. */
	if (have_crt && have_key)
		return 0;
	/*
	 * Half a pair is what an interrupted generation leaves (a key is
	 * useless without its certificate, and the reverse): make both.
	 */
	if (strlen(host) > CERT_CN_MAX) {
		snprintf(err, errsz, "%s: name too long for a certificate",
		    host);
		return -1;
	}
	if (mkdir(dir, 0700) == -1 && errno != EEXIST) {
		snprintf(err, errsz, "%s: %s", dir, strerror(errno));
		return -1;
	}
	if ((pk = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256")) == NULL ||
	    (x = cert_make(pk, host)) == NULL) {
		snprintf(err, errsz, "%s: making a certificate: %s", host,
		    cert_ssl_error());
		goto out;
	}
	/* Both in full under temporary names, then renamed into place. */
	if (cert_write_tmp(key, key_tmp, sizeof(key_tmp), 0600, pk, NULL, err,
	    errsz) == -1)
		goto out;
	if (cert_write_tmp(crt, crt_tmp, sizeof(crt_tmp), 0644, NULL, x, err,
	    errsz) == -1) {
		unlink(key_tmp);
		goto out;
	}
	if (rename(key_tmp, key) == -1 || rename(crt_tmp, crt) == -1) {
		snprintf(err, errsz, "%s: %s", host, strerror(errno));
		unlink(key_tmp);
		unlink(crt_tmp);
		goto out;
	}
	cert_sync_dir(dir);
	rc = 1;
 out:
	X509_free(x);
	EVP_PKEY_free(pk);
	return rc;
}

/* Writes n bytes as upper-case hex pairs, joined by sep when it is set. */
static void
cert_hex(const unsigned char *md, unsigned int n, char sep, char *out,
    size_t outsz)
{
	unsigned int i;
	size_t o = 0;

	out[0] = '\0';
	for (i = 0; i < n && o + 3 < outsz; i++) {
		if (i > 0 && sep != '\0')
			out[o++] = sep;
		o += (size_t)snprintf(out + o, outsz - o, "%02X", md[i]);
	}
}

int
cert_prints(const char *path, struct cert_prints *cp, char *err,
    size_t errsz)
{
	unsigned char md[EVP_MAX_MD_SIZE], *spki = NULL;
	unsigned int n;
	int len, rc = -1;
	X509 *x;
	FILE *f;

	if ((f = fopen(path, "r")) == NULL) {
		snprintf(err, errsz, "%s: %s", path, strerror(errno));
		return -1;
	}
	x = PEM_read_X509(f, NULL, NULL, NULL);
	fclose(f);
	if (x == NULL) {
		snprintf(err, errsz, "%s: not a PEM certificate", path);
		goto out;
	}
	if (!X509_digest(x, EVP_sha256(), md, &n))
		goto fail;
	cert_hex(md, n, ':', cp->cert_sha256, sizeof(cp->cert_sha256));
	if (!X509_digest(x, EVP_sha1(), md, &n))
		goto fail;
	cert_hex(md, n, ':', cp->cert_sha1, sizeof(cp->cert_sha1));
	/* The DER SubjectPublicKeyInfo: what stays when a cert is renewed. */
	if ((len = i2d_PUBKEY(X509_get0_pubkey(x), &spki)) <= 0 ||
	    !EVP_Digest(spki, (size_t)len, md, &n, EVP_sha256(), NULL))
		goto fail;
	cert_hex(md, n, '\0', cp->key_sha256, sizeof(cp->key_sha256));
	rc = 0;
	goto out;
 fail:
	snprintf(err, errsz, "%s: %s", path, cert_ssl_error());
 out:
	OPENSSL_free(spki);
	X509_free(x);
	ERR_clear_error();
	return rc;
}

int
cert_fingerprint(const char *path, char *out, size_t outsz, char *err,
    size_t errsz)
{
	struct cert_prints cp;

	if (cert_prints(path, &cp, err, errsz) == -1)
		return -1;
	if (outsz < strlen(cp.cert_sha256) + 1) {
		snprintf(err, errsz, "fingerprint buffer too small");
		return -1;
	}
	memcpy(out, cp.cert_sha256, strlen(cp.cert_sha256) + 1);
	return 0;
}

void
cert_log_prints(const char *host, const struct cert_prints *cp,
    void (*say)(const char *, ...))
{
	say("%s: fingerprints as Gemini clients keep them (trust on first "
	    "use):", host);
	say("%s:   key SHA-256 (amfora): %s", host, cp->key_sha256);
	say("%s:   certificate SHA-1 (bombadillo): %s", host, cp->cert_sha1);
	say("%s:   certificate SHA-256 (openssl x509 -fingerprint -sha256): "
	    "%s", host, cp->cert_sha256);
}
