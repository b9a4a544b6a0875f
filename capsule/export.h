/* export.h: writes the capsule as static files for Gemini and Gopher hosts. */
#ifndef EXPORT_H
#define EXPORT_H

/* `capsule export ...`: returns the process exit status. */
int	 export_main(int, char **);

#endif
