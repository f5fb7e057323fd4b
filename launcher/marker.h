/* The string that identifies a venvshim launcher binary: launcher_main.c
 * embeds it (followed by the version); `venvshim install` and `check`
 * (launcher/cli, LAUNCHER_MARKER) and shebang.c look for it. */
#ifndef VENVSHIM_MARKER_H
#define VENVSHIM_MARKER_H

#define VS_LAUNCHER_MARKER "venvshim-launcher-marker "

#endif
