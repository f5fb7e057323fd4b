/* One-process mode on ELF systems: the venv's python loads the libpython the
 * base binary would load and calls its main entry (Py_BytesMain, 3.8+;
 * _Py_UnixMain, 3.7; Py_Main, 3.6) in this process instead of exec'ing the
 * base. The POSIX counterpart of launcher/win/inprocess.c; the why and the
 * rules are in docs/design.md ("One process").
 *
 * oneproc_choose (oneproc_find.c) decides from the base's ELF without running
 * anything (elfdyn.h, libsearch.h) and is shared with the CLI, which installs
 * the launcher that can load a library (venvshim-launcher-dl) only where the
 * choice succeeds. oneproc_run is that launcher's (oneproc_dl.c); the static
 * launcher links oneproc_off.c instead, whose choice is always "exec". */
#ifndef VENVSHIM_ONEPROC_H
#define VENVSHIM_ONEPROC_H

#include <stdbool.h>

#include "../libsearch.h"
#include "../plan.h"

/* Set at run time, VENVSHIM_TWO_PROCESS=1 makes a one-process launcher exec
 * as the static one does. */
#define ONEPROC_OFF_VAR "VENVSHIM_TWO_PROCESS"

/* Set for `venvshim install` (and create, rebase, check --fix), =1 installs
 * the one-process launcher where the base allows it, =0 the static one; unset,
 * a venv keeps the kind it has (cli/launcher_variant.c). */
#define ONEPROC_INSTALL_VAR "VENVSHIM_ONE_PROCESS"

/* The one-process launcher carries this string (the CLI tells the two apart). */
#define ONEPROC_LAUNCHER_MARKER "venvshim-one-process-launcher"

/* Small: a caller keeps it on its stack (no page of its own to touch). */
typedef struct {
    bool possible;
    int major, minor;    /* from the library's name */
    const char *reason;  /* when not possible: why */
    const char *library; /* the libpython the base would load ("" when not
                            possible), in oneproc_choose's storage until its
                            next call */
} oneproc_choice;

/* Whether this launcher can run a base in its own process at all: false in
 * the static launcher, which then reads neither LD_LIBRARY_PATH nor
 * ONEPROC_OFF_VAR from the environment (no work on every start for a choice
 * it cannot make). */
extern const bool oneproc_capable;

/* Decide for plan's base. ld_library_path: the variable's value or NULL. */
void oneproc_choose(const vs_plan *plan, const char *ld_library_path, oneproc_choice *c);

/* What oneproc_choose decided and depended on, for install's record
 * (oneproc_record.h): the directories looked in, up to the one that held the
 * library, in searched->dir (pointers into oneproc_choose's storage, valid
 * until its next call); false when the decision cannot be recorded (no
 * library, or a search through $ORIGIN). Call right after oneproc_choose. */
typedef struct {
    int count;
    const char *dir[LIBSEARCH_MAX_DIRS];
} oneproc_searched;
bool oneproc_searched_dirs(oneproc_searched *searched);

/* The decision install recorded in this launcher's own image, when it still
 * holds for plan's base (oneproc_record.h): true with c filled in. False in
 * the static launcher, without a record, with LD_LIBRARY_PATH set, or when
 * anything the record depends on changed: then oneproc_choose decides. */
bool oneproc_recorded(const vs_plan *plan, const char *ld_library_path, oneproc_choice *c);

/* Load c->library and run the interpreter with argv (argv[0] replaced as for
 * exec, the plan's environment applied). Never returns when it ran; returns
 * (traced) when the library cannot be loaded or lacks the entry point: the
 * caller then execs, and nothing of the interpreter has run. */
void oneproc_run(const oneproc_choice *c, const vs_plan *plan, int argc, char **argv);

#endif
