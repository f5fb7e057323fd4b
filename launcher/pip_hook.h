/* A relocatable venv stays relocatable when pip installs a console script
 * later: site-packages holds VS_PIP_HOOK_MODULE (written by `venvshim
 * relocate`), and the launcher makes pip's process load it, so that at pip's
 * exit the new scripts become script launchers. Only pip's starts pay:
 *   python -m pip ARGS   runs as   python -m _venvshim_scripts ARGS
 * (that module registers the hook, then runs pip as -m would:
 * runpy._run_module_as_main), and a script launcher named pip, pip3 or
 * pip3.X registers the hook in its -c prelude (script_text.h). A .pth file
 * would have cost every start of the venv ~0.3 ms (site compiling its
 * line). Other ways of starting pip (python -I -m pip, -mpip) are not
 * hooked: `venvshim relocate DIR` converts what they install. */
#ifndef VENVSHIM_PIP_HOOK_H
#define VENVSHIM_PIP_HOOK_H

#include <stdbool.h>

#include "locate.h"
#include "resolve.h"

/* Is the hook module in this venv's site-packages? lib/<python|pypy>X.Y[t]/
 * site-packages, X.Y from pyvenv.cfg (as resolve_base read it), the family
 * from the base's name. */
bool pip_hook_present(const vs_location *loc, const vs_base *base);

/* Is argv `python -m pip ...`, the form the hook takes over? */
bool pip_hook_is_module_run(int argc, char **argv);

/* Is this the file name of pip's own console script (pip, pip3, pip3.12)? */
bool pip_hook_is_pip_script(const char *name);

#endif
