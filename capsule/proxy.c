/*
 * proxy.c: the PROXY protocol header, v1 (one text line) and v2 (binary),
 * as HAProxy's proxy-protocol.txt describes them. Strict: anything the
 * spec does not allow is PROXY_BAD, and the connection is dropped; only
 * peers named with --proxy-from are ever parsed.
 */
#include <netinet/in.h>

#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "proxy.h"

#define PROXY_V1_ADDR_MAX	39	/* the longest IPv6 text */

static const unsigned char proxy_sig[12] = {
	0x0d, 0x0a, 0x0d, 0x0a, 0x00, 0x0d, 0x0a, 0x51, 0x55, 0x49, 0x54, 0x0a
};

/* A decimal port, 0 to 65535, no sign, no leading zero. */
static int
proxy_v1_port(const char *s, size_t n, uint16_t *port)
{
	unsigned long v = 0;
	size_t i;

	if (n == 0 || n > 5 || (n > 1 && s[0] == '0'))
		return -1;
	for (i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (unsigned long)(s[i] - '0');
	}
	if (v > 65535)
		return -1;
	*port = (uint16_t)v;
	return 0;
}

/* One address of family af, n bytes of text, into out (the binary). */
static int
proxy_v1_addr(int af, const char *s, size_t n, void *out)
{
	char text[PROXY_V1_ADDR_MAX + 1];

	if (n == 0 || n > PROXY_V1_ADDR_MAX)
		return -1;
	memcpy(text, s, n);
	text[n] = '\0';
	return inet_pton(af, text, out) == 1 ? 0 : -1;
}

/* "PROXY TCP4 src dst sport dport\r\n", or "PROXY UNKNOWN ...\r\n". */
static enum proxy_result
proxy_v1(const unsigned char *buf, size_t len, size_t *used,
    struct proxy_info *info)
{
	const char *s = (const char *)buf, *f[6], *end;
	const unsigned char *lf;
	struct sockaddr_in6 *s6;
	struct sockaddr_in *s4;
	size_t flen[6], n, nf;
	uint16_t port;
	int af;

	lf = memchr(buf, '\n', len < PROXY_V1_MAX ? len : PROXY_V1_MAX);
	if (lf == NULL)
		return len >= PROXY_V1_MAX ? PROXY_BAD : PROXY_MORE;
	n = (size_t)(lf - buf) + 1;
	if (n < 8 || buf[n - 2] != '\r')
		return PROXY_BAD;
	end = s + n - 2;
	/* Fields split by single spaces; the first is "PROXY". */
	for (nf = 0, s += 6; nf < 6 && s <= end; nf++) {
		const char *sp = memchr(s, ' ', (size_t)(end - s));

		f[nf] = s;
		flen[nf] = (size_t)((sp ? sp : end) - s);
		s = sp ? sp + 1 : end + 1;
	}
	*used = n;
	memset(info, 0, sizeof(*info));
	if (nf >= 1 && flen[0] == 7 && memcmp(f[0], "UNKNOWN", 7) == 0) {
		/* The rest, if any, is to be ignored. */
		info->local = 1;
		return PROXY_OK;
	}
	if (nf != 5 || s <= end)
		return PROXY_BAD;
	if (flen[0] == 4 && memcmp(f[0], "TCP4", 4) == 0)
		af = AF_INET;
	else if (flen[0] == 4 && memcmp(f[0], "TCP6", 4) == 0)
		af = AF_INET6;
	else
		return PROXY_BAD;
	if (af == AF_INET) {
		struct in_addr dst;

		s4 = (struct sockaddr_in *)&info->src;
		s4->sin_family = AF_INET;
		if (proxy_v1_addr(af, f[1], flen[1], &s4->sin_addr) == -1 ||
		    proxy_v1_addr(af, f[2], flen[2], &dst) == -1)
			return PROXY_BAD;
		info->srclen = sizeof(*s4);
	} else {
		struct in6_addr dst;

		s6 = (struct sockaddr_in6 *)&info->src;
		s6->sin6_family = AF_INET6;
		if (proxy_v1_addr(af, f[1], flen[1], &s6->sin6_addr) == -1 ||
		    proxy_v1_addr(af, f[2], flen[2], &dst) == -1)
			return PROXY_BAD;
		info->srclen = sizeof(*s6);
	}
	if (proxy_v1_port(f[3], flen[3], &port) == -1)
		return PROXY_BAD;
	if (af == AF_INET)
		((struct sockaddr_in *)&info->src)->sin_port = htons(port);
	else
		((struct sockaddr_in6 *)&info->src)->sin6_port = htons(port);
	if (proxy_v1_port(f[4], flen[4], &port) == -1)
		return PROXY_BAD;
	return PROXY_OK;
}

static enum proxy_result
proxy_v2(const unsigned char *buf, size_t len, size_t *used,
    struct proxy_info *info)
{
	struct sockaddr_in6 *s6;
	struct sockaddr_in *s4;
	size_t body;
	int cmd, fam;

	if (len < PROXY_V2_HEAD)
		return PROXY_MORE;
	if ((buf[12] & 0xf0) != 0x20)
		return PROXY_BAD;
	cmd = buf[12] & 0x0f;
	fam = buf[13];
	body = (size_t)buf[14] << 8 | buf[15];
	if (cmd > 1 || PROXY_V2_HEAD + body > PROXY_MAX)
		return PROXY_BAD;
	if (len < PROXY_V2_HEAD + body)
		return PROXY_MORE;
	*used = PROXY_V2_HEAD + body;
	memset(info, 0, sizeof(*info));
	buf += PROXY_V2_HEAD;
	if (cmd == 0) {		/* LOCAL: the balancer's own health check */
		info->local = 1;
		return PROXY_OK;
	}
	switch (fam) {
	case 0x11:		/* TCP over IPv4 */
		if (body < 12)
			return PROXY_BAD;
		s4 = (struct sockaddr_in *)&info->src;
		s4->sin_family = AF_INET;
		memcpy(&s4->sin_addr, buf, 4);
		memcpy(&s4->sin_port, buf + 8, 2);
		info->srclen = sizeof(*s4);
		return PROXY_OK;
	case 0x21:		/* TCP over IPv6 */
		if (body < 36)
			return PROXY_BAD;
		s6 = (struct sockaddr_in6 *)&info->src;
		s6->sin6_family = AF_INET6;
		memcpy(&s6->sin6_addr, buf, 16);
		memcpy(&s6->sin6_port, buf + 32, 2);
		info->srclen = sizeof(*s6);
		return PROXY_OK;
	case 0x00: case 0x12: case 0x22: case 0x31: case 0x32:
		/* UNSPEC, UDP, UNIX: no TCP client address to use. */
		info->local = 1;
		return PROXY_OK;
	default:
		return PROXY_BAD;
	}
}

enum proxy_result
proxy_parse(const unsigned char *buf, size_t len, size_t *used,
    struct proxy_info *info)
{
	size_t n;

	/* The two signatures differ in their first byte. */
	if (len == 0)
		return PROXY_MORE;
	if (buf[0] == 'P') {
		n = len < 6 ? len : 6;
		if (memcmp(buf, "PROXY ", n) != 0)
			return PROXY_BAD;
		return len < 6 ? PROXY_MORE : proxy_v1(buf, len, used, info);
	}
	n = len < sizeof(proxy_sig) ? len : sizeof(proxy_sig);
	if (memcmp(buf, proxy_sig, n) != 0)
		return PROXY_BAD;
	return proxy_v2(buf, len, used, info);
}

int
proxy_net_parse(const char *s, struct proxy_net *n)
{
	char text[64], *slash, *end;
	long bits;
	int max;

	if (strlen(s) >= sizeof(text))
		return -1;
	snprintf(text, sizeof(text), "%s", s);
	memset(n, 0, sizeof(*n));
	if ((slash = strchr(text, '/')) != NULL)
		*slash = '\0';
	if (inet_pton(AF_INET, text, n->addr) == 1) {
		n->family = AF_INET;
		max = 32;
	} else if (inet_pton(AF_INET6, text, n->addr) == 1) {
		n->family = AF_INET6;
		max = 128;
	} else
		return -1;
	n->bits = max;
	if (slash != NULL) {
		bits = strtol(slash + 1, &end, 10);
		if (end == slash + 1 || *end != '\0' || bits < 0 || bits > max)
			return -1;
		n->bits = (int)bits;
	}
	return 0;
}

int
proxy_net_match(const struct proxy_net *nets, size_t n,
    const struct sockaddr *sa)
{
	static const unsigned char v4mapped[12] = { 0, 0, 0, 0, 0, 0, 0, 0,
	    0, 0, 0xff, 0xff };
	const unsigned char *a;
	size_t i;
	int full, rest, fam;

	for (i = 0; i < n; i++) {
		fam = sa->sa_family;
		a = fam == AF_INET ?
		    (const unsigned char *)&((const struct sockaddr_in *)
		    (const void *)sa)->sin_addr :
		    (const unsigned char *)&((const struct sockaddr_in6 *)
		    (const void *)sa)->sin6_addr;
		/* A dual-stack socket shows IPv4 clients as ::ffff:a.b.c.d. */
		if (fam == AF_INET6 && memcmp(a, v4mapped, 12) == 0) {
			fam = AF_INET;
			a += 12;
		}
		if (fam != nets[i].family)
			continue;
		full = nets[i].bits / 8;
		rest = nets[i].bits % 8;
		if (memcmp(a, nets[i].addr, (size_t)full) != 0)
			continue;
		if (rest && ((a[full] ^ nets[i].addr[full]) &
		    (0xff << (8 - rest)) & 0xff) != 0)
			continue;
		return 1;
	}
	return 0;
}
