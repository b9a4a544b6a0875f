/*
 * proxy.h: the PROXY protocol (HAProxy's, versions 1 and 2), which a
 * load balancer sends before the client's bytes to say who the client
 * is. Pure: bytes in, an address out; no I/O.
 */
#ifndef PROXY_H
#define PROXY_H

#include <sys/socket.h>

#include <stddef.h>
#include <stdint.h>

#define PROXY_V1_MAX	107	/* the longest v1 line, CRLF included */
#define PROXY_V2_HEAD	16	/* signature, version, family, length */
#define PROXY_MAX	1024	/* a v2 header with TLVs, at most */
#define PROXY_MAX_NETS	16	/* --proxy-from entries */

enum proxy_result {
	PROXY_MORE,	/* a header so far: every byte given is part of it */
	PROXY_OK,	/* a whole header of *used bytes */
	PROXY_BAD,	/* not a PROXY header, or a broken one */
};

/* What the header said. */
struct proxy_info {
	int			 local;	/* LOCAL, UNKNOWN, UDP, UNIX: keep
					   the socket's own address */
	struct sockaddr_storage	 src;	/* the client, when !local */
	socklen_t		 srclen;
};

/* An address or network that may send PROXY headers. */
struct proxy_net {
	int		family;		/* AF_INET or AF_INET6 */
	unsigned char	addr[16];
	int		bits;		/* prefix length */
};

/*
 * Parses the PROXY header at the start of buf[0..len). PROXY_OK sets
 * *used and info; PROXY_MORE means len bytes are all header so far.
 */
enum proxy_result proxy_parse(const unsigned char *buf, size_t len,
	    size_t *used, struct proxy_info *info);

/* "ADDR" or "ADDR/BITS", IPv4 or IPv6, into n; 0 or -1. */
int	 proxy_net_parse(const char *, struct proxy_net *n);
/* 1 when sa is in one of the n networks. */
int	 proxy_net_match(const struct proxy_net *, size_t n,
	    const struct sockaddr *sa);

#endif
