/* server.h: `capsule serve`: libuv workers serving Gemini and Gopher. */
#ifndef SERVER_H
#define SERVER_H

/* `capsule serve ...` (and no sub-command): returns the exit status. */
int	 serve_main(int, char **);

#endif
